// pg_ops: internal to storage/ — the query helpers the PostgreSQL halves (pg_outbound.cpp,
// pg_users.cpp) share on the connection the store owns: parameters as text, errors as
// storage_error (transient when the connection or the server is the cause), transactions.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace parley::storage {

using result = std::unique_ptr<PGresult, decltype(&PQclear)>;

/// Column `c` of row `i` as a number.
inline std::int64_t i64(const PGresult* r, int i, int c) {
  return std::stoll(PQgetvalue(r, i, c));
}

/// True when the command changed a row.
inline bool changed(const result& r) {
  const char* n = PQcmdTuples(r.get());
  return n && *n && std::stoll(n) > 0;
}

class pg_ops {
public:
  explicit pg_ops(PGconn* conn) : conn_(conn) {}

  static std::vector<const char*> params(const std::vector<std::string>& args) {
    std::vector<const char*> v;
    for (auto& a : args)
      v.push_back(a.c_str());
    return v;
  }

  std::string error() const {
    std::string e;
    for (const char* c = PQerrorMessage(conn_); *c; ++c)
      e += (*c == '\n' || *c == '\t') ? ' ' : *c;
    while (!e.empty() && e.back() == ' ')
      e.pop_back();
    return e;
  }

  void check(const PGresult* r, const std::string& what) const {
    auto s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
      return;
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string code = state ? state : "";
    bool transient = PQstatus(conn_) != CONNECTION_OK || code.rfind("08", 0) == 0
                     || code.rfind("53", 0) == 0 || code.rfind("57P", 0) == 0 || code == "40001"
                     || code == "40P01";
    throw storage_error("PostgreSQL " + what.substr(0, 40) + ": " + error()
                          + (code.empty() ? "" : " [" + code + "]"),
                        transient);
  }

  result query(const std::string& sql, const std::vector<std::string>& args) {
    auto v = params(args);
    result r{PQexecParams(conn_, sql.c_str(), static_cast<int>(v.size()), nullptr, v.data(),
                          nullptr, nullptr, 0),
             PQclear};
    check(r.get(), sql);
    return r;
  }

  template <class F>
  void transaction(F body) {
    query("BEGIN", {});
    try {
      body();
      query("COMMIT", {});
    } catch (...) {
      if (PQstatus(conn_) == CONNECTION_OK)
        PQclear(PQexec(conn_, "ROLLBACK"));
      throw;
    }
  }

protected:
  PGconn* conn_;
};

} // namespace parley::storage
