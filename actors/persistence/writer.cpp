#include "actors/persistence/writer.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "actors/persistence/rows.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"

namespace parley {

namespace {

using steady = std::chrono::steady_clock;
using storage::agent_session_row;
using storage::event_row;

/// An interaction's latest state, turned into a row (JSON and all) only when it is written:
/// most changes are superseded by a newer one of the same interaction within the batch.
struct interaction_change {
  interaction_view v;
  std::uint64_t queue_seq = 0;
  std::int64_t entered_ms = 0;
};

/// What the next transaction writes, and who waits for it.
struct pending {
  storage::batch b;  // events and sessions; interactions are filled in by rows()
  std::vector<interaction_change> changes;
  std::unordered_map<std::uint64_t, std::size_t> change_at;  // id -> index in changes
  std::unordered_map<std::uint64_t, std::size_t> session_at;
  std::vector<caf::typed_response_promise<caf::ok_atom>> waiters;

  std::size_t size() const { return changes.size() + b.events.size() + b.sessions.size() + b.vq_events.size(); }
  bool empty() const { return size() == 0; }

  void put(interaction_change c) {
    auto [it, fresh] = change_at.try_emplace(c.v.id, changes.size());
    if (fresh)
      changes.push_back(std::move(c));
    else
      changes[it->second] = std::move(c);
  }

  void put(const agent_session_row& r) {
    auto [it, fresh] = session_at.try_emplace(r.id, b.sessions.size());
    if (fresh)
      b.sessions.push_back(r);
    else
      b.sessions[it->second] = r;
  }

  /// The batch to write, with the interactions' rows made now.
  const storage::batch& rows() {
    b.interactions.clear();
    b.interactions.reserve(changes.size());
    for (auto& c : changes)
      b.interactions.push_back(to_row(c.v, c.queue_seq, c.entered_ms));
    return b;
  }

  void clear() {
    b = {};
    changes.clear();
    change_at.clear();
    session_at.clear();
  }
};

struct writer_state {
  std::shared_ptr<storage::store> store;
  writer_config cfg;
  std::shared_ptr<domain_metrics> metrics;
  pending buf;
  bool flush_queued = false;
  bool retrying = false;
  steady::time_point first_at;    // when the oldest buffered row arrived
  steady::time_point last_write;  // last successful write or health check
  steady::time_point last_log;    // failures are logged at most every 10 s
  std::chrono::milliseconds backoff{0};
  std::uint64_t failed_attempts = 0;
  std::uint64_t next_session = 1;
  std::unordered_map<std::string, agent_session_row> open_sessions;  // tenant '\n' agent
  commit_feed_actor feed;
  bool feed_waits = false;                         // it asked to be told at the next commit
  std::uint64_t events_seen = 0, vq_seen = 0;      // the last sequence numbers received,
  std::uint64_t events_stored = 0, vq_stored = 0;  // stored (or shed),
  std::uint64_t events_told = 0, vq_told = 0;      // and told the feed
  static inline const char* name = "persistence_writer";

  storage_health& health() { return metrics->storage; }

