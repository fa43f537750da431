// pg_outbound: the outbound half of the PostgreSQL store, on the store's connection.
// Records, attempts and denials go in with COPY (one transaction per call), record
// write-backs as one UPDATE over arrays, leases are one UPDATE over a
// `FOR UPDATE SKIP LOCKED` sub-select, so several engines on one database never lease the
// same record. A list's row lock orders what touches the whole list: an import's chunks
// hold it shared, begin_import and delete_list exclusively. A lost connection surfaces as a transient storage_error; the store's next
// write() or ping() resets it.
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>
#include <unordered_map>

#include "storage/backends.hpp"
#include "storage/pg_copy.hpp"
#include "storage/pg_ops.hpp"
#include "storage/store.hpp"

namespace parley::storage {

namespace {

const std::string record_columns =
  "id, list_id, phone, contact_info_type, record_type, record_status, call_result, attempts, "
  "dial_sched_ms, call_time_ms, daily_from_s, daily_till_s, tz, chain_id, chain_n, "
  "customer_id, custom::text, agent, disposition";

const std::string import_select =
  "SELECT id, list_id, sha256, file, appended, deduped, rows_read, imported, rejected, "
  "duplicates, started_ms, finished_ms, error FROM list_imports ";

const std::string attempt_select =
  "SELECT record_id, list_id, chain_id, customer_id, phone, campaign, started_ms, call_result, "
  "answered_ms, connected_ms, ended_ms, abandoned, agent FROM attempts ";

/// `v` as an element of a PostgreSQL array literal: quoted, `"` and `\` escaped.
std::string array_element(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + '"';
}

std::uint64_t u64(const PGresult* r, int i, int c) {
  return std::stoull(PQgetvalue(r, i, c));
}

record_row read_record(const PGresult* r, int i) {
  record_row x;
  x.id = u64(r, i, 0);
  x.list_id = u64(r, i, 1);
  x.phone = PQgetvalue(r, i, 2);
  x.contact_info_type = static_cast<std::uint8_t>(i64(r, i, 3));
  x.record_type = static_cast<std::uint8_t>(i64(r, i, 4));
  x.record_status = static_cast<std::uint8_t>(i64(r, i, 5));
  x.call_result = static_cast<std::uint8_t>(i64(r, i, 6));
  x.attempts = static_cast<std::uint32_t>(i64(r, i, 7));
  x.dial_sched_ms = i64(r, i, 8);
  x.call_time_ms = i64(r, i, 9);
  x.daily_from_s = static_cast<std::int32_t>(i64(r, i, 10));
  x.daily_till_s = static_cast<std::int32_t>(i64(r, i, 11));
  x.tz = PQgetvalue(r, i, 12);
  x.chain_id = u64(r, i, 13);
  x.chain_n = static_cast<std::uint32_t>(i64(r, i, 14));
  x.customer_id = PQgetvalue(r, i, 15);
  x.custom = PQgetvalue(r, i, 16);
  x.agent = PQgetvalue(r, i, 17);
  x.disposition = PQgetvalue(r, i, 18);
  return x;
}

import_row read_import(const PGresult* r, int i) {
  import_row x;
  x.id = u64(r, i, 0);
  x.list_id = u64(r, i, 1);
  x.sha256 = PQgetvalue(r, i, 2);
  x.file = PQgetvalue(r, i, 3);
  x.appended = PQgetvalue(r, i, 4)[0] == 't';
  x.deduped = PQgetvalue(r, i, 5)[0] == 't';
  x.rows = u64(r, i, 6);
  x.imported = u64(r, i, 7);
  x.rejected = u64(r, i, 8);
  x.duplicates = u64(r, i, 9);
  x.started_ms = i64(r, i, 10);
  x.finished_ms = i64(r, i, 11);
  x.error = PQgetvalue(r, i, 12);
  return x;
}

class pg_outbound final : public outbound_store, private pg_ops {
public:
  pg_outbound(PGconn* conn, std::string describe) : pg_ops(conn), describe_(std::move(describe)) {}

