// CSV import and export through a real store (a SQLite file; the PostgreSQL half of the
// record methods is covered by the storage conformance suite).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "actors/outbound/import_guard.hpp"
#include "actors/outbound/list_import.hpp"
#include "storage/fresh_database.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::outbound;

namespace {

import_result import_text(storage::outbound_store& o, const std::string& list,
                          const std::string& csv, import_options opt = {}) {
  std::istringstream in{csv};
  return import_csv(o, list, in, opt, 42);
}

} // namespace

TEST_CASE("import: good rows are imported, bad rows reported with line and reason") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  import_options opt;
  opt.mapping = parse_mapping("phone=Phone Number, tz=Zone,customer=CustID");
  opt.chunk_rows = 2;  // several transactions
  auto res = import_text(o, "spring",
                         "Phone Number,Zone,CustID,from,till,Name\n"
                         "+1 212 555 0100,America/New_York,c1,09:00,20:00,Ann\n"  // line 2: ok
                         "12345,America/New_York,c2,,,Bob\n"                      // 3: phone
                         "+4930123456,Mars/Base,c3,,,Cy\n"                        // 4: zone
                         "+4930123457,Europe/Berlin,c4,22:00,08:00,Di\n"          // 5: window
                         "+4930123458,Europe/Berlin,c5\n"                         // 6: fields
                         "+4930123459,Europe/Berlin,c6,,,\"Eve, \"\"E\"\"\"\n"    // 7: ok
                         "+4930123460,Europe/Berlin,c7,,25:00,Fay\n"              // 8: till
                         "\"+4930\"1,Europe/Berlin,c8,,,Gus\n"                    // 9: quote
                         "+4930123461,Europe/Berlin,c9,,,Hal\n",                  // 10: ok
                         opt);
  CAPTURE(res.summary("spring"));
  CHECK(res.ok());
  CHECK(res.created);
  CHECK(res.rows == 9);
  CHECK(res.imported == 3);
  CHECK(res.rejected == 6);
  REQUIRE(res.errors.size() == 6);
  CHECK(res.errors[0].line == 3);
  CHECK(res.errors[0].reason.find("phone: \"12345\" is not in E.164 form") == 0);
  CHECK(res.errors[1].line == 4);
  CHECK(res.errors[1].reason == "tz: \"Mars/Base\" is not a time zone the tz database knows");
  CHECK(res.errors[2].line == 5);
  CHECK(res.errors[2].reason == "from 22:00:00 is after till 08:00:00");
  CHECK(res.errors[3].line == 6);
  CHECK(res.errors[3].reason == "3 field(s), the header has 6");
  CHECK(res.errors[4].line == 8);
  CHECK(res.errors[4].reason.find("till: ") == 0);
  CHECK(res.errors[5].line == 9);
  CHECK(res.errors[5].reason.find("closing quote") != std::string::npos);
  auto summary = res.summary("spring");
  CHECK(summary.find("list spring (new): 9 row(s) read, 3 imported, 6 rejected") == 0);
  CHECK(summary.find("  line 4: tz: ") != std::string::npos);

  auto recs = o.records(res.list_id, 0, 10);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].phone == "+12125550100");
  CHECK(recs[0].tz == "America/New_York");
  CHECK(recs[0].customer_id == "c1");
  CHECK(recs[0].daily_from_s == 9 * 3600);
  CHECK(recs[0].daily_till_s == 20 * 3600);
  CHECK(recs[0].custom == R"({"Name":"Ann"})");
  CHECK(recs[1].custom == R"({"Name":"Eve, \"E\""})");
  CHECK(recs[1].daily_from_s == 0);
  CHECK(recs[1].daily_till_s == 86400);
  CHECK(int{recs[2].record_status} == int(storage::record_status::ready));

  // A second import appends to the list.
  auto again = import_text(o, "spring", "phone,tz\n+4930999999,UTC\n");
  CHECK(again.ok());
  CHECK_FALSE(again.created);
  CHECK(again.list_id == res.list_id);
  CHECK(o.count_records(res.list_id) == 4);
}

