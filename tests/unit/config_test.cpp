#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "actors/runtime/clock.hpp"
#include "engine/config.hpp"
#include "support/test_env.hpp"

using namespace parley;
using engine::config_error;
using engine::parse_config;

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

/// The text before a `#` that is not inside a string.
std::string before_comment(const std::string& s) {
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
      quoted = !quoted;
    else if (s[i] == '#' && !quoted)
      return trim(s.substr(0, i));
  }
  return trim(s);
}

/// What `parleyd --config-keys` lists: top-level key -> default, and the keys of each
/// array of tables.
struct described_keys {
  std::map<std::string, std::string> keys;
  std::map<std::string, std::vector<std::string>> entries;
};

described_keys described() {
  described_keys out;
  std::istringstream in{engine::describe_config()};
  std::string table;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    if (line.rfind("[[", 0) == 0) {
      table = line.substr(2, line.find("]]") - 2);
      out.entries[table];
      continue;
    }
    auto eq = line.find(" = ");
    REQUIRE(eq != std::string::npos);
    auto key = line.substr(0, eq);
    if (table.empty())
      out.keys[key] = before_comment(line.substr(eq + 3));
    else
      out.entries[table].push_back(key);
  }
  return out;
}

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
  CHECK(cfg.log.level == engine::log_level::info);
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
  CHECK(cfg.log.level == engine::log_level::debug);
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
  REQUIRE(cfg.domain.outbound.schedule.size() == 2);  // and retention's, last
  CHECK(cfg.domain.outbound.schedule[0].file == "l.csv");
  CHECK(cfg.domain.outbound.schedule[1].action == schedule_action::retention);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"import\"\nlist = \"l\"\n")
          .find("an import needs list and file") != std::string::npos);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"import\"\nlist = \"l\"\n"
                       "file = \"f\"\nmapping = \"nonsense\"\n")
          .find("schedule") != std::string::npos);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 6 * * *\"\naction = \"dance\"\n")
          .find("is not start, stop, pause, resume, import or retention") != std::string::npos);
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

TEST_CASE("[[campaigns]] dispositions are distinct names; record_processed_timeout_ms is a duration") {
  std::string head = "[[queues]]\nname = \"q\"\n[[campaigns]]\nname = \"c\"\nlists = [\"l\"]\n"
                     "queue = \"q\"\n";
  auto plain = parse_config(head, "t.toml").domain.outbound.campaigns.at(0);
  CHECK(plain.dispositions.empty());
  CHECK(plain.record_processed_timeout.count() == 0);
  auto c = parse_config(head + "dispositions = [\"sale\", \"no_sale\"]\nrecord_processed_timeout_ms = 90000\n",
                        "t.toml").domain.outbound.campaigns.at(0);
  CHECK(c.dispositions == std::vector<std::string>{"sale", "no_sale"});
  CHECK(c.record_processed_timeout == std::chrono::milliseconds{90'000});
  CHECK(problem(head + "dispositions = [\"sale\", \"sale\"]\n")
          .find("campaigns[0].dispositions: \"sale\" is listed twice") != std::string::npos);
  CHECK(problem(head + "dispositions = [\"\"]\n").find("1 to 64 characters") != std::string::npos);
  CHECK(problem(head + "dispositions = \"sale\"\n").find("campaigns[0].dispositions") != std::string::npos);
  CHECK(problem(head + "record_processed_timeout_ms = -1\n")
          .find("campaigns[0].record_processed_timeout_ms") != std::string::npos);
}

TEST_CASE("[[sequences]]: steps of known campaigns, each in one step at most; until_time is a cron") {
  std::string head = "[[queues]]\nname = \"q\"\n"
                     "[[campaigns]]\nname = \"a\"\nlists = [\"a\"]\nqueue = \"q\"\n"
                     "[[campaigns]]\nname = \"b\"\nlists = [\"b\"]\nqueue = \"q\"\n";
  auto cfg = parse_config(head + "[[sequences]]\nname = \"s\"\nzone = \"Europe/Paris\"\n"
                                 "steps = [{ campaign = \"a\", until = \"idle\", until_time = \"0 17 * * *\" },\n"
                                 "         { campaign = \"b\" }]\n"
                                 "[[schedule]]\ncron = \"0 8 * * *\"\naction = \"start\"\nsequence = \"s\"\n",
                          "t.toml");
  auto* s = cfg.domain.outbound.find_sequence("s");
  REQUIRE(s != nullptr);
  REQUIRE(s->steps.size() == 2);
  CHECK(s->zone == "Europe/Paris");
  CHECK(s->steps[0].until == step_until::idle);
  CHECK(s->steps[0].until_time == "0 17 * * *");
  CHECK(s->steps[1].until == step_until::exhausted);
  CHECK(cfg.domain.outbound.schedule.at(0).sequence == "s");
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"c\" }]\n")
          .find("sequence \"s\" step 1: no campaign named \"c\"") != std::string::npos);
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"a\" }, { campaign = \"a\" }]\n")
          .find("step 2: campaign \"a\" is sequence \"s\" step 1 already") != std::string::npos);
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"a\", until = \"time\" }]\n")
          .find("until = \"time\" needs until_time") != std::string::npos);
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"a\", until_time = \"0 25 * * *\" }]\n")
          .find("steps[0].until_time: hour") != std::string::npos);
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nzone = \"Mars/Olympus\"\nsteps = [{ campaign = \"a\" }]\n")
          .find("sequences[0].zone: \"Mars/Olympus\" is not a time zone") != std::string::npos);
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nsteps = []\n")
          .find("must be a non-empty array of tables") != std::string::npos);
  CHECK(problem(head + "[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"a\", until = \"soon\" }]\n")
          .find("\"soon\" is not exhausted, idle or time") != std::string::npos);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 8 * * *\"\naction = \"pause\"\nsequence = \"s\"\n"
                       "[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"a\" }]\n")
          .find("a sequence only starts and stops") != std::string::npos);
  CHECK(problem(head + "[[schedule]]\ncron = \"0 8 * * *\"\naction = \"start\"\nsequence = \"nope\"\n")
          .find("no sequence named \"nope\"") != std::string::npos);
  // Its sequence starts a step's campaign: the campaign's own autostart would race it.
  CHECK(problem(head + "autostart = true\n[[sequences]]\nname = \"s\"\nsteps = [{ campaign = \"b\" }]\n")
          .find("campaign \"b\" has autostart; its sequence starts it") != std::string::npos);
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
  CHECK(cfg.tls.min_version == engine::tls_version::v1_3);
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

