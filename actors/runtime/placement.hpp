// placement: where an actor whose handlers block (database, Redis) runs.
//
// In parleyd such actors are detached: a thread of their own, so their blocking calls
// stall nobody else. On CAF's deterministic test coordinator (engine/local_engine.hpp)
// that is wrong: CAF 0.17.6 gives a detached actor a private thread whose messages land
// in the coordinator's unsynchronised job queue and whose timers in its unsynchronised
// virtual clock, in real time. There they run as ordinary scheduled actors instead, and
// block whoever runs the coordinator. Chosen by whoever spawns them (the engine, the local
// engine); the writer, the list store and the compliance actor take it.
#pragma once

namespace parley {

enum class actor_placement {
  /// On its own thread (production): its blocking calls block nobody else.
  detached,
  /// On the scheduler's threads like any actor: for CAF's test coordinator.
  scheduled,
};

} // namespace parley
