// pg_reporting: the PostgreSQL half of historical reporting — a sql_conn on the store's
// connection. Parameters go typed (int8 or text); a batch insert is one statement per
// table, its columns as arrays unnested on the server.
#include "storage/backends.hpp"
#include "storage/pg_ops.hpp"
#include "storage/reporting_sql.hpp"

namespace parley::storage {

namespace {

constexpr Oid int8_oid = 20;
constexpr Oid text_oid = 25;

/// ?1 ?2 ... as $1 $2 ...
std::string dollars(const std::string& sql) {
  std::string out = sql;
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '?' && out[i + 1] >= '0' && out[i + 1] <= '9')
      out[i] = '$';
  return out;
}

std::string text_of(const cell& c) {
  if (auto* n = std::get_if<std::int64_t>(&c))
    return std::to_string(*n);
  return std::get<std::string>(c);
}

/// One element of a PostgreSQL array literal.
void append_element(std::string& out, const cell& c) {
  if (auto* n = std::get_if<std::int64_t>(&c)) {
    out += std::to_string(*n);
    return;
  }
  out += '"';
  for (char ch : std::get<std::string>(c)) {
    if (ch == '"' || ch == '\\')
      out += '\\';
    out += ch;
  }
  out += '"';
}

class pg_conn_sql final : public sql_conn, private pg_ops {
public:
  explicit pg_conn_sql(PGconn* conn) : pg_ops(conn) {}

  void exec(const std::string& sql, const std::vector<cell>& params) override { run(sql, params); }

  std::vector<std::vector<std::string>> select(const std::string& sql,
                                               const std::vector<cell>& params) override {
    auto r = run(sql, params);
    std::vector<std::vector<std::string>> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::vector<std::string> row;
      for (int c = 0; c < PQnfields(r.get()); ++c)
        row.emplace_back(PQgetvalue(r.get(), i, c));
      out.push_back(std::move(row));
    }
    return out;
  }

  void insert(const std::string& table, const std::vector<std::string>& columns,
              const std::vector<std::vector<cell>>& rows, const std::string& conflict) override {
    if (rows.empty())
      return;
    std::vector<cell> arrays;
    std::string names, unnest;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      bool text = std::holds_alternative<std::string>(rows.front()[c]);
      std::string a = "{";
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i)
          a += ',';
        append_element(a, rows[i][c]);
      }
      arrays.push_back(a + "}");
      names += (c ? ", " : "") + columns[c];
      unnest += (c ? ", $" : "$") + std::to_string(c + 1) + (text ? "::text[]" : "::bigint[]");
    }
    run_dollars("INSERT INTO " + table + " (" + names + ") SELECT * FROM unnest(" + unnest + ") " + conflict,
                arrays, true);
  }

  void transaction(const std::function<void()>& body) override { pg_ops::transaction(body); }

  /// Emptied at every commit (in place: no dead rows pile up in a table VACUUM never sees),
  /// so within a transaction it is empty until written.
  void scratch(const std::string& table, const std::string& select) override {
    run("CREATE TEMP TABLE IF NOT EXISTS " + table + " ON COMMIT DELETE ROWS AS " + select + " WITH NO DATA", {});
  }

  /// `ctid = ANY(ARRAY(...))` is a TID scan: the rows found are deleted where they lie.
  std::size_t delete_some(const std::string& table, const std::string& where, const std::vector<cell>& params,
                          std::size_t limit) override {
    auto r = run("DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table + " WHERE " + where
                   + " LIMIT " + std::to_string(limit) + "))",
                 params);
    return static_cast<std::size_t>(std::stoull(PQcmdTuples(r.get())));
  }

private:
  result run(const std::string& sql, const std::vector<cell>& params) {
    return run_dollars(dollars(sql), params, false);
  }

  /// `as_text`: every parameter is text (array literals), else int8 or text by its kind.
  result run_dollars(const std::string& sql, const std::vector<cell>& args, bool as_text) {
    std::vector<std::string> texts;
    std::vector<Oid> types;
    for (auto& p : args) {
      texts.push_back(text_of(p));
      types.push_back(as_text ? Oid{0} : std::holds_alternative<std::int64_t>(p) ? int8_oid : text_oid);
    }
    auto v = pg_ops::params(texts);
    result r{PQexecParams(conn_, sql.c_str(), static_cast<int>(v.size()), types.data(), v.data(), nullptr,
                          nullptr, 0),
             PQclear};
    check(r.get(), sql);
    return r;
  }

};

} // namespace

std::unique_ptr<reporting_store> make_pg_reporting(pg_conn* conn) {
  return make_reporting(std::make_unique<pg_conn_sql>(conn));
}

} // namespace parley::storage
