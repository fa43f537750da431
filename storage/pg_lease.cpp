// pg_lease: the HA lease on PostgreSQL (storage/ha_lease.hpp explains the protocol).
#include <libpq-fe.h>

#include <thread>

#include "storage/ha_lease.hpp"
#include "storage/pg_ops.hpp"

namespace parley::storage {

namespace {

/// The advisory lock a primary holds on its lease connection ("prly"), and the one the
/// two nodes take in turn to migrate ("prlm").
constexpr const char* lease_lock = "1886546041";
constexpr const char* migrate_lock = "1886546029";

} // namespace

struct lease_keeper::impl : pg_ops {
  std::string dsn;
  std::uint32_t timeout_s;
  std::string node;
  std::string app;  // "parleyd/<node>"
  std::string lease_ms;
  bool locked = false;

  impl(const config& cfg, std::string n, std::chrono::milliseconds lease)
    : pg_ops(nullptr), dsn(cfg.dsn), timeout_s(cfg.connect_timeout_s), node(std::move(n)),
      app("parleyd/" + node), lease_ms(std::to_string(lease.count())) {
    connect();
  }

  ~impl() { drop(); }

  void drop() {
    if (conn_)
      PQfinish(conn_);
    conn_ = nullptr;
    locked = false;
  }

  void connect() {
    drop();
    auto timeout = std::to_string(timeout_s);
    const char* keys[] = {"dbname", "connect_timeout", "application_name", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "tcp_user_timeout", nullptr};
    const char* values[] = {dsn.c_str(), timeout.c_str(), app.c_str(), "1", "1", "1", "2", "3000",
                            nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn_) != CONNECTION_OK) {
      auto why = error();
      drop();
      throw storage_error("HA lease: cannot connect to PostgreSQL: " + why, true);
    }
    // A statement that waits longer than this is a database in trouble: the lease is
    // measured in seconds, so are these.
    query("SET client_min_messages = warning", {});
    query("SET statement_timeout = '2s'", {});
    query("SET lock_timeout = '1s'", {});
  }

  void ensure() {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
      connect();
  }

  bool try_lock() {
    auto r = query(std::string{"SELECT pg_try_advisory_lock("} + lease_lock + ")", {});
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
  }

  static ha_lease_row row_of(const PGresult* r) {
    ha_lease_row x;
    x.term = static_cast<std::uint64_t>(i64(r, 0, 0));
    x.holder = PQgetvalue(r, 0, 1);
    x.at.host = PQgetvalue(r, 0, 2);
    x.at.interaction = static_cast<std::uint16_t>(i64(r, 0, 3));
    x.at.vq = static_cast<std::uint16_t>(i64(r, 0, 4));
    x.at.stat = static_cast<std::uint16_t>(i64(r, 0, 5));
    x.at.http = static_cast<std::uint16_t>(i64(r, 0, 6));
    x.live = PQgetvalue(r, 0, 7)[0] == 't';
    x.since_ms = i64(r, 0, 8);
    x.previous = PQgetvalue(r, 0, 9);
    return x;
  }

  static std::vector<std::string> endpoint_args(const ha_endpoints& at) {
    return {at.host, std::to_string(at.interaction), std::to_string(at.vq), std::to_string(at.stat),
            std::to_string(at.http)};
  }

  inline static const std::string columns =
    "term, holder, host, interaction_port, vq_port, stat_port, http_port, "
    "expires_at > clock_timestamp(), (extract(epoch FROM since) * 1000)::bigint, previous";

