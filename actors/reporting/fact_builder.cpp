#include "actors/reporting/fact_builder.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace parley::reporting {

namespace {

using json = nlohmann::json;
using wire::AgentState;
using wire::InteractionState;
using wire::ReportingKind;

/// The report an event was stored from (actors/persistence/rows.cpp to_event, backwards).
report report_of(const storage::event_row& e) {
  report r;
  r.kind = static_cast<ReportingKind>(e.kind);
  r.source_ms = e.source_ms;
  r.tenant = e.tenant;
  r.iid = e.iid;
  r.agent = e.agent;
  r.queue = e.queue;
  r.media = e.media;
  r.has_from = e.from_state >= 0;
  // A state change either says where it came from or is an interaction's first report.
  r.transition = r.has_from || r.kind == ReportingKind::submitted || r.kind == ReportingKind::recovered;
  r.from = r.has_from ? static_cast<InteractionState>(e.from_state) : InteractionState::submitted;
  r.state = static_cast<InteractionState>(e.state);
  r.agent_state = static_cast<AgentState>(e.agent_state);
  r.reason = e.reason;
  return r;
}

const char* state_name(AgentState s) {
  switch (s) {
    case AgentState::ready: return "ready";
    case AgentState::not_ready: return "not_ready";
    case AgentState::after_call_work: return "acw";
    default: return "logged_out";
  }
}

template <class T>
T get(const json& j, const char* key, T fallback = {}) {
  auto it = j.find(key);
  return it == j.end() ? fallback : it->get<T>();
}

} // namespace

fact_builder::fact_builder(std::shared_ptr<const domain_config> cfg, std::int64_t short_abandon_ms)
  : cfg_(cfg), short_abandon_ms_(short_abandon_ms), tracker_(std::move(cfg)) {
}

std::string fact_builder::group_of(const std::string& agent) const {
  if (auto* row = tracker_.agent(agent))
    return row->group;
  auto* g = cfg_->group_of(agent);
  return g ? g->name : std::string{};
}

std::string fact_builder::tenant_of_queue(const std::string& queue, const std::string& fallback) const {
  auto* q = cfg_->find_queue(queue);
  return q ? q->tenant : fallback;
}

// -- open state ---------------------------------------------------------------------

void fact_builder::restore(const std::vector<storage::open_row>& rows) {
  for (auto& row : rows) {
    auto j = json::parse(row.body);
    if (row.kind == "i") {
      auto iid = std::stoull(row.key);
      stored_iids_.insert(iid);
      stats::tracker::iid_state st;
      st.wait_queue = get<std::string>(j, "w");
      st.wait_start = get<std::int64_t>(j, "ws");
      st.handling = get<std::map<std::string, std::int64_t>>(j, "h");
      tracker_.restore(iid, std::move(st));
      auto& x = iids_[iid];
      x.tenant = get<std::string>(j, "t");
      x.media = get<std::string>(j, "m");
      x.created_ms = get<std::int64_t>(j, "c");
      x.first_queue = get<std::string>(j, "fq");
      x.last_queue = get<std::string>(j, "lq");
      x.entry_seq = get<std::uint64_t>(j, "es");
      x.entered_ms = get<std::int64_t>(j, "em");
      x.entry_queue = get<std::string>(j, "eq");
      x.sl_ms = get<std::int64_t>(j, "sl");
      x.short_ms = get<std::int64_t>(j, "sh");
      x.wait_ms = get<std::int64_t>(j, "wm");
      x.handle_ms = get<std::int64_t>(j, "hm");
      x.hold_ms = get<std::int64_t>(j, "hd");
      x.transfers = get<std::int64_t>(j, "tr");
      x.conferences = get<std::int64_t>(j, "cf");
      x.handlings = get<std::int64_t>(j, "hn");
      x.accepted = get<bool>(j, "ac");
      x.abandoned = get<bool>(j, "ab");
      auto offers = get<json>(j, "of", json::object());
      for (auto& [agent, o] : offers.items())
        x.offers[agent] = {o.at(0).get<std::int64_t>(), o.at(1).get<std::string>()};
      x.hold_since = get<std::map<std::string, std::int64_t>>(j, "hs");
      x.held_ms = get<std::map<std::string, std::int64_t>>(j, "hl");
      x.joined = get<std::set<std::string>>(j, "cj");
    } else if (row.kind == "a") {
      stored_agents_.insert(row.key);
      stats::tracker::agent_row a;
      a.st.state = static_cast<AgentState>(get<int>(j, "st"));
      a.st.reason = get<std::string>(j, "r");
      a.st.handling = get<std::uint32_t>(j, "n");
      a.st.since_ms = get<std::int64_t>(j, "s");
      a.tenant = get<std::string>(j, "t");
      a.group = get<std::string>(j, "g");
      tracker_.restore(row.key, std::move(a));
      auto& ax = agents_[row.key];
      ax.seg_from = get<std::int64_t>(j, "sf");
      ax.state = static_cast<AgentState>(get<int>(j, "ss"));
      ax.reason = get<std::string>(j, "sr");
      ax.busy = get<bool>(j, "sb");
    } else if (row.kind == "m") {
      last_ms_ = std::stoll(row.body);
    }
  }
}

