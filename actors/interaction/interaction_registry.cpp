#include "actors/interaction/interaction_registry.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/harden.hpp"

#include "actors/interaction/interaction_actor.hpp"

namespace parley {

namespace {

struct registry_state {
  domain_ptr dom;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, caf::actor> live;
  std::unordered_map<std::string, std::uint64_t> by_external;
  static inline const char* name = "interaction_registry";
};

using registry_self = caf::stateful_actor<registry_state>*;
using submit_answer = caf::result<std::uint64_t, bool, wire::InteractionState>;

caf::behavior interaction_registry(registry_self self) {
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& [id, a] : self->state.live)
      self->send_exit(a, em.reason);
    self->quit(em.reason);
  });
  return {
    [=](init_atom, const domain_ptr& dom) { self->state.dom = dom; },
    [=](submit_atom, submit_request& req, const caf::actor& owner) -> submit_answer {
      auto& st = self->state;
      auto& cfg = *st.dom->cfg;
      if (req.tenant.empty())
        req.tenant = "default";
      auto* q = cfg.find_queue(req.queue);
      if (!q)
        return caf::make_error(wire::ErrorCode::unknown_id, "no queue named " + req.queue);
      if (q->tenant != req.tenant)
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "queue " + req.queue + " belongs to tenant " + q->tenant);
      if (!cfg.knows_media(req.media))
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "unknown media \"" + req.media + "\" (see routing.media)");
      if (auto why = check_properties(cfg.routing, {}, req.properties, {}); !why.empty())
        return caf::make_error(wire::ErrorCode::limit_exceeded, why);
      // External ids are unique per tenant.
      auto ext = req.external_id.empty() ? std::string{} : req.tenant + '\n' + req.external_id;
      if (!ext.empty()) {
        if (auto it = st.by_external.find(ext); it != st.by_external.end()) {
          // A resubmit (e.g. after a reconnect): the same interaction, not a second one; its
          // events go to the connection that resubmitted.
          auto rp = self->make_response_promise<std::uint64_t, bool, wire::InteractionState>();
          auto id = it->second;
          self->request(st.live.at(id), std::chrono::seconds{5}, submit_atom_v, owner)
            .then([=](const interaction_view& v) mutable { rp.deliver(id, true, v.state); },
                  [=](caf::error& e) mutable { rp.deliver(e); });
          return rp;
        }
      }
      auto id = ++st.next_id;
      interaction_view v;
      v.id = id;
      v.external_id = req.external_id;
      v.tenant = req.tenant;
      v.media = req.media;
      v.queue = req.queue;
      v.priority = req.priority;
      v.properties = std::move(req.properties);
      auto a = spawn_interaction(self->system(), interaction_setup{std::move(v), owner, st.dom});
      st.live[id] = a;
      if (!ext.empty())
        st.by_external[ext] = id;
      auto rp = self->make_response_promise<std::uint64_t, bool, wire::InteractionState>();
      self->request(a, std::chrono::seconds{10}, init_atom_v)
        .then([=](wire::InteractionState s) mutable { rp.deliver(id, false, s); },
              [=](caf::error& e) mutable {
                auto& st = self->state;
                st.live.erase(id);
                if (!ext.empty())
                  st.by_external.erase(ext);
                rp.deliver(e);
              });
      return rp;
    },
    [=](lookup_atom, std::uint64_t id) -> caf::result<caf::actor> {
      auto& live = self->state.live;
      auto it = live.find(id);
      if (it == live.end())
        return caf::make_error(wire::ErrorCode::unknown_id,
                               "no interaction " + std::to_string(id) + " (unknown or stopped)");
      return it->second;
    },
    [=](forget_atom, std::uint64_t id, const std::string& tenant, const std::string& external_id) {
      auto& st = self->state;
      st.live.erase(id);
      auto ext = tenant + '\n' + external_id;
      if (!external_id.empty())
        if (auto it = st.by_external.find(ext); it != st.by_external.end() && it->second == id)
          st.by_external.erase(it);
    },
    [=](count_atom) { return static_cast<std::uint64_t>(self->state.live.size()); },
    [=](snapshot_atom, std::uint32_t limit) {
      // Oldest first (lowest ids), for the console.
      std::vector<std::uint64_t> ids;
      for (auto& [id, a] : self->state.live)
        ids.push_back(id);
      std::sort(ids.begin(), ids.end());
      std::vector<caf::actor> out;
      for (auto id : ids) {
        if (out.size() >= limit)
          break;
        out.push_back(self->state.live.at(id));
      }
      return out;
    },
  };
}

} // namespace

caf::actor spawn_interaction_registry(caf::actor_system& sys) {
  return sys.spawn(interaction_registry);
}

} // namespace parley
