#include "engine/reporting_replay.hpp"

#include <algorithm>
#include <optional>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/persistence/rows.hpp"
#include "protocol/codec.hpp"

namespace parley::engine {

namespace {

/// Events per page sent to the connection.
constexpr std::size_t page_events = 500;
/// How long events ordered but not yet committed are waited for before the replay goes on
/// without them (the writer commits within milliseconds unless the database is down).
constexpr auto commit_wait = std::chrono::seconds{10};
/// How long one page may wait for the peer to read (then the subscription ends).
constexpr auto page_wait = std::chrono::minutes{2};

struct replay_state {
  storage::config store_cfg;
  bool vq = false;                  ///< VQ events (of `queues`; empty: all), else reporting events
  std::vector<std::string> queues;
  std::unique_ptr<storage::store> store;
  std::uint64_t next = 0;   ///< the next sequence number to send
  std::uint64_t until = 0;  ///< the last one to send from the store before asking the bus
  connection_actor client;
  reporting_bus_actor bus;
  std::chrono::steady_clock::time_point waiting_since{};  ///< for uncommitted events
  protocol::encoder enc;
  static inline const char* name = "reporting-replay";
};

using replay_self = replayer_actor::stateful_pointer<replay_state>;

/// Ends the subscription: the bus forgets the client, this actor quits.
void give_up(replay_self self, const std::string& why) {
  auto& st = self->state;
  spdlog::warn("{} replay from {} stopped: {}; the client's subscription ends", st.vq ? "VQ" : "reporting",
               st.next, why);
  caf::anon_send(st.bus, caf::leave_atom_v, caf::actor_cast<client_actor>(st.client));
  self->quit();
}

/// One step: the next page, or (all sent up to `until`) the hand-over to the bus.
void step(replay_self self) {
  auto& st = self->state;
  if (st.next > st.until) {
    auto me = caf::actor_cast<client_actor>(st.client);
    auto asked = st.vq ? self->request(st.bus, caf::infinite, replay_atom_v, vq_atom_v, me)
                       : self->request(st.bus, caf::infinite, replay_atom_v, me);
    asked.then(
        [=](std::uint64_t again) {
          if (again == 0) {
            self->quit();  // live now (or gone)
            return;
          }
          self->state.until = again;
          step(self);
        },
        [=](caf::error& e) { give_up(self, describe(e)); });
    return;
  }
  // One page of the log, encoded: (frames, the last seq read).
  std::vector<frame> page;
  std::uint64_t last = 0;
  try {
    if (!st.store)
      st.store = storage::open_store(st.store_cfg);
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(page_events, st.until - st.next + 1));
    // A hole below the first stored event (retention deleted it, or storage.shed_events
    // dropped it) is skipped: the events' seq show it.
    auto take = [&](auto rows, auto encode, auto wanted) {
      for (auto& e : rows)
        if (e.seq <= st.until && wanted(e))
          page.push_back(encode(st.enc, e));
      if (!rows.empty())
        last = std::min(rows.back().seq, st.until);
    };
    if (st.vq)
      take(st.store->vq_events(st.next, n), vq_event_frame, [&](const storage::vq_event_row& e) {
        return st.queues.empty() || std::find(st.queues.begin(), st.queues.end(), e.vq) != st.queues.end();
      });
    else
      take(st.store->events(st.next, n), event_frame, [](const storage::event_row&) { return true; });
  } catch (const std::exception& e) {
    give_up(self, e.what());
    return;
  }
  if (last == 0) {
    // Ordered, not committed yet: the writer is a moment behind the bus.
    auto now = std::chrono::steady_clock::now();
    if (st.waiting_since == std::chrono::steady_clock::time_point{})
      st.waiting_since = now;
    if (now - st.waiting_since < commit_wait) {
      self->delayed_send(self, std::chrono::milliseconds{5}, caf::tick_atom_v);
      return;
    }
    spdlog::warn("{} replay: events {}..{} were not stored within {} s; going on without them",
                 st.vq ? "VQ" : "reporting", st.next, st.until,
                 std::chrono::duration_cast<std::chrono::seconds>(commit_wait).count());
    st.next = st.until + 1;
    step(self);
    return;
  }
  st.waiting_since = {};
  if (page.empty()) {  // none of the subscribed queues in this page
    st.next = last + 1;
    self->send(self, caf::tick_atom_v);
    return;
  }
  self->request(st.client, page_wait, replay_atom_v, std::move(page))
    .then(
      [=](caf::ok_atom) {
        self->state.next = last + 1;
        step(self);
      },
      [=](caf::error& e) { give_up(self, "the client did not read: " + describe(e)); });
}

replayer_actor::behavior_type replayer(replay_self self, storage::config store, std::uint64_t from_seq,
                                       std::optional<std::vector<std::string>> vq_queues, connection_actor client,
                                       reporting_bus_actor bus) {
  auto& st = self->state;
  st.store_cfg = std::move(store);
  st.next = from_seq;
  st.vq = vq_queues.has_value();
  if (vq_queues)
    st.queues = *vq_queues;
  st.client = std::move(client);
  st.bus = std::move(bus);
  auto me = caf::actor_cast<client_actor>(st.client);
  auto joined = st.vq ? self->request(st.bus, caf::infinite, caf::join_atom_v, vq_atom_v, me, st.queues, replay_atom_v)
                      : self->request(st.bus, caf::infinite, caf::join_atom_v, report_atom_v, me, replay_atom_v);
  joined.then(
      [=](std::uint64_t last) {
        self->state.until = last;
        step(self);
      },
      [=](caf::error& e) { give_up(self, describe(e)); });
  return {
    [=](caf::tick_atom) { step(self); },
  };
}

} // namespace

replayer_actor spawn_replayer(caf::actor_system& sys, storage::config store, std::uint64_t from_seq,
                              connection_actor client, reporting_bus_actor bus) {
  return sys.spawn<caf::detached>(replayer, std::move(store), from_seq, std::nullopt, std::move(client),
                                  std::move(bus));
}

replayer_actor spawn_vq_replayer(caf::actor_system& sys, storage::config store, std::uint64_t from_seq,
                                 std::vector<std::string> queues, connection_actor client, reporting_bus_actor bus) {
  return sys.spawn<caf::detached>(replayer, std::move(store), from_seq, std::optional{std::move(queues)},
                                  std::move(client), std::move(bus));
}

} // namespace parley::engine
