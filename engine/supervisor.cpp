#include "engine/supervisor.hpp"

#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/harden.hpp"

namespace parley::engine {

std::string supervised_name(const supervised& s) {
  return s.name.empty() ? std::string{to_string(s.family)}
                        : std::string{to_string(s.family)} + " " + s.name;
}

std::string supervision::failure() const {
  std::lock_guard lock{mx_};
  return failure_;
}

bool supervision::record(const std::string& what) {
  std::lock_guard lock{mx_};
  if (!failure_.empty())
    return false;
  failure_ = what;
  return true;
}

std::vector<supervised> long_lived_actors(const domain_handles& d,
                                          const caf::actor& directory,
                                          const caf::actor& list_store,
                                          const caf::actor& scheduler) {
  using f = actor_family;
  std::vector<supervised> out{{f::directory, "", directory},
                              {f::interaction_registry, "", any_actor(d.interactions)},
                              {f::agent_registry, "", any_actor(d.agents)},
                              {f::reporting_bus, "", any_actor(d.bus)},
                              {f::persistence_writer, "", any_actor(d.store)},
                              {f::stats_hub, "", any_actor(d.stats)},
                              {f::list_store, "", list_store},
                              {f::compliance, "", any_actor(d.compliance)},
                              {f::sim_gateway, "", any_actor(d.gateway)},
                              {f::scheduler, "", scheduler}};
  for (auto& [tenant, r] : d.routers)
    out.push_back({f::router, tenant, any_actor(r)});
  for (auto& [name, q] : d.queues)
    out.push_back({f::queue, name, any_actor(q)});
  for (auto& [name, c] : d.campaigns)
    out.push_back({f::campaign, name, any_actor(c)});
  for (auto& [name, q] : d.sequences)
    out.push_back({f::sequence, name, any_actor(q)});
  std::erase_if(out, [](const supervised& s) { return !s.handle; });
  return out;
}

std::vector<caf::actor> core_actors(const domain_handles& d) {
  std::vector<caf::actor> out{any_actor(d.interactions), any_actor(d.agents),
                                         any_actor(d.bus), any_actor(d.stats)};
  for (auto& [tenant, r] : d.routers)
    out.push_back(any_actor(r));
  for (auto& [name, q] : d.queues)
    out.push_back(any_actor(q));
  if (d.route_stream)  // its reader is linked to it
    out.push_back(any_actor(d.route_stream));
  return out;
}

const char* restart_reason(actor_family f) noexcept {
  // Every handle below is in the read-only domain_handles (or the sessions' environment)
  // that every actor and connection holds: a respawned actor would be unknown to all of
  // them. And each holds state that only recovery rebuilds consistently.
  switch (f) {
    case actor_family::directory:
      return "every session's registration lives in it; clients re-register after the restart";
    case actor_family::interaction_registry:
      return "it indexes every interaction; recovery rebuilds the index from storage";
    case actor_family::agent_registry:
      return "it indexes every logged-in agent; desktops log in again after the restart";
    case actor_family::reporting_bus:
      return "it numbers the reporting stream; recovery continues the sequence from storage";
    case actor_family::persistence_writer:
      return "nothing can be stored without it; acknowledged changes are committed already";
    case actor_family::stats_hub:
      return "open statistics and the day's figures hang on it; clients reopen them";
    case actor_family::router:
      return "its agents and queue heads are gone; recovery requeues every interaction";
    case actor_family::queue:
      return "its interactions think they wait in it; recovery requeues them from storage";
    case actor_family::campaign:
      return "its leased records and dialer sessions are gone; the restart returns stale leases";
    case actor_family::sequence:
      return "its position lives in memory; the restart leaves it idle (autostart starts it again)";
    case actor_family::list_store:
      return "campaigns lease records through it; the restart returns stale leases";
    case actor_family::compliance:
      return "every dial is checked by it; it reloads the do-not-call list at start";
    case actor_family::sim_gateway:
      return "campaigns dial through it; the restart returns their stale leases";
    case actor_family::scheduler:
      return "it holds the [[schedule]] timers; they are set again at start";
    case actor_family::interaction:
    case actor_family::agent: break;  // their registries handle these
  }
  return "its state is rebuilt only by a start";
}

namespace {

struct supervisor_state {
  std::shared_ptr<supervision> sup;
  std::shared_ptr<domain_metrics> metrics;
  std::unordered_map<caf::actor_id, supervised> watched;  ///< handles dropped: no strong refs
  std::function<void(const std::string&)> on_death;
  static inline const char* name = "supervisor";
};

caf::behavior supervisor(caf::stateful_actor<supervisor_state>* self, std::shared_ptr<supervision> sup,
                         std::shared_ptr<domain_metrics> metrics, std::vector<supervised> watched,
                         std::function<void(const std::string&)> on_death) {
  harden(self);
  auto& st = self->state;
  st.sup = std::move(sup);
  st.metrics = std::move(metrics);
  st.on_death = std::move(on_death);
  for (auto& w : watched) {
    if (!w.handle)
      continue;
    self->monitor(w.handle);
    auto id = w.handle.id();
    w.handle = nullptr;
    st.watched.emplace(id, std::move(w));
  }
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.watched.find(dm.source.id());
    if (it == st.watched.end())
      return;
    auto who = it->second;
    st.watched.erase(it);
    if (st.sup->stopping.load())
      return;  // an orderly stop: expected
    st.metrics->count_death(who.family);
    auto what = supervised_name(who) + " died (" + caf::to_string(dm.reason) + ")";
    spdlog::error("supervision: {}; not ready; restarting the process: {}", what,
                  restart_reason(who.family));
    st.sup->record(what);
    st.on_death(what);
  });
  return {
    // Nothing to ask it; an actor without any handler would quit at once.
    [](caf::get_atom) { return true; },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<supervision> sup,
                            std::shared_ptr<domain_metrics> metrics,
                            std::vector<supervised> watched,
                            std::function<void(const std::string&)> on_death) {
  return sys.spawn(supervisor, std::move(sup), std::move(metrics), std::move(watched),
                   std::move(on_death));
}

} // namespace parley::engine
