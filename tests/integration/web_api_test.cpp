// The HTTP API over real HTTP (docs/web.md): every route needs a credential; the OpenAPI
// document describes exactly the routes the server has, with the permission each needs, and
// what each GET answers validates against it; roles and tenant scoping; CSRF; API tokens;
// login limits; bad JSON, oversized bodies, slow requests, unknown routes and the connection
// cap. Lists, live updates and user management: web_data_test.cpp.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "engine/web/api.hpp"
#include "support/child.hpp"
#include "support/test_env.hpp"
#include "support/web_client.hpp"
#include "web_support.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::web;
using nlohmann::json;

namespace {

/// A route's pattern with every {capture} filled in.
std::string filled(std::string p) {
  for (auto [k, v] : {std::pair{"{name}", "sales"}, {"{id}", "1"}, {"{kind}", "phone"}, {"{value}", "+15550100"},
                      {"{label}", "x"}, {"{wid}", "1"}})
    if (auto i = p.find(k); i != std::string::npos)
      p.replace(i, std::string{k}.size(), v);
  return p;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// A small JSON Schema check for what the OpenAPI document uses ($ref, allOf, oneOf, type,
/// nullable, required, properties, items, additionalProperties, enum). Problems go to `why`.
void validate(const json& doc, const json& schema, const json& v, const std::string& at, std::vector<std::string>& why) {
  if (schema.contains("$ref")) {
    auto ref = schema["$ref"].get<std::string>();
    return validate(doc, doc["components"]["schemas"][ref.substr(ref.rfind('/') + 1)], v, at, why);
  }
  if (schema.contains("allOf")) {
    for (auto& s : schema["allOf"])
      validate(doc, s, v, at, why);
    return;
  }
  if (schema.contains("oneOf")) {
    for (auto& s : schema["oneOf"]) {
      std::vector<std::string> w;
      validate(doc, s, v, at, w);
      if (w.empty())
        return;
    }
    why.push_back(at + ": matches none of oneOf");
    return;
  }
  if (v.is_null() && schema.value("nullable", false))
    return;
  auto type = schema.value("type", "");
  bool ok = type.empty() || (type == "object" && v.is_object()) || (type == "array" && v.is_array())
            || (type == "string" && v.is_string()) || (type == "integer" && v.is_number_integer())
            || (type == "number" && v.is_number()) || (type == "boolean" && v.is_boolean());
  if (!ok) {
    why.push_back(at + ": not " + type + ": " + v.dump().substr(0, 80));
    return;
  }
  if (schema.contains("enum") && std::find(schema["enum"].begin(), schema["enum"].end(), v) == schema["enum"].end())
    why.push_back(at + ": not one of " + schema["enum"].dump());
  if (type == "object") {
    for (auto& r : schema.value("required", json::array()))
      if (!v.contains(r.get<std::string>()))
        why.push_back(at + ": lacks " + r.get<std::string>());
    auto props = schema.value("properties", json::object());
    for (auto& [k, sub] : v.items()) {
      if (props.contains(k))
        validate(doc, props[k], sub, at + "." + k, why);
      else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object())
        validate(doc, schema["additionalProperties"], sub, at + "." + k, why);
      else if (!props.empty())
        why.push_back(at + ": has " + k + ", which the document does not describe");
    }
  }
  if (type == "array")
    for (std::size_t i = 0; i < v.size(); ++i)
      validate(doc, schema["items"], v[i], at + "[" + std::to_string(i) + "]", why);
}


} // namespace

