#include "engine/stream_export.hpp"

#include <charconv>
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

/// What differs between the logs: how a page is read and how an event becomes fields.
template <class Row>
struct log_traits;

template <>
struct log_traits<storage::event_row> {
  static constexpr export_log log = export_log::events;
  static constexpr const char* name = "stream-export";
  static std::vector<storage::event_row> read(storage::store& s, std::uint64_t from, std::size_t n) {
    return s.events(from, n);
  }
};

template <>
struct log_traits<storage::vq_event_row> {
  static constexpr export_log log = export_log::vq;
  static constexpr const char* name = "stream-export-vq";
  static std::vector<storage::vq_event_row> read(storage::store& s, std::uint64_t from, std::size_t n) {
    return s.vq_events(from, n);
  }
};

template <class Row>
struct export_state {
  static constexpr export_log log = log_traits<Row>::log;
  export_setup setup;
  std::unique_ptr<storage::store> store;
  std::unique_ptr<runtime::redis_link> redis;
  std::optional<std::uint64_t> watermark;  ///< the last event Redis has (read from it at every connect)
  std::uint64_t saved = 0;                 ///< the watermark's value in Redis
  std::int64_t caught_up_ms = 0;           ///< domain time the streams last had everything
  /// (last seq, its engine time) of each batch appended, oldest first: what trimming by age
  /// cuts at.
  std::deque<std::pair<std::uint64_t, std::int64_t>> batches;
  std::set<std::string> streams;           ///< this prefix's event streams (trimmed by age)
  bool failing = false;
  static inline const char* name = log_traits<Row>::name;

  std::string stream(const std::string& tenant) const { return export_stream(setup.prefix, tenant, log); }
  std::string watermark_key() const { return export_watermark_key(setup.prefix, log); }
  export_counters* stats() const { return setup.stats ? &setup.stats->exported(log) : nullptr; }
};

template <class Row>
using export_self = exporter_actor::stateful_pointer<export_state<Row>>;

/// Up to 12 fields of one entry, their numbers formatted in place.
struct entry_fields {
  char numbers[4][24];
  std::pair<std::string_view, std::string_view> fields[12];
  std::size_t n = 0;

  std::string_view number(int slot, std::uint64_t v) {
    auto end = std::to_chars(numbers[slot], numbers[slot] + sizeof numbers[slot], v).ptr;
    return std::string_view{numbers[slot], static_cast<std::size_t>(end - numbers[slot])};
  }
  void field(std::string_view name, std::string_view value) { fields[n++] = {name, value}; }
};

/// A reporting event's fields: its seq and times, its kind and what it is about (fields that
/// do not apply are left out: docs/streams.md).
void fields_of(const storage::event_row& e, entry_fields& f) {
  f.field("seq", f.number(0, e.seq));
  f.field("engine_ms", f.number(1, static_cast<std::uint64_t>(e.engine_ms)));
  if (e.source_ms != 0)
    f.field("source_ms", f.number(2, static_cast<std::uint64_t>(e.source_ms)));
  f.field("kind", wire::EnumNameReportingKind(static_cast<wire::ReportingKind>(e.kind)));
  f.field("tenant", e.tenant);
  if (e.iid != 0) {
    f.field("iid", f.number(3, e.iid));
    if (e.from_state >= 0)
      f.field("from_state", wire::EnumNameInteractionState(static_cast<wire::InteractionState>(e.from_state)));
    f.field("state", wire::EnumNameInteractionState(static_cast<wire::InteractionState>(e.state)));
  } else {
    f.field("agent_state", wire::EnumNameAgentState(static_cast<wire::AgentState>(e.agent_state)));
  }
  for (auto [name, value] : {std::pair{"agent", &e.agent}, {"queue", &e.queue}, {"media", &e.media},
                             {"reason", &e.reason}})
    if (!value->empty())
      f.field(name, *value);
}

/// A VQ event's fields: seq, time, kind, tenant, the virtual queue, the interaction, and the
/// agent and reason where they apply.
void fields_of(const storage::vq_event_row& e, entry_fields& f) {
  f.field("seq", f.number(0, e.seq));
  f.field("engine_ms", f.number(1, static_cast<std::uint64_t>(e.engine_ms)));
  f.field("kind", wire::EnumNameVqEventKind(static_cast<wire::VqEventKind>(e.kind)));
  f.field("tenant", e.tenant);
  f.field("vq", e.vq);
  f.field("iid", f.number(2, e.iid));
  if (!e.agent.empty())
    f.field("agent", e.agent);
  if (!e.reason.empty())
    f.field("reason", e.reason);
}