void fact_builder::finish(storage::fact_batch& out) {
  for (auto iid : touched_iids_) {
    auto key = std::to_string(iid);
    auto it = iids_.find(iid);
    auto* st = tracker_.interaction(iid);
    if (it == iids_.end() || !st) {
      if (stored_iids_.erase(iid))
        out.open.push_back({"i", key, {}});
      continue;
    }
    stored_iids_.insert(iid);
    auto& x = it->second;
    json offers = json::object();
    for (auto& [agent, o] : x.offers)
      offers[agent] = json::array({o.at, o.queue});
    json j{{"w", st->wait_queue}, {"ws", st->wait_start}, {"h", st->handling}, {"t", x.tenant},
           {"m", x.media}, {"c", x.created_ms}, {"fq", x.first_queue}, {"lq", x.last_queue},
           {"es", x.entry_seq}, {"em", x.entered_ms}, {"eq", x.entry_queue}, {"sl", x.sl_ms},
           {"sh", x.short_ms}, {"wm", x.wait_ms}, {"hm", x.handle_ms}, {"hd", x.hold_ms},
           {"tr", x.transfers}, {"cf", x.conferences}, {"hn", x.handlings}, {"ac", x.accepted},
           {"ab", x.abandoned}, {"of", offers}, {"hs", x.hold_since}, {"hl", x.held_ms}, {"cj", x.joined}};
    out.open.push_back({"i", key, j.dump()});
  }
  for (auto& agent : touched_agents_) {
    auto it = agents_.find(agent);
    auto* row = tracker_.agent(agent);
    if (it == agents_.end() || !row) {
      if (stored_agents_.erase(agent))
        out.open.push_back({"a", agent, {}});
      continue;
    }
    stored_agents_.insert(agent);
    auto& ax = it->second;
    json j{{"st", static_cast<int>(row->st.state)}, {"r", row->st.reason}, {"n", row->st.handling},
           {"s", row->st.since_ms}, {"t", row->tenant}, {"g", row->group}, {"sf", ax.seg_from},
           {"ss", static_cast<int>(ax.state)}, {"sr", ax.reason}, {"sb", ax.busy}};
    out.open.push_back({"a", agent, j.dump()});
  }
  // The time of the last event: end_run() ends a run there.
  out.open.push_back({"m", "last_ms", std::to_string(last_ms_)});
  touched_iids_.clear();
  touched_agents_.clear();
  entry_index_.clear();
}

// -- events -------------------------------------------------------------------------

