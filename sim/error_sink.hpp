// error_sink: where simulated clients count what went wrong (parley-bench's error_counts
// is one; the planner has its own).
#pragma once

#include <cstdint>
#include <string>

namespace parley::sim {

/// Where the simulated clients' errors are counted (an Error frame, an unexpected event).
class error_sink {
public:
  virtual ~error_sink() = default;
  virtual void record_other(const std::string& kind, const std::string& why) = 0;
  virtual std::uint64_t total() const = 0;
  /// The text of the first error ("" when none).
  virtual std::string first() const = 0;
};

} // namespace parley::sim
