// user_store: the web surface's half of a store (store::users()): users with their role and
// tenants, API tokens and browser sessions (docs/web.md). Same rules as store.hpp: one
// thread at a time, every method throws storage_error on failure.
//
// Secrets never reach the database in the clear: a password is stored as its argon2id
// string (libsodium's crypto_pwhash_str, made by the caller), an API token and a session id
// as the hex digest the caller computes (engine/web/secrets.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::storage {

struct user_row {
  std::string name;
  std::string password_hash;  ///< "$argon2id$..."
  std::string role;           ///< viewer, supervisor, operator or admin
  std::string tenants;        ///< comma-separated tenant names, or "*" for every tenant
  std::int64_t created_ms = 0;
  std::int64_t changed_ms = 0;
  bool wallboard = false;     ///< a wallboard account: its browser session does not expire
};

struct token_row {
  std::string digest;  ///< of the token; the token itself is shown once and never stored
  std::string user;
  std::string label;   ///< unique per user ("deploy-script")
  std::int64_t created_ms = 0;
};

struct web_session_row {
  std::string digest;  ///< of the session id in the cookie
  std::string user;
  std::string csrf;    ///< the token state-changing requests must carry
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
};

class user_store {
public:
  virtual ~user_store() = default;

  /// Adds a user; throws storage_error (not transient) when the name is taken.
  virtual void add_user(const user_row& u) = 0;
  /// Replaces the user's password hash, role and tenants (by name); false: no such user.
  /// A new password hash ends the user's browser sessions in the same transaction.
  virtual bool update_user(const user_row& u) = 0;
  /// Removes the user with their tokens and sessions; false: no such user.
  virtual bool remove_user(const std::string& name) = 0;
  virtual std::optional<user_row> user(const std::string& name) = 0;
  /// Every user, by name.
  virtual std::vector<user_row> users() = 0;

  /// Adds a token; throws storage_error (not transient) when the user has one with this
  /// label or the user does not exist.
  virtual void add_token(const token_row& t) = 0;
  virtual bool remove_token(const std::string& user, const std::string& label) = 0;
  virtual std::optional<token_row> token(const std::string& digest) = 0;
  /// The user's tokens, by label.
  virtual std::vector<token_row> tokens(const std::string& user) = 0;

  virtual void add_session(const web_session_row& s) = 0;
  /// The session unless it has expired by `now_ms`.
  virtual std::optional<web_session_row> session(const std::string& digest, std::int64_t now_ms) = 0;
  virtual void remove_session(const std::string& digest) = 0;
  /// Deletes the sessions expired by `now_ms`; how many.
  virtual std::uint64_t remove_expired_sessions(std::int64_t now_ms) = 0;
};

} // namespace parley::storage
