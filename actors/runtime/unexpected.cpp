#include "actors/runtime/unexpected.hpp"

namespace parley {

unexpected_messages& unexpected_messages::instance() {
  static auto* self = new unexpected_messages;  // never destroyed: actors may outlive main
  return *self;
}

bool unexpected_messages::record(const std::string& actor, const std::string& signature) {
  std::lock_guard lock{mx_};
  ++counts_[actor];
  return seen_.emplace(actor, signature).second;
}

std::map<std::string, std::uint64_t> unexpected_messages::counts() const {
  std::lock_guard lock{mx_};
  auto out = counts_;
  for (auto& n : actor_names())
    out.emplace(n, 0);
  return out;
}

std::uint64_t unexpected_messages::total() const {
  std::lock_guard lock{mx_};
  std::uint64_t n = 0;
  for (auto& [actor, c] : counts_)
    n += c;
  return n;
}

const std::vector<std::string>& actor_names() {
  static const auto* names = new std::vector<std::string>{
    "agent",         "agent_registry",     "campaign",    "compliance",
    "connection",    "console",            "dialer_session", "directory",
    "interaction",   "interaction_registry", "list_store", "persistence_writer",
    "queue",         "redis_publisher",    "reporting_bus", "router",
    "scheduler",     "sim_gateway",        "stat",        "stats_hub",
    "supervisor"};
  return *names;
}

} // namespace parley
