#include "actors/agent/agent_registry.hpp"

#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"

#include "actors/agent/agent_actor.hpp"

namespace parley {

namespace {

struct agents_state {
  domain_ptr dom;
  /// Shared with the attach_functor that stops them when the registry ends however it
  /// ends (it runs after CAF 0.17 has destroyed this state).
  std::shared_ptr<std::unordered_map<std::string, agent_actor>> agents_ptr =
    std::make_shared<std::unordered_map<std::string, agent_actor>>();
  std::unordered_map<std::string, agent_actor>& agents = *agents_ptr;
  static inline const char* name = "agent_registry";
};

using agents_self = agent_registry_actor::stateful_pointer<agents_state>;

agent_registry_actor::behavior_type agent_registry(agents_self self) {
  harden(self);
  // Every agent actor is monitored from its login: a logout ends it normally, anything
  // else (an exception, the console's `debug kill agent`) is a death, logged and counted.
  // Either way the agent is forgotten and may log in again.
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& agents = self->state.agents;
    for (auto it = agents.begin(); it != agents.end(); ++it)
      if (it->second.address() == dm.source) {
        if (dm.reason != caf::exit_reason::normal) {
          self->state.dom->metrics->count_death(actor_family::agent);
          spdlog::error("supervision: agent {} died ({}); forgotten: it may log in again",
                        it->first, caf::to_string(dm.reason));
        }
        agents.erase(it);
        return;
      }
  });
  // A registry that dies takes its agents with it, as a stopping one does.
  self->attach_functor([agents = self->state.agents_ptr](const caf::error& reason) {
    if (reason != caf::exit_reason::user_shutdown)
      for (auto& [id, a] : *agents)
        caf::anon_send_exit(a, caf::exit_reason::kill);
  });
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& [id, a] : self->state.agents)
      self->send_exit(a, em.reason);
    self->quit(em.reason);
  });
  return {
    [=](init_atom, const domain_ptr& dom) { self->state.dom = dom; },
    [=](login_atom, const std::string& id, const std::string& place,
        const client_actor& client) -> caf::result<agent_actor, agent_view> {
      auto& st = self->state;
      auto* group = st.dom->cfg->group_of(id);
      if (!group)
        return caf::make_error(wire::ErrorCode::unknown_id,
                               "agent " + id + " is not in any [[agent_groups]] entry");
      if (auto it = st.agents.find(id); it != st.agents.end()) {
        if (st.dom->cfg->routing.second_login != second_login_policy::force)
          return caf::make_error(wire::ErrorCode::wrong_state,
                                 "agent " + id + " is logged in on another desktop");
        self->demonitor(it->second.address());
        caf::anon_send(it->second, logout_atom_v, true);  // its answer is of no use here
        st.agents.erase(it);
      }
      auto a = spawn_agent(self->system(), agent_setup{id, place, group, client, st.dom});
      self->monitor(a);
      st.agents[id] = a;
      agent_view v{id, wire::AgentState::not_ready, "", group->capacity, {}, st.dom->clk->now_ms()};
      return {a, std::move(v)};
    },
    [=](lookup_atom, const std::string& id) -> caf::result<agent_actor> {
      auto& agents = self->state.agents;
      auto it = agents.find(id);
      if (it == agents.end())
        return caf::make_error(wire::ErrorCode::unknown_id, "agent " + id + " is not logged in");
      return it->second;
    },
    [=](count_atom) { return static_cast<std::uint64_t>(self->state.agents.size()); },
  };
}

} // namespace

agent_registry_actor spawn_agent_registry(caf::actor_system& sys) {
  return sys.spawn(agent_registry);
}

} // namespace parley
