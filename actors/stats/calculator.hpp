// calculator: one open statistic's arithmetic — its metric over its interval, fed the
// facts of its object. Plain C++ (no actors, no clock): the stat actor owns one and asks
// it for the value at a given time, which is what makes exact tests on virtual time easy.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "actors/stats/stat_types.hpp"
#include "actors/stats/window.hpp"

namespace parley::stats {

class calculator {
public:
  calculator(const stat_spec& spec, std::int64_t now_ms, const object_snapshot& snap);

  /// Folds in one fact of the object (facts come in reporting order).
  void apply(const stat_fact& f);

  /// The value at `now_ms` (not earlier than the last fact).
  stat_value value(std::int64_t now_ms);

  /// Starts the interval afresh at `now_ms` (growing intervals; sliding ones forget).
  void reset(std::int64_t now_ms);

  /// False while the statistic's source is gone (an agent's state metrics while it is
  /// logged out).
  bool valid() const;

  const stat_spec& spec() const { return spec_; }

private:
  void on_agent(const std::string& agent, const agent_status& after, std::int64_t t_ms);
  void count_agent(const agent_status& s, int sign);
  levels level_of() const;
  bool in_range(std::int64_t wait_ms) const;

  stat_spec spec_;
  metric_kind kind_;
  sample_window samples_;
  level_window levels_;
  std::unordered_map<std::uint64_t, std::int64_t> waiting_;  // queue gauges: iid -> since
  std::map<std::string, agent_status> agents_;                // agent side: logged-in agents
  std::array<std::int64_t, 5> counts_{};  // logged in, ready, not ready, acw, busy
  levels lv_{};                           // the integral metrics' levels now
};

} // namespace parley::stats
