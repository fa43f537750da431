// Contact lists an operator can trust, through the real engine's console over TCP, on
// SQLite and on PostgreSQL: the same file twice is refused (and says when it went in),
// --append and --dedupe, `show lists` in RFC 3339 UTC, `list delete` refused for a list a
// running or paused campaign dials and otherwise removing the list (its dial attempts
// stay), a timed import of a duplicate file renamed aside, the import directory created at
// start, and every change in the audit log.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "integration/outbound_support.hpp"
#include "storage/store.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

/// Config overrides that put an engine on each backend (data_dir included).
struct backend {
  std::string name;
  std::vector<std::string> sets;
};

// The backends a case runs on (TEST_CASE_TEMPLATE): instances "<sqlite>" and "<postgresql>";
// make() is nullopt when the case is skipped (no PostgreSQL; support/storage_env.hpp).
struct on_sqlite {
  static std::optional<backend> make(const std::string& dir) {
    return backend{"sqlite", {"engine.data_dir=" + dir}};
  }
};

struct on_postgresql {
  static std::optional<backend> make(const std::string& dir) {
    auto dsn = fresh_pg_dsn("lists");
    if (!dsn)
      return std::nullopt;
    return backend{"postgresql", {"engine.data_dir=" + dir + "/pg", "storage.backend=\"postgresql\"",
                                  "storage.dsn=\"" + *dsn + "\""}};
  }
};

/// The import directory of an engine started with `sets`.
std::string import_dir_of(engine::engine& eng) {
  return engine::import_dir(eng.cfg());
}

void write(const std::string& path, const std::string& text) {
  std::ofstream{path, std::ios::binary} << text;
}

std::string rows(int from, int to) {
  std::string out = "phone,tz,customer,plan\n";
  for (int i = from; i < to; ++i)
    out += "+1212555" + std::to_string(1000 + i) + ",UTC,c" + std::to_string(i) + ",gold\n";
  return out;
}

/// The line of `show lists` for list `name`.
std::string list_line(console_conn& con, const std::string& name) {
  auto all = con.ask("show lists");
  auto at = all.find("\n" + name + " ");
  return at == std::string::npos ? "" : all.substr(at + 1, all.find('\n', at + 1) - at - 1);
}

} // namespace

TYPE_TO_STRING_AS("sqlite", on_sqlite);
TYPE_TO_STRING_AS("postgresql", on_postgresql);

TEST_CASE_TEMPLATE("list import: the same file twice is refused; --append and --dedupe; show lists",
                   B, on_sqlite, on_postgresql) {
  auto made = B::make(temp_dir());
  if (!made)
    return;
  {
    auto& b = *made;
    INFO("backend " << b.name);
    auto eng = start_engine_toml(center("progressive"), b.sets);
    console_conn con{eng->console_port()};
    auto dir = import_dir_of(*eng);
    write(dir + "/spring.csv", rows(0, 10));
    REQUIRE(con.ask("list import spring spring.csv").find("list spring (new): 10 row(s) read, 10 "
                                                         "imported, 0 rejected\n") == 0);
    // Again, and under another name: refused, naming when and how many.
    std::filesystem::copy_file(dir + "/spring.csv", dir + "/copy.csv");
    auto again = con.ask("list import spring copy.csv");
    CAPTURE(again);
    CHECK(again.rfind("error: list spring has these contents already: spring.csv was imported "
                      "at 20", 0) == 0);
    CHECK(again.find("(10 record(s) added); nothing imported. To import it again say --append")
          != std::string::npos);
    CHECK(again.find("took") == std::string::npos);
    auto line = list_line(con, "spring");
    CAPTURE(line);
    std::smatch m;
    REQUIRE(std::regex_match(line, m, std::regex{R"(spring +10 +(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) +)"
                                                 R"((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) spring\.csv )"
                                                 R"(10 read, 10 imported, 0 rejected)"}));
    // Nothing that looks like epoch milliseconds.
    CHECK_FALSE(std::regex_search(line, std::regex{R"(\d{12,})"}));

    // --append: in again, recorded as such.
    CHECK(con.ask("list import spring copy.csv --append").find("10 imported, 0 rejected\n")
          != std::string::npos);
    CHECK(list_line(con, "spring").find("spring                  20 ") == 0);
    CHECK(list_line(con, "spring").find("copy.csv 10 read, 10 imported, 0 rejected (--append)")
          != std::string::npos);
    // --append --dedupe: every phone is in the list already, nothing doubles.
    CHECK(con.ask("list import spring spring.csv --append --dedupe")
            .find("list spring: 10 row(s) read, 0 imported, 0 rejected, 10 duplicate(s) skipped\n")
          == 0);
    // --dedupe with new contents: 5 of 8 are new; a mapping after the options, with a blank.
    std::string more_csv = "Phone Number,tz\n";
    for (int i = 7; i < 15; ++i)
      more_csv += "+1 212 555 " + std::to_string(1000 + i) + ",UTC\n";
    write(dir + "/more.csv", more_csv);
    auto more = con.ask("list import spring more.csv --dedupe phone=Phone Number");
    CAPTURE(more);
    CHECK(more.find("list spring: 8 row(s) read, 5 imported, 0 rejected, 3 duplicate(s) skipped\n")
          == 0);
    CHECK(list_line(con, "spring").find("spring                  25 ") == 0);
    CHECK(list_line(con, "spring").find("more.csv 8 read, 5 imported, 0 rejected, 3 duplicate(s)")
          != std::string::npos);
    // Options may come first too; an unknown one is refused before anything happens.
    CHECK(con.ask("list import --dedupe autumn spring.csv").find("list autumn (new): 10 row(s) "
                                                                "read, 10 imported") == 0);
    CHECK(con.ask("list import spring spring.csv --force")
          == "error: unknown option --force (list import knows --append, --dedupe and --mapping=SAVED)\n");
    CHECK(con.ask("list import spring").rfind("error: usage: list import NAME FILE [--append]", 0) == 0);

    auto audit = read_file(eng->cfg().data_dir + "/audit.log");
    CHECK(audit.find(R"("command":"list import spring spring.csv","result":"ok")") != std::string::npos);
    CHECK(audit.find(R"("command":"list import spring copy.csv","result":"error: list spring has these contents already)")
          != std::string::npos);
    CHECK(audit.find(R"("command":"list import spring copy.csv --append","result":"ok")") != std::string::npos);
  }
}

