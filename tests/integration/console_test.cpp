// The admin console over real TCP: every command, levels and tokens, the audit log.
#include <doctest/doctest.h>

#include <poll.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/write.hpp>

#include "support/child.hpp"
#include "engine/console/console_actor.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

const char* contact_center = R"(
[routing]
offer_timeout_ms = 5000
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
)";

std::uint64_t submit(client::client& gw) {
  auto a = gw.request([](protocol::encoder& e, std::uint64_t ref) {
               auto& fbb = e.start();
               return e.finish(ref, wire::CreateSubmitDirect(fbb, "", "", "voice", "sales", 0));
             }).get();
  REQUIRE(a.ok());
  return a.as<wire::Submitted>()->interaction_id();
}

} // namespace

TEST_CASE("console commands over TCP") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(contact_center, {"engine.data_dir=" + dir});
  console_conn c{eng->console_port()};

  SUBCASE("help lists every command, help X explains one") {
    auto h = c.ask("help");
    for (auto& cmd : engine::console_commands())
      CHECK(h.find(cmd.usage) != std::string::npos);
    CHECK(c.ask("help trace").find("trace interaction ID") != std::string::npos);
    CHECK(c.ask("help nope") == "error: no command \"nope\"\n");
    CHECK(c.ask("frobnicate") == "error: unknown command \"frobnicate\" (try help)\n");
    CHECK(c.ask("").empty());
  }
  SUBCASE("status and show reflect the engine") {
    connected_client gw{eng->port(listener_kind::interaction)};
    connected_client desk{eng->port(listener_kind::interaction), wire::ClientType::agent_desktop};
    REQUIRE(desk.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                      auto& fbb = e.start();
                      return e.finish(ref, wire::CreateAgentLoginDirect(fbb, "a7", "desk-7"));
                    }).get().ok());
    auto id = submit(*gw.cl);
    auto st = c.ask("status");
    CAPTURE(st);
    CHECK(st.find("parleyd " PARLEY_VERSION) != std::string::npos);
    CHECK(st.find("interactions [default]: submitted 1 = in-submitted 0 + queued 1") != std::string::npos);
    CHECK(st.find("(conserved)") != std::string::npos);
    CHECK(st.find("agents [default]: not_ready 1 ready 0") != std::string::npos);
    CHECK(st.find("queues: sales 1 waiting") != std::string::npos);
    CHECK(st.find("2 open") != std::string::npos);

    auto conns = c.ask("show connections type=agent_desktop");
    CHECK(conns.find("agent_desktop") != std::string::npos);
    CHECK(conns.find("media_gateway") == std::string::npos);
    CHECK(c.ask("show agents").find("a7") != std::string::npos);
    CHECK(c.ask("show agents state=ready").find("a7") == std::string::npos);
    CHECK(c.ask("show queues").find("sales") != std::string::npos);
    auto inter = c.ask("show interactions queue=sales");
    CHECK(inter.find(std::to_string(id) + " ") != std::string::npos);
    CHECK(inter.find("queued") != std::string::npos);
    CHECK(c.ask("show stats").find("frames in") != std::string::npos);
    CHECK(c.ask("show nothing").rfind("error: ", 0) == 0);

    // An operator command: logs the agent out as if its desktop had gone.
    CHECK(c.ask("agent logout a7") == "agent a7 logged out\n");
    CHECK(c.ask("agent logout a7").rfind("error: unknown_id", 0) == 0);
    CHECK(c.ask("set log-level loud").rfind("error: ", 0) == 0);
    CHECK(c.ask("set log-level warn") == "log level warn\n");
    auto audit = read_file(dir + "/audit.log");
    CHECK(audit.find("\"command\":\"agent logout a7\",\"result\":\"ok\"") != std::string::npos);
    CHECK(audit.find("\"command\":\"set log-level warn\"") != std::string::npos);
  }
  SUBCASE("trace streams an interaction's events until it stops") {
    connected_client gw{eng->port(listener_kind::interaction)};
    auto id = submit(*gw.cl);
    CHECK(c.ask("trace interaction 999999").rfind("error: unknown_id", 0) == 0);
    c.send("trace interaction " + std::to_string(id) + "\n");
    CHECK(eventually([&] { return c.some(50ms).find("tracing interaction") != std::string::npos; }));
    REQUIRE(gw.cl->request([id](protocol::encoder& e, std::uint64_t ref) {
                    auto& fbb = e.start();
                    return e.finish(ref, wire::CreateStopProcessingDirect(fbb, id, "bye"));
                  }).get().ok());
    auto streamed = c.answer();
    CAPTURE(streamed);
    CHECK(streamed.find("abandoned state=stopped queue=sales reason=\"bye\"") != std::string::npos);
    CHECK(streamed.find("trace ended") != std::string::npos);
    // The connection takes commands again.
    CHECK(c.ask("help quit").find("quit") != std::string::npos);
  }
  SUBCASE("a trace stops on any input") {
    connected_client gw{eng->port(listener_kind::interaction)};
    auto id = submit(*gw.cl);
    c.send("trace interaction " + std::to_string(id) + "\n");
    CHECK(eventually([&] { return c.some(50ms).find("tracing interaction") != std::string::npos; }));
    c.send("\n");
    CHECK(c.answer().find("trace stopped") != std::string::npos);
  }
  SUBCASE("drain refuses new work; shutdown needs a hook in an embedded engine") {
    CHECK(c.ask("shutdown").rfind("error: ", 0) == 0);
    CHECK(c.ask("drain").find("draining") != std::string::npos);
    CHECK(eng->draining());
    CHECK(c.ask("status").find("DRAINING") != std::string::npos);
    CHECK(read_file(dir + "/audit.log").find("\"command\":\"drain\"") != std::string::npos);
  }
  SUBCASE("quit closes, an overlong line closes") {
    CHECK(c.ask("quit") == "bye\n");
    c.answer(1s);
    CHECK(c.closed());
    console_conn d{eng->console_port()};
    d.send(std::string(5000, 'x') + "\n");
    CHECK(d.answer().find("error: line longer than") == 0);
  }
}

