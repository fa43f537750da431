// pg_users: the users half of the PostgreSQL store, on the store's connection. Changes that
// touch more than one table (a removed user, a changed password) are one transaction.
#include "storage/backends.hpp"
#include "storage/pg_ops.hpp"

namespace parley::storage {

namespace {

const std::string user_select =
  "SELECT name, password_hash, role, tenants, created_ms, changed_ms, wallboard FROM users ";
const std::string token_select = "SELECT digest, user_name, label, created_ms FROM api_tokens ";

user_row read_user(const PGresult* r, int i) {
  return {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
          i64(r, i, 4), i64(r, i, 5), i64(r, i, 6) != 0};
}

token_row read_token(const PGresult* r, int i) {
  return {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), i64(r, i, 3)};
}

class pg_users final : public user_store, private pg_ops {
public:
  explicit pg_users(PGconn* conn) : pg_ops(conn) {}

  void add_user(const user_row& u) override {
    auto r = query("INSERT INTO users (name, password_hash, role, tenants, created_ms, changed_ms, wallboard) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING",
                   {u.name, u.password_hash, u.role, u.tenants, std::to_string(u.created_ms),
                    std::to_string(u.changed_ms), u.wallboard ? "1" : "0"});
    if (!changed(r))
      throw storage_error("a user named \"" + u.name + "\" exists already", false);
  }

  bool update_user(const user_row& u) override {
    bool found = false;
    transaction([&] {
      auto old = query(user_select + "WHERE name = $1 FOR UPDATE", {u.name});
      if (PQntuples(old.get()) == 0)
        return;
      found = true;
      query("UPDATE users SET password_hash = $2, role = $3, tenants = $4, changed_ms = $5, wallboard = $6 "
            "WHERE name = $1",
            {u.name, u.password_hash, u.role, u.tenants, std::to_string(u.changed_ms), u.wallboard ? "1" : "0"});
      if (read_user(old.get(), 0).password_hash != u.password_hash)
        query("DELETE FROM web_sessions WHERE user_name = $1", {u.name});
    });
    return found;
  }

  bool remove_user(const std::string& name) override {
    bool found = false;
    transaction([&] {
      found = changed(query("DELETE FROM users WHERE name = $1", {name}));
      query("DELETE FROM api_tokens WHERE user_name = $1", {name});
      query("DELETE FROM web_sessions WHERE user_name = $1", {name});
    });
    return found;
  }

  std::optional<user_row> user(const std::string& name) override {
    auto r = query(user_select + "WHERE name = $1", {name});
    if (PQntuples(r.get()) == 0)
      return std::nullopt;
    return read_user(r.get(), 0);
  }

  std::vector<user_row> users() override {
    auto r = query(user_select + "ORDER BY name", {});
    std::vector<user_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(read_user(r.get(), i));
    return out;
  }

  void add_token(const token_row& t) override {
    transaction([&] {
      // FOR SHARE: a concurrent remove_user waits, so no token outlives its user.
      if (PQntuples(query("SELECT 1 FROM users WHERE name = $1 FOR SHARE", {t.user}).get()) == 0)
        throw storage_error("no user named \"" + t.user + "\"", false);
      auto r = query("INSERT INTO api_tokens (digest, user_name, label, created_ms) VALUES ($1, $2, "
                     "$3, $4) ON CONFLICT DO NOTHING",
                     {t.digest, t.user, t.label, std::to_string(t.created_ms)});
      if (!changed(r))
        throw storage_error("user \"" + t.user + "\" has a token labelled \"" + t.label + "\" already",
                            false);
    });
  }

  bool remove_token(const std::string& user, const std::string& label) override {
    return changed(query("DELETE FROM api_tokens WHERE user_name = $1 AND label = $2", {user, label}));
  }

  std::optional<token_row> token(const std::string& digest) override {
    auto r = query(token_select + "WHERE digest = $1", {digest});
    if (PQntuples(r.get()) == 0)
      return std::nullopt;
    return read_token(r.get(), 0);
  }

  std::vector<token_row> tokens(const std::string& user) override {
    auto r = query(token_select + "WHERE user_name = $1 ORDER BY label", {user});
    std::vector<token_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(read_token(r.get(), i));
    return out;
  }

  void add_session(const web_session_row& s) override {
    query("INSERT INTO web_sessions (digest, user_name, csrf, created_ms, expires_ms) VALUES ($1, "
          "$2, $3, $4, $5)",
          {s.digest, s.user, s.csrf, std::to_string(s.created_ms), std::to_string(s.expires_ms)});
  }

  std::optional<web_session_row> session(const std::string& digest, std::int64_t now_ms) override {
    auto r = query("SELECT digest, user_name, csrf, created_ms, expires_ms FROM web_sessions "
                   "WHERE digest = $1 AND expires_ms > $2",
                   {digest, std::to_string(now_ms)});
    if (PQntuples(r.get()) == 0)
      return std::nullopt;
    auto* p = r.get();
    return web_session_row{PQgetvalue(p, 0, 0), PQgetvalue(p, 0, 1), PQgetvalue(p, 0, 2),
                           i64(p, 0, 3), i64(p, 0, 4)};
  }

  void remove_session(const std::string& digest) override {
    query("DELETE FROM web_sessions WHERE digest = $1", {digest});
  }

  std::uint64_t remove_expired_sessions(std::int64_t now_ms) override {
    auto r = query("DELETE FROM web_sessions WHERE expires_ms <= $1", {std::to_string(now_ms)});
    return static_cast<std::uint64_t>(std::stoll(PQcmdTuples(r.get())));
  }
};

} // namespace

std::unique_ptr<user_store> make_pg_users(pg_conn* conn) {
  return std::make_unique<pg_users>(conn);
}

} // namespace parley::storage