TEST_CASE_TEMPLATE("list delete: an idle list goes, a campaign's running list stays, attempts are "
                   "kept", B, on_sqlite, on_postgresql) {
  auto made = B::make(temp_dir());
  if (!made)
    return;
  {
    auto& b = *made;
    INFO("backend " << b.name);
    auto eng = start_engine_toml(center("progressive"), b.sets);
    console_conn con{eng->console_port()};
    auto dir = import_dir_of(*eng);
    write(dir + "/spring.csv", rows(0, 12));
    write(dir + "/idle.csv", rows(100, 105));
    REQUIRE(con.ask("list import spring spring.csv").find("12 imported") != std::string::npos);
    REQUIRE(con.ask("list import idle idle.csv").find("5 imported") != std::string::npos);

    CHECK(con.ask("list delete nowhere") == "error: no contact list named nowhere (see show lists)\n");
    auto gone = con.ask("list delete idle");
    CHECK(gone.rfind("list idle deleted: 5 record(s) and 1 import(s) removed; its dial attempts "
                     "and compliance denials are kept", 0) == 0);
    CHECK(list_line(con, "idle").empty());
    CHECK(con.ask("show lists").find("1 list(s)") != std::string::npos);

    // Campaign spring dials list spring: not while it runs or is paused.
    auto_agent ann{eng->port(listener_kind::interaction), "ann"};
    ann.ready();
    REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
    CHECK(con.ask("list delete spring")
          == "error: list spring is in use: campaign spring is running; stop the campaign first\n");
    REQUIRE(eventually([&] { return ann.calls() >= 2; }, 20s));
    REQUIRE(con.ask("campaign pause spring").find("paused") != std::string::npos);
    CHECK(con.ask("list delete spring").find("campaign spring is paused") != std::string::npos);
    con.ask("campaign stop spring");
    // Calls under way end (the customer hangs up on scaled time); then it may go.
    std::string deleted;
    CAPTURE(deleted);
    REQUIRE(eventually([&] {
      deleted = con.ask("list delete spring");
      return deleted.rfind("list spring deleted: 12 record(s)", 0) == 0;
    }, 20s));
    CHECK(con.ask("campaign start spring").rfind("error: unknown_id: no contact list named spring", 0) == 0);

    // The dial history stays behind, under the old list id.
    auto store = storage::open_store(engine::store_config(eng->cfg()));
    CHECK(eventually([&] {
      std::size_t attempts = 0;
      for (int i = 0; i < 12; ++i)
        attempts += store->outbound().customer_attempts("c" + std::to_string(i), 0).size();
      return attempts >= 2;
    }, 5s));

    // The name is free again, and so are the contents: a new list, dialed again.
    CHECK(con.ask("list import spring spring.csv").find("list spring (new): 12 row(s) read, 12 imported")
          == 0);
    CHECK(con.ask("campaign start spring").find("running") != std::string::npos);
    CHECK(eventually([&] { return field(con.ask("campaign status spring"), "dialed") >= 1; }, 20s));
    con.ask("campaign stop spring");

    auto audit = read_file(eng->cfg().data_dir + "/audit.log");
    CHECK(audit.find(R"("command":"list delete idle","result":"ok")") != std::string::npos);
    CHECK(audit.find(R"("command":"list delete spring","result":"error: list spring is in use: campaign spring is running)")
          != std::string::npos);
    CHECK(audit.find(R"("command":"list delete spring","result":"ok")") != std::string::npos);
  }
}