/// Appends the XADD of one event to `out`, with the entry id <seq>-0.
template <class Row>
void xadd(const export_state<Row>& st, const Row& e, runtime::redis_commands& out) {
  entry_fields f;
  fields_of(e, f);
  auto seq = f.fields[0].second;
  bool capped = st.setup.max_len > 0;
  out.begin(3 + (capped ? 3 : 0) + 2 * f.n);
  out.word("XADD");
  out.word({st.setup.prefix, e.tenant.empty() ? std::string_view{"_"} : std::string_view{e.tenant}, ":",
            to_string(st.log)});
  if (capped) {
    out.word("MAXLEN");
    out.word("~");
    out.word(st.setup.max_len);
  }
  out.word({seq, "-0"});
  for (std::size_t i = 0; i < f.n; ++i) {
    out.word(f.fields[i].first);
    out.word(f.fields[i].second);
  }
}

/// Connects if needed: the watermark, and the streams there are (for trimming by age).
template <class Row>
void connect_redis(export_state<Row>& st) {
  if (st.redis->connected() && st.watermark)
    return;
  auto w = st.redis->command({"GET", st.watermark_key()});
  if (w.is_error())
    throw runtime::redis_error("GET " + st.watermark_key() + ": " + w.str);
  st.watermark = w.type == runtime::redis_reply::kind::string ? std::stoull(w.str) : 0;
  st.saved = *st.watermark;
  if (st.setup.max_age_ms > 0) {
    std::string cursor = "0";
    do {
      auto r = st.redis->command({"SCAN", cursor, "MATCH", st.setup.prefix + "*:" + to_string(st.log), "TYPE", "stream",
                                  "COUNT", "1000"});
      if (r.is_error() || r.elements.size() != 2)
        throw runtime::redis_error("SCAN: " + r.str);
      cursor = r.elements[0].str;
      for (auto& k : r.elements[1].elements)
        st.streams.insert(k.str);
    } while (cursor != "0");
  }
}

/// One batch of appends on its way: sent, its replies not read yet.
template <class Row>
struct flight {
  std::vector<Row> events;
  std::optional<std::uint64_t> set;  ///< the watermark's SET went first, with this value
};

template <class Row>
std::vector<std::string> set_watermark(const export_state<Row>& st) {
  return {"SET", st.watermark_key(), std::to_string(*st.watermark)};
}

/// Sends the XADDs of `events`, after the SET of the watermark when it moved since Redis
/// last had it.
template <class Row>
flight<Row> send_batch(export_state<Row>& st, std::vector<Row> events) {
  flight<Row> f;
  runtime::redis_commands cmds;
  if (st.saved != *st.watermark) {
    cmds.begin(3);
    for (auto& w : set_watermark(st))
      cmds.word(w);
    f.set = *st.watermark;
  }
  for (auto& e : events)
    xadd(st, e, cmds);
  st.redis->send(cmds);
  f.events = std::move(events);
  return f;
}

/// Saves the watermark in Redis if it moved.
template <class Row>
void save_watermark(export_state<Row>& st) {
  if (st.saved == *st.watermark)
    return;
  auto r = st.redis->command(set_watermark(st));
  if (r.is_error())
    throw runtime::redis_error("SET " + st.watermark_key() + ": " + r.str);
  st.saved = *st.watermark;
}

