// sqlite_users: the users half of the SQLite store, on the store's connection. Changes that
// touch more than one table (a removed user, a changed password) are one IMMEDIATE
// transaction.
#include "storage/backends.hpp"
#include "storage/sqlite_stmt.hpp"

namespace parley::storage {

namespace {

const char* user_select = "SELECT name, password_hash, role, tenants, created_ms, changed_ms, wallboard FROM users ";

user_row read_user(const stmt& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5), s.i64(6) != 0};
}

token_row read_token(const stmt& s) {
  return {s.text(0), s.text(1), s.text(2), s.i64(3)};
}

class sqlite_users final : public user_store {
public:
  sqlite_users(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  void add_user(const user_row& u) override {
    stmt s{db_, "INSERT INTO users (name, password_hash, role, tenants, created_ms, changed_ms, wallboard) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", path_};
    s.bind(1, u.name).bind(2, u.password_hash).bind(3, u.role).bind(4, u.tenants);
    s.bind(5, u.created_ms).bind(6, u.changed_ms).bind(7, std::int64_t{u.wallboard});
    step_unique(s, "a user named \"" + u.name + "\" exists already");
  }

  bool update_user(const user_row& u) override {
    bool found = false;
    immediate_transaction(db_, path_, [&] {
      auto old = user(u.name);
      if (!old)
        return;
      found = true;
      stmt s{db_, "UPDATE users SET password_hash = ?2, role = ?3, tenants = ?4, changed_ms = ?5, "
                  "wallboard = ?6 WHERE name = ?1", path_};
      s.bind(1, u.name).bind(2, u.password_hash).bind(3, u.role).bind(4, u.tenants).bind(5, u.changed_ms);
      s.bind(6, std::int64_t{u.wallboard});
      s.step();
      if (old->password_hash != u.password_hash)
        by_user("DELETE FROM web_sessions WHERE user_name = ?1", u.name);
    });
    return found;
  }

  bool remove_user(const std::string& name) override {
    bool found = false;
    immediate_transaction(db_, path_, [&] {
      by_user("DELETE FROM users WHERE name = ?1", name);
      found = sqlite3_changes(db_) > 0;
      by_user("DELETE FROM api_tokens WHERE user_name = ?1", name);
      by_user("DELETE FROM web_sessions WHERE user_name = ?1", name);
    });
    return found;
  }

  std::optional<user_row> user(const std::string& name) override {
    stmt s{db_, std::string{user_select} + "WHERE name = ?1", path_};
    s.bind(1, name);
    if (!s.step())
      return std::nullopt;
    return read_user(s);
  }

  std::vector<user_row> users() override {
    stmt s{db_, std::string{user_select} + "ORDER BY name", path_};
    std::vector<user_row> out;
    while (s.step())
      out.push_back(read_user(s));
    return out;
  }

  void add_token(const token_row& t) override {
    immediate_transaction(db_, path_, [&] {
      if (!user(t.user))
        throw storage_error("no user named \"" + t.user + "\"", false);
      stmt s{db_, "INSERT INTO api_tokens (digest, user_name, label, created_ms) VALUES (?1, ?2, ?3, ?4)",
             path_};
      s.bind(1, t.digest).bind(2, t.user).bind(3, t.label).bind(4, t.created_ms);
      step_unique(s, "user \"" + t.user + "\" has a token labelled \"" + t.label + "\" already");
    });
  }

  bool remove_token(const std::string& user, const std::string& label) override {
    stmt s{db_, "DELETE FROM api_tokens WHERE user_name = ?1 AND label = ?2", path_};
    s.bind(1, user).bind(2, label);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::optional<token_row> token(const std::string& digest) override {
    stmt s{db_, "SELECT digest, user_name, label, created_ms FROM api_tokens WHERE digest = ?1", path_};
    s.bind(1, digest);
    if (!s.step())
      return std::nullopt;
    return read_token(s);
  }

  std::vector<token_row> tokens(const std::string& user) override {
    stmt s{db_, "SELECT digest, user_name, label, created_ms FROM api_tokens WHERE user_name = ?1 "
                "ORDER BY label", path_};
    s.bind(1, user);
    std::vector<token_row> out;
    while (s.step())
      out.push_back(read_token(s));
    return out;
  }

  void add_session(const web_session_row& w) override {
    stmt s{db_, "INSERT INTO web_sessions (digest, user_name, csrf, created_ms, expires_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5)", path_};
    s.bind(1, w.digest).bind(2, w.user).bind(3, w.csrf).bind(4, w.created_ms).bind(5, w.expires_ms);
    s.step();
  }

  std::optional<web_session_row> session(const std::string& digest, std::int64_t now_ms) override {
    stmt s{db_, "SELECT digest, user_name, csrf, created_ms, expires_ms FROM web_sessions "
                "WHERE digest = ?1 AND expires_ms > ?2", path_};
    s.bind(1, digest).bind(2, now_ms);
    if (!s.step())
      return std::nullopt;
    return web_session_row{s.text(0), s.text(1), s.text(2), s.i64(3), s.i64(4)};
  }

  void remove_session(const std::string& digest) override {
    stmt s{db_, "DELETE FROM web_sessions WHERE digest = ?1", path_};
    s.bind(1, digest);
    s.step();
  }

  std::uint64_t remove_expired_sessions(std::int64_t now_ms) override {
    stmt s{db_, "DELETE FROM web_sessions WHERE expires_ms <= ?1", path_};
    s.bind(1, now_ms);
    s.step();
    return static_cast<std::uint64_t>(sqlite3_changes(db_));
  }

private:
  void by_user(const char* sql, const std::string& name) {
    stmt s{db_, sql, path_};
    s.bind(1, name);
    s.step();
  }

  /// Steps an INSERT; a uniqueness violation becomes `taken` (not transient).
  void step_unique(stmt& s, const std::string& taken) {
    try {
      s.step();
    } catch (const storage_error&) {
      if ((sqlite3_errcode(db_) & 0xff) == SQLITE_CONSTRAINT)
        throw storage_error(taken, false);
      throw;
    }
  }

  sqlite3* db_;
  std::string path_;
};

} // namespace

std::unique_ptr<user_store> make_sqlite_users(sqlite3* db, std::string path) {
  return std::make_unique<sqlite_users>(db, std::move(path));
}

} // namespace parley::storage
