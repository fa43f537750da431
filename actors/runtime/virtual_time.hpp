// virtual_time: runs an actor system on CAF's deterministic test coordinator and moves its
// time timer by timer.
//
// The test coordinator (scheduler.policy = testing) runs actors only when asked, in the
// caller's thread, and keeps a virtual actor clock. Its own advance_time(d) jumps the clock
// by d and then fires every timer due by then at once: all of them see the time after the
// jump, and a timer armed on the way (an offer re-offered after a timeout) lands late.
// virtual_time instead moves to the next due timer, fires what is due at that instant,
// runs every actor until none has work, and repeats: each timer fires exactly at its due
// time, in order, after the effects of the ones before it. The same inputs give the same
// run, message for message. Nothing sleeps.
//
// Made by the owner of the actor system (built with testing_config()), right after it;
// used from that thread only. A virtual_clock (virtual_clock.hpp) on the same system's
// clock gives the domain the same time.
#pragma once

#include <cstddef>
#include <functional>

#include <caf/fwd.hpp>

namespace parley {

class virtual_time {
public:
  /// Throws std::logic_error when `sys` does not run on the test coordinator.
  explicit virtual_time(caf::actor_system& sys);

  /// Runs every actor until none has work; time stands still. Returns the jobs run.
  std::size_t run();

  /// Moves time forward by `d`, timer by timer (see above), and runs what is left.
  void advance(caf::timespan d);

  /// Runs, moving time timer by timer, until `done()` holds (asked whenever no actor has
  /// work) or `limit` of time has passed. True when done() held; time then stands where it
  /// came true, else `limit` later than at the call.
  bool run_until(const std::function<bool()>& done, caf::timespan limit);

  /// Time moved since this object was made.
  caf::timespan elapsed() const;

  /// Timers armed and not fired yet (delayed messages, request and idle timeouts).
  std::size_t pending_timers() const;

  caf::scheduler::test_coordinator& coordinator() noexcept { return sched_; }

private:
  /// Fires the earliest timers if they are due by `until`: false when none is.
  bool step(caf::timespan until);

  caf::scheduler::test_coordinator& sched_;
  caf::timespan origin_;  ///< the actor clock's reading at construction
};

/// Sets scheduler.policy = testing on `cfg` and returns it.
caf::actor_system_config& testing_config(caf::actor_system_config& cfg);

} // namespace parley
