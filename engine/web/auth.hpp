// auth: who is asking the web surface, and logging in (docs/web.md "Users and roles").
//
// A request carries either a browser session (the `parley_session` cookie, set at login:
// HttpOnly, SameSite=Strict, Path=/, Max-Age = http.session_hours) or an API token
// (`Authorization: Bearer ...`). Both are looked up by digest in the database (user_store)
// on a store worker; what was found is cached for 5 s, so a user removed or a password
// changed by another process (`parleyd user ...`) is refused within 5 s, and at once when
// the change went through this engine. A cookie's state-changing request must also carry
// the session's CSRF token in `X-CSRF-Token`; a bearer token needs none (no ambient
// credential to forge).
//
// Logins are checked on their own worker (argon2id) and limited: after
// http.login_attempts_per_minute failures from one address, or for one user name, within a
// minute, further attempts get 429 until the minute has passed — right or wrong password.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "engine/access.hpp"

namespace parley::engine {
struct config;
}

namespace parley::engine::web {

/// What a request presented.
struct credentials {
  std::string session_id;  ///< the cookie's value ("" none)
  std::string bearer;      ///< the Authorization header's token ("" none)
};

/// Who a request comes from.
struct identity {
  principal who;
  bool cookie = false;         ///< a browser session (needs CSRF on changes)
  std::string csrf;            ///< the session's CSRF token (cookie only)
  std::string session_digest;  ///< (cookie only)
};

struct login_result {
  int status = 0;          ///< 201 logged in, 401 wrong, 429 limited, 503 storage
  std::string message;
  std::string session_id;  ///< for the cookie (201 only)
  std::int64_t max_age_s = 0;
  identity id;
};

class authenticator {
public:
  authenticator(caf::actor_system& sys, const config& cfg);
  ~authenticator();

  /// Calls `done` once — inline on a cache hit, else from a store worker — with the
  /// identity, or nullopt (no or unknown credential); `failed` when storage did not answer.
  void resolve(const credentials& c, std::function<void(std::optional<identity>)> done,
               std::function<void(const std::string&)> failed);

  /// Checks a password and opens a session; `done` once from a worker (or inline when
  /// limited).
  void login(const std::string& user, const std::string& password, const std::string& address,
             std::function<void(login_result)> done);

  /// Ends a browser session (the database row and the cache entry).
  void logout(const std::string& session_digest);

  /// Stops the workers (engine stop: no actor may outlive it). Later jobs are dropped.
  void stop();

  /// Drops every cached identity of `user` (their role, tenants or password changed).
  void forget(const std::string& user);

  /// The worker for user management (reads and writes of users and tokens).
  const caf::actor& db() const noexcept { return db_; }

private:
  using clock = std::chrono::steady_clock;
  struct cached {
    std::optional<identity> id;
    clock::time_point until;
  };
  /// True while `key` may try again; records nothing.
  bool may_try(const std::string& key, clock::time_point now);
  void failed_try(const std::string& key, clock::time_point now);
  void remember(const std::string& key, std::optional<identity> id);

  std::uint32_t attempts_per_minute_;
  std::int64_t session_ms_;
  caf::actor db_;     ///< lookups and user management
  caf::actor login_;  ///< password checks
  std::mutex mx_;
  std::unordered_map<std::string, cached> cache_;  ///< "s:<digest>" / "t:<digest>"
  std::map<std::string, std::deque<clock::time_point>> failures_;
};

} // namespace parley::engine::web