  list_row create_list(const std::string& name, std::int64_t now_ms) override {
    result r{PQexecParams(conn_,
                          "INSERT INTO call_lists (name, created_ms) VALUES ($1, $2) "
                          "ON CONFLICT (name) DO NOTHING RETURNING id",
                          2, nullptr, params({name, std::to_string(now_ms)}).data(), nullptr,
                          nullptr, 0),
             PQclear};
    check(r.get(), "INSERT INTO call_lists");
    if (PQntuples(r.get()) == 0)
      throw storage_error("a list named \"" + name + "\" exists already", false);
    return {u64(r.get(), 0, 0), name, now_ms, 0};
  }

  std::optional<list_row> list(const std::string& name) override {
    for (auto& l : read_lists("WHERE l.name = $1", {name}))
      return l;
    return std::nullopt;
  }

  std::vector<list_row> lists() override { return read_lists("", {}); }

  void insert_records(std::uint64_t list_id, const std::vector<record_row>& rows,
                      std::uint64_t import_id) override {
    if (rows.empty())
      return;
    buf_.clear();
    copy_records(buf_, list_id, rows);
    transaction([&] {
      // FOR SHARE: a list_delete waits for this chunk (and this chunk sees a deleted list).
      auto l = query("SELECT 1 FROM call_lists WHERE id = $1 FOR SHARE", {std::to_string(list_id)});
      if (PQntuples(l.get()) == 0)
        throw storage_error("contact list " + std::to_string(list_id) + " is gone (deleted)", false);
      copy("COPY records (" + std::string{record_copy_columns} + ") FROM STDIN");
      if (import_id != 0)
        query("UPDATE list_imports SET imported = imported + $2 WHERE id = $1",
              {std::to_string(import_id), std::to_string(rows.size())});
    });
  }

  void list_phones(std::uint64_t list_id,
                   const std::function<void(const std::string&)>& each) override {
    // Row by row (single-row mode): a million phones never sit in one PGresult.
    auto id = std::to_string(list_id);
    const char* args[] = {id.c_str()};
    if (!PQsendQueryParams(conn_, "SELECT phone FROM records WHERE list_id = $1", 1, nullptr,
                           args, nullptr, nullptr, 0)
        || !PQsetSingleRowMode(conn_))
      throw storage_error("PostgreSQL SELECT phone: " + error(), PQstatus(conn_) != CONNECTION_OK);
    // Every result is read before anything is thrown: the connection stays usable.
    std::exception_ptr failed;
    while (auto* raw = PQgetResult(conn_)) {
      result r{raw, PQclear};
      auto st = PQresultStatus(r.get());
      try {
        if (st == PGRES_SINGLE_TUPLE && !failed)
          each(PQgetvalue(r.get(), 0, 0));
        else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !failed)
          check(r.get(), "SELECT phone FROM records");
      } catch (...) {
        failed = std::current_exception();
      }
    }
    if (failed)
      std::rethrow_exception(failed);
  }

  std::optional<list_deletion> delete_list(const std::string& name) override {
    std::optional<list_deletion> out;
    transaction([&] {
      // FOR UPDATE: waits for an import's chunk under way, and serializes with begin_import.
      auto l = query("SELECT id FROM call_lists WHERE name = $1 FOR UPDATE", {name});
      if (PQntuples(l.get()) == 0)
        return;
      list_deletion d;
      d.list_id = u64(l.get(), 0, 0);
      auto id = std::to_string(d.list_id);
      auto remove = [&](const std::string& sql) {
        return std::stoull(PQcmdTuples(query(sql, {id}).get()));
      };
      d.records = remove("DELETE FROM records WHERE list_id = $1");
      d.imports = remove("DELETE FROM list_imports WHERE list_id = $1");
      remove("DELETE FROM call_lists WHERE id = $1");
      out = d;
    });
    return out;
  }