TEST_CASE("web: every route needs a credential, and the OpenAPI document is the route table") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client anon{eng->http_port()};
  auto doc_reply = anon.get("/api/v1/openapi.json");
  REQUIRE(doc_reply.status == 200);
  auto doc = doc_reply.json();
  REQUIRE(doc.is_object());
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);

  std::set<std::string> served, documented;
  for (auto& r : engine::web::routes()) {
    auto method = lower(std::string{boost::beast::http::to_string(r.method)});
    served.insert(method + " " + r.pattern);
    auto op = doc["paths"][r.pattern][method];
    CAPTURE(r.pattern);
    CAPTURE(method);
    REQUIRE_MESSAGE(op.is_object(), "the document lacks " << method << " " << r.pattern);
    CHECK(op["x-parley-action"] == (*r.action ? std::string{r.action} : std::string{"public"}));
    if (*r.action) {
      // Without a credential: 401 with the error shape, whatever the method.
      auto got = anon.request(boost::beast::http::to_string(r.method).to_string(), filled(r.pattern), "{}",
                              {{"Content-Type", "application/json"}});
      CHECK(got.status == 401);
      CHECK(got.code() == "bad_credential");
      CHECK(got.json()["error"]["number"] == 8);
      // With a credential the engine does not know: the same.
      web_client forged{eng->http_port()};
      forged.use_token("not-a-token");
      CHECK(forged.request(boost::beast::http::to_string(r.method).to_string(), filled(r.pattern), "{}",
                           {{"Content-Type", "application/json"}})
              .status
            == 401);
    }
  }
  for (auto& [path, ops] : doc["paths"].items())
    for (auto& [method, op] : ops.items())
      documented.insert(method + " " + path);
  CHECK(served == documented);

  // Every GET answers what the document says (admin sees everything).
  web_client admin{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(admin.request("PUT", "/api/v1/mappings/sales", R"({"mapping": {"phone": "Phone Number"}})",
                        {{"Content-Type", "application/json"}})
            .status
          == 201);
  for (auto& r : engine::web::routes()) {
    if (r.method != boost::beast::http::verb::get || std::string{r.pattern} == "/api/v1/openapi.json"
        || std::string{r.pattern} == "/api/v1/live")  // a stream: its own case below
      continue;
    auto target = filled(r.pattern);
    if (target == "/api/v1/users/sales")
      target = "/api/v1/users/sup";
    else if (target == "/api/v1/campaigns/sales" || target.rfind("/api/v1/campaigns/sales/", 0) == 0)
      target.replace(18, 5, "spring");
    else if (target == "/api/v1/lists/sales" || target.rfind("/api/v1/lists/sales/", 0) == 0)
      target.replace(14, 5, "spring");
    auto got = admin.get(target);
    CAPTURE(target);
    CAPTURE(got.body);
    if (got.headers["content-type"].rfind("text/csv", 0) == 0) {  // a download
      CHECK(doc["paths"][r.pattern]["get"]["responses"][std::to_string(got.status)]["content"].contains("text/csv"));
      continue;
    }
    auto response = doc["paths"][r.pattern]["get"]["responses"][std::to_string(got.status)];
    if (response.contains("$ref")) {
      auto ref = response["$ref"].get<std::string>();
      response = doc["components"]["responses"][ref.substr(ref.rfind('/') + 1)];
    }
    auto schema = response["content"]["application/json"]["schema"];
    REQUIRE_MESSAGE(schema.is_object(), "status " << got.status << " is not documented");
    std::vector<std::string> why;
    validate(doc, schema, got.json(), "$", why);
    CHECK_MESSAGE(why.empty(), (why.empty() ? "" : why.front()));
    if (std::string{r.pattern}.find('{') == std::string::npos || target.find("spring") != std::string::npos
        || target.find("/users/") != std::string::npos || target.find("/queues/") != std::string::npos
        || target.find("/dnc/") != std::string::npos || target.find("/mappings/") != std::string::npos)
      CHECK(got.status == 200);  // objects that exist; agent 1 and interaction 1 do not
  }
}

TEST_CASE("web: roles and tenants decide what a user sees and may do") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client view{eng->http_port()}, sup{eng->http_port()}, gview{eng->http_port()}, admin{eng->http_port()};
  REQUIRE(view.login("view", pw).status == 201);
  REQUIRE(sup.login("sup", pw).status == 201);
  REQUIRE(gview.login("gview", pw).status == 201);
  REQUIRE(admin.login("admin", pw).status == 201);

  auto q = view.get("/api/v1/queues").json();
  REQUIRE(q["queues"].size() == 1);
  CHECK(q["queues"][0]["name"] == "sales");
  CHECK(q["total"] == 1);
  CHECK(admin.get("/api/v1/queues").json()["total"] == 2);
  auto hidden = view.get("/api/v1/queues/support");  // globex's: as if it did not exist
  CHECK(hidden.status == 404);
  CHECK(hidden.code() == "unknown_id");
  CHECK(gview.get("/api/v1/queues/support").status == 200);
  CHECK(gview.get("/api/v1/campaigns/spring").status == 404);
  CHECK(gview.get("/api/v1/campaigns").json()["campaigns"].empty());
  auto tenants = view.get("/api/v1/tenants").json()["tenants"];
  REQUIRE(tenants.size() == 1);
  CHECK(tenants[0]["name"] == "acme");
  CHECK(tenants[0]["campaigns"] == json::array({"spring"}));

  // A viewer may not start a campaign; a supervisor of its tenant may.
  auto refused = view.post("/api/v1/campaigns/spring/start");
  CHECK(refused.status == 403);
  CHECK(refused.code() == "not_allowed");
  CHECK(refused.json()["error"]["message"].get<std::string>().find("needs the supervisor role") != std::string::npos);
  auto started = sup.post("/api/v1/campaigns/spring/start");
  CHECK(started.status == 200);
  CHECK(started.json()["state"] == "running");
  CHECK(view.get("/api/v1/campaigns/spring").json()["state"] == "running");
  auto again = sup.post("/api/v1/campaigns/spring/start");
  CHECK(again.status == 409);  // already running: wrong_state
  CHECK(sup.post("/api/v1/campaigns/spring/stop").json()["state"] == "stopped");
  // A supervisor may not change the do-not-call list (operator) nor read the audit log.
  CHECK(sup.request("PUT", "/api/v1/dnc/phone/+15550100").status == 403);
  CHECK(sup.get("/api/v1/audit").status == 403);
  CHECK(admin.request("PUT", "/api/v1/dnc/phone/+15550100").json()["added"] == true);
  CHECK(view.get("/api/v1/dnc/phone/+15550100").json()["listed"] == true);
  CHECK(view.get("/api/v1/users").status == 403);

  // Every change, refused ones included, is in the audit log with the user's name.
  auto entries = admin.get("/api/v1/audit?limit=50").json()["entries"];
  auto has = [&](const std::string& user, const std::string& command, const std::string& result) {
    for (auto& e : entries)
      if (e.value("user", "") == user && e["command"].get<std::string>().find(command) == 0
          && e["result"].get<std::string>().find(result) == 0)
        return true;
    return false;
  };
  CHECK(has("view", "campaign.start /api/v1/campaigns/spring/start", "error: needs the supervisor role"));
  CHECK(has("sup", "campaign.start /api/v1/campaigns/spring/start", "ok"));
  CHECK(has("sup", "campaign.start", "error"));
  CHECK(has("admin", "dnc.add /api/v1/dnc/phone/+15550100", "ok"));
  CHECK(has("sup", "login sup", "ok"));
  auto log = read_file(dir + "/audit.log");
  CHECK(log.find(pw) == std::string::npos);
}