TEST_CASE("a reload takes exactly the reloadable keys from the new config") {
  auto running = parse_config("", "running");
  auto next = parse_config("[engine]\nname = \"renamed\"\n[log]\nlevel = \"debug\"\n"
                           "[limits]\nmax_connections = 5\n[timeouts]\nidle_ms = 60000\n"
                           "[auth]\nrouter = \"r0uter\"\n[console]\nadmin_token = \"adm1n\"\n"
                           "[routing]\noffer_timeout_ms = 1000\n",
                           "next");
  auto fresh = engine::with_reloaded(running, next);
  CHECK(fresh.log.level == engine::log_level::debug);
  CHECK(fresh.limits.max_connections == 5);
  CHECK(fresh.timeouts.idle == std::chrono::minutes{1});
  CHECK(fresh.tokens.at(wire::ClientType::router) == "r0uter");
  CHECK(fresh.tokens.size() == 1);  // copying tokens adds no empty ones
  CHECK(fresh.console.admin_token == "adm1n");
  CHECK(fresh.name == "parley");  // needs a restart: not taken
  CHECK(fresh.domain.routing.offer_timeout == std::chrono::seconds{30});
  std::vector<std::string> left;
  for (auto& c : engine::config_diff(fresh, next))
    left.push_back(c.key);
  CHECK(left == std::vector<std::string>{"engine.name", "routing.offer_timeout_ms"});
  // A token removed by the new file goes.
  CHECK(engine::with_reloaded(fresh, running).tokens.empty());
}

TEST_CASE("docs/configuration.md documents every key") {
  auto doc = test::read_text(test::source_dir() + "/docs/configuration.md");
  auto d = described();
  REQUIRE(d.keys.size() > 80);
  for (auto& [key, def] : d.keys) {
    auto k = key.rfind("auth.", 0) == 0 ? std::string{"auth."} : key;  // documented once
    CAPTURE(k);
    CHECK(doc.find("`" + k) != std::string::npos);
  }
  for (auto& entry : d.entries) {
    auto& [table, keys] = entry;
    auto at = doc.find("[[" + table + "]]\n");  // its heading
    CAPTURE(entry.first);
    REQUIRE(at != std::string::npos);
    for (auto& k : keys) {
      CAPTURE(k);
      CHECK(doc.find("`" + k + "`", at) != std::string::npos);
    }
  }
}

TEST_CASE("describe_config lists every key, marks the reloadable ones, and the arrays") {
  auto text = engine::describe_config();
  CHECK(text.find("listen.interaction_port = 7120    # [restart]") != std::string::npos);
  CHECK(text.find("timeouts.registration_ms = 5000    # [reload]") != std::string::npos);
  CHECK(text.find("log.level = \"info\"    # [reload]") != std::string::npos);
  CHECK(text.find("storage.durability = \"commit\"    # [restart]") != std::string::npos);
  auto d = described();
  for (auto& [key, def] : d.keys) {
    const auto& name = key;  // a variable, not a binding: doctest's message is a lambda
    CHECK_MESSAGE((text.find(key + " = " + def + "    # [reload]") != std::string::npos)
                    == engine::reloadable_key(key),
                  name);
  }
  for (auto* table : {"queues", "agent_groups", "campaigns", "campaigns.treatments", "schedule",
                      "sequences", "sequences.steps"})
    CHECK_MESSAGE(d.entries.count(table) == 1, table);
  CHECK(d.entries["queues"] == std::vector<std::string>{"name", "tenant", "skills", "max_size",
                                                        "overflow_after_ms", "overflow_to",
                                                        "service_level_s", "router"});
}

