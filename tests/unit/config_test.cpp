#include <doctest/doctest.h>

#include <sstream>

#include "actors/runtime/clock.hpp"
#include "engine/config.hpp"
#include "support/test_env.hpp"

using namespace parley;
using engine::config_error;
using engine::parse_config;

namespace {

/// The message of the config_error that parsing `text` raises ("" when it parses).
std::string problem(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_config(text, "t.toml", overrides);
  } catch (const config_error& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_CASE("the shipped config files are valid") {
  auto cfg = engine::load_config(test::source_dir() + "/conf/parley.toml");
  CHECK(cfg.listen.bind == "127.0.0.1");
  CHECK(cfg.listen.interaction_port == 7120);
  CHECK(cfg.listen.vq_port == 7122);
  CHECK(cfg.listen.stat_port == 2060);
  CHECK(cfg.timeouts.registration == std::chrono::seconds{5});
  CHECK(cfg.tokens.empty());
}

TEST_CASE("an empty file gives the documented defaults") {
  auto cfg = parse_config("", "empty");
  CHECK(cfg.limits.max_frame_bytes == 1024 * 1024);
  CHECK(cfg.timeouts.heartbeat_timeout == std::chrono::seconds{30});
  CHECK(cfg.log.level == "info");
}

TEST_CASE("bad keys, types and values name file, line and key") {
  CHECK(problem("[listen]\n\nbogus = 1\n") == "t.toml:3: listen.bogus: unknown key");
  CHECK(problem("[nowhere]\nx = 1\n") == "t.toml:1: nowhere: unknown key");
  CHECK(problem("[listen]\ninteraction_port = 70000\n")
        == "t.toml:2: listen.interaction_port: 70000 is out of range (0..65535)");
  CHECK(problem("[listen]\nvq_port = \"7122\"\n")
        == "t.toml:2: listen.vq_port: must be an integer, not string");
  CHECK(problem("listen = 3\n") == "t.toml:1: listen: must be a table");
  CHECK(problem("[log]\nlevel = \"loud\"\n").find("t.toml:2: log.level: \"loud\" is not a log level")
        == 0);
  CHECK(problem("[timeouts]\nheartbeat_interval_ms = 5000\nheartbeat_timeout_ms = 5000\n")
          .find("heartbeat_timeout_ms must be larger")
        != std::string::npos);
}

TEST_CASE("every problem is reported at once") {
  auto p = problem("[listen]\ninteraction_port = -1\nstat_port = 1.5\n[engine]\nio_threads = 0\n");
  CHECK(p.find("t.toml:2: listen.interaction_port") != std::string::npos);
  CHECK(p.find("t.toml:3: listen.stat_port") != std::string::npos);
  CHECK(p.find("t.toml:5: engine.io_threads") != std::string::npos);
}

TEST_CASE("syntax errors carry line and column") {
  CHECK(problem("[listen\n").rfind("t.toml:1:", 0) == 0);
}

TEST_CASE("--set overrides are typed and validated like the file") {
  auto cfg = parse_config("[listen]\ninteraction_port = 7000\n", "t.toml",
                          {"listen.interaction_port=0", "log.level=debug", "engine.name=edge-7",
                           "engine.clock_scale=100"});
  CHECK(cfg.listen.interaction_port == 0);
  CHECK(cfg.log.level == "debug");
  CHECK(cfg.name == "edge-7");
  CHECK(cfg.clock_scale == 100.0);
  CHECK(problem("", {"listen.interaction_port=70000"})
        == "--set listen.interaction_port=70000: listen.interaction_port: 70000 is out of range "
           "(0..65535)");
  CHECK(problem("", {"listen.nope=1"}).find("listen.nope: unknown key") != std::string::npos);
  CHECK(problem("", {"novalue"}) == "--set novalue: expected key=value");
}

TEST_CASE("engine.clock_start sets the domain time at start-up") {
  auto cfg = parse_config("[engine]\nclock_start = \"2026-03-08T06:30:00Z\"\n", "t.toml");
  CHECK(cfg.clock_start_ms == 1'772'951'400'000);
  CHECK(parse_config("", "t.toml").clock_start_ms == 0);
  CHECK(parse_config("", "t.toml", {"engine.clock_start=2026-03-08T06:30:00Z"}).clock_start_ms
        == 1'772'951'400'000);
  CHECK(problem("[engine]\nclock_start = \"2026-03-08 06:30\"\n")
        == "t.toml:2: engine.clock_start: must be a UTC time like 2026-03-08T06:30:00Z");
  auto clk = make_clock(1.0, cfg.clock_start_ms);
  CHECK(clk->now_ms() - cfg.clock_start_ms < 1000);
}

TEST_CASE("[[schedule]] imports need a list and a file and a valid mapping") {
  std::string head = "[[queues]]\nname = \"q\"\n";
  auto cfg = parse_config(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"import\"\n"
                                 "list = \"l\"\nfile = \"l.csv\"\nmapping = \"phone=Tel\"\n",
                          "t.toml");
  REQUIRE(cfg.domain.outbound.schedule.size() == 1);
  CHECK(cfg.domain.outbound.schedule[0].file == "l.csv");
  CHECK(problem(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"import\"\nlist = \"l\"\n")
          .find("an import needs list and file") != std::string::npos);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"import\"\nlist = \"l\"\n"
                       "file = \"f\"\nmapping = \"nonsense\"\n")
          .find("schedule") != std::string::npos);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"dance\"\n")
          .find("is not start, stop, pause, resume or import") != std::string::npos);
}

