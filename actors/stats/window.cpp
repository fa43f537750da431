#include "actors/stats/window.hpp"

#include <algorithm>

namespace parley::stats {

// -- sample_window ------------------------------------------------------------------

void sample_window::add(std::int64_t t_ms, std::size_t channel, double v) {
  if (window_ms_ == 0) {
    growing_[channel].add(v);
    return;
  }
  samples_.push_back({t_ms, static_cast<std::uint8_t>(channel), v});
  ++held_[channel].count;
  held_[channel].sum += v;
  auto& q = max_queue_[channel];
  while (q.size() > max_head_[channel] && samples_[q.back()].v <= v)
    q.pop_back();
  q.push_back(samples_.size() - 1);
}

void sample_window::expire(std::int64_t now_ms) {
  while (head_ < samples_.size() && samples_[head_].t <= now_ms - window_ms_) {
    auto& s = samples_[head_];
    auto& h = held_[s.channel];
    --h.count;
    h.sum -= s.v;
    auto& q = max_queue_[s.channel];
    if (max_head_[s.channel] < q.size() && q[max_head_[s.channel]] == head_)
      ++max_head_[s.channel];
    ++head_;
  }
}

void sample_window::compact() {
  if (head_ <= 64 || head_ * 2 <= samples_.size())
    return;  // amortized O(1) per sample
  samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(head_));
  for (std::size_t c = 0; c < channels; ++c) {
    auto& q = max_queue_[c];
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(max_head_[c]));
    for (auto& i : q)
      i -= head_;
    max_head_[c] = 0;
  }
  head_ = 0;
}

aggregates sample_window::totals(std::int64_t now_ms) {
  if (window_ms_ == 0)
    return growing_;
  expire(now_ms);
  compact();
  aggregates out{};
  if (head_ < samples_.size() && samples_.back().t > now_ms) {
    // Asked about a moment before the newest sample (not how the calculators ask): count.
    for (auto i = head_; i < samples_.size(); ++i)
      if (samples_[i].t <= now_ms)
        out[samples_[i].channel].add(samples_[i].v);
    return out;
  }
  for (std::size_t c = 0; c < channels; ++c) {
    out[c].count = held_[c].count;
    out[c].sum = out[c].count == 0 ? 0 : held_[c].sum;
    out[c].max = out[c].count == 0 ? 0 : samples_[max_queue_[c][max_head_[c]]].v;
  }
  return out;
}

void sample_window::reset() {
  growing_ = {};
  samples_.clear();
  head_ = 0;
  held_ = {};
  for (auto& q : max_queue_)
    q.clear();
  max_head_ = {};
}

// -- level_window -------------------------------------------------------------------

level_window::level_window(std::int64_t window_ms, std::int64_t now_ms, levels initial)
  : window_ms_(window_ms), start_ms_(now_ms), last_{now_ms, initial} {
}

void level_window::set(std::int64_t t_ms, levels l) {
  t_ms = std::max(t_ms, last_.t);
  if (window_ms_ == 0) {
    for (std::size_t c = 0; c < channels; ++c)
      closed_[c] += static_cast<double>(last_.l[c]) * static_cast<double>(t_ms - last_.t);
  } else if (t_ms > last_.t) {
    history_.push_back(last_);
  }
  last_ = {t_ms, l};
}

integrals level_window::totals(std::int64_t now_ms) {
  integrals out{};
  if (window_ms_ == 0) {
    auto open = static_cast<double>(std::max<std::int64_t>(0, now_ms - last_.t));
    for (std::size_t c = 0; c < channels; ++c)
      out[c] = closed_[c] + static_cast<double>(last_.l[c]) * open;
    return out;
  }
  auto from = std::max(now_ms - window_ms_, start_ms_);
  // Drop changes superseded before the window starts (keep the one in force at `from`).
  auto next_t = [&](std::size_t i) { return i + 1 < history_.size() ? history_[i + 1].t : last_.t; };
  while (head_ < history_.size() && next_t(head_) <= from)
    ++head_;
  if (head_ > 64 && head_ * 2 > history_.size()) {
    history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  auto add = [&](const change& c, std::int64_t end) {
    auto a = std::max(c.t, from);
    auto b = std::min(end, now_ms);
    if (b <= a)
      return;
    for (std::size_t k = 0; k < channels; ++k)
      out[k] += static_cast<double>(c.l[k]) * static_cast<double>(b - a);
  };
  for (auto i = head_; i < history_.size(); ++i)
    add(history_[i], next_t(i));
  add(last_, now_ms);
  return out;
}

void level_window::reset(std::int64_t now_ms) {
  history_.clear();
  head_ = 0;
  last_.t = now_ms;
  closed_ = {};
  start_ms_ = now_ms;
}

} // namespace parley::stats
