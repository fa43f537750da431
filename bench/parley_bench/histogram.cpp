#include "bench/parley_bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::bench {

std::size_t histogram::index_of(std::uint64_t us) noexcept {
  if (us < linear_end)
    return static_cast<std::size_t>(us);
  if (us >> max_bits)
    return bucket_count - 1;
  // Keep the top 7 bits: v >> shift lies in [64, 128).
  auto msb = static_cast<unsigned>(std::bit_width(us)) - 1;  // >= linear_bits
  auto shift = msb - (linear_bits - 1);
  return linear_end + (shift - 1) * half + static_cast<std::size_t>((us >> shift) - half);
}

std::uint64_t histogram::upper_edge(std::size_t index) noexcept {
  if (index < linear_end)
    return index;
  auto rest = index - linear_end;
  auto shift = rest / half + 1;
  auto sub = rest % half + half;
  return ((std::uint64_t{sub} + 1) << shift) - 1;
}

void histogram::record(std::uint64_t us) noexcept {
  buckets_[index_of(us)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(us, std::memory_order_relaxed);
  auto lo = min_.load(std::memory_order_relaxed);
  while (us < lo && !min_.compare_exchange_weak(lo, us, std::memory_order_relaxed)) {
  }
  auto hi = max_.load(std::memory_order_relaxed);
  while (us > hi && !max_.compare_exchange_weak(hi, us, std::memory_order_relaxed)) {
  }
}

std::uint64_t histogram::min() const noexcept {
  return count() == 0 ? 0 : min_.load(std::memory_order_relaxed);
}

double histogram::mean() const noexcept {
  auto n = count();
  return n == 0 ? 0.0 : static_cast<double>(sum_.load(std::memory_order_relaxed)) / n;
}

std::uint64_t histogram::quantile(double q) const noexcept {
  // Sum the buckets rather than trusting count_: a concurrent record() may be half done.
  std::uint64_t total = 0;
  for (auto& b : buckets_)
    total += b.load(std::memory_order_relaxed);
  if (total == 0)
    return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * total));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank)
      return std::min(upper_edge(i), max());
  }
  return max();
}

} // namespace parley::bench
