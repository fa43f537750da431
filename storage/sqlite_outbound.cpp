// sqlite_outbound: the outbound half of the SQLite store, on the store's connection.
// Bulk inserts are one IMMEDIATE transaction of one reused prepared statement; lease() is
// one UPDATE ... RETURNING inside an IMMEDIATE transaction, so two engines sharing the
// file cannot lease the same record. begin_import and delete_list are IMMEDIATE
// transactions too: SQLite's one writer at a time orders them with import chunks. Lists and
// records are numbered by next_id(), never reusing a deleted list's ids (their attempts and
// denials are kept).
#include <sqlite3.h>

#include <algorithm>
#include <functional>

#include "storage/backends.hpp"
#include "storage/sqlite_stmt.hpp"
#include "storage/store.hpp"

namespace parley::storage {

namespace {

const char* record_columns =
  "id, list_id, phone, contact_info_type, record_type, record_status, call_result, attempts, "
  "dial_sched_ms, call_time_ms, daily_from_s, daily_till_s, tz, chain_id, chain_n, "
  "customer_id, custom, agent, disposition";

record_row read_record(const stmt& s) {
  record_row r;
  r.id = static_cast<std::uint64_t>(s.i64(0));
  r.list_id = static_cast<std::uint64_t>(s.i64(1));
  r.phone = s.text(2);
  r.contact_info_type = static_cast<std::uint8_t>(s.i64(3));
  r.record_type = static_cast<std::uint8_t>(s.i64(4));
  r.record_status = static_cast<std::uint8_t>(s.i64(5));
  r.call_result = static_cast<std::uint8_t>(s.i64(6));
  r.attempts = static_cast<std::uint32_t>(s.i64(7));
  r.dial_sched_ms = s.i64(8);
  r.call_time_ms = s.i64(9);
  r.daily_from_s = static_cast<std::int32_t>(s.i64(10));
  r.daily_till_s = static_cast<std::int32_t>(s.i64(11));
  r.tz = s.text(12);
  r.chain_id = static_cast<std::uint64_t>(s.i64(13));
  r.chain_n = static_cast<std::uint32_t>(s.i64(14));
  r.customer_id = s.text(15);
  r.custom = s.text(16);
  r.agent = s.text(17);
  r.disposition = s.text(18);
  return r;
}

attempt_row read_attempt(const stmt& s) {
  return {static_cast<std::uint64_t>(s.i64(0)), static_cast<std::uint64_t>(s.i64(1)),
          static_cast<std::uint64_t>(s.i64(2)), s.text(3), s.text(4), s.text(5), s.i64(6),
          static_cast<std::uint8_t>(s.i64(7)), s.i64(8), s.i64(9), s.i64(10), s.i64(11) != 0,
          s.text(12)};
}

class sqlite_outbound final : public outbound_store {
public:
  sqlite_outbound(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  list_row create_list(const std::string& name, std::int64_t now_ms) override {
    std::int64_t id = 0;
    transaction([&] {
      id = next_id("call_lists");
      stmt s{db_, "INSERT INTO call_lists (id, name, created_ms) VALUES (?1, ?2, ?3)", path_};
      s.bind(1, id).bind(2, name).bind(3, now_ms);
      try {
        s.step();
      } catch (const storage_error&) {
        if ((sqlite3_errcode(db_) & 0xff) == SQLITE_CONSTRAINT)
          throw storage_error("a list named \"" + name + "\" exists already", false);
        throw;
      }
    });
    return {static_cast<std::uint64_t>(id), name, now_ms, 0};
  }

  std::optional<list_row> list(const std::string& name) override {
    for (auto& l : read_lists("WHERE l.name = ?1", name))
      return l;
    return std::nullopt;
  }

  std::vector<list_row> lists() override { return read_lists("", ""); }

  void insert_records(std::uint64_t list_id, const std::vector<record_row>& rows,
                      std::uint64_t import_id) override {
    transaction([&] {
      stmt exists{db_, "SELECT 1 FROM call_lists WHERE id = ?1", path_};
      exists.bind(1, static_cast<std::int64_t>(list_id));
      if (!exists.step())
        throw storage_error("contact list " + std::to_string(list_id) + " is gone (deleted)", false);
      auto id = next_id("records");
      stmt s{db_,
             "INSERT INTO records (list_id, phone, contact_info_type, record_type, record_status, "
             "call_result, attempts, dial_sched_ms, call_time_ms, daily_from_s, daily_till_s, tz, "
             "chain_id, chain_n, customer_id, custom, id, agent, disposition) VALUES (?1, ?2, ?3, ?4, "
             "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
             path_};
      for (auto& r : rows) {
        s.bind(17, id++);
        s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, r.phone).bind(3, r.contact_info_type);
        s.bind(4, r.record_type).bind(5, r.record_status).bind(6, r.call_result);
        s.bind(7, r.attempts).bind(8, r.dial_sched_ms).bind(9, r.call_time_ms);
        s.bind(10, r.daily_from_s).bind(11, r.daily_till_s).bind(12, r.tz);
        s.bind(13, static_cast<std::int64_t>(r.chain_id)).bind(14, r.chain_n);
        s.bind(15, r.customer_id).bind(16, r.custom.empty() ? std::string{"{}"} : r.custom);
        s.bind(18, r.agent).bind(19, r.disposition);
        s.step();
        s.reset();
      }
      if (import_id != 0) {
        stmt u{db_, "UPDATE list_imports SET imported = imported + ?2 WHERE id = ?1", path_};
        u.bind(1, static_cast<std::int64_t>(import_id)).bind(2, static_cast<std::int64_t>(rows.size()));
        u.step();
      }
    });
  }

