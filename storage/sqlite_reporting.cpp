// sqlite_reporting: the SQLite half of historical reporting — a sql_conn on the store's
// connection (statements prepared per call; a batch insert reuses one per table).
#include <sqlite3.h>

#include "storage/backends.hpp"
#include "storage/reporting_sql.hpp"
#include "storage/sqlite_stmt.hpp"

namespace parley::storage {

namespace {

void bind_all(stmt& s, const std::vector<cell>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto at = static_cast<int>(i + 1);
    if (auto* n = std::get_if<std::int64_t>(&params[i]))
      s.bind(at, *n);
    else
      s.bind(at, std::get<std::string>(params[i]));
  }
}

class sqlite_conn final : public sql_conn {
public:
  sqlite_conn(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  void exec(const std::string& sql, const std::vector<cell>& params) override {
    stmt s{db_, sql, path_};
    bind_all(s, params);
    while (s.step()) {
    }
  }

  std::vector<std::vector<std::string>> select(const std::string& sql,
                                               const std::vector<cell>& params) override {
    stmt s{db_, sql, path_};
    bind_all(s, params);
    std::vector<std::vector<std::string>> out;
    while (s.step()) {
      std::vector<std::string> row;
      for (int c = 0; c < s.columns(); ++c)
        row.push_back(s.text(c));
      out.push_back(std::move(row));
    }
    return out;
  }

  void insert(const std::string& table, const std::vector<std::string>& columns,
              const std::vector<std::vector<cell>>& rows, const std::string& conflict) override {
    std::string names, values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      names += (i ? ", " : "") + columns[i];
      values += (i ? ", ?" : "?") + std::to_string(i + 1);
    }
    stmt s{db_, "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ") " + conflict, path_};
    for (auto& r : rows) {
      bind_all(s, r);
      s.step();
      s.reset();
    }
  }

  void transaction(const std::function<void()>& body) override {
    immediate_transaction(db_, path_, body);
  }

  void scratch(const std::string& table, const std::string& select) override {
    exec("CREATE TEMP TABLE IF NOT EXISTS " + table + " AS " + select + " LIMIT 0", {});
    exec("DELETE FROM temp." + table, {});
  }

  std::size_t delete_some(const std::string& table, const std::string& where, const std::vector<cell>& params,
                          std::size_t limit) override {
    exec("DELETE FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table + " WHERE " + where + " LIMIT "
           + std::to_string(limit) + ")",
         params);
    return static_cast<std::size_t>(sqlite3_changes(db_));
  }

private:
  sqlite3* db_;
  std::string path_;
};

} // namespace

std::unique_ptr<reporting_store> make_sqlite_reporting(sqlite3* db, std::string path) {
  return make_reporting(std::make_unique<sqlite_conn>(db, std::move(path)));
}

} // namespace parley::storage
