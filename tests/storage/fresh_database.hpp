// fresh_database: an empty database for one test case, on a real backend (no fakes here: the
// conformance suite is about what SQLite and PostgreSQL really do). SQLite: a file in a new
// temporary directory. PostgreSQL: `CREATE DATABASE conf_<pid>_<n>` on the server that
// PARLEY_TEST_PG_DSN names, dropped again when the object goes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "storage/store.hpp"
#include "support/storage_env.hpp"

namespace parley::test {

class fresh_database {
public:
  virtual ~fresh_database() = default;

  /// What open_store needs to reach this database.
  virtual storage::config config() const = 0;

  /// Runs SQL on the database behind the store's back (e.g. to fake a newer schema).
  virtual void exec(const std::string& sql) = 0;

  std::unique_ptr<storage::store> open() const { return storage::open_store(config()); }

  /// Opened and migrated to the schema this binary knows.
  std::unique_ptr<storage::store> migrated() const {
    auto s = open();
    s->migrate();
    return s;
  }
};

std::unique_ptr<fresh_database> fresh_sqlite();

/// nullptr when PARLEY_TEST_PG_DSN is unset: the case is then skipped, or fails when
/// PARLEY_REQUIRE_SERVICES=1 (support/storage_env.hpp).
std::unique_ptr<fresh_database> fresh_postgresql();

// The backends every conformance case runs on: TEST_CASE_TEMPLATE(..., B, PARLEY_BACKENDS)
// and `auto db = B::make(); if (!db) return;`. The instances are named "<sqlite>" and
// "<postgresql>" (TYPE_TO_STRING_AS below), which is how ctest runs the PostgreSQL ones in
// an entry of their own that reports "Skipped" without a server.
struct sqlite_backend {
  static std::unique_ptr<fresh_database> make() { return fresh_sqlite(); }
};

struct postgresql_backend {
  static std::unique_ptr<fresh_database> make() { return fresh_postgresql(); }
};

#define PARLEY_BACKENDS ::parley::test::sqlite_backend, ::parley::test::postgresql_backend

} // namespace parley::test

TYPE_TO_STRING_AS("sqlite", ::parley::test::sqlite_backend);
TYPE_TO_STRING_AS("postgresql", ::parley::test::postgresql_backend);
