// The console's `debug` command (admin): `debug kill ACTOR [NAME]` sends a supervised actor
// an exit it cannot trap (caf::exit_reason::kill), to show what supervision does with the
// death (engine/README.md, "Supervision"). Refused unless [debug] kill_hook = true, a
// restart-only key that is off by default. Audited like every state-changing command.
#include <sstream>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/actor_family.hpp"
#include "engine/ask_limit.hpp"
#include "engine/console/console_state.hpp"
#include "engine/supervisor.hpp"

namespace parley::engine {

namespace {

std::string family_list() {
  std::string out;
  for (auto f : actor_families())
    out += (out.empty() ? "" : ", ") + std::string{to_string(f)} + (has_names(f) ? " NAME" : "");
  return out;
}

/// Kills `a` (found as `what`) and answers what comes next.
void kill(console_self self, const std::string& line, const caf::actor& a, actor_family f,
          const std::string& what) {
  spdlog::warn("console {}: debug kill {}", self->state.peer, what);
  caf::anon_send_exit(a, caf::exit_reason::kill);
  auto next = f == actor_family::interaction || f == actor_family::agent
                ? "its registry forgets it"
                : "the supervisor counts it and parleyd stops, then exits with code 70";
  audited(self, line, [=] { return "killed " + what + ": " + next + "\n"; });
}

/// The one-per-engine actor of family `f`, or the one named `name` (a tenant for routers,
/// where the only one is the default).
caf::actor find(const console_env& env, actor_family f, const std::string& name) {
  auto& d = *env.domain;
  using af = actor_family;
  switch (f) {
    case af::directory: return any_actor(env.directory);
    case af::interaction_registry: return any_actor(d.interactions);
    case af::agent_registry: return any_actor(d.agents);
    case af::reporting_bus: return any_actor(d.bus);
    case af::persistence_writer: return any_actor(d.store);
    case af::stats_hub: return any_actor(d.stats);
    case af::list_store: return any_actor(env.list_store);
    case af::compliance: return any_actor(d.compliance);
    case af::sim_gateway: return any_actor(d.gateway);
    case af::scheduler: return any_actor(env.scheduler);
    case af::queue: return any_actor(d.queue(name));
    case af::campaign: return any_actor(d.campaign(name));
    case af::sequence: return any_actor(d.sequence(name));
    case af::router:
      if (name.empty() && d.routers.size() == 1)
        return any_actor(d.routers.begin()->second);
      return any_actor(d.router(name));
    case af::interaction:
    case af::agent: break;  // asked of their registries
  }
  return {};
}

} // namespace

void run_debug(console_self self, const std::vector<std::string>& w, const std::string& line) {
  if (w.size() < 3 || w.size() > 4 || w[1] != "kill") {
    fail(self, "usage: debug kill ACTOR [NAME]; ACTOR: " + family_list());
    return;
  }
  auto& env = *self->state.env;
  auto refuse = [&](const std::string& why) { audited(self, line, [&] { return "error: " + why + "\n"; }); };
  if (!env.cfg.debug.kill_hook) {
    refuse("debug kill is disabled: it needs [debug] kill_hook = true in the config (a restart; "
           "never in production)");
    return;
  }
  auto family = actor_family_of(w[2]);
  if (!family) {
    refuse("no actor family \"" + w[2] + "\"; one of: " + family_list());
    return;
  }
  auto f = *family;
  auto name = w.size() == 4 ? w[3] : std::string{};
  if (!has_names(f) && !name.empty()) {
    refuse(std::string{"there is one "} + to_string(f) + " per engine: no NAME");
    return;
  }
  if (f == actor_family::interaction || f == actor_family::agent) {
    std::uint64_t id = 0;
    if (name.empty() || (f == actor_family::interaction && !(std::istringstream{name} >> id))) {
      refuse(std::string{"usage: debug kill "} + to_string(f) + " ID");
      return;
    }
    auto what = std::string{to_string(f)} + " " + name;
    auto found = [=](const auto& a) { kill(self, line, any_actor(a), f, what); };
    auto missing = [=](caf::error& e) {
      audited(self, line, [=] { return "error: " + describe(e) + "\n"; });
    };
    if (f == actor_family::interaction)
      self->request(env.domain->interactions, ask_limit, lookup_atom_v, id)
        .then([=](const interaction_actor& a) { found(a); }, missing);
    else
      self->request(env.domain->agents, ask_limit, lookup_atom_v, name)
        .then([=](const agent_actor& a) { found(a); }, missing);
    return;
  }
  auto a = find(env, f, name);
  if (!a) {
    refuse(name.empty() ? std::string{"this engine has no "} + to_string(f)
                            + (f == actor_family::router ? " without a NAME (a tenant)" : "")
                        : std::string{"no "} + to_string(f) + " named " + name);
    return;
  }
  kill(self, line, a, f, name.empty() ? to_string(f) : std::string{to_string(f)} + " " + name);
}

} // namespace parley::engine