  std::optional<import_row> begin_import(import_row& row) override {
    std::optional<import_row> earlier;
    transaction([&] {
      // The list's row lock serializes imports into one list: the check holds until commit.
      auto l = query("SELECT 1 FROM call_lists WHERE id = $1 FOR UPDATE", {std::to_string(row.list_id)});
      if (PQntuples(l.get()) == 0)
        throw storage_error("contact list " + std::to_string(row.list_id) + " is gone (deleted)", false);
      if (!row.appended) {
        auto r = query(import_select
                         + "WHERE list_id = $1 AND sha256 = $2 AND (imported > 0 OR "
                           "finished_ms = 0) ORDER BY id DESC LIMIT 1",
                       {std::to_string(row.list_id), row.sha256});
        if (PQntuples(r.get()) > 0) {
          earlier = read_import(r.get(), 0);
          return;
        }
      }
      auto r = query("INSERT INTO list_imports (list_id, sha256, file, appended, deduped, "
                     "rows_read, imported, rejected, duplicates, started_ms, finished_ms, error) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                     {std::to_string(row.list_id), row.sha256, row.file,
                      row.appended ? "true" : "false", row.deduped ? "true" : "false",
                      std::to_string(row.rows), std::to_string(row.imported),
                      std::to_string(row.rejected), std::to_string(row.duplicates),
                      std::to_string(row.started_ms), std::to_string(row.finished_ms), row.error});
      row.id = u64(r.get(), 0, 0);
    });
    return earlier;
  }

  void finish_import(const import_row& row) override {
    query("UPDATE list_imports SET rows_read = $2, rejected = $3, duplicates = $4, "
          "finished_ms = $5, error = $6 WHERE id = $1",
          {std::to_string(row.id), std::to_string(row.rows), std::to_string(row.rejected),
           std::to_string(row.duplicates), std::to_string(row.finished_ms), row.error});
  }

  std::vector<import_row> imports(std::uint64_t list_id, std::size_t limit) override {
    auto r = query(import_select + "WHERE list_id = $1 ORDER BY id DESC LIMIT $2",
                   {std::to_string(list_id), std::to_string(limit)});
    std::vector<import_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(read_import(r.get(), i));
    return out;
  }

  std::uint64_t recover_imports(std::int64_t now_ms) override {
    auto r = query("UPDATE list_imports SET finished_ms = $1, error = $2 WHERE finished_ms = 0",
                   {std::to_string(now_ms), interrupted_import});
    return std::stoull(PQcmdTuples(r.get()));
  }

  std::vector<record_row> records(std::uint64_t list_id, std::uint64_t after_id,
                                  std::size_t limit) override {
    auto r = query("SELECT " + record_columns
                     + " FROM records WHERE list_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                   {std::to_string(list_id), std::to_string(after_id), std::to_string(limit)});
    std::vector<record_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(read_record(r.get(), i));
    return out;
  }

  std::uint64_t count_records(std::uint64_t list_id) override {
    auto r = query("SELECT count(*) FROM records WHERE list_id = $1", {std::to_string(list_id)});
    return u64(r.get(), 0, 0);
  }

  std::vector<record_row> lease(std::uint64_t list_id, std::size_t n, std::int64_t now_ms,
                                lease_order order) override {
    auto r = query("UPDATE records SET record_status = 2 WHERE id IN (SELECT id FROM records "
                   "WHERE list_id = $1 AND record_status = 1 AND dial_sched_ms <= $2 "
                   "AND record_type NOT IN (" + std::string{undialable_types} + ") "
                   "ORDER BY " + order_by(order)
                     + " LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING " + record_columns,
                   {std::to_string(list_id), std::to_string(now_ms), std::to_string(n)});
    std::vector<record_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(read_record(r.get(), i));
    sort_leased(out, order);
    return out;
  }

  void update_records(const std::vector<record_row>& rows) override {
    if (rows.empty())
      return;
    // One statement over arrays. A record written twice in one batch keeps its last row
    // (UPDATE ... FROM would apply an arbitrary one of several matches).
    std::unordered_map<std::uint64_t, std::size_t> last;
    for (std::size_t i = 0; i < rows.size(); ++i)
      last[rows[i].id] = i;
    std::array<std::string, 10> cols;
    for (auto& c : cols)
      c = "{";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (last[rows[i].id] != i)
        continue;
      auto& x = rows[i];
      auto sep = cols[0].size() > 1 ? "," : "";
      cols[0] += sep + std::to_string(x.id);
      cols[1] += sep + std::to_string(x.record_status);
      cols[2] += sep + std::to_string(x.call_result);
      cols[3] += sep + std::to_string(x.attempts);
      cols[4] += sep + std::to_string(x.dial_sched_ms);
      cols[5] += sep + std::to_string(x.call_time_ms);
      cols[6] += sep + std::to_string(x.record_type);
      cols[7] += sep + array_element(x.agent);
      cols[8] += sep + array_element(x.custom.empty() ? "{}" : x.custom);
      cols[9] += sep + array_element(x.disposition);
    }
    for (auto& c : cols)
      c += "}";
    query("UPDATE records r SET record_status = v.s, call_result = v.c, attempts = v.a, "
          "dial_sched_ms = v.d, call_time_ms = v.t, record_type = v.y, agent = v.g, "
          "custom = v.j::jsonb, disposition = v.p FROM "
          "unnest($1::bigint[], $2::int[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], "
          "$7::int[], $8::text[], $9::text[], $10::text[]) AS v(id, s, c, a, d, t, y, g, j, p) "
          "WHERE r.id = v.id",
          {cols.begin(), cols.end()});
  }

