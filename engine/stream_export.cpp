#include "engine/stream_export.hpp"

#include <deque>
#include <optional>
#include <set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/redis_link.hpp"
#include "protocol/wire.hpp"

namespace parley::engine {

namespace {

/// A pass stops reading more events after this much real time.
constexpr auto export_budget = std::chrono::milliseconds{500};

struct export_state {
  export_setup setup;
  std::unique_ptr<storage::store> store;
  std::unique_ptr<runtime::redis_link> redis;
  std::optional<std::uint64_t> watermark;  ///< read from Redis at every (re)connect
  std::int64_t caught_up_ms = 0;           ///< domain time the streams last had everything
  /// (last seq, its engine time) of each batch appended, oldest first: what trimming by age
  /// cuts at.
  std::deque<std::pair<std::uint64_t, std::int64_t>> batches;
  std::set<std::string> streams;           ///< this prefix's event streams (trimmed by age)
  bool failing = false;
  static inline const char* name = "stream-export";
};

using export_self = exporter_actor::stateful_pointer<export_state>;

/// The entry of one event: its seq and times, its kind and what it is about (fields that do
/// not apply are left out: docs/streams.md).
std::vector<std::string> xadd(const export_state& st, const storage::event_row& e) {
  std::vector<std::string> a{"XADD", events_stream(st.setup.prefix, e.tenant)};
  if (st.setup.max_len > 0)
    a.insert(a.end(), {"MAXLEN", "~", std::to_string(st.setup.max_len)});
  a.push_back(std::to_string(e.seq) + "-0");
  auto field = [&](const char* name, std::string value) {
    a.push_back(name);
    a.push_back(std::move(value));
  };
  field("seq", std::to_string(e.seq));
  field("engine_ms", std::to_string(e.engine_ms));
  if (e.source_ms != 0)
    field("source_ms", std::to_string(e.source_ms));
  field("kind", wire::EnumNameReportingKind(static_cast<wire::ReportingKind>(e.kind)));
  field("tenant", e.tenant);
  if (e.iid != 0) {
    field("iid", std::to_string(e.iid));
    if (e.from_state >= 0)
      field("from_state", wire::EnumNameInteractionState(static_cast<wire::InteractionState>(e.from_state)));
    field("state", wire::EnumNameInteractionState(static_cast<wire::InteractionState>(e.state)));
  } else {
    field("agent_state", wire::EnumNameAgentState(static_cast<wire::AgentState>(e.agent_state)));
  }
  for (auto [name, value] : {std::pair{"agent", &e.agent}, {"queue", &e.queue}, {"media", &e.media},
                             {"reason", &e.reason}})
    if (!value->empty())
      field(name, *value);
  return a;
}

/// Connects if needed: the watermark, and the streams there are (for trimming by age).
void connect_redis(export_state& st) {
  if (st.redis->connected() && st.watermark)
    return;
  auto w = st.redis->command({"GET", export_watermark_key(st.setup.prefix)});
  if (w.is_error())
    throw runtime::redis_error("GET " + export_watermark_key(st.setup.prefix) + ": " + w.str);
  st.watermark = w.type == runtime::redis_reply::kind::string ? std::stoull(w.str) : 0;
  if (st.setup.max_age_ms > 0) {
    std::string cursor = "0";
    do {
      auto r = st.redis->command({"SCAN", cursor, "MATCH", st.setup.prefix + "*:events", "TYPE", "stream",
                                  "COUNT", "1000"});
      if (r.is_error() || r.elements.size() != 2)
        throw runtime::redis_error("SCAN: " + r.str);
      cursor = r.elements[0].str;
      for (auto& k : r.elements[1].elements)
        st.streams.insert(k.str);
    } while (cursor != "0");
  }
}

/// Appends one batch of events and moves the watermark past it. A refused id is a duplicate
/// when the entry is there (a retry after a lost reply); any other refusal stops the batch
/// before that event (the next pass tries it again).
void append_batch(export_state& st, const std::vector<storage::event_row>& events) {
  std::vector<std::vector<std::string>> cmds;
  for (auto& e : events)
    cmds.push_back(xadd(st, e));
  auto replies = st.redis->pipeline(cmds);
  std::uint64_t appended = 0, duplicates = 0, last = *st.watermark;
  std::int64_t last_ms = 0;
  std::string failure;
  for (std::size_t i = 0; i < events.size() && failure.empty(); ++i) {
    auto& r = replies[i];
    auto& key = cmds[i][1];
    if (!r.is_error()) {
      ++appended;
      st.streams.insert(key);
    } else if (r.str.find("equal or smaller") != std::string::npos) {
      auto id = std::to_string(events[i].seq) + "-0";
      auto there = st.redis->command({"XRANGE", key, id, id});
      if (there.elements.empty()) {
        // Passed over: a newer entry of this stream got in first. Nothing can put it back
        // in order; say so loudly and go on (docs/streams.md).
        spdlog::error("stream export: event {} is missing from {} and cannot be appended after newer entries",
                      events[i].seq, key);
        if (auto* c = st.setup.stats)
          c->export_errors.fetch_add(1, std::memory_order_relaxed);
      }
      ++duplicates;
    } else {
      failure = "XADD " + key + " " + std::to_string(events[i].seq) + ": " + r.str;
      break;
    }
    last = events[i].seq;
    last_ms = events[i].engine_ms;
  }
  if (last != *st.watermark) {
    auto r = st.redis->command({"SET", export_watermark_key(st.setup.prefix), std::to_string(last)});
    if (r.is_error())
      throw runtime::redis_error("SET " + export_watermark_key(st.setup.prefix) + ": " + r.str);
    st.watermark = last;
    st.batches.emplace_back(last, last_ms);
  }
  if (auto* c = st.setup.stats) {
    c->export_appended.fetch_add(appended, std::memory_order_relaxed);
    c->export_duplicates.fetch_add(duplicates, std::memory_order_relaxed);
    c->export_watermark.store(*st.watermark, std::memory_order_relaxed);
  }
  if (!failure.empty())
    throw runtime::redis_error(failure);
}

/// Trims every stream to the entries whose event is younger than max_age (at the precision
/// of a batch: entries up to the newest batch older than the cut go).
void trim_by_age(export_state& st, std::int64_t now_ms) {
  if (st.setup.max_age_ms <= 0)
    return;
  std::uint64_t older = 0;
  while (!st.batches.empty() && st.batches.front().second < now_ms - st.setup.max_age_ms) {
    older = st.batches.front().first;
    st.batches.pop_front();
  }
  if (older == 0)
    return;
  std::vector<std::vector<std::string>> cmds;
  for (auto& s : st.streams)
    cmds.push_back({"XTRIM", s, "MINID", "~", std::to_string(older + 1) + "-0"});
  st.redis->pipeline(cmds);
}

/// One pass; true when the next one should wait streams.poll_ms (false: at once).
bool export_pass(export_self self) {
  auto& st = self->state;
  auto now = st.setup.clk->now_ms();
  bool caught_up = false, failed = false;
  try {
    if (!st.store)
      st.store = storage::open_store(st.setup.store);
    connect_redis(st);
    auto until = std::chrono::steady_clock::now() + export_budget;
    while (std::chrono::steady_clock::now() < until) {
      auto events = st.store->events(*st.watermark + 1, st.setup.batch_events);
      if (!events.empty())
        append_batch(st, events);
      if (events.size() < st.setup.batch_events) {
        caught_up = true;
        break;
      }
    }
    trim_by_age(st, now);
    if (st.failing)
      spdlog::info("stream export: appending again to Redis {}", st.redis->where());
    st.failing = false;
  } catch (const std::exception& e) {
    failed = true;
    if (!dynamic_cast<const runtime::redis_error*>(&e))
      st.store.reset();  // a new store connection at the next tick
    st.redis->disconnect();
    st.watermark.reset();
    if (auto* c = st.setup.stats)
      c->export_errors.fetch_add(1, std::memory_order_relaxed);
    if (!st.failing)
      spdlog::warn("stream export: {} (trying again every {} ms; the events wait in the event log)", e.what(),
                   st.setup.poll.count());
    st.failing = true;
  }
  if (caught_up || st.caught_up_ms == 0)
    st.caught_up_ms = now;
  if (auto* c = st.setup.stats)
    c->export_lag_ms.store(std::max<std::int64_t>(0, now - st.caught_up_ms), std::memory_order_relaxed);
  return caught_up || failed;
}

exporter_actor::behavior_type exporter(export_self self, export_setup setup) {
  self->state.redis = std::make_unique<runtime::redis_link>(setup.redis_host, setup.redis_port);
  self->state.setup = std::move(setup);
  self->send(self, caf::tick_atom_v);
  return {
    [=](caf::tick_atom) {
      if (export_pass(self))
        self->delayed_send(self, self->state.setup.poll, caf::tick_atom_v);
      else
        self->send(self, caf::tick_atom_v);
    },
  };
}

} // namespace

std::string events_stream(const std::string& prefix, const std::string& tenant) {
  return prefix + (tenant.empty() ? std::string{"_"} : tenant) + ":events";
}

std::string export_watermark_key(const std::string& prefix) {
  return prefix + "export:events";
}

exporter_actor spawn_exporter(caf::actor_system& sys, export_setup setup) {
  return sys.spawn<caf::detached>(exporter, std::move(setup));
}

} // namespace parley::engine