TEST_CASE("[[campaigns]] order is one of the record orders") {
  std::string head = "[[queues]]\nname = \"q\"\n[[campaigns]]\nname = \"c\"\nlists = [\"l\"]\n"
                     "queue = \"q\"\n";
  CHECK(parse_config(head, "t.toml").domain.outbound.campaigns.at(0).order
        == storage::lease_order::schedule);
  CHECK(parse_config(head + "order = \"fewest_attempts\"\n", "t.toml").domain.outbound.campaigns.at(0).order
        == storage::lease_order::fewest_attempts);
  CHECK(problem(head + "order = \"random\"\n")
        == "t.toml:3: campaigns[0].order: \"random\" is not schedule, fewest_attempts or list");
}

TEST_CASE("registration tokens per client type") {
  auto cfg = parse_config("[auth]\nagent_desktop = \"s3cret\"\n", "t.toml");
  REQUIRE(cfg.tokens.count(wire::ClientType::agent_desktop) == 1);
  CHECK(cfg.tokens.at(wire::ClientType::agent_desktop) == "s3cret");
  CHECK(problem("[auth]\nplumber = \"x\"\n") == "t.toml:2: auth.plumber: unknown key");
  CHECK(problem("[auth]\nrouter = \"\"\n") == "t.toml:2: auth.router: must not be empty");
}

TEST_CASE("[tls] is checked") {
  auto cfg = parse_config("[tls]\nenabled = true\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n"
                          "min_version = \"1.3\"\n",
                          "t.toml");
  CHECK(cfg.tls.enabled);
  CHECK(cfg.tls.cert_file == "c.pem");
  CHECK(cfg.tls.min_version == "1.3");
  CHECK(problem("[tls]\nenabled = true\n")
        == "t.toml: tls.enabled = true needs tls.cert_file and tls.key_file");
  CHECK(problem("[tls]\nrequire_client_cert = true\n")
        == "t.toml: tls.require_client_cert = true needs tls.ca_file");
  CHECK(problem("[tls]\nmin_version = \"1.1\"\n").find("tls.min_version: \"1.1\" is not one of")
        != std::string::npos);
  CHECK(problem("[tls]\nenabled = 1\n") == "t.toml:2: tls.enabled: must be true or false, not integer");
}

