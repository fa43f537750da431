#include "actors/stats/tracker.hpp"

#include <algorithm>

namespace parley::stats {

namespace {

using wire::InteractionState;
using wire::ReportingKind;
using T = wire::StatObjectType;

bool agent_kind(ReportingKind k) {
  return k == ReportingKind::agent_login || k == ReportingKind::agent_logout
         || k == ReportingKind::agent_ready || k == ReportingKind::agent_not_ready
         || k == ReportingKind::agent_after_call_work;
}

} // namespace

tracker::tracker(std::shared_ptr<const domain_config> cfg) : cfg_(std::move(cfg)) {
}

std::string tracker::tenant_of_queue(const std::string& queue) const {
  auto* q = cfg_->find_queue(queue);
  return q ? q->tenant : std::string{};
}

void tracker::emit_queue(const std::string& queue, const stat_fact& f, const sink& out) const {
  out(object_key(T::queue, queue), f);
  if (auto tenant = tenant_of_queue(queue); !tenant.empty())
    out(object_key(T::tenant, tenant), f);
}

void tracker::emit_agent(const std::string& agent, const agent_row& row, const stat_fact& f,
                         const sink& out) const {
  out(object_key(T::agent, agent), f);
  if (!row.group.empty())
    out(object_key(T::agent_group, row.group), f);
  out(object_key(T::tenant, row.tenant), f);
}

// -- agents -------------------------------------------------------------------------

void tracker::agent_event(const report& r, std::uint64_t seq, std::int64_t t, const sink& out) {
  auto it = agents_.find(r.agent);
  if (it == agents_.end()) {
    if (r.kind == ReportingKind::agent_logout)
      return;
    auto* g = cfg_->group_of(r.agent);
    it = agents_.emplace(r.agent, agent_row{{}, r.tenant, g ? g->name : std::string{}}).first;
  }
  if (r.kind == ReportingKind::agent_logout && it->second.st.handling > 0) {
    // Its interactions report going back to their queues after this: end its handlings
    // now, while the agent (its group, its tenant) is still known.
    if (auto h = handled_by_.find(r.agent); h != handled_by_.end()) {
      auto iids = h->second;  // end_handling() changes it
      for (auto iid : iids)
        if (auto st = iids_.find(iid); st != iids_.end())
          end_handling(iid, st->second, r.agent, seq, t, out);
    }
  }
  auto& row = it->second;
  stat_fact f;
  f.kind = fact_kind::agent_change;
  f.t_ms = t;
  f.seq = seq;
  f.agent = r.agent;
  f.before = row.st;
  auto after = row.st;
  if (r.kind == ReportingKind::agent_logout) {
    after = agent_status{};
  } else {
    // The login's reason is the agent's place, not a not-ready reason.
    auto reason = r.kind == ReportingKind::agent_login ? std::string{} : r.reason;
    if (after.state != r.agent_state || after.reason != reason || r.kind == ReportingKind::agent_login)
      after.since_ms = t;
    after.state = r.agent_state;
    after.reason = reason;
  }
  after.since_ms = after.state == wire::AgentState::logged_out ? t : after.since_ms;
  f.after = after;
  row.st = after;
  emit_agent(r.agent, row, f, out);
  if (r.kind == ReportingKind::agent_logout)
    agents_.erase(it);
}

void tracker::restore(std::uint64_t iid, iid_state st) {
  for (auto& [agent, since] : st.handling)
    handled_by_[agent].insert(iid);
  iids_[iid] = std::move(st);
}

void tracker::change_handling(const std::string& agent, int delta, std::uint64_t seq,
                              std::int64_t t, const sink& out) {
  auto it = agents_.find(agent);
  if (it == agents_.end())
    return;  // logged out already: nothing to count on
  auto& row = it->second;
  stat_fact f;
  f.kind = fact_kind::agent_change;
  f.t_ms = t;
  f.seq = seq;
  f.agent = agent;
  f.before = row.st;
  if (delta < 0 && row.st.handling == 0)
    return;
  row.st.handling = static_cast<std::uint32_t>(static_cast<int>(row.st.handling) + delta);
  f.after = row.st;
  emit_agent(agent, row, f, out);
}

void tracker::end_handling(std::uint64_t iid, iid_state& st, const std::string& agent,
                           std::uint64_t seq, std::int64_t t, const sink& out) {
  auto h = st.handling.find(agent);
  if (h == st.handling.end())
    return;
  // `agent` may be this entry's own key (apply() ends every handling by its map key):
  // extracting the node keeps the key alive until we return, where erase() freed it.
  auto node = st.handling.extract(h);
  const auto& who = node.key();
  if (auto by = handled_by_.find(who); by != handled_by_.end()) {
    by->second.erase(iid);
    if (by->second.empty())
      handled_by_.erase(by);
  }
  stat_fact f;
  f.kind = fact_kind::handled;
  f.t_ms = t;
  f.seq = seq;
  f.iid = iid;
  f.start_ms = node.mapped();
  f.agent = who;
  if (auto it = agents_.find(who); it != agents_.end())
    emit_agent(who, it->second, f, out);
  change_handling(who, -1, seq, t, out);
}

// -- interactions -------------------------------------------------------------------

void tracker::end_wait(std::uint64_t iid, iid_state& st, wait_outcome how, std::uint64_t seq,
                       std::int64_t t, const sink& out) {
  if (st.wait_queue.empty())
    return;
  stat_fact f;
  f.kind = fact_kind::wait_end;
  f.t_ms = t;
  f.seq = seq;
  f.iid = iid;
  f.start_ms = st.wait_start;
  f.out = how;
  emit_queue(st.wait_queue, f, out);
  st.wait_queue.clear();
}

void tracker::apply(const report& r, std::uint64_t seq, std::int64_t t, const sink& out) {
  if (r.iid == 0) {
    if (!r.agent.empty() && agent_kind(r.kind))
      agent_event(r, seq, t, out);
    return;
  }
  auto& st = iids_[r.iid];
  // Handling ends: the agents who leave, or everyone when it leaves its agents.
  bool leaves_agents = (r.kind == ReportingKind::transferred && !r.transition)
                       || (r.transition
                           && (r.state == InteractionState::queued
                               || r.state == InteractionState::parked
                               || r.state == InteractionState::stopped));
  if (r.kind == ReportingKind::party_left)
    end_handling(r.iid, st, r.agent, seq, t, out);
  else if (leaves_agents)
    while (!st.handling.empty())
      end_handling(r.iid, st, st.handling.begin()->first, seq, t, out);
  // Waits: entering a queue, leaving it to an agent, giving up.
  if (r.transition) {
    switch (r.state) {
      case InteractionState::queued:
        if (st.wait_queue != r.queue) {
          end_wait(r.iid, st, wait_outcome::cleared, seq, t, out);
          st.wait_queue = r.queue;
          st.wait_start = t;
          stat_fact f;
          f.kind = fact_kind::wait_begin;
          f.t_ms = t;
          f.seq = seq;
          f.iid = r.iid;
          f.start_ms = t;
          emit_queue(r.queue, f, out);
        }
        break;
      case InteractionState::handled:
        end_wait(r.iid, st, r.kind == ReportingKind::accepted ? wait_outcome::distributed
                                                               : wait_outcome::cleared,
                 seq, t, out);
        break;
      case InteractionState::stopped:
        // The customer gave up (stopped while queued by its gateway, or while offered);
        // a router, an admin client or the console stopping a queued one clears it.
        end_wait(r.iid, st,
                 r.from == InteractionState::queued && r.kind != ReportingKind::abandoned
                   ? wait_outcome::cleared
                   : wait_outcome::abandoned,
                 seq, t, out);
        break;
      case InteractionState::parked: end_wait(r.iid, st, wait_outcome::cleared, seq, t, out); break;
      default: break;
    }
  }
  // Handling starts: an accepted offer, a joined conference, a pulled interaction.
  if ((r.kind == ReportingKind::accepted || r.kind == ReportingKind::conferenced
       || r.kind == ReportingKind::pulled)
      && !r.agent.empty() && st.handling.emplace(r.agent, t).second) {
    handled_by_[r.agent].insert(r.iid);
    change_handling(r.agent, +1, seq, t, out);
  }
  if (r.transition && r.state == InteractionState::stopped)
    iids_.erase(r.iid);
}

void tracker::dial(const std::string& tenant, const std::string& campaign,
                   const std::string& result, std::uint64_t seq, std::int64_t t,
                   const sink& out) {
  stat_fact f;
  f.kind = fact_kind::dial;
  f.t_ms = t;
  f.seq = seq;
  f.detail = result;
  out(object_key(T::campaign, campaign), f);
  if (!tenant.empty())
    out(object_key(T::tenant, tenant), f);
}

// -- the fact writer's state ----------------------------------------------------------

const tracker::iid_state* tracker::interaction(std::uint64_t iid) const {
  auto it = iids_.find(iid);
  return it == iids_.end() ? nullptr : &it->second;
}

const tracker::agent_row* tracker::agent(const std::string& id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

std::vector<std::string> tracker::agent_ids() const {
  std::vector<std::string> out;
  for (auto& [id, row] : agents_)
    out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

// -- opening ------------------------------------------------------------------------

object_snapshot tracker::snapshot(const std::string& key) const {
  object_snapshot out;
  if (key.size() < 2)
    return out;
  auto type = key[0];
  auto id = key.substr(2);
  if (type == 'q' || type == 't')
    for (auto& [iid, st] : iids_)
      if (!st.wait_queue.empty()
          && (type == 'q' ? st.wait_queue == id : tenant_of_queue(st.wait_queue) == id))
        out.waiting.emplace_back(iid, st.wait_start);
  if (type == 'a' || type == 'g' || type == 't')
    for (auto& [agent, row] : agents_)
      if ((type == 'a' && agent == id) || (type == 'g' && row.group == id)
          || (type == 't' && row.tenant == id))
        out.agents[agent] = row.st;
  std::sort(out.waiting.begin(), out.waiting.end());
  return out;
}

bool tracker::knows(wire::StatObjectType type, const std::string& id) const {
  switch (type) {
    case T::queue: return cfg_->find_queue(id) != nullptr;
    case T::agent: return cfg_->group_of(id) != nullptr;
    case T::agent_group:
      return std::any_of(cfg_->groups.begin(), cfg_->groups.end(),
                         [&](auto& g) { return g.name == id; });
    case T::tenant:
      return std::any_of(cfg_->queues.begin(), cfg_->queues.end(),
                         [&](auto& q) { return q.tenant == id; })
             || std::any_of(cfg_->groups.begin(), cfg_->groups.end(),
                            [&](auto& g) { return g.tenant == id; });
    case T::campaign: return cfg_->outbound.find(id) != nullptr;
  }
  return false;
}

} // namespace parley::stats
