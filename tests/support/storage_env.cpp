#include "support/storage_env.hpp"

#include <atomic>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <unistd.h>

namespace parley::test {

namespace {

/// Which case is running, and how many ran: a doctest listener (it reports nothing).
struct case_tracker final : doctest::IReporter {
  static inline std::string current;
  static inline std::size_t started = 0;

  explicit case_tracker(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData& tc) override {
    current = tc.m_name;
    ++started;
  }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("parley_case_tracker", 1, case_tracker);

std::set<std::string>& skipped() {
  static std::set<std::string> s;
  return s;
}

} // namespace

void service_absent(const std::string& tag, const std::string& what, const char* name) {
  const std::string variable{name};  // doctest prints a const char* as a pointer
  auto label = what + " (" + variable + ")";
  if (services_required())
    FAIL("PARLEY_REQUIRE_SERVICES=1 but " << variable << " is not set");
  if (case_tracker::current.find("<" + tag + ">") == std::string::npos)
    FAIL("this case needs " << label << ": put <" << tag
                            << "> in its name, so that ctest runs it in an entry of its own");
  MESSAGE(variable << " is not set: skipped (scripts/test.sh starts " << what << ")");
  skipped().insert(label);
}

bool services_required() {
  auto* v = std::getenv("PARLEY_REQUIRE_SERVICES");
  return v && std::string{v} == "1";
}

std::size_t cases_run() {
  return case_tracker::started;
}

std::string skipped_services() {
  std::string out;
  for (auto& s : skipped())
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

void pg_exec(const std::string& dsn, const std::string& sql) {
  auto* conn = PQconnectdb(dsn.c_str());
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    auto* r = PQexec(conn, sql.c_str());
    auto s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
      error = PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty())
    throw std::runtime_error("PostgreSQL: " + sql.substr(0, 60) + ": " + error);
}

std::optional<std::string> test_pg_dsn() {
  auto* base = std::getenv("PARLEY_TEST_PG_DSN");
  if (base && *base)
    return std::string{base};
  service_absent("postgresql", "PostgreSQL", "PARLEY_TEST_PG_DSN");
  return std::nullopt;
}

std::optional<std::string> fresh_pg_dsn(const std::string& prefix) {
  auto base = test_pg_dsn();
  if (!base)
    return std::nullopt;
  static std::atomic<int> n{0};
  auto name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  pg_exec(*base, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  pg_exec(*base, "CREATE DATABASE " + name);
  // A later keyword wins in a libpq connection string.
  return *base + " dbname=" + name;
}

std::optional<std::uint16_t> test_redis_port() {
  auto* p = std::getenv("PARLEY_TEST_REDIS_PORT");
  if (p && *p) {
    auto port = std::strtoul(p, nullptr, 10);
    if (port == 0 || port > 65535)
      FAIL("PARLEY_TEST_REDIS_PORT is not a port: " << p);
    return static_cast<std::uint16_t>(port);
  }
  service_absent("redis", "Redis", "PARLEY_TEST_REDIS_PORT");
  return std::nullopt;
}

} // namespace parley::test