TEST_CASE("reloadable keys") {
  for (auto* k : {"log.level", "limits.max_connections", "timeouts.idle_ms", "auth.router",
                  "console.admin_token"})
    CHECK(engine::reloadable_key(k));
  for (auto* k : {"log.file", "listen.interaction_port", "tls.cert_file", "storage.backend",
                  "engine.io_threads", "console.port", "queues", "routing.offer_timeout_ms"})
    CHECK_FALSE(engine::reloadable_key(k));
}

TEST_CASE("docs/configuration.md documents every key") {
  auto doc = test::read_text(test::source_dir() + "/docs/configuration.md");
  std::istringstream keys{engine::describe_config()};
  std::string line;
  while (std::getline(keys, line)) {
    auto key = line.substr(0, line.find(' '));
    if (key.rfind("auth.", 0) == 0)
      key = "auth.";  // documented once, for every client type
    CAPTURE(key);
    CHECK(doc.find("`" + key) != std::string::npos);
  }
}

TEST_CASE("describe_config lists every key") {
  auto text = engine::describe_config();
  CHECK(text.find("listen.interaction_port = 7120") != std::string::npos);
  CHECK(text.find("timeouts.registration_ms = 5000") != std::string::npos);
}

TEST_CASE("queues and agent groups are read and checked") {
  auto cfg = parse_config(R"([routing]
media = ["voice", "chat"]
second_login = "force"

[[queues]]
name = "sales"
skills = { sales = 5, french = 2 }
max_size = 10
overflow_after_ms = 60000
overflow_to = "support"

[[queues]]
name = "support"

[[agent_groups]]
name = "team"
members = ["a1", "bench-*"]
skills = { sales = 7 }
capacity = { voice = 1, chat = 3 }
wrap_up_ms = 5000
)",
                          "t.toml");
  auto& d = cfg.domain;
  REQUIRE(d.queues.size() == 2);
  CHECK(d.queues[0].skills.at("french") == 2);
  CHECK(d.queues[0].overflow_after == std::chrono::minutes{1});
  CHECK(d.routing.second_login == "force");
  REQUIRE(d.group_of("bench-17"));
  CHECK(d.group_of("bench-17")->capacity.at("chat") == 3);
  CHECK(d.group_of("a2") == nullptr);
  CHECK(d.knows_media("chat"));
  CHECK_FALSE(d.knows_media("email"));
}

TEST_CASE("bad queues and groups name the entry and key") {
  CHECK(problem("[[queues]]\nname = \"q\"\nspeed = 3\n") == "t.toml:3: queues[0].speed: unknown key");
  CHECK(problem("[[queues]]\nskills = { a = 1 }\n") == "t.toml:1: queues[0]: needs name");
  CHECK(problem("[[queues]]\nname = \"q\"\nskills = { a = 500 }\n")
        == "t.toml:3: queues[0].skills.a: must be an integer from 0 to 100");
  CHECK(problem("[[queues]]\nname = \"q\"\n[[queues]]\nname = \"q\"\n").find("exists already")
        != std::string::npos);
  CHECK(problem("[[queues]]\nname = \"q\"\noverflow_after_ms = 5\noverflow_to = \"nope\"\n")
          .find("not another queue of its tenant")
        != std::string::npos);
  CHECK(problem("[[agent_groups]]\nname = \"g\"\n").find("needs members") != std::string::npos);
  CHECK(problem("[[agent_groups]]\nname = \"g\"\nmembers = [\"*\"]\ncapacity = { fax = 1 }\n")
          .find("not in routing.media")
        != std::string::npos);
  CHECK(problem("queues = 3\n") == "t.toml:1: queues: must be an array of tables ([[queues]])");
  CHECK(problem("[routing]\nsecond_login = \"maybe\"\n").find("must be \"reject\" or \"force\"")
        != std::string::npos);
}

TEST_CASE("agent member patterns") {
  CHECK(member_matches("*", "anyone"));
  CHECK(member_matches("team-*", "team-7"));
  CHECK_FALSE(member_matches("team-*", "teams"));
  CHECK(member_matches("a1", "a1"));
  CHECK_FALSE(member_matches("a1", "a10"));
}
