// budget: the time a client's request has left, carried with it into the domain.
//
// The connection actor gives every request it dispatches a deadline of now +
// timeouts.request_ms (requester::time) and waits that long for the answer. An actor that
// asks another on the client's behalf (a transfer asks the agent registry, then the target
// agent) waits only for what is left minus a reserve for the answer's way back, so the
// domain always answers before the connection gives up: a client is never told `timeout`
// for a change that then happens. A request that arrives with its budget spent is refused
// with `timeout` before anything changes. Work nobody waits for (a routed offer, a requeue)
// has no deadline and uses the configured internal timeout.
//
// Steady-clock time: on CAF's test coordinator (virtual time) budgets never run out, and
// the request timeouts they give are virtual time like every other.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

namespace parley {

struct budget {
  std::int64_t deadline_ns = 0;  ///< steady_clock, in nanoseconds since its epoch; 0: none

  static budget within(caf::timespan t) {
    auto now = std::chrono::steady_clock::now().time_since_epoch();
    return {std::chrono::duration_cast<std::chrono::nanoseconds>(now + t).count()};
  }

  bool bounded() const { return deadline_ns != 0; }

  /// Time to the deadline (never negative).
  caf::timespan left() const {
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
    return caf::timespan{std::max<std::int64_t>(deadline_ns - now, 0)};
  }

  /// Kept back for the answer's way to the client: a fifth of what is left, at least 1 ms.
  static caf::timespan reserve(caf::timespan left) {
    return std::max<caf::timespan>(left / 5, std::chrono::milliseconds{1});
  }

  /// True when no inner request can be made in time any more.
  bool spent() const { return bounded() && left() <= reserve(left()); }

  /// The timeout of a request made on the client's behalf (`internal` when unbounded).
  caf::timespan inner(caf::timespan internal) const {
    if (!bounded())
      return internal;
    auto l = left();
    return std::max<caf::timespan>(l - reserve(l), caf::timespan{1});
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget& x) {
  return f(caf::meta::type_name("budget"), x.deadline_ns);
}

} // namespace parley