  void list_phones(std::uint64_t list_id,
                   const std::function<void(const std::string&)>& each) override {
    stmt s{db_, "SELECT phone FROM records WHERE list_id = ?1", path_};
    s.bind(1, static_cast<std::int64_t>(list_id));
    while (s.step())
      each(s.text(0));
  }

  std::optional<list_deletion> delete_list(const std::string& name) override {
    std::optional<list_deletion> out;
    transaction([&] {
      stmt find{db_, "SELECT id FROM call_lists WHERE name = ?1", path_};
      find.bind(1, name);
      if (!find.step())
        return;
      list_deletion d;
      d.list_id = static_cast<std::uint64_t>(find.i64(0));
      auto id = static_cast<std::int64_t>(d.list_id);
      // The largest ids stay used: a new list or record must never get this one's.
      for (const char* table : {"call_lists", "records"}) {
        stmt f{db_,
               std::string{"INSERT INTO id_floor (tbl, max_id) VALUES (?1, (SELECT "
                           "coalesce(max(id), 0) FROM "} + table + ")) ON CONFLICT (tbl) DO "
                 "UPDATE SET max_id = max(max_id, excluded.max_id)",
               path_};
        f.bind(1, std::string{table});
        f.step();
      }
      auto remove = [&](const char* sql) {
        stmt s{db_, sql, path_};
        s.bind(1, id);
        s.step();
        return static_cast<std::uint64_t>(sqlite3_changes(db_));
      };
      d.records = remove("DELETE FROM records WHERE list_id = ?1");
      d.imports = remove("DELETE FROM list_imports WHERE list_id = ?1");
      remove("DELETE FROM call_lists WHERE id = ?1");
      out = d;
    });
    return out;
  }

  std::optional<import_row> begin_import(import_row& row) override {
    std::optional<import_row> earlier;
    transaction([&] {  // IMMEDIATE: one writer at a time, so the check holds until commit
      if (!row.appended) {
        stmt s{db_,
               import_select + "WHERE list_id = ?1 AND sha256 = ?2 AND (imported > 0 OR "
                               "finished_ms = 0) ORDER BY id DESC LIMIT 1",
               path_};
        s.bind(1, static_cast<std::int64_t>(row.list_id)).bind(2, row.sha256);
        if (s.step()) {
          earlier = read_import(s);
          return;
        }
      }
      stmt s{db_,
             "INSERT INTO list_imports (list_id, sha256, file, appended, deduped, rows_read, "
             "imported, rejected, duplicates, started_ms, finished_ms, error) VALUES (?1, ?2, "
             "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
             path_};
      s.bind(1, static_cast<std::int64_t>(row.list_id)).bind(2, row.sha256).bind(3, row.file);
      s.bind(4, std::int64_t{row.appended}).bind(5, std::int64_t{row.deduped});
      s.bind(6, static_cast<std::int64_t>(row.rows)).bind(7, static_cast<std::int64_t>(row.imported));
      s.bind(8, static_cast<std::int64_t>(row.rejected));
      s.bind(9, static_cast<std::int64_t>(row.duplicates)).bind(10, row.started_ms);
      s.bind(11, row.finished_ms).bind(12, row.error);
      s.step();
      row.id = static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db_));
    });
    return earlier;
  }

