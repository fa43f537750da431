// CSV import and export through a real store (a SQLite file; the PostgreSQL half of the
// record methods is covered by the storage conformance suite).
#include <doctest/doctest.h>

#include <sstream>

#include "actors/outbound/list_import.hpp"
#include "storage/fresh_database.hpp"

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

TEST_CASE("import: defaults for zone and country prefix; enum and number columns") {
  auto db = test::fresh_sqlite();
  auto s = db->migrated();
  import_options opt;
  opt.default_zone = "Europe/Berlin";
  opt.default_prefix = "+49";
  auto res = import_text(s->outbound(), "l",
                         "phone,status,result,attempts,record_type,contact_type,chain,chain_n,sched\n"
                         "030 1234567,cancelled,busy,3,personal_callback,mobile,77,2,1795000000\n"
                         "030 1234568,nope,,,,,,,\n"
                         "030 1234569,,,x,,,,,\n",
                         opt);
  CHECK(res.imported == 1);
  REQUIRE(res.errors.size() == 2);
  CHECK(res.errors[0].reason.find("status: \"nope\" is not a record status") == 0);
  CHECK(res.errors[1].reason.find("attempts: ") == 0);
  auto r = s->outbound().records(res.list_id, 0, 1).at(0);
  CHECK(r.phone == "+49301234567");
  CHECK(r.tz == "Europe/Berlin");
  CHECK(int{r.record_status} == int(storage::record_status::cancelled));
  CHECK(int{r.call_result} == int(storage::call_result::busy));
  CHECK(r.attempts == 3);
  CHECK(int{r.record_type} == int(storage::record_type::personal_callback));
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
  o.update_records(leased);
  std::ostringstream out;
  CHECK(export_csv(o, res.list_id, out) == 2);
  auto text = out.str();
  CAPTURE(text);
  CHECK(text.find("record_id,phone,tz,customer") == 0);
  CHECK(text.find(",+4930123456,Europe/Berlin,c1,0,0,00:00:00,24:00:00,none,general,updated,"
                  "answer,1,0,0,\"{\"\"note\"\":\"\"a, b\"\"}\"\n")
        != std::string::npos);
  CHECK(text.find(",+4930123457,UTC,c2,0,0,00:00:00,24:00:00,none,general,ready,none,0,0,0,{}\n")
        != std::string::npos);
  // The export is importable again (record_id and custom become custom fields).
  auto back = import_text(o, "copy", text);
  CHECK(back.imported == 2);
  CHECK(back.rejected == 0);
}