  /// Ends the old primary's connections to this database — its engine's (named with its
  /// term) and the one holding the lease lock (a frozen primary's) — and waits (up to 2 s)
  /// until PostgreSQL has closed them: their transactions are rolled back. A new process of
  /// the same node (a backup now) keeps its own.
  void end_connections_of(const ha_lease_row& old) {
    if (old.holder.empty())
      return;
    std::vector<std::string> args{"parleyd/" + old.holder + "/t" + std::to_string(old.term), lease_lock};
    const std::string where =
      " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND "
      "(application_name = $1 OR pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND classid = 0 AND objid = $2::oid AND objsubid = 1))";
    query("SELECT pg_terminate_backend(pid)" + where, args);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    while (std::chrono::steady_clock::now() < until) {
      auto r = query("SELECT count(*)" + where, args);
      if (i64(r.get(), 0, 0) == 0)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    throw storage_error("HA lease: the connections of " + old.holder + " (term " + std::to_string(old.term)
                          + ") did not end within 2 s",
                        true);
  }
};

lease_keeper::lease_keeper(const config& cfg, std::string node, std::chrono::milliseconds lease)
  : impl_(std::make_unique<impl>(cfg, std::move(node), lease)) {}

lease_keeper::~lease_keeper() = default;

void lease_keeper::prepare(const config& cfg) {
  auto& m = *impl_;
  m.ensure();
  m.query(std::string{"SELECT pg_advisory_lock("} + migrate_lock + ")", {});
  try {
    auto c = cfg;
    c.ha_node = m.node;
    c.ha_term = 0;
    open_store(c)->migrate();
  } catch (...) {
    m.drop();  // the lock goes with the connection
    throw;
  }
  m.query(std::string{"SELECT pg_advisory_unlock("} + migrate_lock + ")", {});
}

std::optional<ha_lease_row> lease_keeper::read() {
  auto& m = *impl_;
  m.ensure();
  auto r = m.query("SELECT " + impl::columns + " FROM ha_lease WHERE id = 1", {});
  if (PQntuples(r.get()) != 1 || i64(r.get(), 0, 0) == 0)
    return std::nullopt;
  return impl::row_of(r.get());
}

std::uint64_t lease_keeper::try_take(const ha_endpoints& at) {
  auto& m = *impl_;
  m.ensure();
  m.locked = m.locked || m.try_lock();
  ha_lease_row old;
  bool taken = false;
  m.transaction([&] {
    auto r = m.query("SELECT " + impl::columns + " FROM ha_lease WHERE id = 1 FOR UPDATE", {});
    if (PQntuples(r.get()) != 1)
      throw storage_error("HA lease: the ha_lease row is missing (migration 0015)", false);
    old = impl::row_of(r.get());
    // A live lease whose holder still has its lock: a primary at work.
    if (old.live && !m.locked)
      return;
    auto args = impl::endpoint_args(at);
    args.insert(args.begin(), {std::to_string(old.term + 1), m.node, old.holder, m.lease_ms});
    m.query("UPDATE ha_lease SET term = $1, holder = $2, previous = $3, "
            "expires_at = clock_timestamp() + make_interval(secs => $4::bigint / 1000.0), "
            "since = clock_timestamp(), host = $5, interaction_port = $6, vq_port = $7, "
            "stat_port = $8, http_port = $9 WHERE id = 1",
            args);
    taken = true;
  });
  if (!taken)
    return 0;
  auto term = old.term + 1;
  // From here the old term's statements fail; end what the old holder still has open
  // (a frozen primary's lock connection with it) before anything reads the state.
  m.end_connections_of(old);
  for (int i = 0; !m.locked && i < 50; ++i) {
    m.locked = m.try_lock();
    if (!m.locked)
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return term;
}

bool lease_keeper::renew(std::uint64_t term, const ha_endpoints& at) {
  auto& m = *impl_;
  m.ensure();
  m.locked = m.locked || m.try_lock();
  auto args = impl::endpoint_args(at);
  args.insert(args.begin(), {std::to_string(term), m.node, m.lease_ms});
  auto r = m.query("UPDATE ha_lease SET expires_at = clock_timestamp() + make_interval(secs => $3::bigint / 1000.0), "
                   "host = $4, interaction_port = $5, vq_port = $6, stat_port = $7, http_port = $8 "
                   "WHERE id = 1 AND term = $1 AND holder = $2",
                   args);
  return changed(r);
}

void lease_keeper::release(std::uint64_t term) {
  auto& m = *impl_;
  m.ensure();
  m.query("UPDATE ha_lease SET expires_at = clock_timestamp() WHERE id = 1 AND term = $1 AND holder = $2",
          {std::to_string(term), m.node});
  m.drop();  // and the lock
}

void lease_keeper::disconnect() {
  impl_->drop();
}

} // namespace parley::storage
