// actor_family: the kinds of actor that are supervised — the long-lived ones the engine's
// supervisor watches (engine/supervisor.hpp) and the per-object ones their registries
// watch (interactions, agents) — with the names the log, /metrics
// (parley_actor_deaths_total{actor}) and the console's `debug kill ACTOR` use for them.
// The names are the actors' own (their state's `name`), as in
// parley_unexpected_messages_total.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace parley {

enum class actor_family {
  directory,
  interaction_registry,
  agent_registry,
  reporting_bus,
  persistence_writer,
  stats_hub,
  router,       ///< one per tenant
  queue,        ///< one per [[queues]] entry
  campaign,     ///< one per [[campaigns]] entry
  sequence,     ///< one per [[sequences]] entry
  list_store,
  compliance,
  sim_gateway,  ///< only with campaigns
  scheduler,    ///< only with [[schedule]] entries
  interaction,  ///< one per interaction; its registry supervises it
  agent,        ///< one per logged-in agent; its registry supervises it
};

inline constexpr std::size_t actor_family_count = 16;

const char* to_string(actor_family f) noexcept;

/// The family named `name` (its to_string), if any.
std::optional<actor_family> actor_family_of(const std::string& name);

/// Every family, in declaration order (for /metrics, help texts and tests).
const std::array<actor_family, actor_family_count>& actor_families();

/// Whether there is one actor of the family per name (a tenant, a queue, a campaign, an
/// interaction id, an agent id) rather than one per engine.
bool has_names(actor_family f) noexcept;

} // namespace parley
