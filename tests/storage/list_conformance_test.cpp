// The storage conformance suite, contact-list lifecycles: the import history and its
// duplicate-contents check, start-up recovery of interrupted imports, streaming a list's
// phones (--dedupe), list delete (attempts and denials kept), ids never reused, saved column
// mappings, and a schema 3 database migrated — every case on every backend (PARLEY_BACKENDS).
#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "fresh_database.hpp"

using namespace parley;
using namespace parley::test;
using storage::record_row;

namespace {

record_row rec(std::uint64_t n) {
  record_row r;
  r.phone = "+1555" + std::to_string(1000000 + n);
  r.tz = "America/New_York";
  r.customer_id = "c" + std::to_string(n / 2);
  return r;
}

storage::import_row import_of(std::uint64_t list_id, const std::string& sha, std::int64_t at,
                              bool appended = false) {
  storage::import_row r;
  r.list_id = list_id;
  r.sha256 = sha;
  r.file = "f-" + sha + ".csv";
  r.appended = appended;
  r.started_ms = at;
  return r;
}

} // namespace

TEST_CASE_TEMPLATE("storage/lists: imports are recorded; the same contents twice into one "
                   "list are refused unless appended", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  auto other = o.create_list("other", 1);
  auto first = import_of(l.id, "aa", 1000);
  first.deduped = true;
  REQUIRE_FALSE(o.begin_import(first).has_value());
  CHECK(first.id != 0);
  // Running: a second import of the same contents is refused even before it added anything.
  auto second = import_of(l.id, "aa", 2000);
  auto earlier = o.begin_import(second);
  REQUIRE(earlier.has_value());
  CHECK(earlier->id == first.id);
  CHECK_FALSE(earlier->finished());
  CHECK(second.id == 0);
  // Records counted with each chunk, in the chunk's transaction.
  o.insert_records(l.id, {rec(1), rec(2)}, first.id);
  o.insert_records(l.id, {rec(3)}, first.id);
  first.rows = 5;
  first.rejected = 1;
  first.duplicates = 1;
  first.finished_ms = 1500;
  o.finish_import(first);
  auto got = o.imports(l.id, 10);
  REQUIRE(got.size() == 1);
  CHECK(got[0].id == first.id);
  CHECK(got[0].list_id == l.id);
  CHECK(got[0].sha256 == "aa");
  CHECK(got[0].file == "f-aa.csv");
  CHECK_FALSE(got[0].appended);
  CHECK(got[0].deduped);
  CHECK(got[0].rows == 5);
  CHECK(got[0].imported == 3);
  CHECK(got[0].rejected == 1);
  CHECK(got[0].duplicates == 1);
  CHECK(got[0].started_ms == 1000);
  CHECK(got[0].finished_ms == 1500);
  CHECK(got[0].error.empty());
  earlier = o.begin_import(second);
  REQUIRE(earlier.has_value());
  CHECK(earlier->imported == 3);
  CHECK(earlier->finished());
  // Appended: recorded again. Other contents, and the same contents into another list: fine.
  auto again = import_of(l.id, "aa", 3000, true);
  CHECK_FALSE(o.begin_import(again).has_value());
  auto different = import_of(l.id, "bb", 4000);
  CHECK_FALSE(o.begin_import(different).has_value());
  auto elsewhere = import_of(other.id, "aa", 5000);
  CHECK_FALSE(o.begin_import(elsewhere).has_value());
  got = o.imports(l.id, 10);
  REQUIRE(got.size() == 3);  // newest first
  CHECK(got[0].id == different.id);
  CHECK(got[1].id == again.id);
  CHECK(got[1].appended);
  CHECK(o.imports(l.id, 1).size() == 1);
  // An import that ended having added nothing does not block the same contents.
  auto empty = import_of(other.id, "cc", 6000);
  REQUIRE_FALSE(o.begin_import(empty).has_value());
  empty.finished_ms = 6001;
  empty.error = "storage: gone";
  o.finish_import(empty);
  auto retry = import_of(other.id, "cc", 7000);
  CHECK_FALSE(o.begin_import(retry).has_value());
}