TEST_CASE("import: only the first errors are listed, all are counted") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  std::string csv = "phone,tz\n";
  for (int i = 0; i < 50; ++i)
    csv += "bad" + std::to_string(i) + ",UTC\n";
  csv += "+4930123456,UTC\n";
  import_options opt;
  opt.max_errors = 5;
  auto res = import_text(s->outbound(), "l", csv, opt);
  CHECK(res.rejected == 50);
  CHECK(res.imported == 1);
  CHECK(res.errors.size() == 5);
  CHECK(res.summary("l").find("(45 more rejected row(s) not listed)") != std::string::npos);
}

TEST_CASE("import: a header without a phone column, or a mapping to a missing column, stops "
          "before anything is created") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  auto res = import_text(o, "l", "number,tz\n+4930123456,UTC\n");
  CHECK_FALSE(res.ok());
  CHECK(res.error.find("no phone column") != std::string::npos);
  import_options opt;
  opt.mapping = parse_mapping("phone=Tel");
  res = import_text(o, "l", "number,tz\n+4930123456,UTC\n", opt);
  CHECK(res.error == "line 1: the mapping names column \"Tel\" for phone, but the header has no such column");
  CHECK(import_text(o, "l", "").error.find("empty") != std::string::npos);
  CHECK(o.lists().empty());
  CHECK_THROWS_WITH_AS(parse_mapping("fone=Tel"), doctest::Contains("not a record field"),
                       std::invalid_argument);
  CHECK_THROWS_AS(parse_mapping("phone"), std::invalid_argument);
}

TEST_CASE("import: a saved mapping is written as text parse_mapping reads back, and resolved "
          "with typed pairs over it") {
  std::map<std::string, std::string> m{{"phone", "Tel"}, {"tz", "Zone=IANA"}, {"customer", "Kunden-Nr."}};
  auto text = mapping_text(m);
  CHECK(text == "customer=Kunden-Nr.,phone=Tel,tz=Zone=IANA");
  CHECK(parse_mapping(text) == m);
  for (auto bad : {std::map<std::string, std::string>{{"phone", "A,B"}}, {{"phone", " Tel"}}, {{"phone", ""}},
                   {{"fone", "Tel"}}})
    CHECK_THROWS_AS(mapping_text(bad), std::invalid_argument);

  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  o.save_mapping({"vendor", text, 1, "ann"});
  auto r = resolve_mapping(o, "vendor", "phone=Mobile,chain=Household");
  CHECK(r.at("phone") == "Mobile");
  CHECK(r.at("tz") == "Zone=IANA");
  CHECK(r.at("chain") == "Household");
  CHECK(resolve_mapping(o, "", "phone=Tel") == std::map<std::string, std::string>{{"phone", "Tel"}});
  CHECK_THROWS_WITH_AS(resolve_mapping(o, "nosuch", ""), "no saved mapping named \"nosuch\"", std::invalid_argument);
}

TEST_CASE("import: defaults for zone and country prefix; enum and number columns") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  import_options opt;
  opt.default_zone = "Europe/Berlin";
  opt.default_prefix = "+49";
  auto res = import_text(s->outbound(), "l",
                         "phone,status,result,attempts,record_type,contact_type,chain,chain_n,sched,agent\n"
                         "030 1234567,cancelled,busy,3,personal_callback,mobile,77,2,1795000000,ann\n"
                         "030 1234568,nope,,,,,,,,\n"
                         "030 1234569,,,x,,,,,,\n"
                         "030 1234570,,,,personal_rescheduled,,,,,\n",
                         opt);
  CHECK(res.imported == 1);
  REQUIRE(res.errors.size() == 3);
  CHECK(res.errors[0].reason.find("status: \"nope\" is not a record status") == 0);
  CHECK(res.errors[1].reason.find("attempts: ") == 0);
  CHECK(res.errors[2].reason
        == "record_type personal_rescheduled needs the agent it is for (an agent column)");
  auto r = s->outbound().records(res.list_id, 0, 1).at(0);
  CHECK(r.phone == "+49301234567");
  CHECK(r.tz == "Europe/Berlin");
  CHECK(int{r.record_status} == int(storage::record_status::cancelled));
  CHECK(int{r.call_result} == int(storage::call_result::busy));
  CHECK(r.attempts == 3);
  CHECK(int{r.record_type} == int(storage::record_type::personal_callback));
  CHECK(r.agent == "ann");
  CHECK(r.chain_id == 77);
  CHECK(r.chain_n == 2);
  CHECK(r.dial_sched_ms == 1'795'000'000'000);
}