  void finish_import(const import_row& row) override {
    stmt s{db_,
           "UPDATE list_imports SET rows_read = ?2, rejected = ?3, duplicates = ?4, "
           "finished_ms = ?5, error = ?6 WHERE id = ?1",
           path_};
    s.bind(1, static_cast<std::int64_t>(row.id)).bind(2, static_cast<std::int64_t>(row.rows));
    s.bind(3, static_cast<std::int64_t>(row.rejected)).bind(4, static_cast<std::int64_t>(row.duplicates));
    s.bind(5, row.finished_ms).bind(6, row.error);
    s.step();
  }

  std::vector<import_row> imports(std::uint64_t list_id, std::size_t limit) override {
    stmt s{db_, import_select + "WHERE list_id = ?1 ORDER BY id DESC LIMIT ?2", path_};
    s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<import_row> out;
    while (s.step())
      out.push_back(read_import(s));
    return out;
  }

  std::uint64_t recover_imports(std::int64_t now_ms) override {
    stmt s{db_,
           "UPDATE list_imports SET finished_ms = ?1, error = ?2 WHERE finished_ms = 0", path_};
    s.bind(1, now_ms).bind(2, std::string{interrupted_import});
    s.step();
    return static_cast<std::uint64_t>(sqlite3_changes(db_));
  }