  bool release_chain_next(std::uint64_t list_id, std::uint64_t chain_id, std::uint32_t chain_n,
                          std::int64_t now_ms) override {
    auto r = query("UPDATE records SET dial_sched_ms = $4 WHERE id = (SELECT id FROM records WHERE "
                   "list_id = $1 AND chain_id = $2 AND chain_n > $3 AND record_status = 1 "
                   "ORDER BY chain_n, id LIMIT 1)",
                   {std::to_string(list_id), std::to_string(chain_id), std::to_string(chain_n),
                    std::to_string(now_ms)});
    return std::string{PQcmdTuples(r.get())} != "0";
  }

  std::uint64_t close_chain(std::uint64_t list_id, std::uint64_t chain_id) override {
    auto r = query("UPDATE records SET record_status = 5 WHERE list_id = $1 AND chain_id = $2 "
                   "AND record_status = 1",
                   {std::to_string(list_id), std::to_string(chain_id)});
    return std::stoull(PQcmdTuples(r.get()));
  }

  std::uint64_t recover_stale() override {
    auto r = query("UPDATE records SET record_status = 1 WHERE record_status = 2", {});
    return std::stoull(PQcmdTuples(r.get()));
  }

  void insert_attempts(const std::vector<attempt_row>& rows) override {
    if (rows.empty())
      return;
    buf_.clear();
    copy_attempts(buf_, rows);
    copy("COPY attempts (" + std::string{attempt_copy_columns} + ") FROM STDIN");
  }

  std::vector<attempt_row> record_attempts(std::uint64_t record_id, std::int64_t since_ms) override {
    return attempts(attempt_select
                      + "WHERE record_id = $1 AND started_ms >= $2 ORDER BY started_ms, id",
                    {std::to_string(record_id), std::to_string(since_ms)});
  }

  std::vector<attempt_row> customer_attempts(const std::string& customer_id,
                                             std::int64_t since_ms) override {
    return attempts(attempt_select
                      + "WHERE customer_id = $1 AND started_ms >= $2 ORDER BY started_ms, id",
                    {customer_id, std::to_string(since_ms)});
  }

  std::vector<answer_hour> answer_hours(const std::string& campaign, std::int64_t since_ms) override {
    auto r = query("SELECT ended_ms / 3600000, count(*), coalesce(sum(abandoned), 0) FROM attempts "
                   "WHERE campaign = $1 AND ended_ms >= $2 AND ended_ms > 0 AND answered_ms > 0 "
                   "GROUP BY 1 ORDER BY 1",
                   {campaign, std::to_string(since_ms)});
    std::vector<answer_hour> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back({i64(r.get(), i, 0), u64(r.get(), i, 1), u64(r.get(), i, 2)});
    return out;
  }

