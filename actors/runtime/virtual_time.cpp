#include "actors/runtime/virtual_time.hpp"

#include <algorithm>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scheduler/test_coordinator.hpp>

namespace parley {

namespace {

caf::scheduler::test_coordinator& coordinator_of(caf::actor_system& sys) {
  auto* c = dynamic_cast<caf::scheduler::test_coordinator*>(&sys.scheduler());
  if (!c)
    throw std::logic_error("virtual_time needs an actor system on the test coordinator "
                           "(scheduler.policy = testing)");
  return *c;
}

} // namespace

virtual_time::virtual_time(caf::actor_system& sys)
  : sched_(coordinator_of(sys)), origin_(sched_.clock().now().time_since_epoch()) {
}

std::size_t virtual_time::run() {
  return sched_.run();
}

bool virtual_time::step(caf::timespan until) {
  auto& clk = sched_.clock();
  auto& due = clk.schedule();
  if (due.empty())
    return false;
  auto next = due.begin()->first.time_since_epoch();
  if (next > until)
    return false;
  // Every timer due at `next` fires now, in the order it was armed; what they cause runs
  // before time moves on.
  sched_.advance_time(std::max(next - clk.now().time_since_epoch(), caf::timespan{0}));
  sched_.run();
  return true;
}

void virtual_time::advance(caf::timespan d) {
  run_until([] { return false; }, d);
}

bool virtual_time::run_until(const std::function<bool()>& done, caf::timespan limit) {
  auto until = sched_.clock().now().time_since_epoch() + std::max(limit, caf::timespan{0});
  sched_.run();
  for (;;) {
    if (done())
      return true;
    if (!step(until))
      break;
  }
  auto now = sched_.clock().now().time_since_epoch();
  if (now < until)
    sched_.advance_time(until - now);  // nothing is due before `until` any more
  sched_.run();
  return done();
}

caf::timespan virtual_time::elapsed() const {
  return sched_.clock().now().time_since_epoch() - origin_;
}

std::size_t virtual_time::pending_timers() const {
  return sched_.clock().schedule().size();
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

} // namespace parley
