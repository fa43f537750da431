// pg_store: PostgreSQL through libpq. A batch is one transaction: the events go in with
// COPY (append-only), interaction and session rows are COPYed into session-local staging
// tables and upserted from there with one INSERT ... ON CONFLICT each — the fastest way
// PostgreSQL offers to write many rows (pipeline mode cannot carry COPY).
//
// A lost connection (server restarted, network) is reset once per write() and otherwise
// reported as a transient storage_error: the writer actor backs off and tries again.
#include <libpq-fe.h>

#include <map>
#include <thread>

#include "storage/migrate.hpp"
#include "storage/backends.hpp"
#include "storage/pg_copy.hpp"
#include "storage/store.hpp"

namespace parley::storage {

namespace {

class pg_store final : public store {
public:
  explicit pg_store(const config& cfg)
    : dsn_(cfg.dsn), timeout_s_(cfg.connect_timeout_s), node_(cfg.ha_node), term_(cfg.ha_term) {
    describe_ = "postgresql " + safe_dsn();
    connect();
  }

  ~pg_store() override {
    outbound_.reset();
    PQfinish(conn_);
  }

  std::string describe() const override { return describe_; }

  int schema_version() override {
    auto r = exec("SELECT coalesce(max(version), 0) FROM schema_version");
    return std::stoi(PQgetvalue(r.get(), 0, 0));
  }

  void migrate() override {
    apply_migrations(migrations(backend_kind::postgresql), schema_version(), describe_, "storage.dsn", "BEGIN",
                     [this](const std::string& sql) { exec(sql); }, [this] { rollback(); });
    staged_ = false;
  }

