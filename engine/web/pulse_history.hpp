// pulse_history: the history trend widgets draw (docs/pulse.md "History").
//
// The sampler holds every statistic of every stored trend widget open on the stats hub, as
// a 2060 client would, notified periodically every `pulse.history_sample_s` of domain
// time — so history is kept while nobody watches — and writes each value it is sent, with
// the domain time it carries, to the history store every second: one Redis stream per
// statistic (`parley:pulse:<history key>`, entry id = the sample's domain time, trimmed
// by MINID and expiring after the retention) when `[redis]` has a host, else the store's
// pulse_samples table (trimmed on each write). It re-reads the widgets when told a
// dashboard changed, and every minute.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/stats/stats_hub.hpp"
#include "storage/store.hpp"

struct redisContext;

namespace parley {
class clock;
}

namespace parley::engine {
struct config;
}

namespace parley::engine::web {

/// Where the samples live. Used on one thread at a time (a store worker's job).
class history_store {
public:
  /// `redis_host` empty: the store's table. `retention_ms`: how long samples are kept.
  history_store(std::string redis_host, std::uint16_t redis_port, std::int64_t retention_ms);
  ~history_store();
  history_store(const history_store&) = delete;
  history_store& operator=(const history_store&) = delete;

  bool in_redis() const noexcept { return !host_.empty(); }
  /// Writes `samples` and drops what is older than `now_ms` − retention. Throws
  /// storage_error (the database, or Redis: transient).
  void add(storage::store& st, const std::vector<storage::pulse_sample_row>& samples, std::int64_t now_ms);
  /// The samples of `key` with from_ms <= t <= to_ms, oldest first, at most `limit`.
  std::vector<storage::pulse_sample_row> range(storage::store& st, const std::string& key, std::int64_t from_ms,
                                               std::int64_t to_ms, std::size_t limit);

private:
  redisContext* redis();
  [[noreturn]] void redis_failed(const std::string& what);

  std::string host_;
  std::uint16_t port_;
  std::int64_t retention_ms_;
  redisContext* ctx_ = nullptr;
};

/// Redis stream key of a history key.
std::string history_stream(const std::string& key);

/// Spawns the sampler (engine/web/api.cpp does, with the web surface).
caf::actor spawn_pulse_sampler(caf::actor_system& sys, const config& cfg, stats::stats_hub_actor hub,
                               std::shared_ptr<const clock> clk);

/// Tells the sampler that widgets changed: it reads them again.
void widgets_changed(const caf::actor& sampler);

} // namespace parley::engine::web
