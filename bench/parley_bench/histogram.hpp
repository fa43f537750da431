// histogram: an HDR-like latency histogram in fixed memory, written for parley-bench.
//
// Values are microseconds. Below 128 µs every value has its own bucket; above, each power of
// two is split into 64 linear buckets, so a reported value is at most 1/64 (1.6 %) above the
// true one. Values up to 2^40 µs (12 days) are tracked; larger ones land in the last bucket.
// record() is lock-free (relaxed atomics) so that any client io thread may record while the
// progress thread reads; the whole thing is about 18 KB.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace parley::bench {

class histogram {
public:
  static constexpr unsigned linear_bits = 7;                       ///< 128 exact buckets
  static constexpr std::uint64_t linear_end = 1u << linear_bits;   ///< 128 µs
  static constexpr unsigned half = linear_end / 2;                 ///< 64 buckets per octave
  static constexpr unsigned max_bits = 40;                         ///< 2^40 µs tracked
  static constexpr std::size_t bucket_count = linear_end + (max_bits - linear_bits) * half;

  histogram() = default;
  histogram(const histogram&) = delete;
  histogram& operator=(const histogram&) = delete;

  void record(std::uint64_t us) noexcept;

  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  std::uint64_t min() const noexcept;
  std::uint64_t max() const noexcept { return max_.load(std::memory_order_relaxed); }
  double mean() const noexcept;

  /// The value below which `q` (0..1) of the recorded values fall: the upper edge of the
  /// bucket holding that rank, never above the largest value recorded. 0 when empty.
  std::uint64_t quantile(double q) const noexcept;

  /// Bucket arithmetic: the bucket of a value, and the largest value a bucket holds.
  static std::size_t index_of(std::uint64_t us) noexcept;
  static std::uint64_t upper_edge(std::size_t index) noexcept;

private:
  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> min_{~std::uint64_t{0}};
  std::atomic<std::uint64_t> max_{0};
};

} // namespace parley::bench
