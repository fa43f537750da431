// stats_lab: a scripted reporting stream for the statistics engine's exact-value tests.
// Reports are built the way the interaction and agent actors build them; time is virtual
// (milliseconds chosen by the test), fed through the real tracker into real calculators.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/stats/calculator.hpp"
#include "actors/stats/tracker.hpp"

namespace parley::test {

using namespace parley::stats;
using wire::AgentState;
using wire::InteractionState;
using wire::ReportingKind;

struct stats_lab {
  std::shared_ptr<domain_config> cfg = std::make_shared<domain_config>();
  std::unique_ptr<tracker> track;
  std::map<std::string, std::pair<std::string, std::unique_ptr<calculator>>> stats;  // name -> (key, calc)
  std::map<std::uint64_t, InteractionState> state;
  std::map<std::uint64_t, std::string> queue_of;
  std::uint64_t seq = 0;
  std::int64_t t0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
  /// Also gets every fact (e.g. the hub's queue_today).
  std::function<void(const std::string&, const stat_fact&)> also;

  stats_lab() {
    cfg->queues.push_back({"sales", "acme", {}, 100, {}, {}});
    cfg->queues.push_back({"support", "acme", {}, 100, {}, {}});
    cfg->queues.push_back({"other", "globex", {}, 100, {}, {}});
    agent_group_config g;
    g.name = "team";
    g.tenant = "acme";
    g.members = {"a*"};
    cfg->groups.push_back(g);
    campaign_config spring;
    spring.name = "spring";
    cfg->outbound.campaigns.push_back(spring);
    track = std::make_unique<tracker>(cfg);
  }

  std::int64_t at(double seconds) const { return t0 + static_cast<std::int64_t>(seconds * 1000 + 0.5); }

  calculator& open(const std::string& name, stat_spec spec, double at_s) {
    auto key = object_key(spec.object_type, spec.object_id);
    auto c = std::make_unique<calculator>(spec, at(at_s), track->snapshot(key));
    auto& slot = stats[name];
    slot = {key, std::move(c)};
    return *slot.second;
  }

  double value(const std::string& name, double at_s) { return stats.at(name).second->value(at(at_s)).value; }
  stat_value full(const std::string& name, double at_s) { return stats.at(name).second->value(at(at_s)); }

  void feed(const report& r, double at_s) {
    track->apply(r, ++seq, at(at_s), [&](const std::string& key, const stat_fact& f) {
      if (also)
        also(key, f);
      for (auto& [name, s] : stats)
        if (s.first == key)
          s.second->apply(f);
    });
  }

  // -- interactions, as interaction_actor reports them ---------------------------------

  void move(std::uint64_t iid, InteractionState to, ReportingKind kind, double at_s,
            const std::string& agent = {}, const std::string& queue = {}) {
    report r;
    r.kind = kind;
    r.tenant = "acme";
    r.iid = iid;
    r.agent = agent;
    if (!queue.empty())
      queue_of[iid] = queue;
    r.queue = queue_of[iid];
    r.media = "voice";
    r.transition = true;
    r.has_from = state.count(iid) > 0;
    r.from = r.has_from ? state[iid] : InteractionState::submitted;
    r.state = to;
    state[iid] = to;
    feed(r, at_s);
  }
  void note(std::uint64_t iid, ReportingKind kind, double at_s, const std::string& agent = {}) {
    report r;
    r.kind = kind;
    r.tenant = "acme";
    r.iid = iid;
    r.agent = agent;
    r.queue = queue_of[iid];
    r.state = state[iid];
    feed(r, at_s);
  }
  void submit(std::uint64_t iid, const std::string& queue, double at_s) {
    move(iid, InteractionState::submitted, ReportingKind::submitted, at_s, {}, queue);
    move(iid, InteractionState::queued, ReportingKind::queued, at_s, {}, queue);
  }
  void offer(std::uint64_t iid, const std::string& agent, double at_s) {
    move(iid, InteractionState::offered, ReportingKind::offered, at_s, agent);
  }
  void accept(std::uint64_t iid, const std::string& agent, double at_s) {
    move(iid, InteractionState::handled, ReportingKind::accepted, at_s, agent);
  }
  void answer(std::uint64_t iid, const std::string& agent, double offer_s, double accept_s) {
    offer(iid, agent, offer_s);
    accept(iid, agent, accept_s);
  }
  void reject(std::uint64_t iid, const std::string& agent, double at_s) {
    move(iid, InteractionState::queued, ReportingKind::rejected, at_s, agent);
  }
  void stop(std::uint64_t iid, double at_s) {
    bool aban = state[iid] == InteractionState::queued;
    move(iid, InteractionState::stopped, aban ? ReportingKind::abandoned : ReportingKind::stopped, at_s);
  }
  void to_queue(std::uint64_t iid, const std::string& queue, ReportingKind kind, double at_s) {
    move(iid, InteractionState::queued, kind, at_s, {}, queue);
  }

  // -- agents, as agent_actor reports them ---------------------------------------------

  void agent(const std::string& id, ReportingKind kind, AgentState s, double at_s,
             const std::string& reason = {}) {
    report r;
    r.kind = kind;
    r.tenant = "acme";
    r.agent = id;
    r.agent_state = s;
    r.reason = reason;
    feed(r, at_s);
  }
  void login(const std::string& id, double at_s) {
    agent(id, ReportingKind::agent_login, AgentState::not_ready, at_s, "place-1");
  }
  void ready(const std::string& id, double at_s) {
    agent(id, ReportingKind::agent_ready, AgentState::ready, at_s);
  }
  void not_ready(const std::string& id, double at_s, const std::string& reason = {}) {
    agent(id, ReportingKind::agent_not_ready, AgentState::not_ready, at_s, reason);
  }
  void acw(const std::string& id, double at_s) {
    agent(id, ReportingKind::agent_after_call_work, AgentState::after_call_work, at_s);
  }
  void logout(const std::string& id, double at_s) {
    agent(id, ReportingKind::agent_logout, AgentState::logged_out, at_s);
  }
};

inline stat_spec spec(wire::StatObjectType type, const std::string& id, metric m,
                      wire::StatInterval interval = wire::StatInterval::growing,
                      std::uint32_t window_s = 0) {
  stat_spec s;
  s.object_type = type;
  s.object_id = id;
  s.m = m;
  s.interval = interval;
  s.window_s = window_s;
  return s;
}

} // namespace parley::test