TEST_CASE("web: a browser session's changes need its CSRF token; a bearer token needs none") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client sup{eng->http_port()};
  REQUIRE(sup.login("sup", pw).status == 201);
  auto login = sup.login("sup", pw);
  auto cookie = login.headers["set-cookie"];
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Max-Age=43200") != std::string::npos);
  // Reads need no token; a change without it, or with a wrong one, is refused.
  CHECK(sup.get("/api/v1/campaigns/spring").status == 200);
  auto bare = sup.request("POST", "/api/v1/campaigns/spring/start", "", {}, false);
  CHECK(bare.status == 403);
  CHECK(bare.code() == "bad_credential");
  auto wrong = sup.request("POST", "/api/v1/campaigns/spring/start", "", {{"X-CSRF-Token", "guess"}}, false);
  CHECK(wrong.status == 403);
  CHECK(sup.get("/api/v1/campaigns/spring").json()["state"] != "running");
  CHECK(sup.get("/api/v1/session").json()["csrf"] == sup.csrf());
  CHECK(sup.post("/api/v1/campaigns/spring/start").status == 200);

  // An API token made by an admin acts for its user, without a CSRF token.
  web_client admin{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  auto made = admin.post("/api/v1/users/sup/tokens", {{"label", "cron"}});
  REQUIRE(made.status == 201);
  auto token = made.json()["token"].get<std::string>();
  CHECK(admin.post("/api/v1/users/sup/tokens", {{"label", "cron"}}).status == 409);
  web_client script{eng->http_port()};
  script.use_token(token);
  CHECK(script.get("/api/v1/session").json()["via"] == "token");
  CHECK(script.post("/api/v1/campaigns/spring/pause").json()["state"] == "paused");
  CHECK(script.post("/api/v1/campaigns/spring/resume").json()["state"] == "running");
  CHECK(admin.get("/api/v1/users/sup").json()["tokens"][0]["label"] == "cron");
  CHECK(read_file(dir + "/audit.log").find(token) == std::string::npos);
  CHECK(admin.request("DELETE", "/api/v1/users/sup/tokens/cron").status == 200);
  CHECK(script.get("/api/v1/session").status == 401);  // revoked through this engine: at once
}

TEST_CASE("web: logins are checked, limited and ended") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client c{eng->http_port()};
  auto bad = c.login("view", "wrong-password-1");
  CHECK(bad.status == 401);
  CHECK(bad.code() == "bad_credential");
  CHECK(c.login("nobody", pw).status == 401);
  CHECK(c.post("/api/v1/session", {{"user", 5}}).status == 400);
  // Three failures for "view" within a minute: the right password is refused too (429).
  c.login("view", "wrong-password-2");
  c.login("view", "wrong-password-3");
  auto limited = c.login("view", pw);
  CHECK(limited.status == 429);
  CHECK(limited.code() == "rate_limited");
  CHECK(limited.headers["retry-after"] == "60");
  // Another user from another client still logs in... but this address is limited too.
  web_client other{eng->http_port()};
  CHECK(other.login("sup", pw).status == 429);

  auto dir2 = temp_dir();
  auto eng2 = web_engine(dir2);
  web_client u{eng2->http_port()};
  REQUIRE(u.login("view", pw).status == 201);
  CHECK(u.get("/api/v1/session").json()["user"] == "view");
  // Changing one's password ends one's sessions.
  auto changed = u.post("/api/v1/session/password", {{"current", pw}, {"new", "another-long-password"}});
  CHECK(changed.status == 200);
  CHECK(u.get("/api/v1/session").status == 401);
  REQUIRE(u.login("view", "another-long-password").status == 201);
  CHECK(u.request("DELETE", "/api/v1/session").status == 204);
  CHECK(u.get("/api/v1/session").status == 401);
}

