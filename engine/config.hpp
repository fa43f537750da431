// config: everything parleyd reads from its TOML file, validated before anything starts.
//
// load_config() parses the file with toml++, applies `--set key=value` overrides, then
// checks every key against one table of known options (config.cpp): an unknown key, a
// wrong type or a value out of range is reported with the file, line and key, and all
// problems are reported at once. Exceptions are used here, at start-up only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "actors/runtime/domain_config.hpp"
#include "protocol/wire.hpp"
#include "storage/store.hpp"

namespace parley::engine {

using std::chrono::milliseconds;

/// A config file or override that cannot be used. what() names file, line and key.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Choice-valued keys are enums, parsed once by load_config; to_string gives the config's
// own word back (for logs, the console and --config-keys).

/// storage.durability: acknowledge a change once committed, or at once.
enum class durability_mode { commit, async };
/// log.level, in spdlog's order.
enum class log_level { trace, debug, info, warn, error, critical, off };
/// tls.min_version.
enum class tls_version { v1_2, v1_3 };

const char* to_string(durability_mode m) noexcept;
const char* to_string(log_level l) noexcept;
const char* to_string(tls_version v) noexcept;  ///< "1.2", "1.3"

/// The listening ports; 0 asks the OS for a free port.
struct listen_config {
  std::string bind = "127.0.0.1";
  std::uint16_t interaction_port = 7120;
  std::uint16_t vq_port = 7122;
  std::uint16_t stat_port = 2060;
};

struct limits_config {
  std::uint32_t max_frame_bytes = 1024 * 1024;
  std::uint32_t max_connections = 10'000;
  /// Unsent bytes queued for one connection before it is closed as not reading.
  std::uint64_t max_output_bytes = 8 * 1024 * 1024;
  /// Live reporting events the bus holds back for one client while its stored ones are
  /// replayed (SubscribeReporting from a sequence number); beyond, they are read from the
  /// store too.
  std::uint32_t replay_hold_events = 50'000;
  /// Open connections from one IP address; 0 = no limit beyond max_connections.
  std::uint32_t max_connections_per_address = 0;
  /// Requests per second on one connection (a burst of this many is allowed); 0 = no limit.
  std::uint32_t max_requests_per_second = 0;
  /// Open statistics on one connection (2060); more opens get limit_exceeded.
  std::uint32_t max_stats_per_connection = 100'000;
};

struct timeouts_config {
  milliseconds registration{5'000};
  milliseconds heartbeat_interval{10'000};
  milliseconds heartbeat_timeout{30'000};
  /// A registered connection without a request (pings aside) this long is closed; 0 = never.
  milliseconds idle{0};
  /// How long an internal request between actors may take before the client gets `timeout`.
  milliseconds request{5'000};
  /// How long work on contact lists in storage may take (a lease, a compliance check, the
  /// list lookups of a campaign start): slower than a request, and no client waits for it.
  milliseconds storage{30'000};
  /// How long a graceful stop waits for in-flight work before closing anyway.
  milliseconds shutdown{10'000};
};

/// The admin console (7123). Its tokens grant the roles of engine/access.hpp:
/// viewer (user_token) < supervisor < operator < admin.
struct console_config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 7123;
  std::string admin_token;     ///< required when bind is not a loopback address
  std::string operator_token;
  std::string supervisor_token;
  std::string user_token;      ///< grants viewer
  std::string audit_file;      ///< empty: <data_dir>/audit.log
};

/// Prometheus metrics and health probes over HTTP.
struct metrics_config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 13131;
};

/// The HTTP API, its live updates and the web UI ([http], docs/web.md).
struct http_config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  std::uint32_t session_hours = 12;         ///< a browser session's lifetime
  std::uint64_t max_body_bytes = 1 << 20;   ///< a JSON request body at most
  std::uint64_t max_upload_bytes = 256ull << 20;  ///< a CSV upload (list import) at most
  std::uint32_t max_connections = 4096;     ///< open HTTP connections at most
  milliseconds request_timeout{30'000};     ///< a whole request (headers and body) at most
  std::uint32_t login_attempts_per_minute = 10;  ///< failed logins per address and per user
  bool secure_cookie = false;               ///< the Secure attribute; set behind TLS
};

/// Pulse dashboards: per-user caps and trend history ([pulse], docs/pulse.md).
struct pulse_config {
  std::uint32_t max_dashboards_per_user = 20;
  std::uint32_t max_widgets_per_user = 200;
  std::uint32_t max_values_per_dashboard = 5'000;  ///< object × statistic values on one dashboard
  std::uint32_t history_sample_s = 10;             ///< a trend statistic's sampling period (domain time)
  std::uint32_t history_retention_h = 24;          ///< how long samples are kept
};

/// Historical reporting ([reporting], docs/reporting.md).
struct reporting_config {
  bool enabled = true;                    ///< the fact writer and the aggregator run
  milliseconds poll{1'000};               ///< how often they look for new events (real time)
  std::uint32_t batch_events = 5'000;     ///< events per fact transaction at most
  std::uint32_t short_abandon_s = 5;      ///< an abandon quicker than this is short
  /// Service level's formula in reports: parley (= the statistic), genesys, connect.
  std::string service_level_formula = "parley";
  /// Edges (s) of the wait-time buckets of Abandon Delay and Speed of Accept (up to 20).
  std::vector<std::uint32_t> buckets_s{5, 10, 20, 30, 60, 120, 300};
  /// Each tenant's reporting time zone (IANA); a tenant not named uses stats.reset_time_zone.
  std::map<std::string, std::string> time_zones;
  // Retention (docs/reporting.md "Retention"), in days; 0 keeps that family forever.
  std::uint32_t events_days = 35;       ///< the raw event log (only what the facts have)
  std::uint32_t facts_days = 400;       ///< facts, attempt rows and denials
  std::uint32_t aggregates_days = 1096; ///< the 15-minute aggregate rows
  /// When retention runs, if no [[schedule]] entry has action = "retention" ("" never).
  std::string retention_cron = "40 3 * * *";
  std::string retention_zone = "UTC";

  /// The zone `tenant`'s days are counted in.
  const std::string& zone_of(const std::string& tenant, const std::string& fallback) const {
    auto it = time_zones.find(tenant);
    return it == time_zones.end() ? fallback : it->second;
  }
};

/// Where and how state is stored ([storage], docs/configuration.md).
struct storage_config {
  storage::backend_kind backend = storage::backend_kind::sqlite;
  std::string path;                    ///< SQLite file; empty: <data_dir>/parley.db
  storage::sync_mode synchronous = storage::sync_mode::full;  ///< SQLite only
  std::string dsn;                     ///< PostgreSQL connection string
  std::uint32_t connect_timeout_s = 5;
  durability_mode durability = durability_mode::commit;
  std::uint32_t batch_size = 5000;     ///< rows per transaction at most
  milliseconds batch_delay{0};         ///< longest wait for more rows; 0: none
  std::uint64_t max_pending = 200'000; ///< buffered rows before new work is refused
  milliseconds retry_min{50};
  milliseconds retry_max{5'000};
  bool shed_events = false;            ///< drop reporting events past max_pending (counted)
  std::uint32_t dedupe_retained = 100'000;  ///< stopped external ids kept for resubmits
};

/// A warm-standby pair on one PostgreSQL ([ha], docs/ha.md).
struct ha_config {
  bool enabled = false;
  std::string node;       ///< this node's name, unique in the pair; empty: the host name
  std::string advertise;  ///< the host clients reach this node at; empty: listen.bind
  milliseconds lease{4'000};  ///< a primary that has not renewed for this long is taken over
  milliseconds renew{1'000};  ///< the primary renews, the backup looks, this often
  std::uint64_t term = 0;     ///< not a key: the term of the lease this engine runs under
};

/// TLS on the protocol listeners (7120, 7122, 2060); the console and /metrics stay plain.
struct tls_config {
  bool enabled = false;
  std::string cert_file;  ///< PEM certificate chain, the server's first
  std::string key_file;   ///< PEM private key of that certificate
  std::string ca_file;    ///< PEM CAs that client certificates are checked against
  bool require_client_cert = false;  ///< mutual TLS: no client certificate, no connection
  tls_version min_version = tls_version::v1_2;
};

/// Outbound contact lists ([outbound], docs/configuration.md).
struct outbound_config {
  std::string import_dir;             ///< files `list import` may read; empty: <data_dir>/import
  std::string default_timezone;       ///< for rows without a zone; empty: a zone is required
  std::string default_country_prefix; ///< e.g. "+1" for numbers without one; empty: E.164 only
  std::uint32_t import_chunk_rows = 10'000;  ///< records per transaction when importing
};

/// A Redis shared by engines ([redis]); no host: suppression lists stay in process.
struct redis_config {
  std::string host;
  std::uint16_t port = 6379;
};

/// Redis Streams ([streams], docs/streams.md): the export of the reporting events.
struct streams_config {
  bool export_events = false;          ///< append every stored reporting event to Redis Streams
  std::string prefix = "parley:";      ///< keys: <prefix><tenant>:events, <prefix>export:events
  std::uint64_t max_len = 1'000'000;   ///< entries a stream keeps, about (0: no cap)
  std::uint32_t max_age_s = 0;         ///< entries whose event is older go (0: no cap)
  std::uint32_t batch_events = 1'000;  ///< events per append transaction at most
  milliseconds poll{100};              ///< how often the exporter looks for new events once caught up
  // Routing over streams (queues with router = "stream"):
  std::string consumer = "parleyd";        ///< the engine's consumer in the group "parley" on instructions
  std::string router_group = "routers";    ///< the routers' group on to-route
  milliseconds claim_idle{5'000};          ///< instructions another "parley" consumer left pending this long are claimed
  std::uint64_t route_max_len = 100'000;   ///< requests each to-route stream keeps, about (0: no cap)
};

/// Hooks for testing the engine's own failure handling ([debug]); all off by default.
struct debug_config {
  /// The console's `debug kill ACTOR [NAME]` (admin) may kill a supervised actor.
  bool kill_hook = false;
};

struct log_config {
  log_level level = log_level::info;
  std::string file;  ///< empty: stderr only
};

struct config {
  std::string source = "(defaults)";  ///< the file it came from
  std::string name = "parley";
  std::string data_dir = "var";
  std::uint32_t io_threads = 1;
  std::uint32_t actor_threads = 0;  ///< 0: one per core left after the I/O threads
  double clock_scale = 1.0;         ///< domain time runs this many times faster than real time
  std::int64_t clock_start_ms = 0;  ///< domain time at start-up, ms since the epoch (0: now)
  listen_config listen;
  limits_config limits;
  timeouts_config timeouts;
  log_config log;
  console_config console;
  metrics_config metrics;
  http_config http;
  pulse_config pulse;
  reporting_config reporting;
  storage_config storage;
  ha_config ha;
  tls_config tls;
  outbound_config outbound;
  redis_config redis;
  streams_config streams;
  debug_config debug;
  /// Registration tokens per client type; a type without one registers without one.
  std::map<wire::ClientType, std::string> tokens;
  /// Media, queues, agent groups and routing.
  domain_config domain;
};

/// Reads and validates `path`, with `overrides` ("key=value", dotted keys) applied on top.
/// Throws config_error naming every problem found.
config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// The same for TOML text instead of a file (`name` is used in messages).
config parse_config(const std::string& toml_text, const std::string& name,
                    const std::vector<std::string>& overrides = {});

/// The storage backend's settings, with the SQLite default path under data_dir applied.
storage::config store_config(const config& c);

/// The directory `list import` reads from (outbound.import_dir or <data_dir>/import).
std::string import_dir(const config& c);

/// Every key with its default and meaning, the reloadable ones marked, then the keys of
/// each array of tables ([[queues]] ...): what `parleyd --config-keys` prints.
std::string describe_config();

/// Every key of the option table with its value in `c`, in table order; secrets (tokens,
/// the DSN) as "(secret)" when set: what GET /api/v1/config shows.
std::vector<std::pair<std::string, std::string>> effective_config(const config& c);

/// One key whose value differs between two configs (see config_diff).
struct config_change {
  std::string key;
  std::string before;  ///< as --config-keys shows it; "(secret)" for tokens and the DSN
  std::string after;
  bool reloadable;     ///< SIGHUP may apply it without a restart
};

/// Every key whose value differs from `running` to `next`, in option-table order; the
/// [[queues]] and [[agent_groups]] tables count as the keys "queues" and "agent_groups".
std::vector<config_change> config_diff(const config& running, const config& next);

/// Whether SIGHUP may change `key` in a running engine: the option table's `reloadable`
/// column (docs/configuration.md lists those keys). Arrays of tables never are.
bool reloadable_key(const std::string& key);

/// `running` with the value of every reloadable key taken from `next`: what a reload
/// applies. Keys the table marks reloadable but cannot copy stay as they were (the
/// reload sees them still differ and refuses).
config with_reloaded(const config& running, const config& next);

} // namespace parley::engine