  void write(const batch& b) override {
    if (PQstatus(conn_) != CONNECTION_OK) {
      reset();
      if (PQstatus(conn_) != CONNECTION_OK)
        throw storage_error("PostgreSQL " + describe_ + " unreachable: " + error(), true);
    }
    stage_tables();
    exec("BEGIN");
    try {
      if (!b.events.empty()) {
        buf_.clear();
        copy_events(buf_, b.events);
        copy("COPY events FROM STDIN");
      }
      if (!b.vq_events.empty()) {
        buf_.clear();
        copy_vq_events(buf_, b.vq_events);
        copy("COPY vq_events FROM STDIN");
      }
      if (!b.interactions.empty()) {
        buf_.clear();
        copy_interactions(buf_, b.interactions);
        copy("COPY stage_interactions FROM STDIN");
        exec("INSERT INTO interactions SELECT * FROM stage_interactions ON CONFLICT (id) DO UPDATE "
             "SET queue = excluded.queue, priority = excluded.priority, state = excluded.state, "
             "agents = excluded.agents, held = excluded.held, workbin = excluded.workbin, "
             "properties = excluded.properties, changed_ms = excluded.changed_ms, "
             "entered_ms = excluded.entered_ms, queue_seq = excluded.queue_seq");
      }
      if (!b.sessions.empty()) {
        buf_.clear();
        copy_sessions(buf_, b.sessions);
        copy("COPY stage_sessions FROM STDIN");
        exec("INSERT INTO agent_sessions SELECT * FROM stage_sessions ON CONFLICT (id) DO UPDATE "
             "SET logout_ms = excluded.logout_ms, reason = excluded.reason");
      }
      exec("COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }

  recovered recover(std::size_t finished_limit, std::int64_t now_ms) override {
    recovered out;
    auto live = exec("SELECT " + columns + " FROM interactions WHERE state <> 5 ORDER BY id");
    for (int i = 0; i < PQntuples(live.get()); ++i)
      out.live.push_back(read_interaction(live.get(), i));
    auto done = exec("SELECT " + columns
                     + " FROM interactions WHERE state = 5 AND external_id <> '' ORDER BY id DESC "
                       "LIMIT "
                     + std::to_string(finished_limit));
    for (int i = 0; i < PQntuples(done.get()); ++i)
      out.finished.push_back(read_interaction(done.get(), i));
    auto max = exec("SELECT (SELECT coalesce(max(id), 0) FROM interactions), "
                    "(SELECT coalesce(max(seq), 0) FROM events), "
                    "(SELECT coalesce(max(id), 0) FROM agent_sessions), "
                    "(SELECT coalesce(max(seq), 0) FROM vq_events)");
    out.max_interaction_id = std::stoull(PQgetvalue(max.get(), 0, 0));
    out.max_seq = std::stoull(PQgetvalue(max.get(), 0, 1));
    out.max_session_id = std::stoull(PQgetvalue(max.get(), 0, 2));
    out.max_vq_seq = std::stoull(PQgetvalue(max.get(), 0, 3));
    auto closed = exec("UPDATE agent_sessions SET logout_ms = " + std::to_string(now_ms)
                       + ", reason = 'engine restart' WHERE logout_ms = 0");
    out.closed_sessions = std::stoull(PQcmdTuples(closed.get()));
    return out;
  }

  void claim(std::chrono::milliseconds wait) override {
    auto until = std::chrono::steady_clock::now() + wait;
    while (!try_lock()) {
      if (std::chrono::steady_clock::now() >= until)
        throw storage_error("another parleyd uses the database " + describe_
                              + " (it holds advisory lock " + std::to_string(lock_key) + ")",
                            false);
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    claimed_ = true;
  }

  bool ping() override {
    try {
      if (PQstatus(conn_) != CONNECTION_OK)
        reset();
    } catch (const storage_error&) {
      return false;  // taken over: the next write says so
    }
    if (PQstatus(conn_) != CONNECTION_OK)
      return false;
    result r{PQexec(conn_, "SELECT 1"), PQclear};
    return PQresultStatus(r.get()) == PGRES_TUPLES_OK;
  }

  std::optional<interaction_row> interaction(std::uint64_t id) override {
    auto r = exec_params("SELECT " + columns + " FROM interactions WHERE id = $1",
                         {std::to_string(id)});
    if (PQntuples(r.get()) == 0)
      return std::nullopt;
    return read_interaction(r.get(), 0);
  }

  std::vector<interaction_row> by_external_id(const std::string& tenant,
                                              const std::string& external_id) override {
    auto r = exec_params("SELECT " + columns
                           + " FROM interactions WHERE tenant = $1 AND external_id = $2 ORDER BY id",
                         {tenant, external_id});
    std::vector<interaction_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(read_interaction(r.get(), i));
    return out;
  }

  std::vector<event_row> events(std::uint64_t from_seq, std::size_t limit) override {
    auto r = exec_params("SELECT seq, engine_ms, source_ms, kind, tenant, iid, agent, queue, media, "
                         "from_state, state, agent_state, reason FROM events WHERE seq >= $1 "
                         "ORDER BY seq LIMIT $2",
                         {std::to_string(from_seq), std::to_string(limit)});
    std::vector<event_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto* p = r.get();
      event_row e;
      e.seq = std::stoull(PQgetvalue(p, i, 0));
      e.engine_ms = std::stoll(PQgetvalue(p, i, 1));
      e.source_ms = std::stoll(PQgetvalue(p, i, 2));
      e.kind = static_cast<std::uint8_t>(std::stoi(PQgetvalue(p, i, 3)));
      e.tenant = PQgetvalue(p, i, 4);
      e.iid = std::stoull(PQgetvalue(p, i, 5));
      e.agent = PQgetvalue(p, i, 6);
      e.queue = PQgetvalue(p, i, 7);
      e.media = PQgetvalue(p, i, 8);
      e.from_state = static_cast<std::int16_t>(std::stoi(PQgetvalue(p, i, 9)));
      e.state = static_cast<std::uint8_t>(std::stoi(PQgetvalue(p, i, 10)));
      e.agent_state = static_cast<std::uint8_t>(std::stoi(PQgetvalue(p, i, 11)));
      e.reason = PQgetvalue(p, i, 12);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::vector<vq_event_row> vq_events(std::uint64_t from_seq, std::size_t limit) override {
    auto r = exec_params("SELECT seq, engine_ms, kind, tenant, vq, iid, agent, reason FROM vq_events "
                         "WHERE seq >= $1 ORDER BY seq LIMIT $2",
                         {std::to_string(from_seq), std::to_string(limit)});
    std::vector<vq_event_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto* p = r.get();
      vq_event_row e;
      e.seq = std::stoull(PQgetvalue(p, i, 0));
      e.engine_ms = std::stoll(PQgetvalue(p, i, 1));
      e.kind = static_cast<std::uint8_t>(std::stoi(PQgetvalue(p, i, 2)));
      e.tenant = PQgetvalue(p, i, 3);
      e.vq = PQgetvalue(p, i, 4);
      e.iid = std::stoull(PQgetvalue(p, i, 5));
      e.agent = PQgetvalue(p, i, 6);
      e.reason = PQgetvalue(p, i, 7);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::vector<agent_session_row> sessions(const std::string& agent) override {
    auto r = exec_params("SELECT id, tenant, agent, client, login_ms, logout_ms, reason FROM "
                         "agent_sessions WHERE agent = $1 ORDER BY id",
                         {agent});
    std::vector<agent_session_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto* p = r.get();
      out.push_back({std::stoull(PQgetvalue(p, i, 0)), PQgetvalue(p, i, 1), PQgetvalue(p, i, 2),
                     PQgetvalue(p, i, 3), std::stoll(PQgetvalue(p, i, 4)),
                     std::stoll(PQgetvalue(p, i, 5)), PQgetvalue(p, i, 6)});
    }
    return out;
  }

  std::uint64_t count_interactions() override {
    auto r = exec("SELECT count(*) FROM interactions");
    return std::stoull(PQgetvalue(r.get(), 0, 0));
  }

  outbound_store& outbound() override {
    if (!outbound_)
      outbound_ = make_pg_outbound(conn_, describe_);
    return *outbound_;
  }

  user_store& users() override {
    if (!users_)
      users_ = make_pg_users(conn_);
    return *users_;
  }

  pulse_store& pulse() override {
    if (!pulse_)
      pulse_ = make_pg_pulse(conn_);
    return *pulse_;
  }

  reporting_store& reporting() override {
    if (!reporting_)
      reporting_ = make_pg_reporting(conn_);
    return *reporting_;
  }

private:
  using result = std::unique_ptr<PGresult, decltype(&PQclear)>;

  /// The advisory lock key that marks a database as an engine's ("parl").
  static constexpr long long lock_key = 0x7061726cLL;

  bool try_lock() {
    auto r = exec("SELECT pg_try_advisory_lock(" + std::to_string(lock_key) + ")");
    return PQgetvalue(r.get(), 0, 0)[0] == 't';
  }

  /// Reconnects; a claimed database is claimed again (the lock went with the connection).
  void reset() {
    PQreset(conn_);
    staged_ = false;
    if (PQstatus(conn_) != CONNECTION_OK)
      return;
    session_setup();
    if (claimed_) {
      if (!try_lock())
        throw storage_error("another parleyd took the database " + describe_
                              + " while the connection was down",
                            false);
    }
  }

  inline static const std::string columns =
    "id, external_id, tenant, media, queue, priority, state, agents::text, held, workbin, "
    "properties::text, submitted_ms, changed_ms, entered_ms, queue_seq";

  /// The connection string without its password, for messages and logs.
  std::string safe_dsn() const {
    char* err = nullptr;
    auto* opts = PQconninfoParse(dsn_.c_str(), &err);
    if (!opts) {
      std::string why = err ? err : "cannot parse";
      PQfreemem(err);
      throw storage_error("storage.dsn is not a valid PostgreSQL connection string: " + why, false);
    }
    std::string out;
    for (auto* o = opts; o->keyword; ++o)
      if (o->val && *o->val && std::string{o->keyword} != "password")
        out += (out.empty() ? "" : " ") + std::string{o->keyword} + "=" + o->val;
    PQconninfoFree(opts);
    return out.empty() ? "(defaults)" : out;
  }

  void connect() {
    auto timeout = std::to_string(timeout_s_);
    const char* keys[] = {"dbname", "connect_timeout", "application_name", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "tcp_user_timeout", nullptr};
    // An HA node's engine names its connections with its term: the node that takes the
    // lease over ends exactly those (storage/ha_lease.hpp).
    auto app = node_.empty() ? std::string{"parleyd"}
                             : "parleyd/" + node_ + (term_ ? "/t" + std::to_string(term_) : std::string{});
    const char* values[] = {dsn_.c_str(), timeout.c_str(), app.c_str(), "1", "5", "2", "3", "10000",
                            nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn_) != CONNECTION_OK)
      throw storage_error("cannot connect to PostgreSQL (" + safe_dsn() + "): " + error(), true);
    session_setup();
    exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
  }

  /// What every (re)connection says first; a primary's connection checks that its term is
  /// still the lease's, so that a node that lost its lease cannot even start to write.
  void session_setup() {
    exec("SET client_min_messages = warning");
    if (term_ == 0)
      return;
    exec("SET parley.term = '" + std::to_string(term_) + "'");
    auto r = exec("SELECT term FROM ha_lease WHERE id = 1");
    if (PQntuples(r.get()) != 1 || std::stoull(PQgetvalue(r.get(), 0, 0)) != term_)
      throw storage_error("fenced: term " + std::to_string(term_)
                            + " is no longer the primary's (ha_lease); this node steps down",
                          false);
  }

  std::string error() const {
    // One line: libpq's messages span several.
    std::string e;
    for (const char* c = PQerrorMessage(conn_); *c; ++c)
      if (*c == '\n' || *c == '\t')
        e += (e.empty() || e.back() == ' ') ? "" : " ";
      else
        e += *c;
    while (!e.empty() && e.back() == ' ')
      e.pop_back();
    return e;
  }

  storage_error failure(const PGresult* r, const std::string& what) const {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? state : "";
    bool transient = PQstatus(conn_) != CONNECTION_OK || code.rfind("08", 0) == 0
                     || code.rfind("53", 0) == 0 || code.rfind("57P", 0) == 0 || code == "40001"
                     || code == "40P01";
    return storage_error("PostgreSQL " + what + ": " + error() + (code.empty() ? "" : " [" + code + "]"),
                         transient);
  }

  result exec(const std::string& sql) {
    result r{PQexec(conn_, sql.c_str()), PQclear};
    auto s = PQresultStatus(r.get());
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
      throw failure(r.get(), sql.substr(0, 40));
    return r;
  }

  result exec_params(const std::string& sql, const std::vector<std::string>& args) {
    std::vector<const char*> values;
    for (auto& a : args)
      values.push_back(a.c_str());
    result r{PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0),
             PQclear};
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK && PQresultStatus(r.get()) != PGRES_COMMAND_OK)
      throw failure(r.get(), sql.substr(0, 40));
    return r;
  }

  /// Sends buf_ through a COPY ... FROM STDIN that `sql` opens.
  void copy(const char* sql) {
    result start{PQexec(conn_, sql), PQclear};
    if (PQresultStatus(start.get()) != PGRES_COPY_IN)
      throw failure(start.get(), sql);
    if (PQputCopyData(conn_, buf_.data(), static_cast<int>(buf_.size())) != 1
        || PQputCopyEnd(conn_, nullptr) != 1)
      throw failure(nullptr, sql);
    result end{PQgetResult(conn_), PQclear};
    auto ok = PQresultStatus(end.get()) == PGRES_COMMAND_OK;
    std::string fail = ok ? "" : error();
    while (auto* more = PQgetResult(conn_))
      PQclear(more);
    if (!ok)
      throw storage_error("PostgreSQL " + std::string{sql} + ": " + fail,
                          PQstatus(conn_) != CONNECTION_OK);
  }

  void rollback() {
    if (PQstatus(conn_) == CONNECTION_OK)
      PQclear(PQexec(conn_, "ROLLBACK"));
  }

  void stage_tables() {
    if (staged_)
      return;
    exec("CREATE TEMP TABLE IF NOT EXISTS stage_interactions (LIKE interactions) "
         "ON COMMIT DELETE ROWS");
    exec("CREATE TEMP TABLE IF NOT EXISTS stage_sessions (LIKE agent_sessions) "
         "ON COMMIT DELETE ROWS");
    staged_ = true;
  }

  static interaction_row read_interaction(const PGresult* r, int i) {
    interaction_row x;
    x.id = std::stoull(PQgetvalue(r, i, 0));
    x.external_id = PQgetvalue(r, i, 1);
    x.tenant = PQgetvalue(r, i, 2);
    x.media = PQgetvalue(r, i, 3);
    x.queue = PQgetvalue(r, i, 4);
    x.priority = std::stoi(PQgetvalue(r, i, 5));
    x.state = static_cast<std::uint8_t>(std::stoi(PQgetvalue(r, i, 6)));
    x.agents = PQgetvalue(r, i, 7);
    x.held = PQgetvalue(r, i, 8)[0] == 't';
    x.workbin = PQgetvalue(r, i, 9);
    x.properties = PQgetvalue(r, i, 10);
    x.submitted_ms = std::stoll(PQgetvalue(r, i, 11));
    x.changed_ms = std::stoll(PQgetvalue(r, i, 12));
    x.entered_ms = std::stoll(PQgetvalue(r, i, 13));
    x.queue_seq = std::stoull(PQgetvalue(r, i, 14));
    return x;
  }

  std::string dsn_;
  std::uint32_t timeout_s_;
  std::string node_;
  std::uint64_t term_ = 0;
  std::string describe_;
  PGconn* conn_ = nullptr;
  bool staged_ = false;
  bool claimed_ = false;
  std::string buf_;
  std::unique_ptr<outbound_store> outbound_;
  std::unique_ptr<user_store> users_;
  std::unique_ptr<pulse_store> pulse_;
  std::unique_ptr<reporting_store> reporting_;
};

} // namespace

std::unique_ptr<store> open_postgresql(const config& cfg) {
  return std::make_unique<pg_store>(cfg);
}

} // namespace parley::storage
