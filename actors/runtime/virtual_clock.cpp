#include "actors/runtime/virtual_clock.hpp"

#include <caf/actor_clock.hpp>

namespace parley {

virtual_clock::virtual_clock(const caf::actor_clock& source, time_point start)
  : source_(source), origin_(source.now()), start_(start) {
}

clock::time_point virtual_clock::now() const {
  return start_ + std::chrono::duration_cast<duration>(source_.now() - origin_);
}

std::chrono::steady_clock::duration virtual_clock::real_delay(duration d) const {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

} // namespace parley
