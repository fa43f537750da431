// reporting_replay: SubscribeReporting from a sequence number (docs/protocol.md). One
// detached actor per such subscription, with its own store connection: it has the bus hold
// the client's live events back (the bus answers the last sequence number it ordered), sends
// the client the stored events from the asked one up to that number a page at a time —
// each page once the connection has posted the previous one, so a slow reader slows the
// replay, not the engine — then has the bus send what it held and make the client an
// ordinary subscriber. Gap-free and without duplicates: the held events are exactly those
// after the replayed ones. If more were held than the bus keeps, the replayer reads them from
// the store too and asks again. Events the writer has not committed yet are waited for (up
// to 10 s); events retention deleted are skipped (the events' seq show where). VqSubscribe
// from a sequence number on 7122 replays the VQ event log the same way (spawn_vq_replayer),
// only the events of the subscribed queues.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/reporting/reporting_bus.hpp"
#include "engine/connection_actor.hpp"
#include "storage/store.hpp"

namespace parley::engine {

using replayer_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;

/// Replays to `client` (a connection actor) the stored events from `from_seq` on, then
/// hands it to the bus as a live subscriber. If it fails (the store cannot be read), the
/// client's subscription ends (the bus forgets it) and the error is logged.
replayer_actor spawn_replayer(caf::actor_system& sys, storage::config store, std::uint64_t from_seq,
                              connection_actor client, reporting_bus_actor bus);

/// The same for the VQ events of `queues` (empty: all), from the VQ sequence number `from_seq`.
replayer_actor spawn_vq_replayer(caf::actor_system& sys, storage::config store, std::uint64_t from_seq,
                                 std::vector<std::string> queues, connection_actor client, reporting_bus_actor bus);

} // namespace parley::engine
