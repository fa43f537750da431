// The admin console over real TCP: every command, levels and tokens, the audit log.
#include <doctest/doctest.h>

#include <poll.h>

#include <filesystem>
#include <sstream>
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
  SUBCASE("a client that sends its commands and half-closes gets every answer") {
    // printf 'status\nshow queues\n...' | nc -q 1 127.0.0.1 7123: the last line may lack
    // its newline; the console answers everything read before it closes.
    c.send("status\nshow queues\nhelp quit\nshow agents");
    c.half_close();
    auto all = c.until_closed();
    CAPTURE(all);
    CHECK(c.closed());
    CHECK(all.find("parleyd " PARLEY_VERSION) != std::string::npos);
    CHECK(all.find("sales") != std::string::npos);
    CHECK(all.find("close this connection") != std::string::npos);
    CHECK(all.find("agent(s) logged in") != std::string::npos);
    // A script longer than the read-ahead (64 commands) is answered whole, in order.
    console_conn d{eng->console_port()};
    std::string script;
    for (int i = 0; i < 300; ++i)
      script += i % 2 ? "status\n" : "help auth\n";
    d.send(script);
    d.half_close();
    auto answers = d.until_closed(30s);
    CHECK(d.closed());
    std::size_t helps = 0, statuses = 0;
    for (auto p = answers.find("auth TOKEN"); p != std::string::npos; p = answers.find("auth TOKEN", p + 1))
      ++helps;
    for (auto p = answers.find("reporting events:"); p != std::string::npos;
         p = answers.find("reporting events:", p + 1))
      ++statuses;
    CHECK(helps == 150);
    CHECK(statuses == 150);
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

namespace {

/// The words of the line of `table` that starts with `first` (empty when none does).
std::vector<std::string> row_of(const std::string& table, const std::string& first) {
  std::istringstream in{table};
  std::string line;
  while (std::getline(in, line)) {
    auto w = engine::split_words(line);
    if (!w.empty() && w[0] == first)
      return w;
  }
  return {};
}

} // namespace

TEST_CASE("console: live views with checked filters, and admin commands for stuck work") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(contact_center, {"engine.data_dir=" + dir});
  console_conn c{eng->console_port()};
  auto port = eng->port(listener_kind::interaction);
  connected_client gw{port};
  connected_client desk{port, wire::ClientType::agent_desktop};
  auto cl = desk.cl;
  // The callback lives in the client: a raw pointer, not a shared_ptr cycle (a leak).
  cl->on_event([cl = cl.get()](const client::answer& a) {  // accept every invite at once
    if (auto* inv = a.as<wire::Invite>()) {
      auto iid = inv->info()->id();
      cl->request([iid](protocol::encoder& e, std::uint64_t ref) {
        return e.finish(ref, wire::CreateAccept(e.start(), iid));
      });
    }
  });
  REQUIRE(cl->request([](protocol::encoder& e, std::uint64_t ref) {
                auto& fbb = e.start();
                return e.finish(ref, wire::CreateAgentLoginDirect(fbb, "a7", "desk-7"));
              }).get().ok());
  REQUIRE(cl->request([](protocol::encoder& e, std::uint64_t ref) {
                return e.finish(ref, wire::CreateAgentReady(e.start()));
              }).get().ok());
  CHECK(eventually([&] {
    auto q = row_of(c.ask("show queues"), "sales");
    return q.size() > 4 && q[4] == "1";  // READY
  }));
  auto first = submit(*gw.cl);  // answered at once (a7 holds 1 voice)
  CHECK(eventually([&] { return row_of(c.ask("show queues"), "sales").at(7) == "1"; }));
  auto second = submit(*gw.cl);
  auto third = submit(*gw.cl);

  SUBCASE("show queues, agents and interactions are live") {
    auto q = row_of(c.ask("show queues"), "sales");
    CAPTURE(q);
    REQUIRE(q.size() == 10);
    CHECK(q[1] == "default");
    CHECK(q[2] == "2");           // waiting
    CHECK(q[3].back() == 's');    // the oldest wait, e.g. 0s
    CHECK(q[4] == "1");           // a7 is ready (busy)
    CHECK(q[5] == "100.0%");      // answered within 20 s
    CHECK(q[6] == "<20s");
    CHECK(q[7] == "1");           // answered
    CHECK(q[8] == "0");           // abandoned
    auto a = row_of(c.ask("show agents"), "a7");
    CAPTURE(a);
    REQUIRE(a.size() >= 4);
    CHECK(a[2] == "ready");
    CHECK(a[3].back() == 's');
    auto inter = c.ask("show interactions state=queued");
    CAPTURE(inter);
    CHECK(row_of(inter, std::to_string(second)).size() >= 7);
    CHECK(row_of(inter, std::to_string(third)).size() >= 7);
    CHECK(row_of(inter, std::to_string(first)).empty());
    CHECK(row_of(c.ask("show interactions state=handled"), std::to_string(first)).at(7) == "a7");
    CHECK(c.ask("status").find("queues: sales 2 waiting") != std::string::npos);
  }
  SUBCASE("filters are checked: a typo is an error, not an empty answer") {
    CHECK(c.ask("show agents state=bogus")
          == "error: no state \"bogus\" (one of: not_ready, ready, after_call_work)\n");
    CHECK(c.ask("show interactions queue=nope").rfind("error: no queue \"nope\"", 0) == 0);
    CHECK(c.ask("show agents tenant=initech").rfind("error: no tenant \"initech\"", 0) == 0);
    CHECK(c.ask("show queues colour=red") == "error: show queues takes tenant=, limit= (not colour=)\n");
    CHECK(c.ask("show agents limit=0").rfind("error: limit must be a number", 0) == 0);
    CHECK(c.ask("show agents limit=ten").rfind("error: limit must be a number", 0) == 0);
    CHECK(c.ask("show agents ready").rfind("error: \"ready\" is not a key=value filter", 0) == 0);
    CHECK(c.ask("show connections type=robot").rfind("error: no type \"robot\"", 0) == 0);
    CHECK(c.ask("show").find("campaigns") != std::string::npos);
    CHECK(c.ask("show queues tenant=default limit=1").find("sales") != std::string::npos);
  }
  SUBCASE("interaction stop and queue clear stop stuck work, audited, not counted as abandons") {
    CHECK(c.ask("interaction stop " + std::to_string(second) + " gateway gone")
          == "interaction " + std::to_string(second) + " stopped\n");
    CHECK(c.ask("interaction stop " + std::to_string(second)).rfind("error: unknown_id", 0) == 0);
    CHECK(c.ask("interaction stop x").rfind("error: usage: interaction stop ID", 0) == 0);
    CHECK(c.ask("queue clear nope").rfind("error: unknown_id: no queue named nope", 0) == 0);
    CHECK(c.ask("queue clear sales") == "queue sales: 1 waiting interaction(s) stopped\n");
    CHECK(eventually([&] { return row_of(c.ask("show queues"), "sales").at(2) == "0"; }));
    auto q = row_of(c.ask("show queues"), "sales");
    CHECK(q.at(8) == "0");  // cleared by an operator: no abandon
    CHECK(c.ask("queue clear sales") == "queue sales: 0 waiting interaction(s) stopped\n");
    // The handled one stops too (its agent is released).
    CHECK(c.ask("interaction stop " + std::to_string(first)) == "interaction " + std::to_string(first) + " stopped\n");
    CHECK(c.ask("status").find("+ stopped 3  (conserved)") != std::string::npos);
    auto audit = read_file(dir + "/audit.log");
    CAPTURE(audit);
    CHECK(audit.find("\"command\":\"interaction stop " + std::to_string(second) + " gateway gone\",\"result\":\"ok\"") != std::string::npos);
    CHECK(audit.find("\"command\":\"queue clear sales\",\"result\":\"ok\"") != std::string::npos);
    CHECK(audit.find("\"command\":\"queue clear nope\",\"result\":\"error: unknown_id") != std::string::npos);
    CHECK(audit.find("\"time\":\"20") != std::string::npos);  // RFC 3339, not epoch ms
  }
  SUBCASE("undrain takes new work again without a restart") {
    CHECK(c.ask("undrain") == "error: the engine is not draining\n");
    CHECK(c.ask("drain").find("draining") != std::string::npos);
    CHECK(eng->draining());
    auto connects = [port] {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket s{io};
      boost::system::error_code ec;
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
      return !ec;
    };
    CHECK(eventually([&] { return !connects(); }));  // the listener is closed
    CHECK(c.ask("undrain") == "taking new work again: listeners open\n");
    CHECK_FALSE(eng->draining());
    CHECK(eng->port(listener_kind::interaction) == port);
    connected_client again{port};  // registers on the reopened listener
    CHECK(again.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                     auto& fbb = e.start();
                     return e.finish(ref, wire::CreateSubmitDirect(fbb, "", "", "voice", "sales", 0));
                   }).get().ok());
    CHECK(c.ask("status").find("DRAINING") == std::string::npos);
    CHECK(read_file(dir + "/audit.log").find("\"command\":\"undrain\",\"result\":\"ok\"") != std::string::npos);
  }
}

