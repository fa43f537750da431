#include "actors/runtime/actor_family.hpp"

namespace parley {

const char* to_string(actor_family f) noexcept {
  switch (f) {
    case actor_family::directory: return "directory";
    case actor_family::interaction_registry: return "interaction_registry";
    case actor_family::agent_registry: return "agent_registry";
    case actor_family::reporting_bus: return "reporting_bus";
    case actor_family::persistence_writer: return "persistence_writer";
    case actor_family::stats_hub: return "stats_hub";
    case actor_family::router: return "router";
    case actor_family::queue: return "queue";
    case actor_family::campaign: return "campaign";
    case actor_family::sequence: return "sequence";
    case actor_family::list_store: return "list_store";
    case actor_family::compliance: return "compliance";
    case actor_family::sim_gateway: return "sim_gateway";
    case actor_family::scheduler: return "scheduler";
    case actor_family::interaction: return "interaction";
    case actor_family::agent: return "agent";
  }
  return "?";
}

const std::array<actor_family, actor_family_count>& actor_families() {
  static constexpr std::array<actor_family, actor_family_count> all{
    actor_family::directory,    actor_family::interaction_registry, actor_family::agent_registry,
    actor_family::reporting_bus, actor_family::persistence_writer,  actor_family::stats_hub,
    actor_family::router,       actor_family::queue,                actor_family::campaign,
    actor_family::sequence,     actor_family::list_store,   actor_family::compliance,           actor_family::sim_gateway,
    actor_family::scheduler,    actor_family::interaction,          actor_family::agent};
  return all;
}

std::optional<actor_family> actor_family_of(const std::string& name) {
  for (auto f : actor_families())
    if (name == to_string(f))
      return f;
  return std::nullopt;
}

bool has_names(actor_family f) noexcept {
  switch (f) {
    case actor_family::router:
    case actor_family::queue:
    case actor_family::campaign:
    case actor_family::sequence:
    case actor_family::interaction:
    case actor_family::agent: return true;
    default: return false;
  }
}

} // namespace parley
