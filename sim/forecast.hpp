// forecast: what `parley plan` reads — per interval (15 minutes by default), the offered
// interactions and the average handle time of each queue and media (docs/planning.md).
//
//   interval,queue,media,offered,aht_s
//   2026-12-07 08:00,sales,voice,120,240
//
// A header names the five columns (in any order; no others). `interval` is any label
// (its rows keep the order in which each label first appears); `offered` the interactions
// expected in the interval (a forecast: fractions allowed); `aht_s` the average handle
// time in seconds, accept to stop, without the group's configured wrap-up (the engine adds
// that itself). Every queue and media must be configured.
#pragma once

#include <compare>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/runtime/domain_config.hpp"

namespace parley::sim {

/// One queue and media in one interval.
struct forecast_stream {
  std::size_t queue = 0;  ///< index into domain_config::queues
  std::string media;
  double offered = 0;     ///< interactions in the interval
  double aht_s = 0;

  auto operator<=>(const forecast_stream&) const = default;
};

struct forecast_interval {
  std::string label;
  std::vector<forecast_stream> streams;  ///< in file order
};

struct forecast {
  std::vector<forecast_interval> intervals;
};

/// A forecast that cannot be planned: every problem found, one per line with its line.
struct forecast_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reads a forecast for `dom`'s queues and media. Throws forecast_error.
forecast read_forecast(std::istream& in, const domain_config& dom);

} // namespace parley::sim