TEST_CASE("import: bytes that are not UTF-8 reject the row (both backends store text)") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto res = import_text(s->outbound(), "l", "phone,tz,name\n+4930123456,UTC,\xff\xfe\n+4930123457,UTC,ok\n");
  CHECK(res.imported == 1);
  REQUIRE(res.errors.size() == 1);
  CHECK(res.errors[0].reason == "not valid UTF-8 text");
}

TEST_CASE("export: a list goes out as CSV with its results and reads back") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  auto res = import_text(o, "l", "phone,tz,customer,note\n+4930123456,Europe/Berlin,c1,\"a, b\"\n"
                                 "+4930123457,UTC,c2,\n");
  REQUIRE(res.imported == 2);
  auto leased = o.lease(res.list_id, 1, 0);
  REQUIRE(leased.size() == 1);
  leased[0].record_status = static_cast<std::uint8_t>(storage::record_status::updated);
  leased[0].call_result = static_cast<std::uint8_t>(storage::call_result::answer);
  leased[0].attempts = 1;
  leased[0].disposition = "sale, gold";
  o.update_records(leased);
  std::ostringstream out;
  CHECK(export_csv(o, res.list_id, out) == 2);
  auto text = out.str();
  CAPTURE(text);
  CHECK(text.find("record_id,phone,tz,customer") == 0);
  CHECK(text.find(",+4930123456,Europe/Berlin,c1,0,0,00:00:00,24:00:00,none,general,updated,"
                  "answer,1,0,0,,\"sale, gold\",\"{\"\"note\"\":\"\"a, b\"\"}\"\n")
        != std::string::npos);
  CHECK(text.find(",+4930123457,UTC,c2,0,0,00:00:00,24:00:00,none,general,ready,none,0,0,0,,,{}\n")
        != std::string::npos);
  // The export is importable again (record_id and custom become custom fields; the
  // disposition stays the record's).
  auto back = import_text(o, "copy", text);
  CHECK(back.imported == 2);
  CHECK(back.rejected == 0);
  auto copy = o.records(back.list_id, 0, 10);
  REQUIRE(copy.size() == 2);
  CHECK(copy[0].disposition == "sale, gold");
}

// -- the duplicate-file rule, --append, --dedupe -----------------------------------------

namespace {

const char* spring_csv = "phone,tz,customer\n+12125550100,UTC,c1\n+12125550101,UTC,c2\n"
                         "+12125550102,UTC,c3\n";

import_options named(const std::string& file, bool append = false, bool dedupe = false) {
  import_options opt;
  opt.file = file;
  opt.append = append;
  opt.dedupe = dedupe;
  return opt;
}

} // namespace

TEST_CASE("import rule: the same contents twice into one list are refused, naming the first") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  std::istringstream in{spring_csv};
  auto first = import_csv(o, "spring", in, named("spring.csv"), 1'795'000'000'000);
  REQUIRE(first.ok());
  REQUIRE(first.imported == 3);
  CHECK(first.import_id != 0);
  // The same bytes under another name: refused before a row is read.
  auto again = import_text(o, "spring", spring_csv, named("copy-of-spring.csv"));
  CHECK_FALSE(again.ok());
  REQUIRE(again.refused());
  CHECK(again.earlier->id == first.import_id);
  CHECK(again.rows == 0);
  CHECK(again.imported == 0);
  CHECK(again.error == "list spring has these contents already: spring.csv was imported at "
                      "2026-11-18T11:06:40Z (3 record(s) added); nothing imported. To import "
                      "it again say --append (with --dedupe to skip the phones the list has)");
  CHECK(again.summary("spring") == "error: " + again.error + "\n");
  CHECK(o.count_records(first.list_id) == 3);
  REQUIRE(o.imports(first.list_id, 10).size() == 1);  // a refusal records nothing
  auto h = o.imports(first.list_id, 1).at(0);
  CHECK(h.file == "spring.csv");
  CHECK(h.rows == 3);
  CHECK(h.imported == 3);
  CHECK(h.finished_ms >= h.started_ms);
  CHECK(h.sha256.size() == 64);

  // One byte more is other contents.
  auto other = import_text(o, "spring", std::string{spring_csv} + "\n", named("spring.csv"));
  CHECK(other.ok());
  CHECK(other.imported == 3);
}

