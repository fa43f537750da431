#include "engine/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <date/date.h>
#include <toml++/toml.h>

#include "engine/config_entries.hpp"
#include "engine/config_options.hpp"
#include "actors/stats/reset_schedule.hpp"

namespace parley::engine {

const char* to_string(durability_mode m) noexcept {
  switch (m) {
    case durability_mode::commit: return "commit";
    case durability_mode::async: return "async";
  }
  return "?";
}

const char* to_string(log_level l) noexcept {
  switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    case log_level::critical: return "critical";
    case log_level::off: return "off";
  }
  return "?";
}

const char* to_string(tls_version v) noexcept {
  switch (v) {
    case tls_version::v1_2: return "1.2";
    case tls_version::v1_3: return "1.3";
  }
  return "?";
}

namespace config_detail {

bool is_section(const std::string& key);

const char* kind_name(kind k) {
  switch (k) {
    case kind::integer: return "an integer";
    case kind::real: return "a number";
    case kind::string: return "a string";
    case kind::string_list: return "an array of strings";
    case kind::integer_list: return "an array of integers";
    case kind::boolean: return "true or false";
  }
  return "?";
}

bool has_kind(const toml::node& n, kind k) {
  switch (k) {
    case kind::integer: return n.is_integer();
    case kind::real: return n.is_integer() || n.is_floating_point();
    case kind::string: return n.is_string();
    case kind::string_list:
      return n.is_array() && n.as_array()->is_homogeneous(toml::node_type::string);
    case kind::integer_list:
      return n.is_array() && n.as_array()->is_homogeneous(toml::node_type::integer);
    case kind::boolean: return n.is_boolean();
  }
  return false;
}

std::string where(const toml::node& n, const std::string& fallback) {
  auto& src = n.source();
  if (src.path && src.path->rfind("--set", 0) == 0)
    return *src.path;
  if (src.path && src.begin.line > 0)
    return *src.path + ":" + std::to_string(src.begin.line);
  return fallback;
}

void validator::walk(const toml::table& t, const std::string& prefix) {
  for (auto&& [k, v] : t) {
    auto key = prefix.empty() ? std::string{k.str()} : prefix + "." + std::string{k.str()};
    if (key == "queues" || key == "agent_groups" || key == "campaigns" || key == "schedule"
        || key == "sequences") {
      entries(v, key);
    } else if (auto* opt = find_option(key)) {
      if (!has_kind(v, opt->type))
        fail(v, key, std::string{"must be "} + kind_name(opt->type) + ", not "
                       + std::string{toml::impl::node_type_friendly_names[static_cast<int>(v.type())]});
      else if (auto why = opt->apply(cfg, v); !why.empty())
        fail(v, key, why);
    } else if (is_section(key)) {
      if (auto* sub = v.as_table())
        walk(*sub, key);
      else
        fail(v, key, "must be a table");
    } else {
      // A key's own source is where its name stands, even for sections.
      fail(v, key, "unknown key");
    }
  }
}

std::vector<option> make_options() {
  constexpr std::int64_t port_max = 65535;
  constexpr std::int64_t day_ms = 24LL * 3600 * 1000;
  std::vector<option> o;
  o.push_back(text("engine.name", [](config& c) -> auto& { return c.name; }, non_empty,
                   "engine name shown in Registered and logs"));
  o.push_back(text("engine.data_dir", [](config& c) -> auto& { return c.data_dir; }, non_empty,
                   "directory for the embedded database and other state"));
  o.push_back(integer("engine.io_threads", 1, 64, [](config& c) -> auto& { return c.io_threads; },
                      "threads running Asio (sockets)"));
  o.push_back(integer("engine.actor_threads", 0, 256,
                      [](config& c) -> auto& { return c.actor_threads; },
                      "CAF scheduler threads; 0 = cores minus I/O threads, at least 1"));
  o.push_back({"engine.clock_scale", kind::real,
               "domain time runs this many times faster than real time (simulation); 1 = real time",
               [](config& c, const toml::node& n) -> std::string {
                 auto v = n.value<double>().value_or(0);
                 if (!(v >= 0.001 && v <= 1e6))
                   return "must be between 0.001 and 1000000";
                 c.clock_scale = v;
                 return {};
               },
               [](const config& c) {
                 std::ostringstream out;
                 out << c.clock_scale;
                 return out.str();
               }});
  o.push_back({"engine.clock_start", kind::string,
               "domain time at start-up, UTC (\"2026-03-08T06:30:00Z\"); empty = now. For "
               "simulations and tests that need a given hour or date (with clock_scale)",
               [](config& c, const toml::node& n) -> std::string {
                 auto v = n.value<std::string>().value_or("");
                 if (v.empty()) {
                   c.clock_start_ms = 0;
                   return {};
                 }
                 int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
                 auto ymd = date::year{0} / 0 / 0;
                 if (std::sscanf(v.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &used) == 6)
                   ymd = date::year{y} / mo / d;
                 if (used != static_cast<int>(v.size()) || !ymd.ok() || y < 1970 || h > 23 || mi > 59
                     || sec > 59)
                   return "must be a UTC time like 2026-03-08T06:30:00Z";
                 auto t = date::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi}
                          + std::chrono::seconds{sec};
                 c.clock_start_ms = t.time_since_epoch().count() * 1000;
                 return {};
               },
               [](const config& c) -> std::string {
                 if (c.clock_start_ms == 0)
                   return "\"\"";
                 auto t = date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{c.clock_start_ms}};
                 return "\"" + date::format("%Y-%m-%dT%H:%M:%SZ", date::floor<std::chrono::seconds>(t)) + "\"";
               }});
  o.push_back(text("listen.bind", [](config& c) -> auto& { return c.listen.bind; }, non_empty,
                   "address every protocol listener binds to"));
  o.push_back(integer("listen.interaction_port", 0, port_max,
                      [](config& c) -> auto& { return c.listen.interaction_port; },
                      "interaction protocol port; 0 = any free port"));
  o.push_back(integer("listen.vq_port", 0, port_max,
                      [](config& c) -> auto& { return c.listen.vq_port; },
                      "virtual-queue events port; 0 = any free port"));
  o.push_back(integer("listen.stat_port", 0, port_max,
                      [](config& c) -> auto& { return c.listen.stat_port; },
                      "statistics port; 0 = any free port"));
  o.push_back(reloadable(integer("limits.max_frame_bytes", 64, 256LL * 1024 * 1024,
                      [](config& c) -> auto& { return c.limits.max_frame_bytes; },
                      "largest accepted frame; a larger length prefix closes the connection")));
  o.push_back(reloadable(integer("limits.max_connections", 1, 1'000'000,
                      [](config& c) -> auto& { return c.limits.max_connections; },
                      "open connections over all listeners")));
  o.push_back(reloadable(integer("limits.max_connections_per_address", 0, 1'000'000,
                      [](config& c) -> auto& { return c.limits.max_connections_per_address; },
                      "open connections from one IP address; 0 = no limit")));
  o.push_back(reloadable(integer("limits.max_requests_per_second", 0, 10'000'000,
                      [](config& c) -> auto& { return c.limits.max_requests_per_second; },
                      "requests per second on one connection (bursts of as many); 0 = no limit")));
  o.push_back(reloadable(integer("limits.max_stats_per_connection", 1, 10'000'000,
                      [](config& c) -> auto& { return c.limits.max_stats_per_connection; },
                      "open statistics on one connection (2060); more get limit_exceeded")));
  o.push_back(reloadable(integer("limits.max_output_bytes", 4096, 1LL << 32,
                      [](config& c) -> auto& { return c.limits.max_output_bytes; },
                      "unsent bytes per connection before it is closed as not reading")));
  o.push_back(integer("limits.replay_hold_events", 1, 10'000'000,
                      [](config& c) -> auto& { return c.limits.replay_hold_events; },
                      "live reporting events held back per client while its stored ones are replayed; "
                      "beyond, they are read from the store too"));
  o.push_back(reloadable(duration_ms("timeouts.registration_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.timeouts.registration; },
                          "time a new connection has to register")));
  o.push_back(reloadable(duration_ms("timeouts.heartbeat_interval_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.timeouts.heartbeat_interval; },
                          "the engine pings a silent peer this often")));
  o.push_back(reloadable(duration_ms("timeouts.heartbeat_timeout_ms", 20, day_ms,
                          [](config& c) -> auto& { return c.timeouts.heartbeat_timeout; },
                          "a peer silent this long is closed")));
  o.push_back(reloadable(duration_ms("timeouts.idle_ms", 0, day_ms,
                          [](config& c) -> auto& { return c.timeouts.idle; },
                          "a connection without a request (pings aside) this long is closed; 0 = never")));
  o.push_back(reloadable(duration_ms("timeouts.request_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.timeouts.request; },
                          "internal answer deadline before a client gets `timeout`")));
  o.push_back(duration_ms("timeouts.storage_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.timeouts.storage; },
                          "outbound work on contact lists in storage: leases, compliance checks"));
  o.push_back(reloadable(duration_ms("timeouts.shutdown_ms", 0, day_ms,
                          [](config& c) -> auto& { return c.timeouts.shutdown; },
                          "graceful stop: time to finish in-flight work")));
  o.push_back(reloadable(choice(
    "log.level",
    {log_level::trace, log_level::debug, log_level::info, log_level::warn, log_level::error,
     log_level::critical, log_level::off},
    to_string, [](config& c) -> auto& { return c.log.level; },
    "trace, debug, info, warn, error, critical or off",
    "is not a log level (trace, debug, info, warn, error, critical, off)")));
  o.push_back(text("log.file", [](config& c) -> auto& { return c.log.file; }, any_text,
                   "also log to this file; empty = stderr only"));
  o.push_back(duration_ms("routing.offer_timeout_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.domain.routing.offer_timeout; },
                          "an offer not accepted or rejected within this is revoked and requeued"));
  o.push_back(integer("routing.max_no_answer", 0, 1000,
                      [](config& c) -> auto& { return c.domain.routing.max_no_answer; },
                      "consecutive offer timeouts before the agent goes not ready; 0 = never"));
  o.push_back(choice("routing.second_login",
                     {second_login_policy::reject, second_login_policy::force}, parley::to_string,
                     [](config& c) -> auto& { return c.domain.routing.second_login; },
                     "a second login of a logged-in agent: \"reject\" it or \"force\" the first out",
                     "must be \"reject\" or \"force\""));
  o.push_back(duration_ms("routing.router_timeout_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.domain.routing.router_timeout; },
                          "an external router silent this long is bypassed by the built-in one"));
  o.push_back(integer("routing.max_properties", 1, 100'000,
                      [](config& c) -> auto& { return c.domain.routing.max_properties; },
                      "properties (user data keys) per interaction"));
  o.push_back(integer("routing.max_property_bytes", 1, 16 * 1024 * 1024,
                      [](config& c) -> auto& { return c.domain.routing.max_property_bytes; },
                      "bytes of one property's key plus value"));
  o.push_back({"routing.media", kind::string_list, "media types interactions and agents may use",
               [](config& c, const toml::node& n) -> std::string {
                 std::vector<std::string> media;
                 for (auto& m : *n.as_array()) {
                   auto v = m.as_string()->get();
                   if (v.empty())
                     return "media names must not be empty";
                   media.push_back(v);
                 }
                 if (media.empty())
                   return "at least one media type is needed";
                 c.domain.routing.media = std::move(media);
                 return {};
               },
               [](const config& c) {
                 std::string out = "[";
                 for (auto& m : c.domain.routing.media)
                   out += (out.size() > 1 ? ", \"" : "\"") + m + "\"";
                 return out + "]";
               }});
  o.push_back(text("stats.reset_time_zone",
                   [](config& c) -> auto& { return c.domain.stats.reset_time_zone; },
                   [](const std::string& v) { return stats::check_time_zone(v); },
                   "IANA time zone of the daily reset of growing_reset statistics"));
  o.push_back({"stats.reset_time", kind::string,
               "local time of day (HH:MM) of the daily reset of growing_reset statistics",
               [](config& c, const toml::node& n) -> std::string {
                 auto v = n.as_string()->get();
                 int h = 0, m = 0;
                 char extra = 0;
                 if (v.size() != 5 || std::sscanf(v.c_str(), "%2d:%2d%c", &h, &m, &extra) != 2
                     || h < 0 || h > 23 || m < 0 || m > 59)
                   return "\"" + v + "\" is not a time of day HH:MM (00:00 to 23:59)";
                 c.domain.stats.reset_minute = h * 60 + m;
                 return {};
               },
               [](const config& c) {
                 char buf[32];
                 std::snprintf(buf, sizeof buf, "\"%02d:%02d\"", c.domain.stats.reset_minute / 60,
                               c.domain.stats.reset_minute % 60);
                 return std::string{buf};
               }});
  o.push_back(text("stats.redis_host", [](config& c) -> auto& { return c.domain.stats.redis_host; },
                   non_empty, "Redis host for publishing statistic values"));
  o.push_back(integer("stats.redis_port", 0, port_max,
                      [](config& c) -> auto& { return c.domain.stats.redis_port; },
                      "Redis port for publishing statistic values; 0 = no publication"));
  o.push_back(text("stats.redis_prefix",
                   [](config& c) -> auto& { return c.domain.stats.redis_prefix; }, any_text,
                   "prefix of the Redis hash keys (one hash per object)"));
  o.push_back(duration_ms("stats.redis_flush_ms", 10, day_ms,
                          [](config& c) -> auto& { return c.domain.stats.redis_flush; },
                          "how often coalesced values are written to Redis"));
  o.push_back(text("console.bind", [](config& c) -> auto& { return c.console.bind; }, non_empty,
                   "admin console address; beyond loopback it needs console.admin_token"));
  o.push_back(integer("console.port", 0, port_max, [](config& c) -> auto& { return c.console.port; },
                      "admin console port; 0 = any free port"));
  o.push_back(reloadable(text("console.admin_token", [](config& c) -> auto& { return c.console.admin_token; },
                   non_empty, "`auth` with this token grants the admin role")));
  o.push_back(reloadable(text("console.operator_token",
                   [](config& c) -> auto& { return c.console.operator_token; }, non_empty,
                   "`auth` with this token grants the operator role")));
  o.push_back(reloadable(text("console.supervisor_token",
                   [](config& c) -> auto& { return c.console.supervisor_token; }, non_empty,
                   "`auth` with this token grants the supervisor role")));
  o.push_back(reloadable(text("console.user_token", [](config& c) -> auto& { return c.console.user_token; },
                   non_empty, "`auth` with this token grants the read-only viewer role")));
  o.push_back(text("console.audit_file", [](config& c) -> auto& { return c.console.audit_file; },
                   any_text, "audit log of state-changing console commands; empty = <data_dir>/audit.log"));
  o.push_back(text("metrics.bind", [](config& c) -> auto& { return c.metrics.bind; }, non_empty,
                   "address of the HTTP endpoint for /metrics, /healthz and /readyz"));
  o.push_back(integer("metrics.port", 0, port_max, [](config& c) -> auto& { return c.metrics.port; },
                      "HTTP port for /metrics, /healthz and /readyz; 0 = any free port"));
  o.push_back(text("http.bind", [](config& c) -> auto& { return c.http.bind; }, non_empty,
                   "address of the HTTP API and web UI"));
  o.push_back(integer("http.port", 0, port_max, [](config& c) -> auto& { return c.http.port; },
                      "HTTP API and web UI port; 0 = any free port"));
  o.push_back(integer("http.session_hours", 1, 24 * 30,
                      [](config& c) -> auto& { return c.http.session_hours; },
                      "how long a browser session lasts after its login"));
  o.push_back(integer("http.max_body_bytes", 1024, std::int64_t{1} << 30,
                      [](config& c) -> auto& { return c.http.max_body_bytes; },
                      "largest JSON request body; a larger one gets 413"));
  o.push_back(integer("http.max_upload_bytes", 1024, std::int64_t{16} << 30,
                      [](config& c) -> auto& { return c.http.max_upload_bytes; },
                      "largest CSV upload (a contact-list or do-not-call import); a larger one gets 413"));
  o.push_back(integer("http.max_connections", 1, 1'000'000,
                      [](config& c) -> auto& { return c.http.max_connections; },
                      "open HTTP connections at most; more are closed at once"));
  o.push_back(duration_ms("http.request_timeout_ms", 1000, day_ms,
                          [](config& c) -> auto& { return c.http.request_timeout; },
                          "a request's headers and body must arrive within this (slow clients get 408)"));
  o.push_back(integer("http.login_attempts_per_minute", 1, 10'000,
                      [](config& c) -> auto& { return c.http.login_attempts_per_minute; },
                      "failed logins per minute from one address, and for one user, before 429"));
  o.push_back(flag("http.secure_cookie", [](config& c) -> auto& { return c.http.secure_cookie; },
                   "mark the session cookie Secure (set it when a TLS proxy fronts the UI)"));
  o.push_back(integer("pulse.max_dashboards_per_user", 1, 10'000,
                      [](config& c) -> auto& { return c.pulse.max_dashboards_per_user; },
                      "dashboards one user may own"));
  o.push_back(integer("pulse.max_widgets_per_user", 1, 100'000,
                      [](config& c) -> auto& { return c.pulse.max_widgets_per_user; },
                      "widgets on the dashboards one user owns"));
  o.push_back(integer("pulse.max_values_per_dashboard", 1, 1'000'000,
                      [](config& c) -> auto& { return c.pulse.max_values_per_dashboard; },
                      "object x statistic values one dashboard may show"));
  o.push_back(integer("pulse.history_sample_s", 1, 3600,
                      [](config& c) -> auto& { return c.pulse.history_sample_s; },
                      "trend widgets' statistics are sampled this often (domain time)"));
  o.push_back(integer("pulse.history_retention_h", 1, 24 * 400,
                      [](config& c) -> auto& { return c.pulse.history_retention_h; },
                      "trend samples are kept this long (Redis stream, or the embedded database)"));
  add_reporting_options(o);
  add_streams_options(o);
  for (auto t : wire::EnumValuesClientType()) {
    if (t == wire::ClientType::unknown)
      continue;
    std::string name = protocol::client_type_name(t);
    auto token = text("auth." + name, [t](config& c) -> auto& { return c.tokens[t]; }, non_empty,
                      "registration token required from " + name + " clients");
    // Showing or copying must not insert an empty token into the map (an empty token is
    // no token).
    token.show = [t](const config& c) {
      auto it = c.tokens.find(t);
      return it == c.tokens.end() ? std::string{"\"\""} : '"' + it->second + '"';
    };
    token.copy = [t](config& to, const config& from) {
      if (auto it = from.tokens.find(t); it != from.tokens.end())
        to.tokens[t] = it->second;
      else
        to.tokens.erase(t);
    };
    o.push_back(reloadable(std::move(token)));
  }
  o.push_back(flag("tls.enabled", [](config& c) -> auto& { return c.tls.enabled; },
                   "TLS on the protocol listeners (7120, 7122, 2060); needs tls.cert_file and tls.key_file"));
  o.push_back(text("tls.cert_file", [](config& c) -> auto& { return c.tls.cert_file; }, any_text,
                   "PEM certificate chain of the engine, its own certificate first"));
  o.push_back(text("tls.key_file", [](config& c) -> auto& { return c.tls.key_file; }, any_text,
                   "PEM private key of tls.cert_file"));
  o.push_back(text("tls.ca_file", [](config& c) -> auto& { return c.tls.ca_file; }, any_text,
                   "PEM CA certificates that client certificates are verified against"));
  o.push_back(flag("tls.require_client_cert",
                   [](config& c) -> auto& { return c.tls.require_client_cert; },
                   "mutual TLS: refuse clients without a certificate signed by tls.ca_file"));
  o.push_back(choice("tls.min_version", {tls_version::v1_2, tls_version::v1_3}, to_string,
                     [](config& c) -> auto& { return c.tls.min_version; },
                     "oldest TLS version accepted: \"1.2\" or \"1.3\""));
  add_storage_options(o);
  add_ha_options(o);
  add_outbound_options(o);
  o.push_back(flag("debug.kill_hook", [](config& c) -> auto& { return c.debug.kill_hook; },
                   "let the console's admin-only `debug kill ACTOR [NAME]` kill a supervised "
                   "actor, to test supervision and recovery; never in production"));
  return o;
}

