// live_config: the running config as an immutable snapshot that a reload replaces whole.
//
// The engine creates it from the start-up config and publishes a new snapshot when a SIGHUP
// (or the console's `reload`) changes reloadable keys (engine::reload). Sessions, listeners
// and the console read it from any thread; nobody ever mutates a published config, so a
// reader sees either the old settings or the new ones, never a mix. Readers on hot paths
// keep their snapshot and compare version() (one relaxed load) before taking a new one.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "engine/config.hpp"

namespace parley::engine {

class live_config {
public:
  explicit live_config(std::shared_ptr<const config> initial) : cfg_(std::move(initial)) {}

  live_config(const live_config&) = delete;
  live_config& operator=(const live_config&) = delete;

  std::shared_ptr<const config> get() const { return cfg_.load(std::memory_order_acquire); }

  /// Bumped after every publish.
  std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }

  void publish(std::shared_ptr<const config> next) {
    cfg_.store(std::move(next), std::memory_order_release);
    version_.fetch_add(1, std::memory_order_acq_rel);
  }

private:
  std::atomic<std::shared_ptr<const config>> cfg_;
  std::atomic<std::uint64_t> version_{0};
};

/// A reader's cached snapshot: refreshed only when the version moved. Not thread-safe
/// itself (one per session, used on its strand).
class live_view {
public:
  explicit live_view(const live_config& src) : src_(src), cfg_(src.get()), seen_(src.version()) {}

  /// The current settings. The reference is good until the next call: a caller that
  /// calls back into code using this view in between must hold a snapshot() instead.
  const config& operator*() {
    if (auto v = src_.version(); v != seen_) {
      seen_ = v;
      cfg_ = src_.get();
    }
    return *cfg_;
  }
  const config* operator->() { return &**this; }

  /// The current settings, kept alive by the pointer.
  std::shared_ptr<const config> snapshot() {
    **this;
    return cfg_;
  }

private:
  const live_config& src_;
  std::shared_ptr<const config> cfg_;
  std::uint64_t seen_;
};

} // namespace parley::engine
