#include "actors/stats/window.hpp"

#include <algorithm>

namespace parley::stats {

// -- sample_window ------------------------------------------------------------------

void sample_window::add(std::int64_t t_ms, std::size_t channel, double v) {
  if (window_ms_ == 0)
    growing_[channel].add(v);
  else
    samples_.push_back({t_ms, static_cast<std::uint8_t>(channel), v});
}

aggregates sample_window::totals(std::int64_t now_ms) {
  if (window_ms_ == 0)
    return growing_;
  while (!samples_.empty() && samples_.front().t <= now_ms - window_ms_)
    samples_.pop_front();
  aggregates out{};
  for (auto& s : samples_)
    if (s.t <= now_ms)
      out[s.channel].add(s.v);
  return out;
}

void sample_window::reset() {
  growing_ = {};
  samples_.clear();
}

// -- level_window -------------------------------------------------------------------

level_window::level_window(std::int64_t window_ms, std::int64_t now_ms, levels initial)
  : window_ms_(window_ms), start_ms_(now_ms) {
  changes_.push_back({now_ms, initial});
}

void level_window::set(std::int64_t t_ms, levels l) {
  auto& last = changes_.back();
  t_ms = std::max(t_ms, last.t);
  if (window_ms_ == 0) {
    for (std::size_t c = 0; c < channels; ++c)
      closed_[c] += static_cast<double>(last.l[c]) * static_cast<double>(t_ms - last.t);
    last = {t_ms, l};
    return;
  }
  if (t_ms == last.t)
    last.l = l;
  else
    changes_.push_back({t_ms, l});
}

integrals level_window::totals(std::int64_t now_ms) {
  auto& last = changes_.back();
  integrals out{};
  if (window_ms_ == 0) {
    auto open = static_cast<double>(std::max<std::int64_t>(0, now_ms - last.t));
    for (std::size_t c = 0; c < channels; ++c)
      out[c] = closed_[c] + static_cast<double>(last.l[c]) * open;
    return out;
  }
  auto from = std::max(now_ms - window_ms_, start_ms_);
  // Drop changes superseded before the window starts (keep the one in force at `from`).
  while (changes_.size() > 1 && changes_[1].t <= from)
    changes_.pop_front();
  for (std::size_t i = 0; i < changes_.size(); ++i) {
    auto a = std::max(changes_[i].t, from);
    auto b = i + 1 < changes_.size() ? changes_[i + 1].t : now_ms;
    b = std::min(b, now_ms);
    if (b <= a)
      continue;
    for (std::size_t c = 0; c < channels; ++c)
      out[c] += static_cast<double>(changes_[i].l[c]) * static_cast<double>(b - a);
  }
  return out;
}

void level_window::reset(std::int64_t now_ms) {
  auto l = changes_.back().l;
  changes_.clear();
  changes_.push_back({now_ms, l});
  closed_ = {};
  start_ms_ = now_ms;
}

} // namespace parley::stats
