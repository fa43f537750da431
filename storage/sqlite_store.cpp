// sqlite_store: the embedded default. One file in WAL mode; a batch is one IMMEDIATE
// transaction of prepared statements. `synchronous = full` syncs the WAL at every commit
// (survives power loss); `normal` syncs at checkpoints only (survives a process crash,
// may lose the last commits on power loss).
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "storage/migrate.hpp"
#include "storage/backends.hpp"
#include "storage/store.hpp"

namespace parley::storage {

namespace {

class sqlite_store final : public store {
public:
  explicit sqlite_store(const config& cfg) : path_(cfg.path) {
    auto parent = std::filesystem::path(path_).parent_path();
    std::error_code ec;
    if (!parent.empty())
      std::filesystem::create_directories(parent, ec);
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw storage_error("cannot open SQLite database " + path_ + ": " + why, false);
    }
    sqlite3_extended_result_codes(db_, 1);
    if (sqlite3_db_readonly(db_, "main") == 1)
      fail_open("the file is read-only (check its permissions and those of its directory)");
    sqlite3_busy_timeout(db_, 5000);
    // Reading the schema is the first access to the file: a corrupt or foreign file fails here.
    if (auto rc = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
      fail_open(sqlite3_errmsg(db_));
    if (auto mode = text_of("PRAGMA journal_mode=WAL"); mode != "wal")
      fail_open("cannot switch to WAL mode (journal_mode is " + mode + ")");
    exec(cfg.synchronous == sync_mode::normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
    exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  }

  ~sqlite_store() override {
    outbound_.reset();
    for (auto* s : {upsert_interaction_, insert_event_, upsert_session_, insert_vq_event_})
      sqlite3_finalize(s);
    sqlite3_close(db_);
    if (lock_fd_ >= 0)
      ::close(lock_fd_);
  }

  void claim(std::chrono::milliseconds wait) override {
    auto lock = path_ + ".lock";
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
      throw storage_error("cannot open " + lock + ": " + std::strerror(errno), false);
    auto until = std::chrono::steady_clock::now() + wait;
    while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      if (std::chrono::steady_clock::now() >= until)
        throw storage_error("another parleyd uses " + path_ + " (" + lock + " is locked)", false);
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
  }

  std::string describe() const override { return "sqlite " + path_; }

  int schema_version() override {
    auto v = text_of("SELECT coalesce(max(version), 0) FROM schema_version");
    return std::stoi(v.empty() ? "0" : v);
  }

  void migrate() override {
    apply_migrations(migrations(backend_kind::sqlite), schema_version(), path_, "storage.path",
                     "BEGIN IMMEDIATE", [this](const std::string& sql) { exec(sql); },
                     [this] { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); });
  }