TEST_CASE("import rule: --append imports the same contents again and records it again") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  auto first = import_text(o, "spring", spring_csv, named("spring.csv"));
  REQUIRE(first.imported == 3);
  auto again = import_text(o, "spring", spring_csv, named("spring.csv", true));
  CHECK(again.ok());
  CHECK(again.imported == 3);
  CHECK(o.count_records(first.list_id) == 6);
  auto h = o.imports(first.list_id, 10);
  REQUIRE(h.size() == 2);
  CHECK(h[0].appended);
  CHECK_FALSE(h[1].appended);
  CHECK(h[0].sha256 == h[1].sha256);
  // And without --append, still refused: there are two earlier imports now.
  CHECK(import_text(o, "spring", spring_csv, named("spring.csv")).refused());
}

TEST_CASE("import rule: the same contents into another list are fine") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  REQUIRE(import_text(o, "spring", spring_csv, named("spring.csv")).imported == 3);
  auto autumn = import_text(o, "autumn", spring_csv, named("spring.csv"));
  CHECK(autumn.ok());
  CHECK(autumn.created);
  CHECK(autumn.imported == 3);
}

TEST_CASE("import rule: an import that added nothing does not count; a bad header records nothing") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  const char* odd = "Tel,tz\n12125550100,UTC\n+12125550101,UTC\n";
  // The wrong header: refused before anything is recorded.
  CHECK(import_text(o, "l", odd, named("odd.csv")).error.find("no phone column") != std::string::npos);
  CHECK(o.lists().empty());
  // Every row rejected (no country prefix configured): recorded, but it added nothing...
  auto opt = named("odd.csv");
  opt.mapping = parse_mapping("phone=Tel");
  auto none = import_text(o, "l", "Tel,tz\n12125550100,UTC\n", opt);
  REQUIRE(none.ok());
  CHECK(none.imported == 0);
  CHECK(none.rejected == 1);
  REQUIRE(o.imports(none.list_id, 10).size() == 1);
  // ...so the same file with the prefix configured goes in.
  opt.default_prefix = "+1";
  auto fixed = import_text(o, "l", "Tel,tz\n12125550100,UTC\n", opt);
  CHECK(fixed.ok());
  CHECK(fixed.imported == 1);
}

TEST_CASE("import --dedupe: phones the list has, or an earlier row had, are skipped and counted") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  REQUIRE(import_text(o, "spring", spring_csv, named("spring.csv")).imported == 3);
  // In the list already: ...0100 (written otherwise), ...0102. Twice in the file: ...0200.
  auto res = import_text(o, "spring",
                         "phone,tz,customer\n"
                         "+1 (212) 555-0100,UTC,c1\n"   // 2: in the list
                         "+12125550200,UTC,c9\n"        // 3: new
                         "bad,UTC,c9\n"                 // 4: rejected, not a duplicate
                         "0012125550200,UTC,c9\n"       // 5: as line 3
                         "+12125550102,UTC,c3\n"        // 6: in the list
                         "+12125550201,UTC,c10\n",      // 7: new
                         named("update.csv", false, true));
  CAPTURE(res.summary("spring"));
  CHECK(res.ok());
  CHECK(res.rows == 6);
  CHECK(res.imported == 2);
  CHECK(res.rejected == 1);
  CHECK(res.duplicates == 3);
  CHECK(res.summary("spring").find("list spring: 6 row(s) read, 2 imported, 1 rejected, 3 "
                                   "duplicate(s) skipped\n") == 0);
  CHECK(o.count_records(res.list_id) == 5);
  auto h = o.imports(res.list_id, 1).at(0);
  CHECK(h.deduped);
  CHECK(h.duplicates == 3);
  CHECK(h.imported == 2);
  // --append --dedupe of the first file again: every row is a duplicate, nothing doubles.
  auto twice = import_text(o, "spring", spring_csv, named("spring.csv", true, true));
  CHECK(twice.ok());
  CHECK(twice.imported == 0);
  CHECK(twice.duplicates == 3);
  CHECK(o.count_records(res.list_id) == 5);
  // Without --dedupe the same row twice in a file is two records (as before).
  auto plain = import_text(o, "plain", "phone,tz\n+12125550300,UTC\n+12125550300,UTC\n");
  CHECK(plain.imported == 2);
  CHECK(plain.summary("plain").find("duplicate") == std::string::npos);
}