  /// An event past storage.max_pending with storage.shed_events: dropped (and counted).
  bool shedding() {
    if (!cfg.shed_events || buf.size() < cfg.max_pending)
      return false;
    health().shed.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void update_gauges() {
    auto n = buf.size();
    health().pending.store(n, std::memory_order_relaxed);
    health().full.store(n >= cfg.max_pending, std::memory_order_relaxed);
    update_takes_work();
  }

  /// New work is refused when the buffer is full, or while storage is down if an
  /// acknowledgement waits for the commit (durability = commit).
  void update_takes_work() {
    auto& h = health();
    h.takes_work.store(!h.full.load(std::memory_order_relaxed)
                         && (h.up.load(std::memory_order_relaxed) || !cfg.commit_acks),
                       std::memory_order_relaxed);
  }

  /// Agent sessions follow the login and logout events.
  void track_session(const event_row& e) {
    using wire::ReportingKind;
    if (e.iid != 0 || e.agent.empty())
      return;
    auto key = e.tenant + '\n' + e.agent;
    if (e.kind == static_cast<std::uint8_t>(ReportingKind::agent_login)) {
      agent_session_row r{next_session++, e.tenant, e.agent, e.reason, e.source_ms, 0, ""};
      buf.put(r);
      open_sessions[key] = std::move(r);
    } else if (e.kind == static_cast<std::uint8_t>(ReportingKind::agent_logout)) {
      auto it = open_sessions.find(key);
      if (it == open_sessions.end())
        return;
      it->second.logout_ms = std::max<std::int64_t>(e.source_ms, 1);
      it->second.reason = e.reason;
      buf.put(it->second);
      open_sessions.erase(it);
    }
  }
};

using writer_self = writer_actor::stateful_pointer<writer_state>;

/// Everything received is stored (or shed).
void all_stored(writer_self self) {
  auto& st = self->state;
  st.events_stored = st.events_seen;
  st.vq_stored = st.vq_seen;
}

/// The feed learns what is stored if it waits for news and there is some.
void tell_feed(writer_self self) {
  auto& st = self->state;
  if (!st.feed_waits || (st.events_told == st.events_stored && st.vq_told == st.vq_stored))
    return;
  st.feed_waits = false;
  st.events_told = st.events_stored;
  st.vq_told = st.vq_stored;
  self->send(st.feed, committed_atom_v, st.events_told, st.vq_told);
}

void deliver(std::vector<caf::typed_response_promise<caf::ok_atom>>& waiters, const caf::error& err) {
  for (auto& w : waiters)
    if (err)
      w.deliver(err);
    else
      w.deliver(caf::ok_atom_v);
  waiters.clear();
}

/// Writes the buffer in one transaction; on failure keeps it and schedules a retry.
void write_now(writer_self self) {
  auto& st = self->state;
  if (st.retrying)
    return;  // the retry timer writes
  if (st.buf.empty()) {
    all_stored(self);
    tell_feed(self);
    deliver(st.buf.waiters, caf::none);
    return;
  }
  auto& h = st.health();
  auto t0 = steady::now();
  try {
    st.store->write(st.buf.rows());
  } catch (const storage::storage_error& e) {
    h.failures.fetch_add(1, std::memory_order_relaxed);
    h.up.store(false, std::memory_order_relaxed);
    st.update_takes_work();
    ++st.failed_attempts;
    st.backoff = st.backoff.count() == 0 ? st.cfg.retry_min
                                         : std::min(st.backoff * 2, st.cfg.retry_max);
    if (st.failed_attempts == 1 || t0 - st.last_log > std::chrono::seconds{10}) {
      st.last_log = t0;
      spdlog::error("storage: write of {} rows failed ({} attempt(s), retrying in {} ms, {}): {}",
                    st.buf.size(), st.failed_attempts, st.backoff.count(),
                    e.transient() ? "transient" : "persistent", e.what());
    }
    st.retrying = true;
    self->delayed_send(self, st.backoff, retry_atom_v);
    return;
  }
  auto t1 = steady::now();
  auto rows = st.buf.size();
  h.commit.record(t1 - t0);
  h.batch_rows.record(rows);
  h.batches.fetch_add(1, std::memory_order_relaxed);
  h.rows.fetch_add(rows, std::memory_order_relaxed);
  if (st.failed_attempts > 0)
    spdlog::info("storage: back after {} failed attempt(s); {} rows written", st.failed_attempts,
                 rows);
  h.up.store(true, std::memory_order_relaxed);
  st.update_takes_work();
  st.failed_attempts = 0;
  st.backoff = {};
  st.last_write = t1;
  auto waiters = std::move(st.buf.waiters);
  st.buf.waiters.clear();
  st.buf.clear();
  st.update_gauges();
  all_stored(self);
  tell_feed(self);
  deliver(waiters, caf::none);
}

/// A row arrived: make sure a write follows.
void buffered(writer_self self) {
  auto& st = self->state;
  st.update_gauges();
  if (st.retrying)
    return;  // the retry timer writes everything buffered by then
  if (!st.flush_queued) {
    st.flush_queued = true;
    st.first_at = steady::now();
    // Behind every message already in the mailbox: they join this batch (group commit).
    self->send(self, caf::flush_atom_v);
  }
  if (st.buf.size() >= st.cfg.batch_size)
    write_now(self);
}

writer_actor::behavior_type writer(writer_self self, std::shared_ptr<storage::store> store, writer_config cfg,
                     std::shared_ptr<domain_metrics> metrics) {
  auto& st0 = self->state;
  st0.store = std::move(store);
  st0.cfg = cfg;
  st0.metrics = std::move(metrics);
  st0.next_session = cfg.next_session_id;
  st0.last_write = steady::now();
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& em) {
    auto& st = self->state;
    st.retrying = false;
    write_now(self);  // one last attempt
    if (!st.buf.empty())
      spdlog::error("storage: {} rows could not be written before exit (storage unavailable)",
                    st.buf.size());
    deliver(st.buf.waiters, caf::make_error(wire::ErrorCode::storage_unavailable,
                                            "storage unavailable at shutdown"));
    self->quit(em.reason);
  });
  self->delayed_send(self, cfg.health_interval, caf::tick_atom_v);
  return {
    [=](persist_atom, interaction_view& v, std::uint64_t queue_seq, std::int64_t entered_ms) {
      self->state.buf.put(interaction_change{std::move(v), queue_seq, entered_ms});
      buffered(self);
    },
    [=](persist_atom, event_row& e) {
      auto& st = self->state;
      st.events_seen = e.seq;
      if (st.shedding())
        return;
      st.track_session(e);
      st.buf.b.events.push_back(std::move(e));
      buffered(self);
    },
    [=](persist_atom, storage::vq_event_row& e) {
      auto& st = self->state;
      st.vq_seen = e.seq;
      if (st.shedding())
        return;
      st.buf.b.vq_events.push_back(std::move(e));
      buffered(self);
    },
    [=](caf::join_atom, commit_feed_actor& feed) {
      self->state.feed = std::move(feed);
      self->state.feed_waits = true;
      tell_feed(self);  // news already (committed before it asked)? else after the next commit
    },
    [=](sync_atom) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (!st.cfg.commit_acks || (st.buf.empty() && !st.retrying))
        return caf::ok_atom_v;
      auto rp = self->make_response_promise<caf::ok_atom>();
      st.buf.waiters.push_back(rp);
      return rp;
    },
    [=](caf::flush_atom) {
      auto& st = self->state;
      st.flush_queued = false;
      auto waited = steady::now() - st.first_at;
      if (st.cfg.batch_delay.count() > 0 && waited < st.cfg.batch_delay && !st.buf.empty()) {
        st.flush_queued = true;
        self->delayed_send(self, st.cfg.batch_delay - waited, caf::flush_atom_v);
        return;
      }
      write_now(self);
    },
    [=](retry_atom) {
      self->state.retrying = false;
      write_now(self);
    },
    [=](caf::tick_atom) {
      // An idle writer would not notice the database going away: check it now and then.
      auto& st = self->state;
      auto now = steady::now();
      if (!st.retrying && st.buf.empty() && now - st.last_write >= st.cfg.health_interval) {
        bool ok = st.store->ping();
        auto was = st.health().up.exchange(ok, std::memory_order_relaxed);
        st.update_takes_work();
        if (was != ok)
          spdlog::warn("storage: {} {}", st.store->describe(), ok ? "reachable again" : "unreachable");
        st.last_write = now;
      }
      self->delayed_send(self, st.cfg.health_interval, caf::tick_atom_v);
    },
  };
}

} // namespace

writer_actor spawn_writer(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                        writer_config cfg, std::shared_ptr<domain_metrics> metrics,
                        writer_placement where) {
  if (where == writer_placement::scheduled)
    return sys.spawn(writer, std::move(store), cfg, std::move(metrics));
  return sys.spawn<caf::detached>(writer, std::move(store), cfg, std::move(metrics));
}

} // namespace parley
