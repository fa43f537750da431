// ha_status: what the console (`show ha`), /metrics and /readyz show of a warm-standby pair
// (docs/ha.md). The HA node (engine/ha_node.hpp) writes it from its lease thread; the
// engine and the backup's standby server read it from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "storage/ha_lease.hpp"

namespace parley::engine {

class page;

struct ha_status {
  std::string node;                           ///< ha.node
  std::atomic<bool> primary{false};
  std::atomic<std::uint64_t> term{0};         ///< the lease's term as last seen
  std::atomic<std::int64_t> failover_ms{0};   ///< when that term began (Unix ms, 0: never)
  std::atomic<std::uint64_t> promotions{0};   ///< times this node became the primary
  std::atomic<std::uint64_t> demotions{0};    ///< times it stopped being it while running

  /// The primary as last seen (its node name and where clients reach it; "" when none).
  void set_primary(const std::string& holder, const storage::ha_endpoints& at, const std::string& previous) {
    std::lock_guard lock{mx_};
    holder_ = holder;
    at_ = at;
    previous_ = previous;
  }
  std::string holder() const {
    std::lock_guard lock{mx_};
    return holder_;
  }
  storage::ha_endpoints primary_at() const {
    std::lock_guard lock{mx_};
    return at_;
  }

  /// One line per fact, for the console.
  std::string describe() const;

private:
  mutable std::mutex mx_;
  std::string holder_, previous_;
  storage::ha_endpoints at_;
};

/// The parley_ha_* families (engine/metrics/render.cpp, and the backup's /metrics).
void ha_part(page& p, const ha_status& s);

} // namespace parley::engine
