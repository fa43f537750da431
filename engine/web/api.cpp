#include "engine/web/api.hpp"

#include <cctype>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/types.hpp"
#include "engine/web/secrets.hpp"

namespace parley::engine::web {

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    auto j = path.find('/', i);
    if (j == std::string::npos)
      j = path.size();
    if (j > i)
      out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

/// Percent-decoding of one path segment; false on a bad escape.
bool decode(std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1]))
        || !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return false;
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  s = std::move(out);
  return true;
}

/// Does `path` match `pattern`? Captures go to `params`.
bool matches(const char* pattern, const std::vector<std::string>& path,
             std::map<std::string, std::string>& params) {
  auto pat = segments(pattern);
  if (pat.size() != path.size())
    return false;
  std::map<std::string, std::string> got;
  for (std::size_t i = 0; i < pat.size(); ++i) {
    if (pat[i].size() > 2 && pat[i].front() == '{' && pat[i].back() == '}') {
      auto v = path[i];
      if (!decode(v) || v.empty())
        return false;
      got[pat[i].substr(1, pat[i].size() - 2)] = v;
    } else if (pat[i] != path[i]) {
      return false;
    }
  }
  params = std::move(got);
  return true;
}

bool changes_state(verb m) {
  return m != verb::get && m != verb::head;
}

unsigned status_of(wire::ErrorCode code) {
  switch (code) {
    case wire::ErrorCode::invalid_argument: return 400;
    case wire::ErrorCode::unknown_id: return 404;
    case wire::ErrorCode::wrong_state: return 409;
    case wire::ErrorCode::limit_exceeded: return 413;
    case wire::ErrorCode::timeout: return 504;
    case wire::ErrorCode::storage_unavailable:
    case wire::ErrorCode::draining:
    case wire::ErrorCode::busy: return 503;
    default: return 500;
  }
}

} // namespace

json error_body(wire::ErrorCode code, const std::string& message) {
  return {{"error",
           {{"code", wire::EnumNameErrorCode(code)}, {"number", static_cast<int>(code)}, {"message", message}}}};
}

void call::reply(const json& body, unsigned status) const {
  respond({status, body.dump(), "application/json", {}});
}

void call::fail(unsigned status, wire::ErrorCode code, const std::string& message) const {
  respond({status == 0 ? status_of(code) : status, error_body(code, message).dump(), "application/json", {}});
}

void call::changed(const json& body, unsigned status) const {
  env->audit->write(req.peer, id.who.level, action + " " + req.path, "ok", id.who.name);
  reply(body, status);
}

void call::refused(unsigned status, wire::ErrorCode code, const std::string& message) const {
  env->audit->write(req.peer, id.who.level, action + " " + req.path, "error: " + message, id.who.name);
  fail(status, code, message);
}

void call::fail(const caf::error& e) const {
  auto code = wire_code(e);
  auto text = error_text(e);
  fail(0, code, text.empty() ? describe(e) : text);
}

void call::refused(const caf::error& e) const {
  auto code = wire_code(e);
  auto text = error_text(e);
  refused(status_of(code), code, text.empty() ? describe(e) : text);
}

void call::error(unsigned status, wire::ErrorCode code, const std::string& message) const {
  if (changes_state(req.method))
    refused(status, code, message);
  else
    fail(status, code, message);
}

bool call::dnc_kind() const {
  auto& kind = params.at("kind");
  if (kind == "phone" || kind == "customer" || kind == "sms" || kind == "email")
    return true;
  error(400, wire::ErrorCode::invalid_argument,
        "a do-not-call entry is a phone, sms, email or customer, not " + kind);
  return false;
}

void call::with_agent(const std::string& agent, std::function<void(const agent_row&)> found) const {
  auto copy = *this;
  self->request(env->domain->bus, std::chrono::seconds{5}, snapshot_atom_v, std::uint32_t{1'000'000})
    .then(
      [copy, agent, found](const std::vector<agent_row>& all) {
        auto it = std::find_if(all.begin(), all.end(), [&](auto& a) { return a.agent == agent; });
        if (it == all.end() || !copy.id.who.sees(it->tenant))
          return copy.error(404, wire::ErrorCode::unknown_id, "no agent " + agent + " logged in");
        found(*it);
      },
      [copy](caf::error& e) { changes_state(copy.req.method) ? copy.refused(e) : copy.fail(e); });
}

std::string call::queue_tenant(const std::string& queue) const {
  auto* q = env->domain->cfg->find_queue(queue);
  return q ? q->tenant : "";
}

std::string call::campaign_tenant(const std::string& campaign) const {
  auto* c = env->domain->cfg->outbound.find(campaign);
  return c ? queue_tenant(c->queue) : "";
}