TEST_CASE("console levels and tokens") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(contact_center, {"engine.data_dir=" + dir, "console.admin_token=Adm1nT0k",
                                                "console.operator_token=op", "console.supervisor_token=sup",
                                                "console.user_token=usr"});
  console_conn c{eng->console_port()};
  CHECK(c.ask("status").find("needs the viewer level; this connection has none") != std::string::npos);
  CHECK(c.ask("help").find("status") != std::string::npos);  // help needs no level
  CHECK(c.ask("auth wrong") == "error: no such token\n");
  CHECK(c.ask("auth usr") == "level viewer\n");
  CHECK(c.ask("status").find("parleyd") != std::string::npos);
  CHECK(c.ask("set log-level info").find("needs the operator level") != std::string::npos);
  CHECK(c.ask("list import l f.csv").find("needs the operator level") != std::string::npos);
  CHECK(c.ask("agent logout nobody").find("needs the supervisor level; this connection has viewer") != std::string::npos);
  CHECK(c.ask("auth sup") == "level supervisor\n");
  CHECK(c.ask("agent logout nobody").find("needs the") == std::string::npos);
  CHECK(c.ask("set log-level info").find("needs the operator level") != std::string::npos);
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
  auto code_out = run({parley, "-p", port, "-c", "status", "-c", "show queues"});
  auto code = code_out.first;
  const auto& out = code_out.second;
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
