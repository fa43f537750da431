// desks: a pool of agent desktops, one client connection and one agent each.
//
// begin(i) connects desk i, logs agent "<prefix><i>" in and makes it ready; the agents
// scenario paces begin() calls itself, the others call login_all(). Once ready, a desk
// accepts every Invite and stops the interaction as soon as the Accept is acked: the
// shortest lifecycle a contact center has, unless `on_invite` takes over (simulate holds
// each call for a handle time; pacing accepts and lets the customer hang up). Counters are atomics (callbacks run on the client io
// threads); the pool must outlive harness::finish_clients().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/parley_bench/harness.hpp"
#include "bench/parley_bench/histogram.hpp"

namespace parley::bench {

class desk_pool {
public:
  desk_pool(harness& h, std::size_t count);

  /// Connects desk i and logs its agent in, then ready. Main thread only, once per desk.
  void begin(std::size_t i);
  /// begin() for every desk, at most `concurrency` in progress at once; true when all are
  /// ready within `limit`.
  bool login_all(std::size_t concurrency, std::chrono::milliseconds limit);

  std::size_t size() const noexcept { return desks_.size(); }
  std::uint64_t begun() const noexcept { return begun_; }
  std::uint64_t logged_in() const noexcept { return logged_in_; }
  std::uint64_t ready() const noexcept { return ready_; }
  std::uint64_t failed() const noexcept { return failed_; }
  /// When the last desk became ready (µs, steady clock).
  std::uint64_t last_ready_us() const noexcept { return last_ready_us_; }
  /// Connect -> ready, per desk.
  const histogram& login_latency() const noexcept { return login_latency_; }

  std::uint64_t invites() const noexcept { return invites_; }
  /// Lifecycles whose StopProcessing was acked, before / after window_end_us.
  std::uint64_t completed() const noexcept { return completed_; }
  std::uint64_t completed_late() const noexcept { return completed_late_; }
  /// Submit sent (the Submit's t0 property) -> stop acked; only stamped interactions.
  const histogram& lifecycle_latency() const noexcept { return lifecycle_latency_; }
  /// Stops acked after this instant count as completed_late (drained).
  std::atomic<std::uint64_t> window_end_us{~std::uint64_t{0}};

  /// When set (before the first begin()), every Invite goes here instead of the default
  /// accept-and-stop: the desk's index, its client and the invite. Runs on an io thread.
  std::function<void(std::size_t, client::client&, const wire::Invite&)> on_invite;
  /// When set (before the first begin()), sees every Invite before it is handled (by
  /// on_invite or the default). Runs on an io thread.
  std::function<void(const wire::Invite&)> on_invited;
  /// When set (before the first begin()), every other event a desk gets (ProcessingStopped,
  /// Revoked, PartyRemoved, AgentStateChanged ...) also comes here. Runs on an io thread.
  std::function<void(std::size_t, const client::answer&)> on_other;

private:
  struct desk {
    std::shared_ptr<client::client> cl;
    std::string agent;
    std::uint64_t start_us = 0;
  };

  void on_event(std::size_t i, client::client* c, const client::answer& a);
  void stop_it(client::client* c, std::uint64_t id, std::uint64_t t0);
  bool closing() const noexcept { return h_.errors().closing; }

  harness& h_;
  std::vector<desk> desks_;
  std::atomic<std::uint64_t> begun_{0}, logged_in_{0}, ready_{0}, failed_{0}, last_ready_us_{0};
  std::atomic<std::uint64_t> invites_{0}, completed_{0}, completed_late_{0};
  histogram login_latency_;
  histogram lifecycle_latency_;
};

} // namespace parley::bench
