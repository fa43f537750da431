// clock: the one source of time for every actor and timer in the engine.
//
// Domain time (timestamps on events, offer timeouts, wrap-up, statistics windows) is read
// from a clock instead of std::chrono directly, so that the same engine can run on real
// time, on scaled time (simulation: a 100x clock turns a 30 s offer timeout into a 0.3 s
// real wait) or on virtual time in tests. The engine creates one clock at start-up and
// hands a shared_ptr<const clock> to whoever needs it; clocks are immutable apart from
// manual_clock, whose advance() is for tests that run single-threaded.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

namespace parley {

class clock {
public:
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<std::chrono::system_clock, duration>;

  virtual ~clock() = default;

  /// Current domain time (UTC).
  virtual time_point now() const = 0;

  /// How long to wait in real time until `d` of domain time has passed.
  virtual std::chrono::steady_clock::duration real_delay(duration d) const = 0;

  /// Domain seconds per real second (1 for real time).
  virtual double scale() const = 0;

  /// Milliseconds since the Unix epoch of now(), as carried on the wire.
  std::int64_t now_ms() const;
};

/// Real time: the system clock.
class real_clock final : public clock {
public:
  time_point now() const override;
  std::chrono::steady_clock::duration real_delay(duration d) const override;
  double scale() const override { return 1.0; }
};

/// Domain time starting at `start` (by default the real time of construction) and running
/// `factor` times faster.
class scaled_clock final : public clock {
public:
  explicit scaled_clock(double factor, std::optional<time_point> start = std::nullopt);
  time_point now() const override;
  std::chrono::steady_clock::duration real_delay(duration d) const override;
  double scale() const override { return factor_; }

private:
  double factor_;
  std::chrono::steady_clock::time_point real_start_;
  time_point domain_start_;
};

/// Time that moves only when a test says so. real_delay() returns the domain delay
/// unchanged, which is what CAF's test coordinator (virtual time) expects.
class manual_clock final : public clock {
public:
  explicit manual_clock(time_point start = time_point{std::chrono::seconds{1'700'000'000}});
  time_point now() const override;
  std::chrono::steady_clock::duration real_delay(duration d) const override;
  double scale() const override { return 1.0; }
  void advance(duration d);
  void set(time_point t);

private:
  std::atomic<std::int64_t> now_ns_;
};

/// The clock for a configured scale and start (ms since the Unix epoch, 0 = now):
/// real_clock for scale 1 from now, scaled_clock otherwise.
std::shared_ptr<const clock> make_clock(double scale, std::int64_t start_ms = 0);

} // namespace parley
