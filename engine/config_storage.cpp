// The [storage], [ha], [outbound] and [redis] keys of the option table (config_options.hpp),
// the checks of [ha] as a whole, and what the storage backend and list imports are given.
#include <filesystem>

#include <boost/asio/ip/address.hpp>
#include <unistd.h>

#include "engine/config_options.hpp"

namespace parley::engine::config_detail {

void add_outbound_options(std::vector<option>& o) {
  o.push_back(text("outbound.import_dir", [](config& c) -> auto& { return c.outbound.import_dir; },
                   any_text,
                   "the only directory `list import` reads files from; empty = "
                   "<engine.data_dir>/import"));
  o.push_back(text("outbound.default_timezone",
                   [](config& c) -> auto& { return c.outbound.default_timezone; }, any_text,
                   "IANA zone for imported records without one (e.g. \"America/New_York\"); "
                   "empty = a zone column is required"));
  o.push_back(text("outbound.default_country_prefix",
                   [](config& c) -> auto& { return c.outbound.default_country_prefix; },
                   [](const std::string& v) -> std::string {
                     if (v.empty())
                       return {};
                     if (v[0] != '+' || v.size() < 2 || v.size() > 4
                         || v.find_first_not_of("0123456789", 1) != std::string::npos)
                       return "\"" + v + "\" is not a country prefix (\"+\" and 1 to 3 digits)";
                     return {};
                   },
                   "prefix for imported numbers without a country code (\"+49\"); empty = "
                   "numbers must be E.164"));
  o.push_back(integer("outbound.import_chunk_rows", 100, 1'000'000,
                      [](config& c) -> auto& { return c.outbound.import_chunk_rows; },
                      "records written per transaction when importing a list"));
  auto gw = [](config& c) -> gateway_config& { return c.domain.outbound.gateway; };
  o.push_back(choice("outbound.gateway.kind", {gateway_kind::simulated, gateway_kind::external},
                     +[](gateway_kind k) -> const char* { return parley::to_string(k); },
                     [=](config& c) -> auto& { return gw(c).kind; },
                     "\"simulated\": the built-in gateway places calls; \"external\": dial_gateway "
                     "clients over 7120 do (docs/outbound.md)"));
  o.push_back(duration_ms("outbound.gateway.report_grace_ms", 1'000, 3'600'000,
                          [=](config& c) -> auto& { return gw(c).report_grace; },
                          "external gateways: a call neither answered nor ended this long after "
                          "its no_answer_after_ms is ended as failed"));
  o.push_back(integer("outbound.gateway.seed", 0, INT64_MAX,
                      [=](config& c) -> auto& { return gw(c).seed; },
                      "seed of the simulated telephony gateway (the same seed, the same calls)"));
  for (auto entry :
       std::initializer_list<std::tuple<const char*, double gateway_config::*, const char*>>{
         {"answer", &gateway_config::answer, "share of calls a live person answers"},
         {"busy", &gateway_config::busy, "share of calls that get busy"},
         {"no_answer", &gateway_config::no_answer, "share of calls nobody answers"},
         {"machine", &gateway_config::machine, "share of calls an answering machine takes"},
         {"fax", &gateway_config::fax, "share of calls a fax answers"},
         {"sit", &gateway_config::sit, "share of calls to numbers not in service (SIT)"},
         {"dropped", &gateway_config::dropped, "share of calls the network drops"},
         {"delivered", &gateway_config::delivered, "share of messages (sms, email) delivered"},
         {"undeliverable", &gateway_config::undeliverable,
          "share of messages to no such number or mailbox"},
         {"opted_out", &gateway_config::opted_out,
          "share of messages whose recipient opts out (STOP)"}})
  {
    // Not a structured binding: lambdas may not capture those (clang).
    auto field = std::get<1>(entry);
    o.push_back(number(std::string{"outbound.gateway."} + std::get<0>(entry), 0.0, 1.0,
                       [=](config& c) -> auto& { return gw(c).*field; },
                       std::string{std::get<2>(entry)} + " (simulated gateway; shares are normalized)"));
  }
  o.push_back(duration_ms("outbound.gateway.ring_mean_ms", 1, 600'000,
                          [=](config& c) -> auto& { return gw(c).ring_mean; },
                          "mean time to an answer, busy, machine, fax or SIT (uniform 0.25x-1.75x)"));
  o.push_back(duration_ms("outbound.gateway.no_answer_after_ms", 1, 600'000,
                          [=](config& c) -> auto& { return gw(c).no_answer_after; },
                          "a call nobody answers ends after this (simulated); the DialRequest's timeout_ms (external)"));
  o.push_back(duration_ms("outbound.gateway.talk_mean_ms", 1, 86'400'000,
                          [=](config& c) -> auto& { return gw(c).talk_mean; },
                          "mean talk time of answered calls (exponential); the customer hangs up after"));
  o.push_back(integer("outbound.gateway.max_lines", 1, 10'000'000,
                      [=](config& c) -> auto& { return gw(c).max_lines; },
                      "simultaneous calls the gateway takes"));
  o.push_back(text("redis.host", [](config& c) -> auto& { return c.redis.host; }, any_text,
                   "Redis shared by engines for suppression lists and Pulse's trend history; empty = "
                   "in process (stored in the storage backend)"));
  o.push_back(integer("redis.port", 1, 65535, [](config& c) -> auto& { return c.redis.port; },
                      "Redis port"));
}

void add_storage_options(std::vector<option>& o) {
  constexpr std::int64_t minute_ms = 60'000;
  o.push_back(choice("storage.backend",
                     {storage::backend_kind::sqlite, storage::backend_kind::postgresql},
                     storage::to_string, [](config& c) -> auto& { return c.storage.backend; },
                     "\"sqlite\" (embedded, a file under engine.data_dir) or \"postgresql\""));
  o.push_back(text("storage.path", [](config& c) -> auto& { return c.storage.path; }, any_text,
                   "SQLite database file; empty = <engine.data_dir>/parley.db"));
  o.push_back(choice("storage.synchronous", {storage::sync_mode::full, storage::sync_mode::normal},
                     storage::to_string, [](config& c) -> auto& { return c.storage.synchronous; },
                     "SQLite: \"full\" syncs every commit (survives power loss); \"normal\" "
                     "survives a process crash only"));
  o.push_back(text("storage.dsn", [](config& c) -> auto& { return c.storage.dsn; }, non_empty,
                   "PostgreSQL connection string (libpq), e.g. \"host=127.0.0.1 dbname=parley "
                   "user=parley password=...\""));
  o.push_back(integer("storage.connect_timeout_s", 1, 300,
                      [](config& c) -> auto& { return c.storage.connect_timeout_s; },
                      "PostgreSQL connection timeout, and how long start-up waits for another "
                      "parleyd to let go of the database (seconds)"));
  o.push_back(choice("storage.durability", {durability_mode::commit, durability_mode::async},
                     to_string, [](config& c) -> auto& { return c.storage.durability; },
                     "\"commit\": a request is acknowledged after its change is committed; "
                     "\"async\": at once (a crash may lose the last uncommitted batch)"));
  o.push_back(integer("storage.batch_size", 1, 100'000,
                      [](config& c) -> auto& { return c.storage.batch_size; },
                      "rows written in one transaction at most"));
  o.push_back(duration_ms("storage.batch_delay_ms", 0, minute_ms,
                          [](config& c) -> auto& { return c.storage.batch_delay; },
                          "how long the first buffered row may wait for others; 0 = write as "
                          "soon as the writer is free (group commit still batches)"));
  o.push_back(integer("storage.max_pending", 100, 100'000'000,
                      [](config& c) -> auto& { return c.storage.max_pending; },
                      "buffered uncommitted rows at which new submits and changes are refused "
                      "(storage_unavailable)"));
  o.push_back(duration_ms("storage.retry_min_ms", 1, minute_ms,
                          [](config& c) -> auto& { return c.storage.retry_min; },
                          "first retry delay after a failed write (doubles each time)"));
  o.push_back(duration_ms("storage.retry_max_ms", 1, 10 * minute_ms,
                          [](config& c) -> auto& { return c.storage.retry_max; },
                          "longest retry delay"));
  o.push_back(flag("storage.shed_events", [](config& c) -> auto& { return c.storage.shed_events; },
                   "drop reporting events (counted in parley_storage_events_shed_total) rather "
                   "than buffer them past storage.max_pending; interactions are never dropped"));
  o.push_back(integer("storage.dedupe_retained", 0, 100'000'000,
                      [](config& c) -> auto& { return c.storage.dedupe_retained; },
                      "stopped interactions remembered by external id, so a late resubmit "
                      "finds them instead of creating a duplicate"));
}

std::string ha_node_problem(const std::string& v) {
  if (v.size() > 40 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
                         != std::string::npos)
    return "\"" + v + "\" is not a node name (letters, digits, '.', '_', '-'; at most 40)";
  return {};
}

std::vector<std::string> check_ha(config& cfg) {
  std::vector<std::string> problems;
  auto fail = [&](const std::string& why) { problems.push_back(why); };
  auto& ha = cfg.ha;
  if (cfg.storage.backend != storage::backend_kind::postgresql)
    fail("ha.enabled = true needs storage.backend = \"postgresql\": the two nodes share one "
         "database, and a SQLite file belongs to one process (docs/ha.md)");
  if (cfg.storage.durability != durability_mode::commit)
    fail("ha.enabled = true needs storage.durability = \"commit\": a change acknowledged "
         "before its commit would be lost when the backup takes over");
  if (ha.renew * 2 > ha.lease)
    fail("ha.renew_ms must be at most half of ha.lease_ms (a lease renewed less often expires "
         "between two renewals)");
  if (ha.node.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    ha.node = host;
    if (ha.node.empty() || !ha_node_problem(ha.node).empty())
      fail("ha.node is empty and the host name \"" + ha.node + "\" is not a node name: set ha.node");
  }
  if (ha.advertise.empty()) {
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(cfg.listen.bind, ec);
    if (!ec && addr.is_unspecified())
      fail("ha.advertise is empty and listen.bind = \"" + cfg.listen.bind
           + "\" is no address a client can reach: set ha.advertise");
    ha.advertise = cfg.listen.bind;
  }
  return problems;
}

void add_ha_options(std::vector<option>& o) {
  o.push_back(flag("ha.enabled", [](config& c) -> auto& { return c.ha.enabled; },
                   "run as one node of a warm-standby pair on storage.dsn (PostgreSQL): the "
                   "primary serves, the backup takes over when it fails (docs/ha.md)"));
  o.push_back(text("ha.node", [](config& c) -> auto& { return c.ha.node; }, ha_node_problem,
                   "this node's name, different on the two nodes; empty = the host name"));
  o.push_back(text("ha.advertise", [](config& c) -> auto& { return c.ha.advertise; }, any_text,
                   "the host or address clients reach this node at (the backup tells them); "
                   "empty = listen.bind"));
  o.push_back(duration_ms("ha.lease_ms", 500, 60'000, [](config& c) -> auto& { return c.ha.lease; },
                          "a primary that has not renewed its lease for this long is taken over "
                          "(a killed one at once: its lock goes with its connection)"));
  o.push_back(duration_ms("ha.renew_ms", 100, 30'000, [](config& c) -> auto& { return c.ha.renew; },
                          "how often the primary renews its lease and the backup looks at it"));
}

} // namespace parley::engine::config_detail

namespace parley::engine {

storage::config store_config(const config& c) {
  storage::config out;
  out.backend = c.storage.backend;
  out.path = c.storage.path.empty()
               ? (std::filesystem::path(c.data_dir) / "parley.db").string()
               : c.storage.path;
  out.synchronous = c.storage.synchronous;
  out.dsn = c.storage.dsn;
  out.connect_timeout_s = c.storage.connect_timeout_s;
  if (c.ha.enabled) {
    out.ha_node = c.ha.node;
    out.ha_term = c.ha.term;
  }
  return out;
}

std::string import_dir(const config& c) {
  return c.outbound.import_dir.empty() ? (std::filesystem::path(c.data_dir) / "import").string()
                                       : c.outbound.import_dir;
}

} // namespace parley::engine