  std::vector<record_row> records(std::uint64_t list_id, std::uint64_t after_id,
                                  std::size_t limit) override {
    stmt s{db_,
           std::string{"SELECT "} + record_columns
             + " FROM records WHERE list_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
           path_};
    s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, static_cast<std::int64_t>(after_id));
    s.bind(3, static_cast<std::int64_t>(limit));
    std::vector<record_row> out;
    while (s.step())
      out.push_back(read_record(s));
    return out;
  }

  std::uint64_t count_records(std::uint64_t list_id) override {
    stmt s{db_, "SELECT count(*) FROM records WHERE list_id = ?1", path_};
    s.bind(1, static_cast<std::int64_t>(list_id));
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
  }

  std::vector<record_row> lease(std::uint64_t list_id, std::size_t n, std::int64_t now_ms,
                                lease_order order) override {
    std::vector<record_row> out;
    transaction([&] {
      stmt s{db_,
             std::string{"UPDATE records SET record_status = 2 WHERE id IN (SELECT id FROM records "
                         "WHERE list_id = ?1 AND record_status = 1 AND dial_sched_ms <= ?2 "
                         "AND record_type NOT IN ("} + undialable_types + ") ORDER BY "
               + order_by(order) + " LIMIT ?3) RETURNING " + record_columns,
             path_};
      s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, now_ms);
      s.bind(3, static_cast<std::int64_t>(n));
      while (s.step())
        out.push_back(read_record(s));
    });
    sort_leased(out, order);
    return out;
  }

  bool release_chain_next(std::uint64_t list_id, std::uint64_t chain_id, std::uint32_t chain_n,
                          std::int64_t now_ms) override {
    stmt s{db_,
           "UPDATE records SET dial_sched_ms = ?4 WHERE id = (SELECT id FROM records WHERE "
           "list_id = ?1 AND chain_id = ?2 AND chain_n > ?3 AND record_status = 1 "
           "ORDER BY chain_n, id LIMIT 1)",
           path_};
    s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, static_cast<std::int64_t>(chain_id));
    s.bind(3, static_cast<std::int64_t>(chain_n)).bind(4, now_ms);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::uint64_t close_chain(std::uint64_t list_id, std::uint64_t chain_id) override {
    stmt s{db_,
           "UPDATE records SET record_status = 5 WHERE list_id = ?1 AND chain_id = ?2 "
           "AND record_status = 1",
           path_};
    s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, static_cast<std::int64_t>(chain_id));
    s.step();
    return static_cast<std::uint64_t>(sqlite3_changes(db_));
  }

  void update_records(const std::vector<record_row>& rows) override {
    transaction([&] {
      stmt s{db_,
             "UPDATE records SET record_status = ?2, call_result = ?3, attempts = ?4, "
             "dial_sched_ms = ?5, call_time_ms = ?6, record_type = ?7, agent = ?8, custom = ?9, "
             "disposition = ?10 WHERE id = ?1",
             path_};
      for (auto& r : rows) {
        s.bind(1, static_cast<std::int64_t>(r.id)).bind(2, r.record_status).bind(3, r.call_result);
        s.bind(4, r.attempts).bind(5, r.dial_sched_ms).bind(6, r.call_time_ms);
        s.bind(7, r.record_type).bind(8, r.agent).bind(9, r.custom.empty() ? "{}" : r.custom);
        s.bind(10, r.disposition);
        s.step();
        s.reset();
      }
    });
  }

  std::uint64_t recover_stale() override {
    stmt s{db_, "UPDATE records SET record_status = 1 WHERE record_status = 2", path_};
    s.step();
    return static_cast<std::uint64_t>(sqlite3_changes(db_));
  }

  void insert_attempts(const std::vector<attempt_row>& rows) override {
    transaction([&] {
      stmt s{db_,
             "INSERT INTO attempts (record_id, list_id, chain_id, customer_id, phone, campaign, "
             "started_ms, call_result, answered_ms, connected_ms, ended_ms, abandoned, agent) VALUES "
             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
             path_};
      for (auto& a : rows) {
        s.bind(1, static_cast<std::int64_t>(a.record_id)).bind(2, static_cast<std::int64_t>(a.list_id));
        s.bind(3, static_cast<std::int64_t>(a.chain_id)).bind(4, a.customer_id).bind(5, a.phone);
        s.bind(6, a.campaign).bind(7, a.started_ms).bind(8, a.call_result);
        s.bind(9, a.answered_ms).bind(10, a.connected_ms).bind(11, a.ended_ms);
        s.bind(12, std::int64_t{a.abandoned}).bind(13, a.agent);
        s.step();
        s.reset();
      }
    });
  }

  std::vector<attempt_row> record_attempts(std::uint64_t record_id, std::int64_t since_ms) override {
    stmt s{db_, attempt_select + "WHERE record_id = ?1 AND started_ms >= ?2 ORDER BY started_ms, id",
           path_};
    s.bind(1, static_cast<std::int64_t>(record_id)).bind(2, since_ms);
    std::vector<attempt_row> out;
    while (s.step())
      out.push_back(read_attempt(s));
    return out;
  }

  std::vector<attempt_row> customer_attempts(const std::string& customer_id,
                                             std::int64_t since_ms) override {
    stmt s{db_,
           attempt_select + "WHERE customer_id = ?1 AND started_ms >= ?2 ORDER BY started_ms, id",
           path_};
    s.bind(1, customer_id).bind(2, since_ms);
    std::vector<attempt_row> out;
    while (s.step())
      out.push_back(read_attempt(s));
    return out;
  }

  std::vector<answer_hour> answer_hours(const std::string& campaign, std::int64_t since_ms) override {
    stmt s{db_, answer_hours_sql, path_};
    s.bind(1, campaign).bind(2, since_ms);
    std::vector<answer_hour> out;
    while (s.step())
      out.push_back({s.i64(0), static_cast<std::uint64_t>(s.i64(1)),
                     static_cast<std::uint64_t>(s.i64(2))});
    return out;
  }

  attempt_audit audit(const std::string& campaign, std::int64_t since_ms,
                      std::int64_t until_ms) override {
    stmt s{db_, audit_sql, path_};
    s.bind(1, campaign).bind(2, since_ms).bind(3, until_ms);
    s.step();
    auto n = [&](int c) { return static_cast<std::uint64_t>(s.i64(c)); };
    return {n(0), n(1), n(2), n(3), n(4)};
  }

  list_remaining remaining(std::uint64_t list_id, std::int64_t now_ms) override {
    stmt s{db_, remaining_sql("?1", "?2"), path_};
    s.bind(1, static_cast<std::int64_t>(list_id)).bind(2, now_ms);
    s.step();
    return {s.i64(0) != 0, s.i64(1) != 0};
  }

  bool save_mapping(const mapping_row& m) override {
    bool created = false;
    transaction([&] {
      created = !mapping(m.name);
      stmt s{db_,
             "INSERT INTO list_mappings VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
             "mapping = excluded.mapping, changed_ms = excluded.changed_ms, changed_by = excluded.changed_by",
             path_};
      s.bind(1, m.name).bind(2, m.mapping).bind(3, m.changed_ms).bind(4, m.changed_by);
      s.step();
    });
    return created;
  }

  std::optional<mapping_row> mapping(const std::string& name) override {
    for (auto& m : read_mappings("WHERE name = ?1", name))
      return m;
    return std::nullopt;
  }

  std::vector<mapping_row> mappings() override { return read_mappings("", ""); }

  bool delete_mapping(const std::string& name) override {
    stmt s{db_, "DELETE FROM list_mappings WHERE name = ?1", path_};
    s.bind(1, name);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  void add_suppression(const std::vector<suppression_row>& rows) override {
    transaction([&] {
      stmt s{db_, "INSERT INTO suppression VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", path_};
      for (auto& r : rows) {
        s.bind(1, r.kind).bind(2, r.value).bind(3, r.added_ms);
        s.step();
        s.reset();
      }
    });
  }

  bool remove_suppression(const std::string& kind, const std::string& value) override {
    stmt s{db_, "DELETE FROM suppression WHERE kind = ?1 AND value = ?2", path_};
    s.bind(1, kind).bind(2, value);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<suppression_row> suppression() override {
    stmt s{db_, "SELECT kind, value, added_ms FROM suppression ORDER BY kind, value", path_};
    std::vector<suppression_row> out;
    while (s.step())
      out.push_back({s.text(0), s.text(1), s.i64(2)});
    return out;
  }

  void insert_denials(const std::vector<denial_row>& rows) override {
    transaction([&] {
      stmt s{db_,
             "INSERT INTO denials (time_ms, campaign, list_id, record_id, phone, customer_id, "
             "reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
             path_};
      for (auto& d : rows) {
        s.bind(1, d.time_ms).bind(2, d.campaign).bind(3, static_cast<std::int64_t>(d.list_id));
        s.bind(4, static_cast<std::int64_t>(d.record_id)).bind(5, d.phone).bind(6, d.customer_id);
        s.bind(7, d.reason).bind(8, d.detail);
        s.step();
        s.reset();
      }
    });
  }

  std::vector<denial_row> denials(std::size_t limit) override {
    stmt s{db_,
           "SELECT time_ms, campaign, list_id, record_id, phone, customer_id, reason, detail FROM "
           "denials ORDER BY id DESC LIMIT ?1",
           path_};
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<denial_row> out;
    while (s.step())
      out.push_back({s.i64(0), s.text(1), static_cast<std::uint64_t>(s.i64(2)),
                     static_cast<std::uint64_t>(s.i64(3)), s.text(4), s.text(5), s.text(6),
                     s.text(7)});
    return out;
  }

  void insert_record_actions(const std::vector<record_action_row>& rows) override {
    transaction([&] {
      stmt s{db_,
             "INSERT INTO record_actions (time_ms, campaign, list_id, record_id, agent, action, "
             "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
             path_};
      for (auto& a : rows) {
        s.bind(1, a.time_ms).bind(2, a.campaign).bind(3, static_cast<std::int64_t>(a.list_id));
        s.bind(4, static_cast<std::int64_t>(a.record_id)).bind(5, a.agent).bind(6, a.action);
        s.bind(7, a.detail);
        s.step();
        s.reset();
      }
    });
  }

  std::vector<record_action_row> record_actions(const std::string& campaign,
                                                std::size_t limit) override {
    stmt s{db_,
           "SELECT time_ms, campaign, list_id, record_id, agent, action, detail FROM "
           "record_actions WHERE campaign = ?1 ORDER BY id DESC LIMIT ?2",
           path_};
    s.bind(1, campaign).bind(2, static_cast<std::int64_t>(limit));
    std::vector<record_action_row> out;
    while (s.step())
      out.push_back({s.i64(0), s.text(1), static_cast<std::uint64_t>(s.i64(2)),
                     static_cast<std::uint64_t>(s.i64(3)), s.text(4), s.text(5), s.text(6)});
    return out;
  }

private:
  inline static const std::string import_select =
    "SELECT id, list_id, sha256, file, appended, deduped, rows_read, imported, rejected, "
    "duplicates, started_ms, finished_ms, error FROM list_imports ";

  static import_row read_import(const stmt& s) {
    import_row r;
    r.id = static_cast<std::uint64_t>(s.i64(0));
    r.list_id = static_cast<std::uint64_t>(s.i64(1));
    r.sha256 = s.text(2);
    r.file = s.text(3);
    r.appended = s.i64(4) != 0;
    r.deduped = s.i64(5) != 0;
    r.rows = static_cast<std::uint64_t>(s.i64(6));
    r.imported = static_cast<std::uint64_t>(s.i64(7));
    r.rejected = static_cast<std::uint64_t>(s.i64(8));
    r.duplicates = static_cast<std::uint64_t>(s.i64(9));
    r.started_ms = s.i64(10);
    r.finished_ms = s.i64(11);
    r.error = s.text(12);
    return r;
  }

  inline static const std::string attempt_select =
    "SELECT record_id, list_id, chain_id, customer_id, phone, campaign, started_ms, call_result, "
    "answered_ms, connected_ms, ended_ms, abandoned, agent FROM attempts ";

  inline static const std::string answer_hours_sql =
    "SELECT ended_ms / 3600000, count(*), coalesce(sum(abandoned), 0) FROM attempts "
    "WHERE campaign = ?1 AND ended_ms >= ?2 AND ended_ms > 0 AND answered_ms > 0 "
    "GROUP BY 1 ORDER BY 1";
  inline static const std::string audit_sql = std::string{"SELECT "} + attempt_audit_columns
    + " FROM attempts WHERE campaign = ?1 AND ended_ms >= ?2 AND ended_ms < ?3 AND ended_ms > 0";

  /// The id for the next row of `table` (call_lists or records), inside a transaction:
  /// above every row there and every id a deleted list had (id_floor) — SQLite alone would
  /// hand a deleted largest id out again.
  std::int64_t next_id(const char* table) {
    stmt s{db_,
           std::string{"SELECT max(coalesce((SELECT max(id) FROM "} + table
             + "), 0), coalesce((SELECT max_id FROM id_floor WHERE tbl = ?1), 0)) + 1",
           path_};
    s.bind(1, std::string{table});
    s.step();
    return s.i64(0);
  }

  template <class F>
  void transaction(F body) {
    immediate_transaction(db_, path_, body);
  }

  std::vector<list_row> read_lists(const std::string& where, const std::string& arg) {
    stmt s{db_,
           "SELECT l.id, l.name, l.created_ms, (SELECT count(*) FROM records r WHERE r.list_id = "
           "l.id) FROM call_lists l "
             + where + " ORDER BY l.name",
           path_};
    if (!where.empty())
      s.bind(1, arg);
    std::vector<list_row> out;
    while (s.step())
      out.push_back({static_cast<std::uint64_t>(s.i64(0)), s.text(1), s.i64(2),
                     static_cast<std::uint64_t>(s.i64(3))});
    return out;
  }

  std::vector<mapping_row> read_mappings(const std::string& where, const std::string& arg) {
    stmt s{db_, "SELECT name, mapping, changed_ms, changed_by FROM list_mappings " + where + " ORDER BY name", path_};
    if (!where.empty())
      s.bind(1, arg);
    std::vector<mapping_row> out;
    while (s.step())
      out.push_back({s.text(0), s.text(1), s.i64(2), s.text(3)});
    return out;
  }

  sqlite3* db_;
  std::string path_;
};

} // namespace

std::unique_ptr<outbound_store> make_sqlite_outbound(sqlite3* db, std::string path) {
  return std::make_unique<sqlite_outbound>(db, std::move(path));
}

} // namespace parley::storage
