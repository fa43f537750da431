// The HTTP API's data routes over real HTTP (docs/web.md): a CSV upload as an import job
// with progress and a rejects file; saved column mappings (API, preview, import, console); live updates over Server-Sent Events (a snapshot, a
// submit over 7120 seen within a second, tenant filtering, Last-Event-ID resume); users
// managed over the API, the console and `parleyd user` (SQLite; one case on PostgreSQL).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"
#include "support/web_client.hpp"
#include "sse_client.hpp"
#include "web_support.hpp"
#include "wire/interaction_generated.h"

using namespace parley;
using namespace parley::test;
using namespace parley::test::web;
using nlohmann::json;

TEST_CASE("web: a CSV upload is an import job with progress and a rejects file") {
  auto dir = temp_dir();
  auto eng = web_engine(dir, {"outbound.default_timezone=\"America/New_York\""});
  web_client admin{eng->http_port()}, view{eng->http_port()}, gview{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(view.login("view", pw).status == 201);
  REQUIRE(gview.login("gview", pw).status == 201);
  // 2,000 rows, every 100th with a number that is no phone.
  std::string csv = "Phone Number,Name\n";
  for (int i = 0; i < 2000; ++i)
    csv += (i % 100 == 7 ? std::string{"not-a-number"} : "+1212555" + std::to_string(1000 + i)) + ",N" + std::to_string(i) + "\n";
  auto preview = admin.request("POST", "/api/v1/lists/preview?mapping=phone%3DPhone%20Number", csv.substr(0, 200),
                               {{"Content-Type", "text/csv"}});
  REQUIRE(preview.status == 200);
  CHECK(preview.json()["mapping"]["phone"] == "Phone Number");
  CHECK(preview.json()["custom"] == json::array({"Name"}));
  CHECK(preview.json()["rows"][0][1] == "N0");
  CHECK(admin.request("POST", "/api/v1/lists/preview", "Name\nx\n", {{"Content-Type", "text/csv"}}).json()["problems"].size() == 1);

  // A viewer may not import; a user of another tenant does not see the list.
  CHECK(view.request("POST", "/api/v1/lists/spring/imports", csv, {{"Content-Type", "text/csv"}}).status == 403);
  CHECK(gview.get("/api/v1/lists/spring").status == 404);
  CHECK(gview.get("/api/v1/lists").json()["lists"].empty());
  CHECK(admin.request("POST", "/api/v1/lists/spring/imports?mapping=phone%3DNope", csv, {{"Content-Type", "text/csv"}}).status == 202);

  auto started = admin.request("POST", "/api/v1/lists/spring/imports?append&mapping=phone%3DPhone%20Number&file=leads.csv",
                               csv, {{"Content-Type", "text/csv"}});
  REQUIRE(started.status == 202);
  auto where = started.headers["location"];
  CHECK(where.rfind("/api/v1/imports/", 0) == 0);
  CHECK(started.json()["expected_rows"] == 2000);
  json job;
  CHECK(eventually([&] {
    job = admin.get(where).json();
    return job["state"] != "running";
  }, 20s));
  CAPTURE(job.dump());
  CHECK(job["state"] == "done");
  CHECK(job["percent"] == 100.0);
  CHECK(job["rows"] == 2000);
  CHECK(job["imported"] == 1980);
  CHECK(job["rejected"] == 20);
  CHECK(job["file"] == "leads.csv");
  CHECK(job["user"] == "admin");
  REQUIRE(job["rejects"].is_string());
  auto rejects = view.get(job["rejects"].get<std::string>());  // a viewer of acme may read it
  CHECK(rejects.status == 200);
  CHECK(rejects.headers["content-type"].rfind("text/csv", 0) == 0);
  CHECK(rejects.body.rfind("line,reason\n9,", 0) == 0);  // row 7 is on line 9 (header, 1-based)
  CHECK(std::count(rejects.body.begin(), rejects.body.end(), '\n') == 21);
  CHECK(gview.get(where).status == 404);
  // The same file again is refused (the duplicate-file rule), unless ?append.
  auto twice = admin.request("POST", "/api/v1/lists/spring/imports?mapping=phone%3DPhone%20Number", csv,
                             {{"Content-Type", "text/csv"}});
  REQUIRE(twice.status == 202);
  CHECK(eventually([&] { return admin.get(twice.headers["location"]).json()["state"] != "running"; }, 20s));
  CHECK(admin.get(twice.headers["location"]).json()["state"] == "refused");

  auto list = view.get("/api/v1/lists/spring").json();
  CHECK(list["records"] == 1980);
  CHECK(list["imports"][0]["imported"] == 1980);
  auto exported = admin.get("/api/v1/lists/spring/export");
  CHECK(exported.status == 200);
  CHECK(std::count(exported.body.begin(), exported.body.end(), '\n') == 1981);
  CHECK(view.get("/api/v1/lists/spring/export").status == 403);  // list.export is the operator's
  // Creating lists: a user of every tenant may; a list that exists is a conflict.
  CHECK(admin.post("/api/v1/lists", {{"name", "autumn"}}).status == 201);
  CHECK(admin.post("/api/v1/lists", {{"name", "autumn"}}).status == 409);
  // An upload over http.max_upload_bytes is refused before its body is read.
  auto eng2 = web_engine(temp_dir(), {"http.max_upload_bytes=2048"});
  web_client small{eng2->http_port()};
  REQUIRE(small.login("admin", pw).status == 201);
  CHECK(small.request("POST", "/api/v1/lists/spring/imports", csv, {{"Content-Type", "text/csv"}}).status == 413);
}

TEST_CASE("web: saved column mappings are kept, used by name in previews and imports, and on the console") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client admin{eng->http_port()}, view{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(view.login("view", pw).status == 201);
  auto put = [](web_client& who, const std::string& name, const json& body) {
    return who.request("PUT", "/api/v1/mappings/" + name, body.dump(), {{"Content-Type", "application/json"}});
  };
  // A vendor's layout: saved as pairs, answered as pairs and as the text the console takes.
  auto saved = put(admin, "vendor", {{"mapping", {{"phone", "Tel"}, {"tz", "Zone"}, {"customer", "Cust"}}}});
  REQUIRE(saved.status == 201);
  CHECK(saved.json()["text"] == "customer=Cust,phone=Tel,tz=Zone");
  CHECK(saved.json()["changed_by"] == "admin");
  // Saved again under the same name: replaced (200); the text form is taken too.
  auto replaced = put(admin, "vendor", {{"mapping", "phone=Tel, tz=Zone ,customer=Cust,chain=Household"}});
  REQUIRE(replaced.status == 200);
  CHECK(replaced.json()["mapping"]["chain"] == "Household");
  CHECK(put(admin, "other", {{"mapping", {{"phone", "Phone Number"}}}}).status == 201);
  // Bad mappings say why and change nothing.
  for (auto bad : {json{{"mapping", {{"fone", "Tel"}}}}, json{{"mapping", {{"phone", "A,B"}}}},
                   json{{"mapping", json::object()}}, json{{"mapping", {{"phone", 7}}}}, json{{"mapping", 7}},
                   json{{"mapping", "phone"}}, json{{"nothing", 1}}}) {
    CAPTURE(bad.dump());
    auto got = put(admin, "vendor", bad);
    CHECK(got.status == 400);
    CHECK(got.code() == "invalid_argument");
  }
  CHECK(put(admin, "bad%20name", {{"mapping", "phone=Tel"}}).status == 400);
  CHECK(admin.get("/api/v1/mappings/vendor").json()["text"] == "chain=Household,customer=Cust,phone=Tel,tz=Zone");
  // A viewer reads them (list.read) but saves and deletes none (list.import).
  auto all = view.get("/api/v1/mappings");
  REQUIRE(all.status == 200);
  REQUIRE(all.json()["mappings"].size() == 2);
  CHECK(all.json()["mappings"][0]["name"] == "other");
  CHECK(put(view, "mine", {{"mapping", "phone=Tel"}}).status == 403);
  CHECK(view.request("DELETE", "/api/v1/mappings/other").status == 403);
  CHECK(view.get("/api/v1/mappings/nosuch").status == 404);

  // A preview by name; ?mapping= pairs go over the saved ones; an unknown name is an error.
  std::string csv = "Tel,Zone,Cust,Household,Mobile,Note\n";
  for (int i = 0; i < 30; ++i)
    csv += "+1212555" + std::to_string(1000 + i) + ",America/New_York,c" + std::to_string(i) + "," + std::to_string(100 + i)
           + ",+1646555" + std::to_string(1000 + i) + ",n\n";
  auto preview = admin.request("POST", "/api/v1/lists/preview?mapping_name=vendor", csv, {{"Content-Type", "text/csv"}});
  REQUIRE(preview.status == 200);
  CHECK(preview.json()["mapping"]["phone"] == "Tel");
  CHECK(preview.json()["mapping"]["chain"] == "Household");
  CHECK(preview.json()["custom"] == json::array({"Mobile", "Note"}));
  auto over = admin.request("POST", "/api/v1/lists/preview?mapping_name=vendor&mapping=phone%3DMobile", csv,
                            {{"Content-Type", "text/csv"}});
  CHECK(over.json()["mapping"]["phone"] == "Mobile");
  CHECK(over.json()["mapping"]["tz"] == "Zone");
  auto unknown = admin.request("POST", "/api/v1/lists/preview?mapping_name=nosuch", csv, {{"Content-Type", "text/csv"}});
  CHECK(unknown.status == 400);
  CHECK(unknown.json()["error"]["message"] == "no saved mapping named \"nosuch\"");

  // An import by name: every row lands with the vendor's columns.
  CHECK(admin.request("POST", "/api/v1/lists/spring/imports?mapping_name=nosuch", csv, {{"Content-Type", "text/csv"}}).status
        == 400);
  auto started = admin.request("POST", "/api/v1/lists/spring/imports?mapping_name=vendor", csv, {{"Content-Type", "text/csv"}});
  REQUIRE(started.status == 202);
  json job;
  CHECK(eventually([&] { return (job = admin.get(started.headers["location"]).json())["state"] != "running"; }, 20s));
  CAPTURE(job.dump());
  CHECK(job["state"] == "done");
  CHECK(job["imported"] == 30);
  auto exported = admin.get("/api/v1/lists/spring/export").body;
  CHECK(exported.find("+12125551029") != std::string::npos);
  CHECK(exported.find("c29") != std::string::npos);

  // The console imports by the saved name too; a name nothing is saved under is refused.
  std::filesystem::create_directories(dir + "/import");
  {
    std::ofstream f{dir + "/import/vendor.csv"};
    f << "Tel,Zone,Cust,Household\n+13125550100,America/Chicago,k1,7\n+13125550101,America/Chicago,k2,8\n";
  }
  console_conn con{eng->console_port()};
  CHECK(con.ask("list import spring vendor.csv --mapping=nosuch").rfind("error: no saved mapping named \"nosuch\"", 0) == 0);
  auto out = con.ask("list import spring vendor.csv --mapping=vendor");
  CAPTURE(out);
  CHECK(out.find("2 imported, 0 rejected") != std::string::npos);
  // Pairs on the line go over the saved ones: Cust is not a phone, so both rows are refused.
  CHECK(con.ask("list import spring vendor.csv --append --mapping=vendor phone=Cust").find("0 imported, 2 rejected")
        != std::string::npos);

  // Deleting: once; the audit log names who saved and deleted.
  auto gone = admin.request("DELETE", "/api/v1/mappings/vendor");
  REQUIRE(gone.status == 200);
  CHECK(gone.json()["removed"] == "vendor");
  CHECK(admin.request("DELETE", "/api/v1/mappings/vendor").status == 404);
  CHECK(admin.get("/api/v1/mappings").json()["mappings"].size() == 1);
  auto audit = admin.get("/api/v1/audit?limit=200").body;
  CHECK(audit.find("mapping.save /api/v1/mappings/vendor") != std::string::npos);
  CHECK(audit.find("mapping.delete /api/v1/mappings/vendor") != std::string::npos);
}

TEST_CASE("web: deleting a list waits for its campaign; do-not-call imports from an upload") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client admin{eng->http_port()}, sup{eng->http_port()}, view{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(sup.login("sup", pw).status == 201);
  REQUIRE(view.login("view", pw).status == 201);
  std::string csv = "phone,tz\n";
  for (int i = 0; i < 50; ++i)
    csv += "+1212555" + std::to_string(1000 + i) + ",America/New_York\n";
  REQUIRE(admin.request("POST", "/api/v1/lists/spring/imports", csv, {{"Content-Type", "text/csv"}}).status == 202);
  REQUIRE(eventually([&] { return admin.get("/api/v1/lists/spring").json()["records"] == 50; }));

  // list.delete is the operator's; a list its running campaign dials is in use.
  CHECK(sup.request("DELETE", "/api/v1/lists/spring").status == 403);
  REQUIRE(sup.request("POST", "/api/v1/campaigns/spring/start").status == 200);
  auto busy = admin.request("DELETE", "/api/v1/lists/spring");
  CHECK(busy.status == 409);
  CHECK(busy.json()["error"]["code"] == "wrong_state");
  CHECK(busy.json()["error"]["message"].get<std::string>().find("campaign spring is running") != std::string::npos);
  REQUIRE(sup.request("POST", "/api/v1/campaigns/spring/stop").status == 200);
  // Stopping lets its calls finish: the delete goes through once none is under way.
  web_reply gone;
  REQUIRE(eventually([&] { return (gone = admin.request("DELETE", "/api/v1/lists/spring")).status == 200; }, 10s));
  CHECK(gone.json()["records"] == 50);
  CHECK(admin.get("/api/v1/lists/spring").status == 404);
  CHECK(admin.request("DELETE", "/api/v1/lists/spring").status == 404);
  CHECK(admin.request("DELETE", "/api/v1/lists/nosuch").status == 404);

  // Do-not-call imports: the body is the file; bad rows are named, good ones listed.
  std::string dnc = "phone\n+12125550100\n+12125550101\nnot-a-number\n";
  CHECK(view.request("POST", "/api/v1/dnc/phone/import", dnc, {{"Content-Type", "text/csv"}}).status == 403);
  CHECK(admin.request("POST", "/api/v1/dnc/phone/import", "", {{"Content-Type", "text/csv"}}).status == 400);
  CHECK(admin.request("POST", "/api/v1/dnc/fax/import", dnc, {{"Content-Type", "text/csv"}}).status == 400);
  auto imported = admin.request("POST", "/api/v1/dnc/phone/import", dnc, {{"Content-Type", "text/csv"}});
  REQUIRE(imported.status == 200);
  auto summary = imported.json()["summary"].get<std::string>();
  INFO(summary);
  CHECK(summary.find("2 added") != std::string::npos);
  CHECK(summary.find("line 4") != std::string::npos);
  CHECK(view.get("/api/v1/dnc/phone/+12125550101").json()["listed"] == true);
  CHECK(view.get("/api/v1/dnc/phone/+12125550102").json()["listed"] == false);
}

TEST_CASE("web: schedule entries are listed by tenant and disabled and enabled, on the API and the console") {
  auto dir = temp_dir();
  auto eng = web_engine(dir, {}, R"(
[[schedule]]
cron = "0 3 * * *"
zone = "America/New_York"
action = "start"
campaign = "spring"
[[schedule]]
cron = "0 4 * * *"
action = "import"
list = "spring"
file = "leads.csv"
)");
  web_client admin{eng->http_port()}, view{eng->http_port()}, gview{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(view.login("view", pw).status == 201);
  REQUIRE(gview.login("gview", pw).status == 201);
  auto all = view.get("/api/v1/schedules").json()["schedules"];
  REQUIRE(all.size() == 2);  // the campaign's and its list's import: acme's
  CHECK(all[0]["what"] == "start campaign spring");
  CHECK(all[0]["enabled"] == true);
  CHECK(all[0]["next"].is_string());
  CHECK(all[1]["what"] == "import leads.csv into spring");
  CHECK(gview.get("/api/v1/schedules").json()["schedules"].empty());  // globex sees none

  // schedule.disable is the operator's; another tenant's entry is not there.
  CHECK(view.request("POST", "/api/v1/schedules/0/disable").status == 403);
  CHECK(admin.request("POST", "/api/v1/schedules/7/disable").status == 404);
  auto off = admin.request("POST", "/api/v1/schedules/0/disable");
  REQUIRE(off.status == 200);
  CHECK(off.json()["enabled"] == false);
  CHECK(off.json()["next"].is_null());
  CHECK(view.get("/api/v1/schedules").json()["schedules"][0]["enabled"] == false);

  console_conn con{eng->console_port()};
  CHECK(con.ask("schedule enable x").rfind("error: usage: schedule status", 0) == 0);
  auto status = con.ask("schedule status");
  CHECK(status.find("schedule 0 disabled \"0 3 * * *\" America/New_York start campaign spring next=-") == 0);
  CHECK(status.find("3 schedule entries") != std::string::npos);  // retention's, last, is the engine's own
  CHECK(status.find("schedule 2 enabled \"40 3 * * *\" UTC retention") != std::string::npos);
  auto on = admin.request("POST", "/api/v1/schedules/0/enable");
  REQUIRE(on.status == 200);
  CHECK(on.json()["enabled"] == true);
  CHECK(on.json()["next"].is_string());
  CHECK(con.ask("schedule status").find("schedule 0 enabled") == 0);
}

TEST_CASE("web: live updates: a snapshot, then each change within a second, per tenant, resumable") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client view{eng->http_port()}, admin{eng->http_port()};
  REQUIRE(view.login("view", pw).status == 201);
  REQUIRE(admin.login("admin", pw).status == 201);
  auto watching = std::make_unique<sse_client>(eng->http_port(), view.cookie());
  REQUIRE(watching->status == 200);
  auto snap = watching->next();
  REQUIRE(snap);
  CHECK(snap->type == "snapshot");
  REQUIRE(snap->data["queues"].size() == 1);  // acme's only
  CHECK(snap->data["queues"][0]["name"] == "sales");
  CHECK(snap->data["queues"][0]["waiting"] == 0);
  sse_client all{eng->http_port(), admin.cookie()};  // keeps the hub busy across view's reconnect
  REQUIRE(all.next());

  connected_client gw{eng->port(engine::listener_kind::interaction)};
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
  auto ev = watching->until([](auto& e) { return e.type == "queue" && e.data["waiting"] == 1; }, 1s);
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  REQUIRE(ev);
  CHECK(ev->data["name"] == "sales");
  auto seen = ev->id;
  // Another tenant's change reaches admin, not view.
  REQUIRE(submit_to(*gw.cl, "globex", "support").ok());
  CHECK(all.until([](auto& e) { return e.type == "queue" && e.data["name"] == "support"; }));
  CHECK_FALSE(watching->until([](auto& e) { return e.data.value("name", "") == "support"; }, 600ms));

  // view goes away, misses a change, comes back with Last-Event-ID: it gets what it missed.
  watching.reset();
  REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
  REQUIRE(all.until([](auto& e) { return e.type == "queue" && e.data["name"] == "sales" && e.data["waiting"] == 2; }));
  sse_client back{eng->http_port(), view.cookie(), std::to_string(seen)};
  auto missed = back.next();
  REQUIRE(missed);
  CHECK(missed->type == "queue");
  CHECK(missed->data["waiting"] == 2);
  CHECK(missed->id > seen);
  // An id the hub does not hold: a snapshot.
  sse_client fresh{eng->http_port(), view.cookie(), "999999"};
  auto again = fresh.next();
  REQUIRE(again);
  CHECK(again->type == "snapshot");
  CHECK(again->data["queues"][0]["waiting"] == 2);
}

TEST_CASE("web: users over the API, the console and parleyd user") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client admin{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  auto made = admin.post("/api/v1/users", {{"name", "carol"}, {"password", pw}, {"role", "operator"},
                                           {"tenants", json::array({"acme", "globex"})}});
  REQUIRE(made.status == 201);
  CHECK(made.json()["tenants"] == json::array({"acme", "globex"}));
  CHECK(admin.post("/api/v1/users", {{"name", "carol"}, {"password", pw}, {"role", "viewer"}, {"tenants", "*"}}).status == 409);
  web_client carol{eng->http_port()};
  REQUIRE(carol.login("carol", pw).status == 201);
  CHECK(carol.get("/api/v1/audit").status == 200);  // operator
  CHECK(admin.request("PATCH", "/api/v1/users/carol", R"({"role":"viewer"})", {{"Content-Type", "application/json"}}).status == 200);
  CHECK(carol.get("/api/v1/audit").status == 403);  // changed through this engine: at once
  CHECK(admin.request("DELETE", "/api/v1/users/carol").status == 200);
  CHECK(carol.get("/api/v1/session").status == 401);
  CHECK(admin.request("DELETE", "/api/v1/users/carol").status == 404);

  // The console's user command (admin): the password is made there and shown once.
  console_conn con{eng->console_port()};
  auto added = con.ask("user add dave supervisor acme");
  REQUIRE(added.find("password (shown once): ") != std::string::npos);
  auto dave_pw = added.substr(added.find("shown once): ") + 13, 20);
  web_client dave{eng->http_port()};
  CHECK(dave.login("dave", dave_pw).status == 201);
  CHECK(con.ask("user list").find("dave                supervisor") != std::string::npos);
  CHECK(con.ask("user add dave viewer acme").rfind("error: a user named \"dave\" exists already", 0) == 0);
  CHECK(con.ask("user set dave role=viewer tenants=acme,globex") == "user dave changed\n");
  CHECK(read_file(dir + "/audit.log").find(dave_pw) == std::string::npos);

  // parleyd user, on the same database, from a shell.
  auto conf = dir + "/web.toml";
  std::ofstream{conf} << "[engine]\ndata_dir = \"" << dir << "\"\n";
  auto parleyd = binary_dir() + "/bin/parleyd";
  auto add = run({"/bin/sh", "-c", "printf 'erin-secret-pass\\n' | " + parleyd + " -c " + conf
                                     + " user add erin --role viewer --tenants acme --password-stdin"});
  CAPTURE(add.second);
  CHECK(add.first == 0);
  web_client erin{eng->http_port()};
  CHECK(erin.login("erin", "erin-secret-pass").status == 201);
  auto token = run({parleyd, "-c", conf, "user", "token", "add", "erin", "report"});
  CHECK(token.first == 0);
  web_client script{eng->http_port()};
  script.use_token(token.second.substr(0, token.second.find('\n')));
  CHECK(script.get("/api/v1/queues").json()["total"] == 1);
  auto refused = run({parleyd, "-c", conf, "user", "add", "bad name", "--role", "viewer", "--tenants", "*", "--password-stdin"});
  CHECK(refused.first == 1);
  CHECK(refused.second.find("letters, digits") != std::string::npos);
  auto listed = run({parleyd, "-c", conf, "user", "list"});
  CHECK(listed.second.find("erin  viewer  tenants=acme  tokens=report") != std::string::npos);
}

TEST_CASE("web: users, tokens and sessions on PostgreSQL <postgresql>") {
  auto dsn = fresh_pg_dsn("web");
  if (!dsn)
    return;
  auto eng = web_engine(temp_dir(), {"storage.backend=postgresql", "storage.dsn=\"" + *dsn + "\""});
  web_client sup{eng->http_port()};
  REQUIRE(sup.login("sup", pw).status == 201);
  CHECK(sup.get("/api/v1/session").json()["role"] == "supervisor");
  CHECK(sup.post("/api/v1/campaigns/spring/start").status == 200);
  CHECK(sup.login("sup", "wrong-password-x").status == 401);
}