void fact_builder::apply(const storage::event_row& e, storage::fact_batch& out) {
  auto r = report_of(e);
  auto t = e.engine_ms;
  last_ms_ = t;
  out.watermark = e.seq;
  out.watermark_ms = t;
  if (r.iid != 0) {
    auto [it, fresh] = iids_.try_emplace(r.iid);
    if (fresh) {
      it->second.tenant = r.tenant;
      it->second.media = r.media;
      it->second.created_ms = t;
    }
    touched_iids_.insert(r.iid);
  }
  if (r.kind == ReportingKind::transferred)
    if (auto* st = tracker_.interaction(r.iid); st && !st->handling.empty())
      transfer_by_ = st->handling.count(r.agent) ? r.agent : st->handling.begin()->first;
  tracker_.apply(r, e.seq, t, [&](const std::string& key, const stats::stat_fact& f) { on_fact(key, f, e, out); });
  transfer_by_.clear();
  if (r.iid == 0)
    return;
  auto& x = iids_[r.iid];
  switch (r.kind) {
    case ReportingKind::offered: x.offers[r.agent] = {t, x.last_queue.empty() ? r.queue : x.last_queue}; break;
    case ReportingKind::accepted:
      end_offer(r.iid, x, r.agent, "accepted", e.seq, t, out);
      x.accepted = true;
      break;
    case ReportingKind::conferenced:
      end_offer(r.iid, x, r.agent, "accepted", e.seq, t, out);
      ++x.conferences;
      x.joined.insert(r.agent);
      break;
    case ReportingKind::pulled: x.accepted = true; break;
    case ReportingKind::rejected: end_offer(r.iid, x, r.agent, "rejected", e.seq, t, out); break;
    case ReportingKind::offer_timeout: end_offer(r.iid, x, r.agent, "timed_out", e.seq, t, out); break;
    case ReportingKind::revoked: end_offer(r.iid, x, r.agent, "revoked", e.seq, t, out); break;
    case ReportingKind::transferred: ++x.transfers; break;
    case ReportingKind::held: x.hold_since.emplace(r.agent, t); break;
    case ReportingKind::resumed:
      if (auto h = x.hold_since.find(r.agent); h != x.hold_since.end()) {
        x.held_ms[r.agent] += t - h->second;
        x.hold_since.erase(h);
      }
      break;
    default: break;
  }
  if (r.transition && r.state == InteractionState::stopped) {
    while (!x.offers.empty())
      end_offer(r.iid, x, x.offers.begin()->first, "revoked", e.seq, t, out);
    storage::interaction_fact f;
    f.iid = r.iid;
    f.tenant = x.tenant;
    f.media = x.media;
    f.created_ms = x.created_ms;
    f.ended_ms = t;
    f.first_queue = x.first_queue;
    f.last_queue = x.last_queue;
    f.outcome = x.accepted ? (x.transfers > 0 ? "transferred" : "handled") : x.abandoned ? "abandoned" : "stopped";
    f.wait_ms = x.wait_ms;
    f.handle_ms = x.handle_ms;
    f.hold_ms = x.hold_ms;
    f.transfers = x.transfers;
    f.conferences = x.conferences;
    f.handlings = x.handlings;
    out.interactions.push_back(std::move(f));
    iids_.erase(r.iid);
  }
}

void fact_builder::on_fact(const std::string& key, const stats::stat_fact& f, const storage::event_row& e,
                           storage::fact_batch& out) {
  if (key.size() < 2)
    return;
  auto id = key.substr(2);
  auto t = f.t_ms;
  if (key[0] == 'q') {
    auto& x = iids_[f.iid];
    touched_iids_.insert(f.iid);
    storage::queue_entry_fact row;
    if (f.kind == stats::fact_kind::wait_begin) {
      auto* q = cfg_->find_queue(id);
      x.entry_seq = f.seq;
      x.entered_ms = t;
      x.entry_queue = id;
      x.sl_ms = q ? std::int64_t{q->service_level_s} * 1000 : 0;
      x.short_ms = short_abandon_ms_;
      if (x.first_queue.empty())
        x.first_queue = id;
      x.last_queue = id;
    } else if (f.kind == stats::fact_kind::wait_end) {
      if (x.entry_seq == 0)
        return;  // began before the facts did
      x.wait_ms += t - x.entered_ms;
      if (f.out == stats::wait_outcome::abandoned)
        x.abandoned = true;
      row.left_ms = t;
      row.why = f.out == stats::wait_outcome::distributed ? "distributed"
                : f.out == stats::wait_outcome::abandoned ? "abandoned"
                : e.kind == static_cast<std::uint8_t>(ReportingKind::overflowed) ? "overflowed"
                                                                                 : "cleared";
      if (f.out == stats::wait_outcome::distributed)
        row.agent = e.agent;
    } else {
      return;
    }
    row.entry_seq = x.entry_seq;
    row.iid = f.iid;
    row.tenant = tenant_of_queue(x.entry_queue, x.tenant);
    row.queue = x.entry_queue;
    row.media = x.media;
    row.entered_ms = x.entered_ms;
    row.sl_ms = x.sl_ms;
    row.short_ms = x.short_ms;
    if (row.left_ms != 0)
      x.entry_seq = 0;
    // One row per wait in a batch: its end replaces its begin (and the wait still counts as
    // entered in this batch).
    if (auto at = entry_index_.find(row.entry_seq); at != entry_index_.end())
      out.entries[at->second] = std::move(row);
    else {
      row.first_write = f.kind == stats::fact_kind::wait_begin;
      entry_index_[row.entry_seq] = out.entries.size();
      out.entries.push_back(std::move(row));
    }
    return;
  }
  if (key[0] != 'a')
    return;
  if (f.kind == stats::fact_kind::agent_change) {
    segment(id, f.after, f.seq, t, out);
  } else if (f.kind == stats::fact_kind::handled) {
    auto& x = iids_[f.iid];
    touched_iids_.insert(f.iid);
    auto hold = x.held_ms[id];
    if (auto h = x.hold_since.find(id); h != x.hold_since.end()) {
      hold += t - h->second;
      x.hold_since.erase(h);
    }
    x.held_ms.erase(id);
    auto* row = tracker_.agent(id);
    storage::handling_fact h;
    h.end_seq = f.seq;
    h.iid = f.iid;
    h.tenant = row ? row->tenant : x.tenant;
    h.agent = id;
    h.group = group_of(id);
    h.queue = x.last_queue;
    h.media = x.media;
    h.from_ms = f.start_ms;
    h.to_ms = t;
    h.hold_ms = hold;
    h.transferred = !transfer_by_.empty() && id == transfer_by_;
    h.conferenced = x.joined.erase(id) > 0;
    x.handle_ms += t - f.start_ms;
    x.hold_ms += hold;
    ++x.handlings;
    out.handlings.push_back(std::move(h));
  }
}

