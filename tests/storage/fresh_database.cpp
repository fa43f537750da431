#include "fresh_database.hpp"

#include <cstdlib>
#include <stdexcept>

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "support/child.hpp"
#include "support/storage_env.hpp"

namespace parley::test {

namespace {

class sqlite_database final : public fresh_database {
public:
  storage::config config() const override {
    storage::config c;
    c.backend = storage::backend_kind::sqlite;
    c.path = path_;
    return c;
  }

  void exec(const std::string& sql) override {
    sqlite3* db = nullptr;
    auto rc = sqlite3_open(path_.c_str(), &db);
    char* msg = nullptr;
    if (rc == SQLITE_OK)
      rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
    std::string why = msg ? msg : (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_free(msg);
    sqlite3_close(db);
    if (rc != SQLITE_OK)
      throw std::runtime_error("sqlite3 " + path_ + ": " + sql + ": " + why);
  }

private:
  std::string path_ = temp_dir() + "/parley.db";
};

class pg_database final : public fresh_database {
public:
  explicit pg_database(std::string admin_dsn) : admin_dsn_(std::move(admin_dsn)) {
    static int next = 0;
    name_ = "conf_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
    pg_exec(admin_dsn_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    pg_exec(admin_dsn_, "CREATE DATABASE " + name_);
  }

  ~pg_database() override {
    try {
      pg_exec(admin_dsn_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // A database left behind is harmless: the server is thrown away after the run.
    }
  }

  storage::config config() const override {
    storage::config c;
    c.backend = storage::backend_kind::postgresql;
    // A repeated libpq keyword overrides the earlier one.
    c.dsn = admin_dsn_ + " dbname=" + name_;
    c.connect_timeout_s = 5;
    return c;
  }

  void exec(const std::string& sql) override { pg_exec(config().dsn, sql); }

private:
  std::string admin_dsn_;
  std::string name_;
};

} // namespace

std::unique_ptr<fresh_database> fresh_sqlite() {
  return std::make_unique<sqlite_database>();
}

std::unique_ptr<fresh_database> fresh_postgresql() {
  auto dsn = test_pg_dsn();
  if (!dsn)
    return nullptr;
  return std::make_unique<pg_database>(*dsn);
}

} // namespace parley::test
