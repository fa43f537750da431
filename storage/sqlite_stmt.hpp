// sqlite_stmt: internal to storage/ — a prepared SQLite statement and the IMMEDIATE
// transaction the SQLite halves (sqlite_outbound.cpp, sqlite_users.cpp) write in.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "storage/store.hpp"

namespace parley::storage {

/// A prepared statement, bound by position, finalized when it goes.
class stmt {
public:
  stmt(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
      throw fail("prepare " + sql.substr(0, 40));
  }
  ~stmt() { sqlite3_finalize(s_); }
  stmt(const stmt&) = delete;
  stmt& operator=(const stmt&) = delete;

  stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  stmt& bind_real(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  /// True while a row is there; throws on failure.
  bool step() {
    auto rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc != SQLITE_DONE)
      throw fail("step");
    return false;
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int columns() const { return sqlite3_column_count(s_); }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::string text(int c) const {
    auto* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
             : std::string{};
  }

  storage_error fail(const std::string& what) const {
    auto rc = sqlite3_errcode(db_) & 0xff;
    bool transient = rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_IOERR
                     || rc == SQLITE_FULL;
    return storage_error("SQLite " + path_ + ": " + what + ": " + sqlite3_errmsg(db_), transient);
  }

private:
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* s_ = nullptr;
};

/// Runs `body` in one IMMEDIATE transaction: committed when it returns, rolled back when
/// it throws.
template <class F>
void immediate_transaction(sqlite3* db, const std::string& path, F&& body) {
  stmt{db, "BEGIN IMMEDIATE", path}.step();
  try {
    body();
    stmt{db, "COMMIT", path}.step();
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

} // namespace parley::storage