  void write(const batch& b) override {
    prepare();
    exec("BEGIN IMMEDIATE");
    try {
      for (auto& r : b.interactions) {
        auto* s = upsert_interaction_;
        bind(s, 1, r.id);
        bind(s, 2, r.external_id);
        bind(s, 3, r.tenant);
        bind(s, 4, r.media);
        bind(s, 5, r.queue);
        sqlite3_bind_int(s, 6, r.priority);
        sqlite3_bind_int(s, 7, r.state);
        bind(s, 8, json_text(r.agents));
        sqlite3_bind_int(s, 9, r.held ? 1 : 0);
        bind(s, 10, r.workbin);
        bind(s, 11, json_text(r.properties));
        sqlite3_bind_int64(s, 12, r.submitted_ms);
        sqlite3_bind_int64(s, 13, r.changed_ms);
        sqlite3_bind_int64(s, 14, r.entered_ms);
        bind(s, 15, r.queue_seq);
        step(s);
      }
      for (auto& e : b.events) {
        auto* s = insert_event_;
        bind(s, 1, e.seq);
        sqlite3_bind_int64(s, 2, e.engine_ms);
        sqlite3_bind_int64(s, 3, e.source_ms);
        sqlite3_bind_int(s, 4, e.kind);
        bind(s, 5, e.tenant);
        bind(s, 6, e.iid);
        bind(s, 7, e.agent);
        bind(s, 8, e.queue);
        bind(s, 9, e.media);
        sqlite3_bind_int(s, 10, e.from_state);
        sqlite3_bind_int(s, 11, e.state);
        sqlite3_bind_int(s, 12, e.agent_state);
        bind(s, 13, e.reason);
        step(s);
      }
      for (auto& r : b.sessions) {
        auto* s = upsert_session_;
        bind(s, 1, r.id);
        bind(s, 2, r.tenant);
        bind(s, 3, r.agent);
        bind(s, 4, r.client);
        sqlite3_bind_int64(s, 5, r.login_ms);
        sqlite3_bind_int64(s, 6, r.logout_ms);
        bind(s, 7, r.reason);
        step(s);
      }
      for (auto& e : b.vq_events) {
        auto* s = insert_vq_event_;
        bind(s, 1, e.seq);
        sqlite3_bind_int64(s, 2, e.engine_ms);
        sqlite3_bind_int(s, 3, e.kind);
        bind(s, 4, e.tenant);
        bind(s, 5, e.vq);
        bind(s, 6, e.iid);
        bind(s, 7, e.agent);
        bind(s, 8, e.reason);
        step(s);
      }
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  recovered recover(std::size_t finished_limit, std::int64_t now_ms) override {
    recovered out;
    query("SELECT " + interaction_columns + " FROM interactions WHERE state <> 5 ORDER BY id", {},
          [&](sqlite3_stmt* s) { out.live.push_back(read_interaction(s)); });
    query("SELECT " + interaction_columns
            + " FROM interactions WHERE state = 5 AND external_id <> '' ORDER BY id DESC LIMIT "
            + std::to_string(finished_limit),
          {}, [&](sqlite3_stmt* s) { out.finished.push_back(read_interaction(s)); });
    out.max_interaction_id = std::stoull(text_of("SELECT coalesce(max(id), 0) FROM interactions"));
    out.max_seq = std::stoull(text_of("SELECT coalesce(max(seq), 0) FROM events"));
    out.max_vq_seq = std::stoull(text_of("SELECT coalesce(max(seq), 0) FROM vq_events"));
    out.max_session_id = std::stoull(text_of("SELECT coalesce(max(id), 0) FROM agent_sessions"));
    exec("UPDATE agent_sessions SET logout_ms = " + std::to_string(now_ms)
         + ", reason = 'engine restart' WHERE logout_ms = 0");
    out.closed_sessions = static_cast<std::uint64_t>(sqlite3_changes(db_));
    return out;
  }

  bool ping() override {
    return sqlite3_exec(db_, "SELECT 1", nullptr, nullptr, nullptr) == SQLITE_OK;
  }

  std::optional<interaction_row> interaction(std::uint64_t id) override {
    std::optional<interaction_row> out;
    query("SELECT " + interaction_columns + " FROM interactions WHERE id = ?1",
          {std::to_string(id)}, [&](sqlite3_stmt* s) { out = read_interaction(s); });
    return out;
  }

  std::vector<interaction_row> by_external_id(const std::string& tenant,
                                              const std::string& external_id) override {
    std::vector<interaction_row> out;
    query("SELECT " + interaction_columns
            + " FROM interactions WHERE tenant = ?1 AND external_id = ?2 ORDER BY id",
          {tenant, external_id}, [&](sqlite3_stmt* s) { out.push_back(read_interaction(s)); });
    return out;
  }

  std::vector<event_row> events(std::uint64_t from_seq, std::size_t limit) override {
    std::vector<event_row> out;
    query("SELECT seq, engine_ms, source_ms, kind, tenant, iid, agent, queue, media, from_state, "
          "state, agent_state, reason FROM events WHERE seq >= ?1 ORDER BY seq LIMIT "
            + std::to_string(limit),
          {std::to_string(from_seq)}, [&](sqlite3_stmt* s) {
            event_row e;
            e.seq = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
            e.engine_ms = sqlite3_column_int64(s, 1);
            e.source_ms = sqlite3_column_int64(s, 2);
            e.kind = static_cast<std::uint8_t>(sqlite3_column_int(s, 3));
            e.tenant = col(s, 4);
            e.iid = static_cast<std::uint64_t>(sqlite3_column_int64(s, 5));
            e.agent = col(s, 6);
            e.queue = col(s, 7);
            e.media = col(s, 8);
            e.from_state = static_cast<std::int16_t>(sqlite3_column_int(s, 9));
            e.state = static_cast<std::uint8_t>(sqlite3_column_int(s, 10));
            e.agent_state = static_cast<std::uint8_t>(sqlite3_column_int(s, 11));
            e.reason = col(s, 12);
            out.push_back(std::move(e));
          });
    return out;
  }

  std::vector<vq_event_row> vq_events(std::uint64_t from_seq, std::size_t limit) override {
    std::vector<vq_event_row> out;
    query("SELECT seq, engine_ms, kind, tenant, vq, iid, agent, reason FROM vq_events WHERE seq >= ?1 "
          "ORDER BY seq LIMIT " + std::to_string(limit),
          {std::to_string(from_seq)}, [&](sqlite3_stmt* s) {
            vq_event_row e;
            e.seq = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
            e.engine_ms = sqlite3_column_int64(s, 1);
            e.kind = static_cast<std::uint8_t>(sqlite3_column_int(s, 2));
            e.tenant = col(s, 3);
            e.vq = col(s, 4);
            e.iid = static_cast<std::uint64_t>(sqlite3_column_int64(s, 5));
            e.agent = col(s, 6);
            e.reason = col(s, 7);
            out.push_back(std::move(e));
          });
    return out;
  }

  std::vector<agent_session_row> sessions(const std::string& agent) override {
    std::vector<agent_session_row> out;
    query("SELECT id, tenant, agent, client, login_ms, logout_ms, reason FROM agent_sessions "
          "WHERE agent = ?1 ORDER BY id",
          {agent}, [&](sqlite3_stmt* s) {
            out.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(s, 0)), col(s, 1),
                           col(s, 2), col(s, 3), sqlite3_column_int64(s, 4),
                           sqlite3_column_int64(s, 5), col(s, 6)});
          });
    return out;
  }

