#include "actors/runtime/clock.hpp"

namespace parley {

using namespace std::chrono;

std::int64_t clock::now_ms() const {
  return duration_cast<milliseconds>(now().time_since_epoch()).count();
}

clock::time_point real_clock::now() const {
  return time_point_cast<duration>(system_clock::now());
}

steady_clock::duration real_clock::real_delay(duration d) const {
  return duration_cast<steady_clock::duration>(d);
}

scaled_clock::scaled_clock(double factor, std::optional<time_point> start)
  : factor_(factor), real_start_(steady_clock::now()),
    domain_start_(start ? *start : time_point_cast<duration>(system_clock::now())) {
}

clock::time_point scaled_clock::now() const {
  auto real = steady_clock::now() - real_start_;
  return domain_start_ + duration_cast<duration>(std::chrono::duration<double, std::nano>(real) * factor_);
}

steady_clock::duration scaled_clock::real_delay(duration d) const {
  return duration_cast<steady_clock::duration>(std::chrono::duration<double, std::nano>(d) / factor_);
}

manual_clock::manual_clock(time_point start) : now_ns_(start.time_since_epoch().count()) {
}

clock::time_point manual_clock::now() const {
  return time_point{duration{now_ns_.load()}};
}

steady_clock::duration manual_clock::real_delay(duration d) const {
  return duration_cast<steady_clock::duration>(d);
}

void manual_clock::advance(duration d) {
  now_ns_ += d.count();
}

void manual_clock::set(time_point t) {
  now_ns_ = t.time_since_epoch().count();
}

std::shared_ptr<const clock> make_clock(double scale, std::int64_t start_ms) {
  if (start_ms != 0)
    return std::make_shared<scaled_clock>(
      scale, clock::time_point{duration_cast<clock::duration>(milliseconds{start_ms})});
  if (scale == 1.0)
    return std::make_shared<real_clock>();
  return std::make_shared<scaled_clock>(scale);
}

} // namespace parley
