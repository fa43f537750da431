#include "engine/reporting_replay.hpp"

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
  spdlog::warn("reporting replay from {} stopped: {}; the client's subscription ends", st.next, why);
  caf::anon_send(st.bus, caf::leave_atom_v, caf::actor_cast<client_actor>(st.client));
  self->quit();
}

/// One step: the next page, or (all sent up to `until`) the hand-over to the bus.
void step(replay_self self) {
  auto& st = self->state;
  if (st.next > st.until) {
    self->request(st.bus, caf::infinite, replay_atom_v, caf::actor_cast<client_actor>(st.client))
      .then(
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
  std::vector<storage::event_row> rows;
  try {
    if (!st.store)
      st.store = storage::open_store(st.store_cfg);
    rows = st.store->events(st.next, static_cast<std::size_t>(std::min<std::uint64_t>(page_events, st.until - st.next + 1)));
  } catch (const std::exception& e) {
    give_up(self, e.what());
    return;
  }
  if (rows.empty()) {
    // Ordered, not committed yet: the writer is a moment behind the bus.
    auto now = std::chrono::steady_clock::now();
    if (st.waiting_since == std::chrono::steady_clock::time_point{})
      st.waiting_since = now;
    if (now - st.waiting_since < commit_wait) {
      self->delayed_send(self, std::chrono::milliseconds{5}, caf::tick_atom_v);
      return;
    }
    spdlog::warn("reporting replay: events {}..{} were not stored within {} s; going on without them", st.next,
                 st.until, std::chrono::duration_cast<std::chrono::seconds>(commit_wait).count());
    st.next = st.until + 1;
    step(self);
    return;
  }
  st.waiting_since = {};
  // A hole below the first stored event (retention deleted it, or storage.shed_events
  // dropped it) is skipped: the events' seq show it.
  std::vector<frame> page;
  page.reserve(rows.size());
  for (auto& e : rows)
    if (e.seq <= st.until)
      page.push_back(event_frame(st.enc, e));
  auto last = std::min(rows.back().seq, st.until);
  self->request(st.client, page_wait, replay_atom_v, std::move(page))
    .then(
      [=](caf::ok_atom) {
        self->state.next = last + 1;
        step(self);
      },
      [=](caf::error& e) { give_up(self, "the client did not read: " + describe(e)); });
}

replayer_actor::behavior_type replayer(replay_self self, storage::config store, std::uint64_t from_seq,
                                       connection_actor client, reporting_bus_actor bus) {
  auto& st = self->state;
  st.store_cfg = std::move(store);
  st.next = from_seq;
  st.client = std::move(client);
  st.bus = std::move(bus);
  self->request(st.bus, caf::infinite, caf::join_atom_v, report_atom_v, caf::actor_cast<client_actor>(st.client),
                replay_atom_v)
    .then(
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
  return sys.spawn<caf::detached>(replayer, std::move(store), from_seq, std::move(client), std::move(bus));
}

} // namespace parley::engine