  std::uint64_t count_interactions() override {
    return std::stoull(text_of("SELECT count(*) FROM interactions"));
  }

  outbound_store& outbound() override {
    if (!outbound_)
      outbound_ = make_sqlite_outbound(db_, path_);
    return *outbound_;
  }

  user_store& users() override {
    if (!users_)
      users_ = make_sqlite_users(db_, path_);
    return *users_;
  }

  pulse_store& pulse() override {
    if (!pulse_)
      pulse_ = make_sqlite_pulse(db_, path_);
    return *pulse_;
  }

  reporting_store& reporting() override {
    if (!reporting_)
      reporting_ = make_sqlite_reporting(db_, path_);
    return *reporting_;
  }

private:
  inline static const std::string interaction_columns =
    "id, external_id, tenant, media, queue, priority, state, agents, held, workbin, properties, "
    "submitted_ms, changed_ms, entered_ms, queue_seq";

  [[noreturn]] void fail_open(const std::string& why) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw storage_error("cannot use SQLite database " + path_ + ": " + why, false);
  }

  /// Busy/locked/I-O/full conditions may pass; anything else is the database or a bug.
  storage_error failure(const std::string& what) {
    auto rc = sqlite3_errcode(db_) & 0xff;
    bool transient = rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_IOERR
                     || rc == SQLITE_FULL || rc == SQLITE_CANTOPEN;
    return storage_error("SQLite " + path_ + ": " + what + ": " + sqlite3_errmsg(db_), transient);
  }

  void exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      sqlite3_free(msg);
      throw failure(sql.substr(0, 40));
    }
  }

  std::string text_of(const std::string& sql) {
    std::string out;
    query(sql, {}, [&](sqlite3_stmt* s) { out = col(s, 0); });
    return out;
  }

  template <class F>
  void query(const std::string& sql, const std::vector<std::string>& args, F each) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw failure("prepare " + sql.substr(0, 40));
    for (std::size_t i = 0; i < args.size(); ++i)
      sqlite3_bind_text(s, static_cast<int>(i + 1), args[i].data(),
                        static_cast<int>(args[i].size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      each(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
      throw failure(sql.substr(0, 40));
  }

  void prepare() {
    if (upsert_interaction_)
      return;
    auto make = [&](const char* sql) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
        throw failure("prepare");
      return s;
    };
    upsert_interaction_ = make(
      "INSERT INTO interactions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15) ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, priority = "
      "excluded.priority, state = excluded.state, agents = excluded.agents, held = excluded.held, "
      "workbin = excluded.workbin, properties = excluded.properties, changed_ms = "
      "excluded.changed_ms, entered_ms = excluded.entered_ms, queue_seq = excluded.queue_seq");
    insert_event_ = make("INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                         "?12, ?13)");
    insert_vq_event_ = make("INSERT INTO vq_events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    upsert_session_ = make(
      "INSERT INTO agent_sessions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE "
      "SET logout_ms = excluded.logout_ms, reason = excluded.reason");
  }

  /// An empty JSON column is stored as "[]", as PostgreSQL's jsonb column must have it: both
  /// backends read back the same text.
  static const std::string& json_text(const std::string& v) {
    static const std::string empty_array = "[]";
    return v.empty() ? empty_array : v;
  }

  static void bind(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  static void bind(sqlite3_stmt* s, int i, std::uint64_t v) {
    sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v));
  }

  void step(sqlite3_stmt* s) {
    auto rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
      throw failure("write");
  }

  static std::string col(sqlite3_stmt* s, int i) {
    auto* t = sqlite3_column_text(s, i);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
             : std::string{};
  }

  static interaction_row read_interaction(sqlite3_stmt* s) {
    interaction_row r;
    r.id = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    r.external_id = col(s, 1);
    r.tenant = col(s, 2);
    r.media = col(s, 3);
    r.queue = col(s, 4);
    r.priority = sqlite3_column_int(s, 5);
    r.state = static_cast<std::uint8_t>(sqlite3_column_int(s, 6));
    r.agents = col(s, 7);
    r.held = sqlite3_column_int(s, 8) != 0;
    r.workbin = col(s, 9);
    r.properties = col(s, 10);
    r.submitted_ms = sqlite3_column_int64(s, 11);
    r.changed_ms = sqlite3_column_int64(s, 12);
    r.entered_ms = sqlite3_column_int64(s, 13);
    r.queue_seq = static_cast<std::uint64_t>(sqlite3_column_int64(s, 14));
    return r;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  sqlite3_stmt* upsert_interaction_ = nullptr;
  sqlite3_stmt* insert_event_ = nullptr;
  sqlite3_stmt* insert_vq_event_ = nullptr;
  sqlite3_stmt* upsert_session_ = nullptr;
  std::unique_ptr<outbound_store> outbound_;
  std::unique_ptr<user_store> users_;
  std::unique_ptr<pulse_store> pulse_;
  std::unique_ptr<reporting_store> reporting_;
};

} // namespace

std::unique_ptr<store> open_sqlite(const config& cfg) {
  return std::make_unique<sqlite_store>(cfg);
}

} // namespace parley::storage