std::optional<json> call::body_object() const {
  // Only JSON: a cross-site form cannot send this content type without a preflight.
  if (req.content_type.rfind("application/json", 0) != 0) {
    refused(400, wire::ErrorCode::invalid_argument, "send the body as Content-Type: application/json");
    return std::nullopt;
  }
  auto j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    refused(400, wire::ErrorCode::invalid_argument, "the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

std::optional<std::int64_t> call::number(const std::string& key, std::int64_t otherwise,
                                         std::int64_t lo, std::int64_t hi) const {
  auto it = req.query.find(key);
  if (it == req.query.end())
    return otherwise;
  std::int64_t v = 0;
  std::size_t used = 0;
  try {
    v = std::stoll(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || v < lo || v > hi) {
    fail(400, wire::ErrorCode::invalid_argument,
         key + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return std::nullopt;
  }
  return v;
}

bool call::sees(const std::string& tenant, const std::string& what) const {
  if (id.who.sees(tenant))
    return true;
  fail(404, wire::ErrorCode::unknown_id, "no " + what);
  return false;
}

const std::vector<route>& routes() {
  // Never destroyed: request actors may still run while an embedding program exits.
  static const auto* all = [] {
    auto* r = new std::vector<route>{
      {verb::get, "/api/v1/openapi.json", "",
       [](call& c) { c.respond({200, openapi_document(), "application/json", {}}); }},
    };
    add_user_routes(*r);
    add_view_routes(*r);
    add_control_routes(*r);
    add_list_routes(*r);
    add_mapping_routes(*r);
    add_live_routes(*r);
    add_pulse_routes(*r);
    add_report_routes(*r);
    return r;
  }();
  return *all;
}

api::api(console_env env)
  : env_(std::make_shared<const console_env>(std::move(env))),
    auth_(std::make_shared<authenticator>(env_->system, env_->cfg)),
    imports_(std::make_shared<import_jobs>()),
    live_(spawn_live_hub(env_)),
    queues_(spawn_queue_gatherer(env_)),
    pulse_(std::make_shared<const pulse_services>(*env_)) {}

void api::stop() {
  auth_->stop();
  caf::anon_send_exit(live_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(queues_, caf::exit_reason::user_shutdown);
  pulse_->stop();
}

api::~api() = default;

std::uint64_t api::body_limit(const std::string& path) const {
  // CSV uploads: a list's import and the column preview.
  auto ends_with = [&](const std::string& tail) {
    return path.size() > tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  auto upload = path == "/api/v1/lists/preview" || (path.rfind("/api/v1/lists/", 0) == 0 && ends_with("/imports"))
                || (path.rfind("/api/v1/dnc/", 0) == 0 && ends_with("/import"));
  return upload ? env_->cfg.http.max_upload_bytes : env_->cfg.http.max_body_bytes;
}

void api::handle(web_request req, responder respond) {
  auto path = segments(req.path);
  const route* found = nullptr;
  bool path_known = false;
  std::map<std::string, std::string> params;
  for (auto& r : routes())
    if (matches(r.pattern, path, params)) {
      path_known = true;
      if (r.method == req.method) {
        found = &r;
        break;
      }
    }
  if (!found) {
    auto code = path_known ? 405u : 404u;
    respond({code,
             error_body(wire::ErrorCode::not_allowed, path_known ? "method not allowed on " + req.path
                                                                 : "no route " + req.path + " (see /api/v1/openapi.json)")
               .dump(),
             "application/json",
             {}});
    return;
  }
  // The handler runs in its own short-lived actor: it asks the domain actors and answers.
  auto env = env_;
  auto auth = auth_;
  auto imports = imports_;
  auto live = live_;
  auto queues = queues_;
  auto pulse = pulse_;
  auto start = [env, auth, imports, live, queues, pulse, found, params, respond](web_request req, identity id) {
    env->system.spawn([=, req = std::move(req), id = std::move(id)](caf::event_based_actor* self) mutable {
      call c{self, env, auth, imports, live, queues, pulse, std::move(req), std::move(id), params, found->action, respond};
      try {
        found->run(c);
      } catch (const std::exception& e) {
        spdlog::error("web: {} {}: {}", std::string{boost::beast::http::to_string(c.req.method)},
                      c.req.path, e.what());
        c.fail(500, wire::ErrorCode::internal, "internal error (logged)");
      }
    });
  };
  if (*found->action == '\0') {
    start(std::move(req), identity{});
    return;
  }
  auto creds = req.creds;
  auto shared_req = std::make_shared<web_request>(std::move(req));
  auth->resolve(
    creds,
    [env, found, respond, start, shared_req](std::optional<identity> id) {
      auto& rq = *shared_req;
      if (!id) {
        respond({401, error_body(wire::ErrorCode::bad_credential, "log in first (session cookie or bearer token)").dump(),
                 "application/json", {{"WWW-Authenticate", "Bearer realm=\"parley\""}}});
        return;
      }
      auto audit_refusal = [&](const std::string& why) {
        if (changes_state(rq.method))
          env->audit->write(rq.peer, id->who.level, std::string{found->action} + " " + rq.path,
                            "error: " + why, id->who.name);
      };
      if (!id->who.may(found->action)) {
        auto why = std::string{"needs the "} + role_name(needed_role(found->action)) + " role; "
                   + id->who.name + " is " + role_name(id->who.level);
        audit_refusal(why);
        respond({403, error_body(wire::ErrorCode::not_allowed, why).dump(), "application/json", {}});
        return;
      }
      if (id->cookie && changes_state(rq.method) && !same_text(id->csrf, rq.csrf)) {
        auto why = std::string{"missing or wrong X-CSRF-Token header"};
        audit_refusal(why);
        respond({403, error_body(wire::ErrorCode::bad_credential, why).dump(), "application/json", {}});
        return;
      }
      start(std::move(rq), std::move(*id));
    },
    [respond](const std::string& why) {
      respond({503, error_body(wire::ErrorCode::storage_unavailable, "cannot check the credential: " + why).dump(),
               "application/json", {}});
    });
}

} // namespace parley::engine::web
