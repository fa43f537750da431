// parleyd refusing storage it cannot use: the real process, the shipped config, every port 0,
// and one bad database each — a corrupt SQLite file, a read-only one, a schema newer than the
// binary, a wrong PostgreSQL password, a PostgreSQL host that refuses connections. Each must
// end the process quickly with a non-zero code and one line that tells the operator what is
// wrong and where. Everything stays on loopback; every run is bounded.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.hpp"
#include "support/child.hpp"
#include "support/parleyd_process.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;

namespace {

/// A TOML string literal (the values here hold no quotes or backslashes).
std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

/// parleyd on the shipped config with every port 0, data in `data_dir`, and `sets`; run as
/// `user` when that is not empty (setpriv execs parleyd itself, so a timeout kills parleyd).
std::pair<int, std::string> start(const std::string& data_dir, std::vector<std::string> sets,
                                  const std::string& user = "") {
  std::vector<std::string> argv;
  if (!user.empty())
    argv = {"/usr/bin/setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups"};
  for (auto& a : {parleyd_path(), std::string{"--config"}, source_dir() + "/conf/parley.toml"})
    argv.push_back(a);
  std::vector<std::string> all{"listen.interaction_port=0", "listen.vq_port=0",
                               "listen.stat_port=0",        "console.port=0",
                               "metrics.port=0", "http.port=0",            "engine.data_dir=" + quoted(data_dir)};
  all.insert(all.end(), sets.begin(), sets.end());
  for (auto& s : all) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  return run(argv, std::chrono::seconds{30});
}

/// The output's line that says why parleyd did not start ("" when there is none).
std::string refusal(const std::string& output) {
  std::istringstream in{output};
  std::string line;
  while (std::getline(in, line))
    if (line.find("cannot start") != std::string::npos)
      return line;
  return "";
}

/// Checks parleyd ended by itself, non-zero, with one line holding every one of `parts`.
void check_refused(const std::pair<int, std::string>& result,
                   const std::vector<std::string>& parts) {
  const auto& code = result.first;
  const auto& output = result.second;
  CAPTURE(output);
  CHECK(code != 0);
  CHECK(code != -1);  // -1: still running at the limit, killed by the test
  auto line = refusal(output);
  REQUIRE_MESSAGE(!line.empty(), "no \"cannot start\" line");
  for (auto& p : parts)
    CHECK_MESSAGE(line.find(p) != std::string::npos, "\"" << p << "\" missing from: " << line);
}

/// A loopback port nothing listens on (bound then released).
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// A migrated SQLite database at `path`, as a previous parleyd run would leave it.
void make_database(const std::string& path) {
  storage::config c;
  c.path = path;
  storage::open_store(c)->migrate();
}

void sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK_MESSAGE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK,
                sqlite3_errmsg(db));
  sqlite3_close(db);
}

} // namespace

TEST_CASE("parleyd refuses a SQLite file that is not a database") {
  auto dir = temp_dir();
  auto path = dir + "/parley.db";
  std::ofstream{path, std::ios::binary} << std::string(4096, 'Z');
  check_refused(start(dir, {"storage.path=" + quoted(path)}), {path, "not a database"});
}

TEST_CASE("parleyd refuses a read-only SQLite database") {
  auto dir = temp_dir();
  auto path = dir + "/parley.db";
  make_database(path);
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  std::string user;
  if (::geteuid() == 0) {
    // Permissions do not bind root: run parleyd as nobody, in a directory it can read only.
    REQUIRE(::chmod(dir.c_str(), 0755) == 0);
    user = "nobody";
  }
  check_refused(start(dir, {"storage.path=" + quoted(path)}, user), {path, "read-only"});
}

TEST_CASE("parleyd refuses a database whose schema is newer than it knows") {
  auto dir = temp_dir();
  auto path = dir + "/parley.db";
  make_database(path);
  sqlite_exec(path, "UPDATE schema_version SET version = 999");
  check_refused(start(dir, {"storage.path=" + quoted(path)}), {path, "newer", "999"});
}

TEST_CASE("parleyd refuses a wrong PostgreSQL password <postgresql>") {
  auto dsn = test_pg_dsn();
  if (!dsn)
    return;
  auto dir = temp_dir();
  auto result = start(dir, {"storage.backend=\"postgresql\"",
                            "storage.dsn=" + quoted(*dsn + " password=wrong-pw-5e1c"),
                            "storage.connect_timeout_s=5"});
  check_refused(result, {"cannot connect", "password authentication failed"});
  CHECK(result.second.find("wrong-pw-5e1c") == std::string::npos);
}

TEST_CASE("parleyd refuses an unreachable PostgreSQL host") {
  auto dir = temp_dir();
  auto port = std::to_string(closed_port());
  auto result = start(dir, {"storage.backend=\"postgresql\"",
                            "storage.dsn=" + quoted("host=127.0.0.1 port=" + port
                                                    + " dbname=x user=x password=pw-77aa"),
                            "storage.connect_timeout_s=2"});
  check_refused(result, {"cannot connect", "127.0.0.1", port});
  CHECK(result.second.find("pw-77aa") == std::string::npos);
}
