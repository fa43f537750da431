// domain_config: the contact center as configured — media types, queues, agent groups and
// routing timeouts. Parsed and validated by engine/config.cpp, then shared read-only by the
// actors (a shared_ptr<const domain_config>), so it can never change under them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/outbound/campaign_config.hpp"

namespace parley {

using skill_levels = std::map<std::string, std::int32_t>;
using media_capacity = std::map<std::string, std::uint32_t>;

struct queue_config {
  std::string name;
  std::string tenant = "default";
  skill_levels skills;  ///< an agent needs every skill at >= this level
  std::uint32_t max_size = 100'000;
  std::chrono::milliseconds overflow_after{0};  ///< 0: no overflow
  std::string overflow_to;                      ///< queue the interaction moves to
  /// T of the queue's service level for operators (console, /metrics): answered within T
  /// seconds. 20 s is the industry's habit ("80/20").
  std::uint32_t service_level_s = 20;
  /// "builtin" (an external router may take it over with RegisterRouter on 7120), or
  /// "stream": routed by external routers over Redis Streams (docs/streams.md).
  std::string router = "builtin";

  bool stream_routed() const noexcept { return router == "stream"; }
  bool operator==(const queue_config&) const = default;
};

struct agent_group_config {
  std::string name;
  std::string tenant = "default";
  std::vector<std::string> members;  ///< agent ids; "*" = anyone; "x-*" = ids starting "x-"
  skill_levels skills;
  media_capacity capacity;
  std::chrono::milliseconds wrap_up{0};  ///< after-call work after the last interaction leaves

  bool operator==(const agent_group_config&) const = default;
};

/// routing.second_login: what a login of an agent already logged in elsewhere does.
enum class second_login_policy { reject, force };

const char* to_string(second_login_policy p) noexcept;  ///< "reject", "force"

struct routing_config {
  std::chrono::milliseconds offer_timeout{30'000};
  std::uint32_t max_no_answer = 3;  ///< consecutive offer timeouts before not ready
  second_login_policy second_login = second_login_policy::reject;  ///< or force the first out
  std::chrono::milliseconds router_timeout{2'000};
  std::uint32_t max_properties = 100;
  std::uint32_t max_property_bytes = 4096;
  std::vector<std::string> media{"voice", "chat", "email"};
};

/// The statistics engine (2060).
struct stats_config {
  std::string reset_time_zone = "UTC";  ///< IANA zone of the daily growing_reset
  std::int32_t reset_minute = 0;        ///< minutes after local midnight (0 = midnight)
  std::string redis_host = "127.0.0.1";
  std::uint16_t redis_port = 0;         ///< 0: no Redis publication
  std::string redis_prefix = "parley:stats:";
  std::chrono::milliseconds redis_flush{500};
};

struct domain_config {
  routing_config routing;
  stats_config stats;
  std::vector<queue_config> queues;
  std::vector<agent_group_config> groups;
  outbound_domain outbound;  ///< campaigns, the telephony gateway, the job schedule
  /// The timeout of requests between actors that no client waits for (timeouts.request_ms);
  /// a client's request carries its own budget (budget.hpp).
  std::chrono::milliseconds request_timeout{5'000};
  /// timeouts.storage_ms: campaigns' leases, compliance checks and list lookups.
  std::chrono::milliseconds storage_timeout{30'000};

  const queue_config* find_queue(const std::string& name) const;
  /// The first group whose members match `agent`, or nullptr.
  const agent_group_config* group_of(const std::string& agent) const;
  bool knows_media(const std::string& media) const;
};

/// True when `agent` matches a member pattern ("*", "prefix-*" or an exact id).
bool member_matches(const std::string& pattern, const std::string& agent);

} // namespace parley