TEST_CASE_TEMPLATE("storage/lists: start-up marks unfinished imports interrupted", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  auto done = import_of(l.id, "aa", 1000);
  REQUIRE_FALSE(o.begin_import(done).has_value());
  done.finished_ms = 1100;
  o.finish_import(done);
  auto cut = import_of(l.id, "bb", 2000);
  REQUIRE_FALSE(o.begin_import(cut).has_value());
  o.insert_records(l.id, {rec(1), rec(2)}, cut.id);
  // The engine died here. A new store on the database (a restart) recovers it.
  s.reset();
  auto again = db->open();
  CHECK(again->outbound().recover_imports(9000) == 1);
  CHECK(again->outbound().recover_imports(9500) == 0);
  auto got = again->outbound().imports(l.id, 10);
  REQUIRE(got.size() == 2);
  CHECK(got[0].finished_ms == 9000);
  CHECK(got[0].error == storage::interrupted_import);
  CHECK(got[0].imported == 2);  // exact: counted with each chunk
  CHECK(got[1].finished_ms == 1100);
  CHECK(got[1].error.empty());
  // Its records are in the list, so the same contents stay refused.
  auto same = import_of(l.id, "bb", 10'000);
  CHECK(again->outbound().begin_import(same).has_value());
}

TEST_CASE_TEMPLATE("storage/lists: a list's phones are streamed, whatever their status", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  auto other = o.create_list("other", 1);
  std::vector<record_row> rows;
  for (std::uint64_t n = 0; n < 30'000; ++n)
    rows.push_back(rec(n));
  rows[7].record_status = static_cast<std::uint8_t>(storage::record_status::cancelled);
  o.insert_records(l.id, rows);
  o.insert_records(other.id, {rec(99'999'999)});
  std::set<std::string> seen;
  std::size_t calls = 0;
  o.list_phones(l.id, [&](const std::string& p) {
    seen.insert(p);
    ++calls;
  });
  CHECK(calls == 30'000);
  CHECK(seen.size() == 30'000);
  CHECK(seen.count(rows[7].phone) == 1);
  CHECK(seen.count(rec(99'999'999).phone) == 0);
  calls = 0;
  o.list_phones(o.create_list("empty", 1).id, [&](const std::string&) { ++calls; });
  CHECK(calls == 0);
  // A failing caller stops the stream; the connection is usable afterwards.
  CHECK_THROWS_AS(o.list_phones(l.id, [](const std::string&) { throw std::runtime_error("no"); }),
                  std::runtime_error);
  CHECK(o.count_records(l.id) == 30'000);
}

TEST_CASE_TEMPLATE("storage/lists: deleting a list removes it, its records and imports; "
                   "attempts and denials stay", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("spring", 1);
  auto keep = o.create_list("autumn", 1);
  auto imp = import_of(l.id, "aa", 1000);
  REQUIRE_FALSE(o.begin_import(imp).has_value());
  std::vector<record_row> rows;
  for (std::uint64_t n = 0; n < 12'000; ++n)
    rows.push_back(rec(n));
  o.insert_records(l.id, rows, imp.id);
  auto two = import_of(l.id, "bb", 2000);
  REQUIRE_FALSE(o.begin_import(two).has_value());
  o.insert_records(keep.id, {rec(1), rec(2)});
  auto leased = o.lease(l.id, 1, 1000);
  REQUIRE(leased.size() == 1);
  o.insert_attempts({{leased[0].id, l.id, 0, "c0", leased[0].phone, "spring", 1500, 0}});
  o.insert_denials({{1600, "spring", l.id, leased[0].id, leased[0].phone, "c0", "outside_window", ""}});

  CHECK_FALSE(o.delete_list("nowhere").has_value());
  auto gone = o.delete_list("spring");
  REQUIRE(gone.has_value());
  CHECK(gone->list_id == l.id);
  CHECK(gone->records == 12'000);
  CHECK(gone->imports == 2);
  CHECK_FALSE(o.list("spring").has_value());
  CHECK(o.count_records(l.id) == 0);
  CHECK(o.imports(l.id, 10).empty());
  CHECK(o.lists().size() == 1);
  CHECK(o.count_records(keep.id) == 2);  // the other list is untouched
  // Compliance history stays, with the old list id.
  auto a = o.record_attempts(leased[0].id, 0);
  REQUIRE(a.size() == 1);
  CHECK(a[0].list_id == l.id);
  REQUIRE(o.denials(10).size() == 1);
  CHECK(o.denials(10)[0].list_id == l.id);
  CHECK_FALSE(o.delete_list("spring").has_value());
  // Records for the deleted list are refused (an import that was under way stops); the
  // name is free again, for a new list with a new id and no history.
  bool refused = false;
  try {
    o.insert_records(l.id, {rec(5)});
  } catch (const storage::storage_error& e) {
    refused = std::string{e.what()}.find("gone") != std::string::npos && !e.transient();
  }
  CHECK(refused);
  auto reborn = o.create_list("spring", 3000);
  CHECK(reborn.id != l.id);
  auto fresh = import_of(reborn.id, "aa", 4000);
  CHECK_FALSE(o.begin_import(fresh).has_value());
}

TEST_CASE_TEMPLATE("storage/lists: a deleted list's ids are never handed out again", B,
                   PARLEY_BACKENDS) {
  // Attempts and denials outlive their list: were a list or record id reused, attempt caps
  // would count a deleted record's calls against a new one.
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto first = o.create_list("first", 1);
  o.insert_records(first.id, {rec(1)});
  auto last = o.create_list("last", 1);  // the newest list, holding the newest records
  o.insert_records(last.id, {rec(2), rec(3)});
  auto old = o.records(last.id, 0, 10);
  REQUIRE(old.size() == 2);
  REQUIRE(o.delete_list("last").has_value());
  auto next = o.create_list("last", 2);
  CHECK(next.id > last.id);
  o.insert_records(next.id, {rec(4)});
  auto fresh = o.records(next.id, 0, 10);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].id > old[1].id);
  // And after a restart (SQLite keeps the high-water mark in the file).
  s.reset();
  auto again = db->open();
  REQUIRE(again->outbound().delete_list("last").has_value());
  CHECK(again->outbound().create_list("third", 3).id > next.id);
}

TEST_CASE_TEMPLATE("storage/lists: saved column mappings are created, replaced, listed by name "
                   "and deleted", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  CHECK(o.mappings().empty());
  CHECK_FALSE(o.mapping("vendor").has_value());
  // Awkward text survives: quotes, '=' inside a column name, non-ASCII, a long value.
  std::string awkward = "phone=Téléphone \"mobile\",tz=Zone=IANA,customer=" + std::string(500, 'x');
  CHECK(o.save_mapping({"vendor", awkward, 1000, "ann"}));
  CHECK(o.save_mapping({"another", "phone=Phone", 2000, "console"}));
  auto m = o.mapping("vendor");
  REQUIRE(m.has_value());
  CHECK(m->mapping == awkward);
  CHECK(m->changed_ms == 1000);
  CHECK(m->changed_by == "ann");
  // Saving under a taken name replaces it (not new).
  CHECK_FALSE(o.save_mapping({"vendor", "phone=Number", 3000, "bob"}));
  m = o.mapping("vendor");
  REQUIRE(m.has_value());
  CHECK(m->mapping == "phone=Number");
  CHECK(m->changed_ms == 3000);
  CHECK(m->changed_by == "bob");
  auto all = o.mappings();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "another");
  CHECK(all[1].name == "vendor");
  CHECK(o.delete_mapping("vendor"));
  CHECK_FALSE(o.delete_mapping("vendor"));
  CHECK_FALSE(o.mapping("vendor").has_value());
  CHECK(o.mappings().size() == 1);
}

TEST_CASE_TEMPLATE("storage/lists: a schema 3 database with lists is migrated; ids are not reused",
                   B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->open();
  auto& all = storage::migrations(db->config().backend);
  REQUIRE(all.size() >= 4);
  for (std::size_t v = 0; v < 3; ++v)
    db->exec(all[v]);
  db->exec("INSERT INTO schema_version VALUES (3)");
  REQUIRE(s->schema_version() == 3);
  // What a schema 3 engine wrote (its SQL: this binary's store expects schema 4).
  db->exec("INSERT INTO call_lists (name, created_ms) VALUES ('a', 1); "
           "INSERT INTO call_lists (name, created_ms) VALUES ('b', 2)");
  auto row = [](const char* list, int n) {
    return "INSERT INTO records (list_id, phone, contact_info_type, record_type, record_status, "
           "call_result, attempts, dial_sched_ms, call_time_ms, daily_from_s, daily_till_s, tz, "
           "chain_id, chain_n, customer_id, custom) SELECT id, '+1555100000" + std::to_string(n)
           + "', 0, 1, 1, 0, 0, 0, 0, 0, 86400, 'UTC', 0, 0, 'c', '{}' FROM call_lists WHERE "
             "name = '" + list + "'; ";
  };
  db->exec(row("a", 1) + row("a", 2) + row("b", 3));
  s->migrate();
  auto& o = s->outbound();
  auto a = *o.list("a");
  auto b = *o.list("b");
  CHECK(a.id < b.id);
  auto before = o.records(b.id, 0, 10);
  REQUIRE(before.size() == 1);
  CHECK(before[0].phone == "+15551000003");
  CHECK(s->schema_version() == static_cast<int>(all.size()));
  REQUIRE(o.lists().size() == 2);
  CHECK(o.list("a")->records == 2);
  CHECK(o.list("b")->records == 1);
  CHECK(o.lease(a.id, 10, 1000).size() == 2);
  CHECK(o.imports(a.id, 10).empty());
  // The newest list and record go; their ids stay used.
  REQUIRE(o.delete_list("b").has_value());
  auto c = o.create_list("c", 3);
  CHECK(c.id > b.id);
  o.insert_records(c.id, {rec(4)});
  CHECK(o.records(c.id, 0, 10).at(0).id > before[0].id);
  // The indexes of 0002 to 0004 are there (dropping one that is not would fail).
  s.reset();
  for (auto index : {"records_due", "records_retrieved", "records_fresh", "records_listed",
                     "list_imports_contents"})
    CHECK_NOTHROW(db->exec(std::string{"DROP INDEX "} + index));
}
