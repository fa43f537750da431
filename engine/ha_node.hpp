// ha_node: one node of a warm-standby pair (docs/ha.md; [ha] in the config).
//
// parleyd with ha.enabled runs an ha_node around its engine (engine/main.cpp): a lease
// thread follows the lease (storage/ha_lease.hpp) — renewing it while this node is the
// primary, trying to take it while it is the backup — and the node serves the backup's side
// itself: the protocol ports answer every registration with not_primary and the primary's
// address, the console answers `show ha`, /readyz says 503 and /metrics shows the pair.
// When the lease is taken, main starts an engine whose every database connection carries
// the new term; when it is lost, main stops that engine and the node is the backup again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "engine/config.hpp"
#include "engine/ha_status.hpp"
#include "storage/ha_lease.hpp"

namespace parley::engine {

class ha_node {
public:
  /// Connects to storage.dsn, migrates the database (one node at a time) and starts the
  /// lease thread. Throws std::runtime_error when the database cannot be used.
  explicit ha_node(const config& cfg);
  ~ha_node();
  ha_node(const ha_node&) = delete;
  ha_node& operator=(const ha_node&) = delete;

  std::shared_ptr<const ha_status> status() const { return status_; }

  /// Serves the backup's side on the configured ports until this node takes the lease
  /// (returns the new term) or SIGINT/SIGTERM comes (returns 0). `ports_file` (may be empty)
  /// gets the backup's ports, as parleyd --ports-file writes them; `ready` runs once they
  /// are open (parleyd tells systemd).
  std::uint64_t serve_standby(const std::string& ports_file, const std::function<void()>& ready = {});

  /// The engine of this term serves at `at`: the lease says so from the next renewal on.
  /// `lost` is called once (on the lease thread) when this node stops being the primary.
  void serving(const storage::ha_endpoints& at, std::function<void(std::string)> lost);

  /// The engine is gone: `lost` is not called any more (it may have been running till now).
  void serving_ended();

  /// True when the last term of this node ended because its lease was lost.
  bool demoted() const;

  /// After a clean stop of the primary's engine: the lease expires now, so the backup takes
  /// over at once. Nothing when this node is not the primary.
  void release();

private:
  enum class role { backup, primary };
  void run();
  void look();
  void renew();
  void lose(const std::string& why);
  void observe(const storage::ha_lease_row& row);
  storage::ha_endpoints configured_endpoints() const;

  config cfg_;
  std::shared_ptr<ha_status> status_ = std::make_shared<ha_status>();
  std::unique_ptr<storage::lease_keeper> keeper_;
  std::mutex keeper_mx_;  ///< the lease thread's round trips vs. release()

  mutable std::mutex mx_;
  std::condition_variable cv_;
  bool quit_ = false;
  bool kick_ = false;
  role role_ = role::backup;
  bool eligible_ = false;  ///< the standby is up: the lease may be taken
  bool demoted_ = false;
  std::uint64_t term_ = 0;
  storage::ha_endpoints serving_at_;
  std::mutex lost_mx_;  ///< held while lost_ runs, so that serving_ended() waits for it
  std::function<void(std::string)> lost_;
  boost::asio::io_context* standby_io_ = nullptr;
  std::uint64_t promoted_term_ = 0;
  std::chrono::steady_clock::time_point last_renewed_;
  std::chrono::steady_clock::time_point last_error_log_;
  std::string last_holder_;
  std::thread thread_;
};

} // namespace parley::engine
