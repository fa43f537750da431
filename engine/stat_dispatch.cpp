// stat_dispatch: the statistics family on 2060 — OpenStat, PeekStat, CloseStat, ResetStat —
// from a verified envelope to the stats hub or the statistic's calculation, and back to
// exactly one answer. The connection keeps its statistics (stat id -> calculation, which
// other statistics may share) and their count, which the per-connection limit
// (limits.max_stats_per_connection) applies to. The hub owns which statistic is on which
// calculation: opening, closing and resetting go through it; peeking goes to the
// calculation.
#include "engine/connection_state.hpp"

#include <caf/all.hpp>

#include "actors/stats/stat_types.hpp"

namespace parley::engine {

namespace {

using wire::Message;

stats::stat_client_actor stat_client_of(connection_self self) {
  return caf::actor_cast<stats::stat_client_actor>(self);
}

/// Monitors a calculation once, however many of our statistics are on it: an end the
/// client did not ask for becomes StatError.
void watch(connection_self self, const stats::stat_actor& a) {
  if (self->state.watching.insert(a.id()).second)
    self->monitor(a);
}

void open(connection_self self, std::uint64_t ref, const wire::OpenStat& m) {
  auto& st = self->state;
  if (st.stats.size() + st.opening >= st.setup.max_stats) {
    st.fail(ref, wire::ErrorCode::limit_exceeded,
            "at most " + std::to_string(st.setup.max_stats)
              + " open statistics per connection (limits.max_stats_per_connection)");
    return;
  }
  stats::stat_spec spec;
  auto name = m.metric() ? m.metric()->str() : std::string{};
  if (!stats::metric_by_name(name, spec.m)) {
    st.fail(ref, wire::ErrorCode::invalid_argument, "unknown metric \"" + name + "\"");
    return;
  }
  spec.object_type = m.object_type();
  spec.object_id = m.object_id() ? m.object_id()->str() : std::string{};
  spec.interval = m.interval();
  spec.window_s = m.window_s();
  spec.range_from_s = m.range_from_s();
  spec.range_to_s = m.range_to_s();
  spec.filter = m.filter() ? m.filter()->str() : std::string{};
  spec.notify = m.notify();
  spec.threshold = m.threshold();
  spec.period_ms = m.period_ms();
  auto id = ++st.next_stat;
  ++st.opening;
  self->request(st.setup.domain->stats, st.setup.request_timeout, caf::open_atom_v,
                std::move(spec), stat_client_of(self), id)
    .then(
      [=](const stats::stat_actor& a) {
        auto& st = self->state;
        --st.opening;
        st.stats.emplace(id, a);
        watch(self, a);
        self->request(a, st.setup.request_timeout, peek_atom_v, ref, self->id(), id, true)
          .then([=](frame& f) { self->state.link.answer(std::move(f)); },
                [=](caf::error& e) {
                  self->state.stats.erase(id);
                  self->state.fail(ref, e);
                });
      },
      [=](caf::error& e) {
        --self->state.opening;
        self->state.fail(ref, e);
      });
}

/// The statistic `id` of this connection, or an unknown_id answer (and null).
stats::stat_actor find(connection_self self, std::uint64_t ref, std::uint64_t id) {
  auto& st = self->state;
  auto it = st.stats.find(id);
  if (it == st.stats.end()) {
    st.fail(ref, wire::ErrorCode::unknown_id, "no open statistic " + std::to_string(id));
    return {};
  }
  return it->second;
}

} // namespace

void dispatch_stat(connection_self self, const wire::Envelope& env) {
  auto& st = self->state;
  auto ref = env.ref();
  auto type = env.message_type();
  switch (type) {
    case Message::OpenStat: return open(self, ref, *env.message_as_OpenStat());
    case Message::PeekStat: {
      auto id = env.message_as_PeekStat()->stat_id();
      if (auto a = find(self, ref, id))
        self->request(a, st.setup.request_timeout, peek_atom_v, ref, self->id(), id, false)
          .then([=](frame& f) { self->state.link.answer(std::move(f)); },
                [=](caf::error& e) { self->state.fail(ref, e); });
      return;
    }
    case Message::CloseStat: {
      auto id = env.message_as_CloseStat()->stat_id();
      if (find(self, ref, id)) {
        self->send(st.setup.domain->stats, caf::close_atom_v, stat_client_of(self), id);
        st.stats.erase(id);
        st.ack(ref);
      }
      return;
    }
    case Message::ResetStat: {
      auto id = env.message_as_ResetStat()->stat_id();
      if (!find(self, ref, id))
        return;
      auto time = budget::within(st.setup.request_timeout);
      self
        ->request(st.setup.domain->stats, time.left(), caf::reset_atom_v, stat_client_of(self),
                  id, time.inner(st.setup.request_timeout))
        .then(
          [=](const stats::stat_actor& a) {
            // Its own calculation now, if it shared one (the hub says which).
            auto& st = self->state;
            if (auto it = st.stats.find(id); it != st.stats.end()) {
              it->second = a;
              watch(self, a);
            }
            st.ack(ref);
          },
          [=](caf::error& e) { self->state.fail(ref, e); });
      return;
    }
    default:
      st.fail(ref, wire::ErrorCode::unknown_message,
              std::string{"not a request: "} + wire::EnumNameMessage(type));
  }
}

} // namespace parley::engine
