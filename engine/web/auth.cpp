#include "engine/web/auth.hpp"

#include <caf/all.hpp>

#include "engine/config.hpp"
#include "engine/web/secrets.hpp"
#include "engine/web/store_worker.hpp"
#include "engine/web/users.hpp"

namespace parley::engine::web {

namespace {

constexpr auto cache_for = std::chrono::seconds{5};
constexpr auto window = std::chrono::minutes{1};
constexpr std::size_t max_cached = 100'000;
constexpr std::size_t max_tracked = 100'000;

/// A user row as a principal; nullopt for a role this engine does not know.
std::optional<principal> principal_of(const storage::user_row& u) {
  auto r = parse_role(u.role);
  if (!r)
    return std::nullopt;
  auto p = scoped(u.name, *r, u.tenants);
  p.wallboard = u.wallboard;
  return p;
}

/// A wallboard's session: ten years (it ends when the user is removed or the password changes).
constexpr std::int64_t wallboard_session_ms = 10LL * 366 * 24 * 3'600'000;

} // namespace

authenticator::authenticator(caf::actor_system& sys, const config& cfg)
  : attempts_per_minute_(cfg.http.login_attempts_per_minute),
    session_ms_(std::int64_t{cfg.http.session_hours} * 3'600'000),
    db_(spawn_store_worker(sys, cfg, "web users")),
    login_(spawn_store_worker(sys, cfg, "web logins")) {}

authenticator::~authenticator() {
  stop();
}

void authenticator::stop() {
  caf::anon_send_exit(db_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(login_, caf::exit_reason::user_shutdown);
}

void authenticator::remember(const std::string& key, std::optional<identity> id) {
  std::lock_guard lock{mx_};
  if (cache_.size() >= max_cached)
    cache_.clear();
  cache_[key] = {std::move(id), clock::now() + cache_for};
}

void authenticator::resolve(const credentials& c, std::function<void(std::optional<identity>)> done,
                            std::function<void(const std::string&)> failed) {
  if (c.session_id.empty() && c.bearer.empty()) {
    done(std::nullopt);
    return;
  }
  bool cookie = c.bearer.empty();
  auto digest = token_digest(cookie ? c.session_id : c.bearer);
  auto key = (cookie ? "s:" : "t:") + digest;
  {
    std::lock_guard lock{mx_};
    if (auto it = cache_.find(key); it != cache_.end() && it->second.until > clock::now()) {
      auto id = it->second.id;
      done(std::move(id));
      return;
    }
  }
  run_on(db_, {[this, cookie, digest, key, done](storage::store& st) {
                 auto& users = st.users();
                 std::optional<identity> id;
                 if (cookie) {
                   if (auto s = users.session(digest, now_ms()))
                     if (auto u = users.user(s->user))
                       if (auto p = principal_of(*u))
                         id = identity{*p, true, s->csrf, digest};
                 } else if (auto t = users.token(digest)) {
                   if (auto u = users.user(t->user))
                     if (auto p = principal_of(*u))
                       id = identity{*p, false, "", ""};
                 }
                 remember(key, id);
                 done(std::move(id));
               },
               std::move(failed)});
}

bool authenticator::may_try(const std::string& key, clock::time_point now) {
  auto it = failures_.find(key);
  if (it == failures_.end())
    return true;
  while (!it->second.empty() && it->second.front() + window <= now)
    it->second.pop_front();
  if (it->second.empty()) {
    failures_.erase(it);
    return true;
  }
  return it->second.size() < attempts_per_minute_;
}

void authenticator::failed_try(const std::string& key, clock::time_point now) {
  if (failures_.size() >= max_tracked)
    failures_.clear();  // bounded: a flood of names forgets, it does not grow
  failures_[key].push_back(now);
}

void authenticator::login(const std::string& user, const std::string& password,
                          const std::string& address, std::function<void(login_result)> done) {
  auto now = clock::now();
  {
    std::lock_guard lock{mx_};
    if (!may_try("a:" + address, now) || !may_try("u:" + user, now)) {
      done({429, "too many failed logins; try again in a minute", "", 0, {}});
      return;
    }
  }
  auto fail = [done](const std::string& why) { done({503, "storage: " + why, "", 0, {}}); };
  run_on(login_, {[this, user, password, address, done](storage::store& st) {
                    auto& users = st.users();
                    auto u = users.user(user);
                    // A missing user costs a hash too: timing does not tell names apart.
                    static const auto decoy = hash_password(random_token());
                    bool ok = password_matches(u ? u->password_hash : decoy, password) && u;
                    auto p = ok ? principal_of(*u) : std::nullopt;
                    if (!p) {
                      std::lock_guard lock{mx_};
                      failed_try("a:" + address, clock::now());
                      failed_try("u:" + user, clock::now());
                      done({401, "wrong user name or password", "", 0, {}});
                      return;
                    }
                    auto id = random_token();
                    auto digest = token_digest(id);
                    auto now = now_ms();
                    auto lasts = u->wallboard ? wallboard_session_ms : session_ms_;
                    storage::web_session_row row{digest, user, random_token(), now, now + lasts};
                    users.remove_expired_sessions(now);
                    users.add_session(row);
                    identity who{*p, true, row.csrf, digest};
                    remember("s:" + digest, who);
                    done({201, "", id, lasts / 1000, who});
                  },
                  fail});
}

void authenticator::logout(const std::string& session_digest) {
  {
    std::lock_guard lock{mx_};
    cache_.erase("s:" + session_digest);
  }
  run_on(db_, {[session_digest](storage::store& st) { st.users().remove_session(session_digest); }, {}});
}

void authenticator::forget(const std::string& user) {
  std::lock_guard lock{mx_};
  std::erase_if(cache_, [&](auto& kv) { return kv.second.id && kv.second.id->who.name == user; });
}

} // namespace parley::engine::web