/// Reads the replies of `f` and moves the watermark past what Redis has. A refused id is a
/// duplicate when the entry is there (sent again after a lost reply); any other refusal
/// stops the batch before that event (the next pass tries it again).
template <class Row>
void land(export_state<Row>& st, const flight<Row>& f) {
  auto replies = st.redis->receive(f.events.size() + (f.set ? 1 : 0));
  std::size_t at = 0;
  if (f.set) {
    if (replies[0].is_error())
      throw runtime::redis_error("SET " + st.watermark_key() + ": " + replies[0].str);
    st.saved = *f.set;
    at = 1;
  }
  std::uint64_t appended = 0, duplicates = 0, last = *st.watermark;
  std::int64_t last_ms = 0;
  std::string failure;
  std::set<std::string> tenants;  // of the entries appended (trimming by age)
  for (std::size_t i = 0; i < f.events.size(); ++i) {
    auto& r = replies[at + i];
    auto& e = f.events[i];
    if (!r.is_error()) {
      ++appended;
      if (st.setup.max_age_ms > 0 && !tenants.count(e.tenant))
        tenants.insert(e.tenant);
    } else if (r.str.find("equal or smaller") != std::string::npos) {
      auto key = st.stream(e.tenant);
      auto id = std::to_string(e.seq) + "-0";
      if (st.redis->command({"XRANGE", key, id, id}).elements.empty()) {
        // Passed over: a newer entry of this stream got in first. Nothing can put it back
        // in order; say so loudly and go on (docs/streams.md).
        spdlog::error("stream export: event {} is missing from {} and cannot be appended after newer entries",
                      e.seq, key);
        if (auto* c = st.stats())
          c->errors.fetch_add(1, std::memory_order_relaxed);
      }
      ++duplicates;
    } else {
      failure = "XADD " + st.stream(e.tenant) + " " + std::to_string(e.seq) + ": " + r.str;
      break;
    }
    last = e.seq;
    last_ms = e.engine_ms;
  }
  if (last != *st.watermark) {
    st.watermark = last;
    st.batches.emplace_back(last, last_ms);
  }
  for (auto& t : tenants)
    st.streams.insert(st.stream(t));
  if (auto* c = st.stats()) {
    c->appended.fetch_add(appended, std::memory_order_relaxed);
    c->duplicates.fetch_add(duplicates, std::memory_order_relaxed);
    c->watermark.store(*st.watermark, std::memory_order_relaxed);
  }
  if (!failure.empty()) {
    save_watermark(st);
    throw runtime::redis_error(failure);
  }
}

/// Trims every stream to the entries whose event is younger than max_age (at the precision
/// of a batch: entries up to the newest batch older than the cut go).
template <class Row>
void trim_by_age(export_state<Row>& st, std::int64_t now_ms) {
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
template <class Row>
bool export_pass(export_self<Row> self) {
  auto& st = self->state;
  auto now = st.setup.clk->now_ms();
  bool caught_up = false, failed = false;
  try {
    if (!st.store)
      st.store = storage::open_store(st.setup.store);
    connect_redis(st);
    // One batch in flight: the next is read from the store while Redis appends this one.
    auto until = std::chrono::steady_clock::now() + export_budget;
    auto read_to = *st.watermark;
    std::optional<flight<Row>> flying;
    for (;;) {
      bool time_left = std::chrono::steady_clock::now() < until;
      std::vector<Row> events;
      if (time_left)
        events = log_traits<Row>::read(*st.store, read_to + 1, st.setup.batch_events);
      if (flying)
        land(st, *flying);
      flying.reset();
      if (!time_left)
        break;
      if (events.empty()) {
        caught_up = true;
        break;
      }
      read_to = events.back().seq;
      bool short_batch = events.size() < st.setup.batch_events;
      flying = send_batch(st, std::move(events));
      if (short_batch) {
        land(st, *flying);
        caught_up = true;
        break;
      }
    }
    save_watermark(st);
    trim_by_age(st, now);
    if (st.failing)
      spdlog::info("stream export ({}): appending again to Redis {}", to_string(st.log), st.redis->where());
    st.failing = false;
  } catch (const std::exception& e) {
    failed = true;
    if (!dynamic_cast<const runtime::redis_error*>(&e))
      st.store.reset();  // a new store connection at the next tick
    st.redis->disconnect();
    st.watermark.reset();
    if (auto* c = st.stats())
      c->errors.fetch_add(1, std::memory_order_relaxed);
    if (!st.failing)
      spdlog::warn("stream export ({}): {} (trying again every {} ms; the events wait in the log)", to_string(st.log),
                   e.what(), st.setup.poll.count());
    st.failing = true;
  }
  if (caught_up || st.caught_up_ms == 0)
    st.caught_up_ms = now;
  if (auto* c = st.stats())
    c->lag_ms.store(std::max<std::int64_t>(0, now - st.caught_up_ms), std::memory_order_relaxed);
  return caught_up || failed;
}

template <class Row>
exporter_actor::behavior_type exporter(export_self<Row> self, export_setup setup) {
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

std::string export_stream(const std::string& prefix, const std::string& tenant, export_log log) {
  return prefix + (tenant.empty() ? std::string{"_"} : tenant) + ":" + to_string(log);
}

std::string export_watermark_key(const std::string& prefix, export_log log) {
  return prefix + "export:" + to_string(log);
}

exporter_actor spawn_exporter(caf::actor_system& sys, export_setup setup, export_log log) {
  if (log == export_log::vq)
    return sys.spawn<caf::detached>(exporter<storage::vq_event_row>, std::move(setup));
  return sys.spawn<caf::detached>(exporter<storage::event_row>, std::move(setup));
}

} // namespace parley::engine