TEST_CASE("web: bad input gets a clear error and costs nothing else") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client admin{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  auto not_json = admin.request("POST", "/api/v1/users", "{name: ", {{"Content-Type", "application/json"}});
  CHECK(not_json.status == 400);
  CHECK(not_json.code() == "invalid_argument");
  CHECK(admin.post("/api/v1/users", json::array({1})).status == 400);
  auto form = admin.request("POST", "/api/v1/users", R"({"name":"x"})", {{"Content-Type", "text/plain"}});
  CHECK(form.status == 400);  // what a cross-site form could send
  CHECK(form.json()["error"]["message"].get<std::string>().find("application/json") != std::string::npos);
  CHECK(admin.request("HEAD", "/api/v1/status").status == 405);
  auto weak = admin.post("/api/v1/users", {{"name", "x"}, {"password", "short"}, {"role", "viewer"}, {"tenants", "*"}});
  CHECK(weak.status == 400);
  CHECK(weak.json()["error"]["message"].get<std::string>().find("at least 10") != std::string::npos);
  CHECK(admin.post("/api/v1/users", {{"name", "x y"}, {"password", pw}, {"role", "viewer"}, {"tenants", "*"}}).status == 400);
  CHECK(admin.post("/api/v1/users", {{"name", "x"}, {"password", pw}, {"role", "king"}, {"tenants", "*"}}).status == 400);
  auto big = admin.request("POST", "/api/v1/users", std::string(10'000, ' '), {{"Content-Type", "application/json"}});
  CHECK(big.status == 413);
  CHECK(big.code() == "limit_exceeded");
  auto unknown = admin.get("/api/v1/nothing/here");
  CHECK(unknown.status == 404);
  CHECK(unknown.code() == "not_allowed");
  CHECK(admin.get("/index.php").status == 404);
  CHECK(admin.request("PUT", "/api/v1/status").status == 405);
  CHECK(admin.get("/api/v1/queues?limit=abc").status == 400);
  CHECK(admin.get("/api/v1/queues?limit=0").status == 400);
  CHECK(admin.get("/api/v1/interactions/abc").status == 400);
  CHECK(admin.get("/api/v1/queues/%zz").status == 404);
  CHECK(admin.get("/api/v1/dnc/fax/123").status == 400);

  // A request whose body never arrives whole: 408 after http.request_timeout_ms (1 s).
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket slow{io};
  slow.connect({boost::asio::ip::make_address("127.0.0.1"), eng->http_port()});
  std::string head = "POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na";
  boost::asio::write(slow, boost::asio::buffer(head));
  auto t0 = std::chrono::steady_clock::now();
  std::string got;
  CHECK(eventually([&] {
    boost::system::error_code ec;
    if (slow.available(ec) > 0) {
      char buf[4096];
      got.append(buf, slow.read_some(boost::asio::buffer(buf), ec));
    }
    return got.find("timeout") != std::string::npos;
  }, 5s));
  CHECK(got.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  // Headers past 32 KiB: 431.
  CHECK(admin.request("GET", "/api/v1/status", "", {{"X-Filler", std::string(40'000, 'a')}}).status == 431);
  // The engine carried on.
  CHECK(admin.get("/api/v1/status").status == 200);
  CHECK(admin.get("/api/v1/users").json()["users"].size() == 4);

  // Past http.max_connections a connection is closed at once; when one goes, one comes.
  auto eng2 = web_engine(temp_dir(), {"http.max_connections=2"});
  auto open = [&] {
    auto s = std::make_unique<boost::asio::ip::tcp::socket>(io);
    s->connect({boost::asio::ip::make_address("127.0.0.1"), eng2->http_port()});
    return s;
  };
  auto a = open(), b = open();
  std::this_thread::sleep_for(100ms);  // both accepted
  auto third = open();
  char byte;
  boost::system::error_code ec;
  third->read_some(boost::asio::buffer(&byte, 1), ec);
  CHECK(ec == boost::asio::error::eof);
  a.reset();
  web_client late{eng2->http_port()};
  CHECK(eventually([&] {
    try {
      return late.get("/api/v1/openapi.json").status == 200;
    } catch (const std::exception&) {  // closed: still two open
      return false;
    }
  }));
}