TEST_CASE("console: list import reads a CSV into a contact list, reporting bad rows") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(contact_center, {"engine.data_dir=" + dir,
                                                "outbound.import_chunk_rows=100"});
  std::filesystem::create_directories(dir + "/import");
  {
    std::ofstream f{dir + "/import/spring.csv"};
    f << "Phone Number,Zone,CustID,Name\n";
    for (int i = 0; i < 250; ++i)
      f << "+1212555" << 1000 + i << ",America/New_York,c" << i << ",n" << i << "\n";
    f << "not a phone,America/New_York,cx,x\n"   // line 252
      << "+12125559999,Mars/Base,cy,y\n";        // line 253
  }
  console_conn c{eng->console_port()};
  auto out = c.ask("list import spring spring.csv phone=Phone Number,tz=Zone,customer=CustID");
  CAPTURE(out);
  CHECK(out.find("list spring (new): 252 row(s) read, 250 imported, 2 rejected\n") == 0);
  CHECK(out.find("  line 252: phone: \"not a phone\"") != std::string::npos);
  CHECK(out.find("  line 253: tz: \"Mars/Base\" is not a time zone") != std::string::npos);
  CHECK(out.find("took ") != std::string::npos);
  auto lists = c.ask("show lists");
  CAPTURE(lists);
  CHECK(lists.find("spring                  250") != std::string::npos);
  CHECK(lists.find("1 list(s)") != std::string::npos);

  // Files outside the import directory are refused; a bad mapping says why.
  CHECK(c.ask("list import x /etc/passwd").rfind("error: \"/etc/passwd\" is outside the import directory", 0) == 0);
  CHECK(c.ask("list import x ../parley.db").rfind("error: ", 0) == 0);
  CHECK(c.ask("list import x missing.csv").rfind("error: no file", 0) == 0);
  CHECK(c.ask("list import spring spring.csv fone=Phone").find("not a record field") != std::string::npos);
  CHECK(c.ask("list import spring spring.csv").rfind("error: line 1: no phone column", 0) == 0);
  CHECK(c.ask("list export spring").rfind("error: usage: list import", 0) == 0);
  auto audit = read_file(dir + "/audit.log");
  CHECK(audit.find("\"command\":\"list import spring spring.csv phone=Phone Number,tz=Zone,customer=CustID\",\"result\":\"ok\"") != std::string::npos);
  CHECK(audit.find("\"command\":\"list import x /etc/passwd\",\"result\":\"error: ") != std::string::npos);
}

TEST_CASE("console levels and tokens") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(contact_center, {"engine.data_dir=" + dir, "console.admin_token=Adm1nT0k",
                                                "console.operator_token=op", "console.user_token=usr"});
  console_conn c{eng->console_port()};
  CHECK(c.ask("status").find("needs the user level; this connection has none") != std::string::npos);
  CHECK(c.ask("help").find("status") != std::string::npos);  // help needs no level
  CHECK(c.ask("auth wrong") == "error: no such token\n");
  CHECK(c.ask("auth usr") == "level user\n");
  CHECK(c.ask("status").find("parleyd") != std::string::npos);
  CHECK(c.ask("set log-level info").find("needs the operator level") != std::string::npos);
  CHECK(c.ask("list import l f.csv").find("needs the operator level") != std::string::npos);
  CHECK(c.ask("auth op") == "level operator\n");
  CHECK(c.ask("set log-level warn") == "log level warn\n");
  CHECK(c.ask("drain").find("needs the admin level") != std::string::npos);
  CHECK(c.ask("auth Adm1nT0k") == "level admin\n");
  CHECK_FALSE(eng->draining());
  auto audit = read_file(dir + "/audit.log");
  CHECK(audit.find("\"command\":\"auth\",\"result\":\"refused\"") != std::string::npos);
  CHECK(audit.find("Adm1nT0k") == std::string::npos);  // tokens never reach the log
  CHECK(audit.find("wrong") == std::string::npos);
}

TEST_CASE("an exposed console needs a token") {
  CHECK_THROWS_WITH_AS(test_config({"console.bind=0.0.0.0"}),
                       doctest::Contains("console.bind = \"0.0.0.0\" is not loopback"),
                       engine::config_error);
  CHECK_NOTHROW(test_config({"console.bind=0.0.0.0", "console.admin_token=s3cret"}));
}

TEST_CASE("the parley client runs commands for scripts") {
  auto eng = start_engine_toml(contact_center, {"engine.data_dir=" + temp_dir()});
  auto parley = binary_dir() + "/bin/parley";
  auto port = std::to_string(eng->console_port());
  auto [code, out] = run({parley, "-p", port, "-c", "status", "-c", "show queues"});
  CAPTURE(out);
  CHECK(code == 0);
  CHECK(out.find("reporting events:") != std::string::npos);
  CHECK(out.find("sales") != std::string::npos);
  auto [bad, bad_out] = run({parley, "-p", port, "-c", "frobnicate"});
  CHECK(bad == 1);
  CHECK(bad_out.find("error: unknown command") != std::string::npos);
  auto [gone, gone_out] = run({parley, "-p", "1", "-c", "status"});
  CHECK(gone == 2);
  CHECK(gone_out.find("cannot reach the console") != std::string::npos);
}