  attempt_audit audit(const std::string& campaign, std::int64_t since_ms,
                      std::int64_t until_ms) override {
    auto r = query(std::string{"SELECT "} + attempt_audit_columns
                     + " FROM attempts WHERE campaign = $1 AND ended_ms >= $2 AND ended_ms < $3 "
                       "AND ended_ms > 0",
                   {campaign, std::to_string(since_ms), std::to_string(until_ms)});
    auto n = [&](int c) { return u64(r.get(), 0, c); };
    return {n(0), n(1), n(2), n(3), n(4)};
  }

  list_remaining remaining(std::uint64_t list_id, std::int64_t now_ms) override {
    auto r = query(remaining_sql("$1", "$2"), {std::to_string(list_id), std::to_string(now_ms)});
    return {u64(r.get(), 0, 0) != 0, u64(r.get(), 0, 1) != 0};
  }

  bool save_mapping(const mapping_row& m) override {
    // xmax = 0 only on a row the statement inserted (an update leaves the old row's xid).
    auto r = query("INSERT INTO list_mappings VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET "
                   "mapping = excluded.mapping, changed_ms = excluded.changed_ms, "
                   "changed_by = excluded.changed_by RETURNING (xmax = 0)",
                   {m.name, m.mapping, std::to_string(m.changed_ms), m.changed_by});
    return std::string{PQgetvalue(r.get(), 0, 0)} == "t";
  }

  std::optional<mapping_row> mapping(const std::string& name) override {
    for (auto& m : read_mappings("WHERE name = $1", {name}))
      return m;
    return std::nullopt;
  }

  std::vector<mapping_row> mappings() override { return read_mappings("", {}); }

  bool delete_mapping(const std::string& name) override {
    auto r = query("DELETE FROM list_mappings WHERE name = $1", {name});
    return std::stoull(PQcmdTuples(r.get())) > 0;
  }

  void add_suppression(const std::vector<suppression_row>& rows) override {
    transaction([&] {
      for (auto& s : rows)
        query("INSERT INTO suppression VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
              {s.kind, s.value, std::to_string(s.added_ms)});
    });
  }

  bool remove_suppression(const std::string& kind, const std::string& value) override {
    auto r = query("DELETE FROM suppression WHERE kind = $1 AND value = $2", {kind, value});
    return std::stoull(PQcmdTuples(r.get())) > 0;
  }

  std::vector<suppression_row> suppression() override {
    auto r = query("SELECT kind, value, added_ms FROM suppression ORDER BY kind, value", {});
    std::vector<suppression_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1), i64(r.get(), i, 2)});
    return out;
  }

  void insert_denials(const std::vector<denial_row>& rows) override {
    if (rows.empty())
      return;
    buf_.clear();
    copy_denials(buf_, rows);
    copy("COPY denials (" + std::string{denial_copy_columns} + ") FROM STDIN");
  }

  std::vector<denial_row> denials(std::size_t limit) override {
    auto r = query("SELECT time_ms, campaign, list_id, record_id, phone, customer_id, reason, "
                   "detail FROM denials ORDER BY id DESC LIMIT $1",
                   {std::to_string(limit)});
    std::vector<denial_row> out;
    auto* p = r.get();
    for (int i = 0; i < PQntuples(p); ++i)
      out.push_back({i64(p, i, 0), PQgetvalue(p, i, 1), u64(p, i, 2), u64(p, i, 3),
                     PQgetvalue(p, i, 4), PQgetvalue(p, i, 5), PQgetvalue(p, i, 6),
                     PQgetvalue(p, i, 7)});
    return out;
  }

  void insert_record_actions(const std::vector<record_action_row>& rows) override {
    if (rows.empty())
      return;
    std::array<std::string, 7> cols;
    for (auto& c : cols)
      c = "{";
    for (auto& a : rows) {
      auto sep = cols[0].size() > 1 ? "," : "";
      cols[0] += sep + std::to_string(a.time_ms);
      cols[1] += sep + array_element(a.campaign);
      cols[2] += sep + std::to_string(a.list_id);
      cols[3] += sep + std::to_string(a.record_id);
      cols[4] += sep + array_element(a.agent);
      cols[5] += sep + array_element(a.action);
      cols[6] += sep + array_element(a.detail);
    }
    for (auto& c : cols)
      c += "}";
    query("INSERT INTO record_actions (time_ms, campaign, list_id, record_id, agent, action, "
          "detail) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], "
          "$5::text[], $6::text[], $7::text[])",
          {cols.begin(), cols.end()});
  }

  std::vector<record_action_row> record_actions(const std::string& campaign,
                                                std::size_t limit) override {
    auto r = query("SELECT time_ms, campaign, list_id, record_id, agent, action, detail FROM "
                   "record_actions WHERE campaign = $1 ORDER BY id DESC LIMIT $2",
                   {campaign, std::to_string(limit)});
    std::vector<record_action_row> out;
    auto* p = r.get();
    for (int i = 0; i < PQntuples(p); ++i)
      out.push_back({i64(p, i, 0), PQgetvalue(p, i, 1), u64(p, i, 2), u64(p, i, 3),
                     PQgetvalue(p, i, 4), PQgetvalue(p, i, 5), PQgetvalue(p, i, 6)});
    return out;
  }

