// virtual_clock: domain time read from a CAF actor clock, for runs on virtual time.
//
// Under CAF's deterministic test coordinator (scheduler.policy = testing) the actor clock
// is a test clock that moves only when told (`advance_time`); every delayed_send and
// request timeout is due on that clock. A virtual_clock makes domain time the same time:
// now() is `start` plus however far the actor clock has moved since this clock was made,
// and real_delay() returns the domain delay unchanged, so an actor's
// delayed_send(clk->real_delay(d)) fires exactly when d of domain time has passed.
//
// Made by whoever builds the actor system on the test coordinator (the scenario driver's
// virtual mode, the simulator) right after the system, and handed to spawn_domain like any
// other clock. It reads the actor clock by reference: nobody may call now() once the actor
// system is gone (actors are, by then). virtual_time.hpp moves the time.
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/clock.hpp"

namespace parley {

class virtual_clock final : public clock {
public:
  /// Domain time `start` now; afterwards it moves exactly as `source` does.
  virtual_clock(const caf::actor_clock& source, time_point start);

  time_point now() const override;
  /// `d` unchanged: the actor clock is virtual too.
  std::chrono::steady_clock::duration real_delay(duration d) const override;
  /// 1: one domain second per virtual second. (How fast virtual time passes in real time is
  /// up to whoever advances it.)
  double scale() const override { return 1.0; }

private:
  const caf::actor_clock& source_;
  std::chrono::steady_clock::time_point origin_;  ///< source_.now() at construction
  time_point start_;
};

} // namespace parley