TEST_CASE("the readers of [[...]] read exactly the keys --config-keys describes") {
  // Every reader is checked against its description as it reads; a config with one entry
  // of each kind (a treatment too) parses without the check complaining.
  auto cfg = parse_config(R"([[queues]]
name = "q"
[[agent_groups]]
name = "g"
members = ["*"]
[[campaigns]]
name = "c"
lists = ["l"]
queue = "q"
treatments = [{ result = "busy", action = "retry", after_min = 1, max_attempts = 2 }]
[[schedule]]
cron = "0 8 * * *"
action = "start"
campaign = "c"
[[sequences]]
name = "s"
steps = [{ campaign = "c", until = "time", until_time = "0 9 * * *" }]
)",
                          "t.toml");
  CHECK(cfg.domain.outbound.schedule.at(0).action == schedule_action::start);
  CHECK(cfg.domain.outbound.campaigns.at(0).treatment_for(2).action == treatment_action::retry);
}

TEST_CASE("conf/parley.toml shows every key: set, or commented out with its default") {
  auto d = described();
  // key -> (commented, value) for the sections; the keys found under each [[table]].
  std::map<std::string, std::pair<bool, std::string>> found;
  std::map<std::string, std::set<std::string>> entries;
  std::istringstream in{test::read_text(test::source_dir() + "/conf/parley.toml")};
  std::string section, table;
  for (std::string raw; std::getline(in, raw);) {
    auto line = trim(raw);
    bool commented = !line.empty() && line[0] == '#';
    if (commented)
      line = trim(line.substr(1));
    line = before_comment(line);
    if (line.rfind("[[", 0) == 0) {
      table = line.substr(2, line.find("]]") - 2);
      section.clear();
    } else if (line.rfind("[", 0) == 0) {
      section = line.substr(1, line.find(']') - 1);
      table.clear();
    } else if (auto eq = line.find('='); eq != std::string::npos && eq > 0) {
      auto key = trim(line.substr(0, eq));
      if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos)
        continue;  // prose in a comment
      if (!table.empty())
        entries[table].insert(key);
      else if (!section.empty())
        found[section + "." + key] = {commented, trim(line.substr(eq + 1))};
    }
  }
  for (auto& kd : d.keys) {
    auto& [key, def] = kd;
    CAPTURE(kd.first);
    auto it = found.find(key);
    REQUIRE_MESSAGE(it != found.end(), "conf/parley.toml lacks " << kd.first);
    auto [commented, value] = it->second;
    if (!commented || value == def)
      continue;
    // A commented value must be the default, as this build reads it.
    auto dot = key.rfind('.');
    auto text = "[" + key.substr(0, dot) + "]\n" + key.substr(dot + 1) + " = " + value + "\n";
    INFO(it->second.second);
    CHECK(engine::config_diff(parse_config("", "defaults"), parse_config(text, "line")).empty());
  }
  for (auto& kv : found)
    CHECK_MESSAGE(d.keys.count(kv.first) == 1,
                  "conf/parley.toml has a key parleyd does not know: " << kv.first);
  for (auto& tk : d.entries)
    for (auto& k : tk.second)
      CHECK_MESSAGE(entries[tk.first].count(k) == 1, "conf/parley.toml lacks [[" << tk.first << "]] " << k);
}

TEST_CASE("--set problems name the --set argument, not the file") {
  CHECK(problem("[storage]\nbatch_size = 5\n", {"storage.batch_size=abc"})
        == "--set storage.batch_size=abc: storage.batch_size: must be an integer, not string");
  CHECK(problem("", {"nowhere.x=1"}) == "--set nowhere.x=1: nowhere: unknown key");
  CHECK(problem("", {"tls.min_version=1.1"})
          .rfind("--set tls.min_version=1.1: tls.min_version: \"1.1\" is not one of", 0)
        == 0);
  // A text key takes a bare value as text, even one that reads as a number.
  CHECK(parse_config("", "t", {"tls.min_version=1.3"}).tls.min_version == engine::tls_version::v1_3);
  CHECK(problem("", {"limits.max_connections=many"})
        == "--set limits.max_connections=many: limits.max_connections: must be an integer, not "
           "string");
  CHECK(problem("", {"log.level=\"lo\\\"ud\""}).find("--set log.level=") == 0);
  CHECK(parse_config("", "t", {"engine.name=edge \"7\""}).name == "edge \"7\"");
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
  CHECK(d.routing.second_login == second_login_policy::force);
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