const std::vector<option>& options() {
  static const auto all = make_options();
  return all;
}

const option* find_option(const std::string& key) {
  for (auto& o : options())
    if (o.key == key)
      return &o;
  return nullptr;
}

bool is_section(const std::string& key) {
  for (auto& o : options())
    if (o.key.size() > key.size() && o.key.compare(0, key.size(), key) == 0
        && o.key[key.size()] == '.')
      return true;
  return false;
}

// -- validation -------------------------------------------------------------------

/// TOML text for `text` as a basic string.
std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + '"';
}

void apply_override(toml::table& root, const std::string& item) {
  auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0)
    throw config_error("--set " + item + ": expected key=value");
  auto key = item.substr(0, eq);
  auto value = item.substr(eq + 1);
  // Every node made here carries "--set KEY=VALUE" as its source, so that a problem with
  // it names the argument, not the file.
  auto source = "--set " + item;
  auto node = [&](const std::string& toml_value) {
    try {
      return toml::parse("v = " + toml_value, source);
    } catch (const toml::parse_error& e) {
      throw config_error(source + ": " + std::string{e.description()});
    }
  };
  // A value that is not valid TOML (e.g. bare text) is taken as a string.
  toml::table doc;
  try {
    doc = node(value);
    // No key takes a TOML date or time: 2026-03-08T06:30:00Z on a command line is text;
    // so is any value of a text key (tls.min_version=1.3).
    auto* opt = find_option(key);
    if (auto* v = doc.get("v"); v && (v->is_date() || v->is_time() || v->is_date_time()
                                      || (opt && opt->type == kind::string && !v->is_string())))
      doc = node(toml_string(value));
  } catch (const config_error&) {
    doc = node(toml_string(value));
  }
  toml::table* t = &root;
  std::size_t pos = 0;
  for (;;) {
    auto dot = key.find('.', pos);
    auto part = key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (part.empty())
      throw config_error(source + ": bad key");
    if (dot == std::string::npos) {
      t->insert_or_assign(part, std::move(*doc.get("v")));
      return;
    }
    if (!t->contains(part))
      t->insert(part, std::move(*node("{}").get("v")));
    t = t->get(part)->as_table();
    if (!t)
      throw config_error(source + ": " + key.substr(0, dot) + " is not a table");
    pos = dot + 1;
  }
}

