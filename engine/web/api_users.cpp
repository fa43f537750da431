// The API's session and user routes: log in and out, who am I, change my password, and (admin)
// users with their API tokens. Password checks and user changes run on the authenticator's
// store workers; their answers come back from there.
#include <caf/all.hpp>

#include "engine/web/api.hpp"
#include "engine/web/secrets.hpp"
#include "engine/web/store_worker.hpp"
#include "engine/web/users.hpp"

namespace parley::engine::web {

namespace {

json principal_json(const principal& p) {
  return {{"user", p.name},
          {"role", role_name(p.level)},
          {"tenants", p.all_tenants ? json::array({"*"}) : json(p.tenants)},
          {"wallboard", p.wallboard}};
}

/// The boolean "wallboard" of `body`, when there; false after answering 400 when not a boolean.
bool wallboard_field(const call& c, const json& body, std::optional<bool>& out) {
  auto it = body.find("wallboard");
  if (it == body.end())
    return true;
  if (!it->is_boolean()) {
    c.refused(400, wire::ErrorCode::invalid_argument, "wallboard must be true or false");
    return false;
  }
  out = it->get<bool>();
  return true;
}

/// A string field of `body` ("" when absent); false after answering 400 when it is there but
/// not a string.
bool text_field(const call& c, const json& body, const char* key, std::optional<std::string>& out) {
  auto it = body.find(key);
  if (it == body.end())
    return true;
  if (it->is_string()) {
    out = it->get<std::string>();
    return true;
  }
  if (std::string{key} == "tenants" && it->is_array()) {
    std::string joined;
    for (auto& t : *it) {
      if (!t.is_string()) {
        c.refused(400, wire::ErrorCode::invalid_argument, "tenants must be strings");
        return false;
      }
      joined += (joined.empty() ? "" : ",") + t.get<std::string>();
    }
    out = joined;
    return true;
  }
  c.refused(400, wire::ErrorCode::invalid_argument, std::string{key} + " must be a string");
  return false;
}

/// Runs `work` on the user-management worker; its answer "" is success (`ok` answers), else
/// the refusal (404 for "no user ..."/"... has no token ...", 409 for "exists"/"already",
/// else 400).
template <class Work, class Ok>
void user_job(const call& c, Work work, Ok ok) {
  auto copy = c;
  run_on(c.auth->db(),
         {[copy, work, ok](storage::store& st) {
            auto why = work(st.users());
            if (why.empty())
              return ok(copy, st.users());
            auto status = why.rfind("no user", 0) == 0 || why.find("has no token") != std::string::npos ? 404u
                          : why.find("already") != std::string::npos                                    ? 409u
                                                                                                          : 400u;
            copy.refused(status, status == 404 ? wire::ErrorCode::unknown_id : wire::ErrorCode::invalid_argument, why);
          },
          [copy](const std::string& why) { copy.refused(503, wire::ErrorCode::storage_unavailable, why); }});
}

void login(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  std::optional<std::string> user, password;
  if (!text_field(c, *body, "user", user) || !text_field(c, *body, "password", password))
    return;
  if (!user || !password || user->empty() || user->size() > 64 || password->size() > 1024) {
    c.fail(400, wire::ErrorCode::invalid_argument, "log in with {\"user\": ..., \"password\": ...}");
    return;
  }
  auto secure = c.env->cfg.http.secure_cookie || c.env->cfg.tls.enabled;  // HTTPS: never over plain HTTP
  auto copy = c;
  c.auth->login(*user, *password, c.req.address, [copy, user, secure](login_result r) {
    auto audit = [&](const std::string& result) {
      copy.env->audit->write(copy.req.peer, r.id.who.level, "login " + *user, result, *user);
    };
    if (r.status != 201) {
      audit("error: " + r.message);
      auto code = r.status == 429 ? wire::ErrorCode::rate_limited
                  : r.status == 401 ? wire::ErrorCode::bad_credential
                                    : wire::ErrorCode::storage_unavailable;
      web_response res{static_cast<unsigned>(r.status), error_body(code, r.message).dump(), "application/json", {}};
      if (r.status == 429)
        res.headers.emplace_back("Retry-After", "60");
      copy.respond(std::move(res));
      return;
    }
    audit("ok");
    auto body = principal_json(r.id.who);
    body["csrf"] = r.id.csrf;
    body["expires_in_s"] = r.max_age_s;
    copy.respond({201u, body.dump(), "application/json",
                  {{"Set-Cookie", "parley_session=" + r.session_id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                                    + std::to_string(r.max_age_s) + (secure ? "; Secure" : "")}}});
  });
}

/// Browsers keep a cookie 400 days at most (RFC 6265bis): a wallboard's cookie is renewed
/// each time its page asks who it is, so a screen on a wall is never logged out.
constexpr std::int64_t wallboard_cookie_s = 400LL * 86'400;

void whoami(call& c) {
  auto body = principal_json(c.id.who);
  body["via"] = c.id.cookie ? "session" : "token";
  if (c.id.cookie)
    body["csrf"] = c.id.csrf;
  if (!c.id.cookie || !c.id.who.wallboard || c.req.creds.session_id.empty())
    return c.reply(body);
  auto secure = c.env->cfg.http.secure_cookie || c.env->cfg.tls.enabled;
  c.respond({200u, body.dump(), "application/json",
             {{"Set-Cookie", "parley_session=" + c.req.creds.session_id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                               + std::to_string(wallboard_cookie_s) + (secure ? "; Secure" : "")}}});
}

void logout(call& c) {
  if (!c.id.cookie) {
    c.refused(400, wire::ErrorCode::invalid_argument, "a bearer token has no session to end");
    return;
  }
  c.auth->logout(c.id.session_digest);
  c.env->audit->write(c.req.peer, c.id.who.level, "logout", "ok", c.id.who.name);
  c.respond({204, "", "application/json",
             {{"Set-Cookie", "parley_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"}}});
}

void change_own_password(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  std::optional<std::string> current, next;
  if (!text_field(c, *body, "current", current) || !text_field(c, *body, "new", next))
    return;
  if (!current || !next) {
    c.refused(400, wire::ErrorCode::invalid_argument, "send {\"current\": ..., \"new\": ...}");
    return;
  }
  auto name = c.id.who.name;
  auto auth = c.auth;
  user_job(
    c,
    [name, current, next](storage::user_store& st) -> std::string {
      auto u = st.user(name);
      if (!u || !password_matches(u->password_hash, *current))
        return "the current password is wrong";
      return update_user(st, {name, next, {}, {}}, now_ms());
    },
    [auth, name](const call& c, storage::user_store&) {
      auth->forget(name);
      c.changed({{"changed", true}, {"note", "every browser session of this user has ended; log in again"}});
    });
}

void list_users(call& c) {
  user_job(
    c, [](storage::user_store&) { return std::string{}; },
    [](const call& c, storage::user_store& st) {
      json all = json::array();
      for (auto& u : st.users())
        all.push_back(user_json(st, u));
      c.reply({{"users", all}});
    });
}

void get_user(call& c) {
  auto name = c.params.at("name");
  user_job(
    c, [name](storage::user_store& st) { return st.user(name) ? "" : "no user named \"" + name + "\""; },
    [name](const call& c, storage::user_store& st) { c.reply(user_json(st, *st.user(name))); });
}

void add_user_route(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  user_change u;
  std::optional<std::string> name;
  if (!text_field(c, *body, "name", name) || !text_field(c, *body, "password", u.password)
      || !text_field(c, *body, "role", u.role) || !text_field(c, *body, "tenants", u.tenants)
      || !wallboard_field(c, *body, u.wallboard))
    return;
  u.name = name.value_or("");
  user_job(
    c, [u](storage::user_store& st) { return add_user(st, u, now_ms()); },
    [u](const call& c, storage::user_store& st) { c.changed(user_json(st, *st.user(u.name)), 201); });
}

void update_user_route(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  user_change u;
  u.name = c.params.at("name");
  if (!text_field(c, *body, "password", u.password) || !text_field(c, *body, "role", u.role)
      || !text_field(c, *body, "tenants", u.tenants) || !wallboard_field(c, *body, u.wallboard))
    return;
  auto auth = c.auth;
  user_job(
    c, [u](storage::user_store& st) { return update_user(st, u, now_ms()); },
    [u, auth](const call& c, storage::user_store& st) {
      auth->forget(u.name);
      c.changed(user_json(st, *st.user(u.name)));
    });
}

void remove_user_route(call& c) {
  auto name = c.params.at("name");
  auto auth = c.auth;
  user_job(
    c, [name](storage::user_store& st) { return remove_user(st, name); },
    [name, auth](const call& c, storage::user_store&) {
      auth->forget(name);
      c.changed({{"removed", name}});
    });
}

void add_token_route(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  std::optional<std::string> label;
  if (!text_field(c, *body, "label", label))
    return;
  auto user = c.params.at("name");
  auto token = std::make_shared<std::string>();
  auto l = label.value_or("");
  user_job(
    c,
    [user, l, token](storage::user_store& st) {
      if (!st.user(user))
        return "no user named \"" + user + "\"";
      return add_token(st, user, l, now_ms(), *token);
    },
    [user, l, token](const call& c, storage::user_store&) {
      c.changed({{"user", user}, {"label", l}, {"token", *token},
                 {"note", "shown once: send it as Authorization: Bearer <token>"}},
                201);
    });
}

void remove_token_route(call& c) {
  auto user = c.params.at("name"), label = c.params.at("label");
  auto auth = c.auth;
  user_job(
    c, [user, label](storage::user_store& st) { return remove_token(st, user, label); },
    [user, label, auth](const call& c, storage::user_store&) {
      auth->forget(user);
      c.changed({{"user", user}, {"removed", label}});
    });
}

} // namespace

void add_user_routes(std::vector<route>& r) {
  r.push_back({verb::post, "/api/v1/session", "", login});
  r.push_back({verb::get, "/api/v1/session", "session", whoami});
  r.push_back({verb::delete_, "/api/v1/session", "session", logout});
  r.push_back({verb::post, "/api/v1/session/password", "session", change_own_password});
  r.push_back({verb::get, "/api/v1/users", "user.read", list_users});
  r.push_back({verb::post, "/api/v1/users", "user.change", add_user_route});
  r.push_back({verb::get, "/api/v1/users/{name}", "user.read", get_user});
  r.push_back({verb::patch, "/api/v1/users/{name}", "user.change", update_user_route});
  r.push_back({verb::delete_, "/api/v1/users/{name}", "user.change", remove_user_route});
  r.push_back({verb::post, "/api/v1/users/{name}/tokens", "user.change", add_token_route});
  r.push_back({verb::delete_, "/api/v1/users/{name}/tokens/{label}", "user.change", remove_token_route});
}

} // namespace parley::engine::web