TEST_CASE("import --dedupe: a list of 200,000 phones is loaded once and checked per row") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  std::string csv = "phone,tz\n";
  for (int i = 0; i < 200'000; ++i)
    csv += "+1555" + std::to_string(1'000'000 + i) + ",UTC\n";
  REQUIRE(import_text(o, "big", csv, named("a.csv")).imported == 200'000);
  std::string more = "phone,tz\n";
  for (int i = 199'990; i < 200'010; ++i)
    more += "+1555" + std::to_string(1'000'000 + i) + ",UTC\n";
  auto res = import_text(o, "big", more, named("b.csv", false, true));
  CHECK(res.duplicates == 10);
  CHECK(res.imported == 10);
}

TEST_CASE("phone_set: E.164 numbers by value, anything else by text") {
  phone_set p;
  CHECK(p.insert("+12125550100"));
  CHECK_FALSE(p.insert("+12125550100"));
  CHECK(p.insert("+121255501000"));  // one digit more is another number
  CHECK(p.insert("+4930123456"));
  CHECK(p.insert("odd"));
  CHECK_FALSE(p.insert("odd"));
  CHECK(p.size() == 4);
}

TEST_CASE("content_digest: SHA-256 of the bytes, and the stream is rewound") {
  std::istringstream in{"abc"};
  std::string hex;
  CHECK(content_digest(in, hex).empty());
  CHECK(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string back;
  CHECK(std::getline(in, back));
  CHECK(back == "abc");
  std::istringstream empty{""};
  CHECK(content_digest(empty, hex).empty());
  CHECK(hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("the example list conf/contacts.example.csv imports as docs/outbound.md says") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  auto& o = s->outbound();
  std::ifstream in{test::source_dir() + "/conf/contacts.example.csv", std::ios::binary};
  REQUIRE(in);
  auto opt = named("contacts.example.csv");
  opt.mapping = parse_mapping("phone=Phone Number,tz=Time Zone,customer=Customer ID");
  auto res = import_csv(o, "example", in, opt, 1);
  CAPTURE(res.summary("example"));
  CHECK(res.ok());
  CHECK(res.rows == 15);
  CHECK(res.imported == 15);
  CHECK(res.rejected == 0);
  auto recs = o.records(res.list_id, 0, 100);
  REQUIRE(recs.size() == 15);
  CHECK(recs[0].phone == "+12125550142");
  CHECK(recs[0].chain_id == 1);
  CHECK(recs[0].dial_sched_ms == 0);
  CHECK(recs[1].dial_sched_ms == storage::chain_waiting_ms);  // waits for its chain
  CHECK(recs[1].contact_info_type == int(storage::contact_info_type::mobile));
  CHECK(recs[3].daily_from_s == 0);
  CHECK(recs[3].daily_till_s == 86400);
  CHECK(recs[6].record_type == int(storage::record_type::campaign_callback));
  CHECK(recs[6].dial_sched_ms == 1'800'025'200'000);
  CHECK(recs[6].daily_till_s == 18 * 3600 + 30 * 60);
  CHECK(recs[8].phone == "+442079460958");  // 00 became +
  CHECK(recs[9].record_type == int(storage::record_type::personal_callback));
  CHECK(recs[9].agent == "ann");
  CHECK(recs[8].agent.empty());
  CHECK(recs[10].custom == R"({"Name":"Jürgen Müller","Plan":"gold","Language":"de"})");
  CHECK(recs[12].custom.find(R"("Name":"Société Martin, Lyon")") != std::string::npos);
  CHECK(recs[14].custom.find(R"("Name":"Ruby \"Rue\" Taylor")") != std::string::npos);
}