config validate(toml::table& root, const std::string& name,
                const std::vector<std::string>& overrides) {
  for (auto& item : overrides)
    apply_override(root, item);
  config cfg;
  cfg.source = name;
  validator v{cfg, name, {}};
  v.walk(root, "");
  check_domain(v, name);
  if (cfg.console.admin_token.empty()) {
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(cfg.console.bind, ec);
    if (ec || !addr.is_loopback())
      v.problems.push_back({~0u, name + ": console.bind = \"" + cfg.console.bind
                                   + "\" is not loopback: set console.admin_token (there is no "
                                     "default secret)"});
  }
  if (cfg.streams.export_events && cfg.redis.host.empty())
    v.problems.push_back({~0u, name + ": streams.export = true needs a Redis (redis.host)"});
  for (auto& q : cfg.domain.queues)
    if (q.stream_routed() && cfg.redis.host.empty())
      v.problems.push_back({~0u, name + ": queue \"" + q.name + "\" has router = \"stream\", which needs a Redis (redis.host)"});
  if (cfg.storage.backend == storage::backend_kind::postgresql && cfg.storage.dsn.empty())
    v.problems.push_back({~0u, name + ": storage.backend = \"postgresql\" needs storage.dsn"});
  if (cfg.ha.enabled)
    for (auto& why : check_ha(cfg))
      v.problems.push_back({~0u, name + ": " + why});
  if (cfg.storage.retry_max < cfg.storage.retry_min)
    v.problems.push_back({~0u, name + ": storage.retry_max_ms must not be below storage.retry_min_ms"});
  if (cfg.tls.enabled && (cfg.tls.cert_file.empty() || cfg.tls.key_file.empty()))
    v.problems.push_back({~0u, name + ": tls.enabled = true needs tls.cert_file and tls.key_file"});
  if (cfg.tls.require_client_cert && cfg.tls.ca_file.empty())
    v.problems.push_back({~0u, name + ": tls.require_client_cert = true needs tls.ca_file"});
  if (cfg.timeouts.heartbeat_timeout <= cfg.timeouts.heartbeat_interval)
    v.problems.push_back({~0u, name + ": timeouts.heartbeat_timeout_ms must be larger than "
                                      "timeouts.heartbeat_interval_ms"});
  if (!v.problems.empty()) {
    // Tables iterate by key; people read files by line.
    std::stable_sort(v.problems.begin(), v.problems.end(),
                     [](auto& a, auto& b) { return a.first < b.first; });
    std::string all;
    for (auto& p : v.problems)
      all += (all.empty() ? "" : "\n") + p.second;
    throw config_error(all);
  }
  return cfg;
}

} // namespace config_detail

using config_detail::options;
using config_detail::validate;

config parse_config(const std::string& toml_text, const std::string& name,
                    const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    auto& src = e.source();
    throw config_error(name + ":" + std::to_string(src.begin.line) + ":"
                       + std::to_string(src.begin.column) + ": " + std::string{e.description()});
  }
  return validate(root, name, overrides);
}

config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    auto why = std::string{std::strerror(errno)};
    std::error_code ec;
    auto full = std::filesystem::absolute(path, ec).string();
    throw config_error(path + ": cannot read the config file ("
                       + (ec || full == path ? "" : full + ": ") + why + ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, overrides);
}

} // namespace parley::engine
