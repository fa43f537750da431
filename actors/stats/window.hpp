// window: the two kinds of interval arithmetic the calculators need, on millisecond
// timestamps, exact (no buckets).
//
// sample_window: events with a value, tagged by channel (a counter, a sum, a maximum).
// level_window: levels that hold between changes (how many agents are ready), integrated
// over time. Both are either growing (everything since start or the last reset) or
// sliding over a window of W ms: at time `now` a sliding window holds the events with
// now - W < t <= now, and integrates over [now - W, now].
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace parley::stats {

inline constexpr std::size_t channels = 3;

struct aggregate {
  std::uint64_t count = 0;
  double sum = 0;
  double max = 0;

  void add(double v) {
    max = count == 0 || v > max ? v : max;
    ++count;
    sum += v;
  }
};

using aggregates = std::array<aggregate, channels>;

class sample_window {
public:
  /// window_ms 0: growing.
  explicit sample_window(std::int64_t window_ms = 0) : window_ms_(window_ms) {}

  void add(std::int64_t t_ms, std::size_t channel, double v);
  aggregates totals(std::int64_t now_ms);
  void reset();
  std::size_t held() const { return samples_.size() - head_; }

private:
  struct sample {
    std::int64_t t;
    std::uint8_t channel;
    double v;
  };
  void expire(std::int64_t now_ms);
  void compact();

  std::int64_t window_ms_;
  aggregates growing_{};
  // Sliding only: a queue as a vector and a head index. An empty vector allocates nothing
  // (a std::deque allocates 512 bytes up front, times a million open statistics).
  std::vector<sample> samples_;
  std::size_t head_ = 0;
  // Sliding: count and sum of the samples held, per channel, kept as samples come and go,
  // and per channel the indices of the samples that can still become the maximum
  // (decreasing values; a monotonic queue): totals() is O(1) amortized, not a scan.
  std::array<aggregate, channels> held_{};
  std::array<std::vector<std::size_t>, channels> max_queue_;
  std::array<std::size_t, channels> max_head_{};
};

using levels = std::array<std::int64_t, channels>;
using integrals = std::array<double, channels>;  ///< level x milliseconds

class level_window {
public:
  level_window(std::int64_t window_ms, std::int64_t now_ms, levels initial);

  /// The levels are `l` from t_ms on (t_ms never earlier than the previous change).
  void set(std::int64_t t_ms, levels l);
  integrals totals(std::int64_t now_ms);
  void reset(std::int64_t now_ms);
  const levels& current() const { return last_.l; }

private:
  struct change {
    std::int64_t t;
    levels l;
  };
  std::int64_t window_ms_;
  std::int64_t start_ms_;         // growing: integrate from here
  integrals closed_{};            // growing: the integral up to last_.t
  change last_;                   // the levels in force now, since last_.t
  std::vector<change> history_;   // sliding: earlier changes still inside (from head_)
  std::size_t head_ = 0;
};

} // namespace parley::stats