void fact_builder::end_offer(std::uint64_t iid, iid_extra& x, const std::string& agent,
                             const std::string& result, std::uint64_t seq, std::int64_t t,
                             storage::fact_batch& out) {
  auto it = x.offers.find(agent);
  if (it == x.offers.end())
    return;
  auto* row = tracker_.agent(agent);
  storage::offer_fact o;
  o.end_seq = seq;
  o.iid = iid;
  o.tenant = row ? row->tenant : x.tenant;
  o.agent = agent;
  o.group = group_of(agent);
  o.queue = it->second.queue;
  o.offered_ms = it->second.at;
  o.ended_ms = t;
  o.result = result;
  out.offers.push_back(std::move(o));
  x.offers.erase(it);
}

void fact_builder::segment(const std::string& agent, const stats::agent_status& after, std::uint64_t seq,
                           std::int64_t t, storage::fact_batch& out) {
  touched_agents_.insert(agent);
  auto& ax = agents_[agent];
  bool busy = after.handling > 0;
  if (ax.state == after.state && ax.reason == after.reason && ax.busy == busy)
    return;  // the same segment goes on
  if (ax.state != AgentState::logged_out && t > ax.seg_from) {
    auto* row = tracker_.agent(agent);
    storage::agent_state_fact piece;
    piece.end_seq = seq;
    piece.tenant = row ? row->tenant : std::string{};
    piece.agent = agent;
    piece.group = group_of(agent);
    piece.state = state_name(ax.state);
    piece.reason = ax.state == AgentState::not_ready ? ax.reason : std::string{};
    piece.busy = ax.busy;
    piece.seg_from_ms = ax.seg_from;
    piece.seg_to_ms = t;
    for (auto from = ax.seg_from; from < t;) {
      piece.interval_ms = storage::interval_of(from);
      piece.from_ms = from;
      piece.to_ms = std::min(t, piece.interval_ms + storage::interval_ms);
      out.states.push_back(piece);
      from = piece.to_ms;
    }
  }
  if (after.state == AgentState::logged_out) {
    agents_.erase(agent);
    return;
  }
  ax.seg_from = t;
  ax.state = after.state;
  ax.reason = after.reason;
  ax.busy = busy;
}

void fact_builder::end_run(std::uint64_t seq, storage::fact_batch& out) {
  storage::event_row logout;
  logout.seq = seq;
  logout.engine_ms = last_ms_;
  logout.kind = static_cast<std::uint8_t>(ReportingKind::agent_logout);
  for (auto& agent : tracker_.agent_ids()) {
    auto r = report_of(logout);
    r.agent = agent;
    r.tenant = tracker_.agent(agent)->tenant;
    r.reason = "engine restart";
    tracker_.apply(r, seq, last_ms_,
                   [&](const std::string& key, const stats::stat_fact& f) { on_fact(key, f, logout, out); });
  }
  for (auto& [iid, x] : iids_) {
    if (x.offers.empty() && x.hold_since.empty())
      continue;
    touched_iids_.insert(iid);
    while (!x.offers.empty())
      end_offer(iid, x, x.offers.begin()->first, "revoked", seq, last_ms_, out);
    x.hold_since.clear();
    x.held_ms.clear();
  }
}

} // namespace parley::reporting
