#include <doctest/doctest.h>

#include <thread>

#include "actors/runtime/clock.hpp"

using namespace parley;
using namespace std::chrono_literals;

TEST_CASE("real clock follows the system clock") {
  real_clock c;
  auto a = std::chrono::system_clock::now();
  auto n = c.now();
  CHECK(std::chrono::abs(n - a) < 1s);
  CHECK(c.real_delay(30s) == 30s);
}

TEST_CASE("scaled clock turns domain delays into shorter real ones") {
  scaled_clock c{100.0};
  CHECK(c.real_delay(30s) == 300ms);
  auto t0 = c.now();
  std::this_thread::sleep_for(20ms);
  auto elapsed = c.now() - t0;
  CHECK(elapsed >= 2s);    // 20 ms real at 100x
  CHECK(elapsed < 60s);    // generous: the test machine may be slow
}

TEST_CASE("manual clock moves only when told") {
  manual_clock c;
  auto t0 = c.now();
  c.advance(90s);
  CHECK(c.now() - t0 == 90s);
  CHECK(c.now_ms() == std::chrono::duration_cast<std::chrono::milliseconds>(
                        (t0 + 90s).time_since_epoch()).count());
}

TEST_CASE("make_clock picks by scale") {
  CHECK(make_clock(1.0)->scale() == 1.0);
  CHECK(make_clock(60.0)->scale() == 60.0);
}