TEST_CASE("list delete and import need the operator level") {
  auto eng = start_engine_toml(center("progressive"), {"console.operator_token=op",
                                                       "console.user_token=usr"});
  console_conn con{eng->console_port()};
  CHECK(con.ask("auth usr") == "level viewer\n");
  CHECK(con.ask("list delete spring").find("needs the operator level") != std::string::npos);
  CHECK(con.ask("show lists").find("0 list(s)") != std::string::npos);
}

TEST_CASE("a timed import of contents the list has is refused and the file renamed aside") {
  auto dir = temp_dir();
  // Every minute of domain time: 3 s of real time at 20x.
  auto eng = start_engine_toml(center("progressive", R"(
[[schedule]]
cron = "* * * * *"
action = "import"
list = "spring"
file = "spring.csv"
dedupe = true
)"),
                               {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  auto in = dir + "/import";
  write(in + "/spring.csv.part", rows(0, 7));
  std::filesystem::rename(in + "/spring.csv.part", in + "/spring.csv");
  REQUIRE(eventually([&] { return !std::filesystem::exists(in + "/spring.csv"); }, 10s));
  CHECK(list_line(con, "spring").find("spring                  7 ") == 0);
  // The same contents dropped again by mistake: not imported, renamed FILE.duplicate-<UTC>.
  write(in + "/spring.csv.part", rows(0, 7));
  std::filesystem::rename(in + "/spring.csv.part", in + "/spring.csv");
  REQUIRE(eventually([&] { return !std::filesystem::exists(in + "/spring.csv"); }, 10s));
  int imported = 0, duplicate = 0;
  for (auto& e : std::filesystem::directory_iterator(in)) {
    auto name = e.path().filename().string();
    imported += name.rfind("spring.csv.imported-", 0) == 0;
    duplicate += std::regex_match(name, std::regex{R"(spring\.csv\.duplicate-\d{8}T\d{6}Z)"});
  }
  CHECK(imported == 1);
  CHECK(duplicate == 1);
  CHECK(list_line(con, "spring").find("spring                  7 ") == 0);
  // A file with new rows and old ones: dedupe = true takes only the new.
  write(in + "/spring.csv.part", rows(5, 9));
  std::filesystem::rename(in + "/spring.csv.part", in + "/spring.csv");
  // (The records are counted as they commit; rows read and duplicates when it ends.)
  CHECK(eventually([&] {
    auto l = list_line(con, "spring");
    return l.find("spring                  9 ") == 0
           && l.find("4 read, 2 imported, 0 rejected, 2 duplicate(s)") != std::string::npos;
  }, 10s));
}

TEST_CASE("the import directory is made at start; a failure stops outbound only when it is in use") {
  auto dir = temp_dir();
  {
    auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
    CHECK(std::filesystem::is_directory(dir + "/import"));
  }
  // A file where the directory should be.
  auto blocked = temp_dir();
  write(blocked + "/import", "not a directory");
  CHECK_THROWS_WITH(start_engine_toml(center("progressive"), {"engine.data_dir=" + blocked}),
                    doctest::Contains("cannot create the import directory"));
  CHECK_THROWS_WITH(start_engine({"engine.data_dir=" + blocked,
                                  "outbound.import_dir=\"" + blocked + "/import/x\""}),
                    doctest::Contains("(outbound.import_dir)"));
  // Nothing outbound configured: a warning, and the engine runs.
  auto eng = start_engine({"engine.data_dir=" + blocked});
  console_conn con{eng->console_port()};
  CHECK(con.ask("list import l f.csv").rfind("error: ", 0) == 0);
}
