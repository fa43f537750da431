// reporting_sql: internal to storage/ — the few things each backend does for historical
// reporting (run a statement, read rows as text, insert many rows, a transaction). All the
// SQL and the logic live once, in reporting_store.cpp, on top of this. Statements are
// written with ?1, ?2 ...; PostgreSQL's half turns them into $1, $2 ...
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "storage/reporting_store.hpp"

namespace parley::storage {

/// A parameter or an inserted value.
using cell = std::variant<std::int64_t, std::string>;

class sql_conn {
public:
  virtual ~sql_conn() = default;
  virtual void exec(const std::string& sql, const std::vector<cell>& params) = 0;
  /// Every row, every column as text.
  virtual std::vector<std::vector<std::string>> select(const std::string& sql,
                                                       const std::vector<cell>& params) = 0;
  /// Inserts `rows` (cells in `columns` order; a column is text when the first row's cell
  /// is) into `table`, then `conflict` ("" or an ON CONFLICT clause). A batch must not
  /// name one key twice.
  virtual void insert(const std::string& table, const std::vector<std::string>& columns,
                      const std::vector<std::vector<cell>>& rows, const std::string& conflict) = 0;
  /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
  virtual void transaction(const std::function<void()>& body) = 0;
  /// Within a transaction: makes `table` a table of this connection alone (created when
  /// missing, gone with the connection) with the columns of `select`, empty until written.
  /// Its rows last no longer than the next call (SQLite) or the transaction (PostgreSQL).
  virtual void scratch(const std::string& table, const std::string& select) = 0;
  /// Deletes at most `limit` rows of `table` that match `where` (by the backend's row
  /// address: a chunk never scans more than it deletes when `where` has an index); how many.
  virtual std::size_t delete_some(const std::string& table, const std::string& where,
                                  const std::vector<cell>& params, std::size_t limit) = 0;
};

/// The reporting store over a backend's connection.
std::unique_ptr<reporting_store> make_reporting(std::unique_ptr<sql_conn> conn);

} // namespace parley::storage