private:
  std::vector<attempt_row> attempts(const std::string& sql, const std::vector<std::string>& args) {
    auto r = query(sql, args);
    std::vector<attempt_row> out;
    auto* p = r.get();
    for (int i = 0; i < PQntuples(p); ++i)
      out.push_back({u64(p, i, 0), u64(p, i, 1), u64(p, i, 2), PQgetvalue(p, i, 3),
                     PQgetvalue(p, i, 4), PQgetvalue(p, i, 5), i64(p, i, 6),
                     static_cast<std::uint8_t>(i64(p, i, 7)), i64(p, i, 8), i64(p, i, 9),
                     i64(p, i, 10), i64(p, i, 11) != 0, PQgetvalue(p, i, 12)});
    return out;
  }

  /// Sends buf_ through the COPY ... FROM STDIN that `sql` opens.
  void copy(const std::string& sql) {
    result start{PQexec(conn_, sql.c_str()), PQclear};
    if (PQresultStatus(start.get()) != PGRES_COPY_IN)
      check(start.get(), sql);
    if (PQputCopyData(conn_, buf_.data(), static_cast<int>(buf_.size())) != 1
        || PQputCopyEnd(conn_, nullptr) != 1)
      throw storage_error("PostgreSQL " + sql.substr(0, 20) + ": " + error(), true);
    result end{PQgetResult(conn_), PQclear};
    auto ok = PQresultStatus(end.get()) == PGRES_COMMAND_OK;
    std::string fail = ok ? "" : error();
    while (auto* more = PQgetResult(conn_))
      PQclear(more);
    if (!ok)
      throw storage_error("PostgreSQL " + sql.substr(0, 20) + ": " + fail,
                          PQstatus(conn_) != CONNECTION_OK);
  }

  std::vector<list_row> read_lists(const std::string& where, const std::vector<std::string>& args) {
    auto r = query("SELECT l.id, l.name, l.created_ms, (SELECT count(*) FROM records r WHERE "
                   "r.list_id = l.id) FROM call_lists l "
                     + where + " ORDER BY l.name",
                   args);
    std::vector<list_row> out;
    auto* p = r.get();
    for (int i = 0; i < PQntuples(p); ++i)
      out.push_back({u64(p, i, 0), PQgetvalue(p, i, 1), i64(p, i, 2), u64(p, i, 3)});
    return out;
  }

  std::vector<mapping_row> read_mappings(const std::string& where, const std::vector<std::string>& args) {
    auto r = query("SELECT name, mapping, changed_ms, changed_by FROM list_mappings " + where + " ORDER BY name", args);
    std::vector<mapping_row> out;
    auto* p = r.get();
    for (int i = 0; i < PQntuples(p); ++i)
      out.push_back({PQgetvalue(p, i, 0), PQgetvalue(p, i, 1), i64(p, i, 2), PQgetvalue(p, i, 3)});
    return out;
  }

  std::string describe_;
  std::string buf_;
};

} // namespace

std::unique_ptr<outbound_store> make_pg_outbound(pg_conn* conn, std::string describe) {
  return std::make_unique<pg_outbound>(conn, std::move(describe));
}

} // namespace parley::storage
