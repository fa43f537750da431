// The RFC 4180 reader and the record field parsers: every shape a CSV export takes.
#include <doctest/doctest.h>

#include <sstream>

#include "actors/outbound/csv_reader.hpp"
#include "actors/outbound/record_fields.hpp"

using namespace parley::outbound;
using rows = std::vector<std::vector<std::string>>;

namespace {

struct parsed {
  rows records;
  std::vector<std::size_t> lines;
  std::vector<std::string> errors;
};

parsed read_all(const std::string& text, char sep = ',') {
  std::istringstream in{text};
  csv_reader r{in, sep};
  parsed out;
  std::vector<std::string> f;
  while (r.next(f)) {
    out.records.push_back(f);
    out.lines.push_back(r.line());
    out.errors.push_back(r.error());
  }
  return out;
}

} // namespace

TEST_CASE("csv: plain fields, LF and CRLF, no final line break") {
  auto p = read_all("a,b,c\n1,2,3\r\n4,,6");
  CHECK(p.records == rows{{"a", "b", "c"}, {"1", "2", "3"}, {"4", "", "6"}});
  CHECK(p.lines == std::vector<std::size_t>{1, 2, 3});
  CHECK(p.errors == std::vector<std::string>{"", "", ""});
}

TEST_CASE("csv: quoted fields hold separators, doubled quotes and line breaks") {
  auto p = read_all("name,note\n\"Doe, Jane\",\"said \"\"hi\"\"\"\n\"multi\r\nline\",\"x\ny\"\nlast,\"\"\n");
  REQUIRE(p.records.size() == 4);
  CHECK(p.records[1] == std::vector<std::string>{"Doe, Jane", "said \"hi\""});
  CHECK(p.records[2] == std::vector<std::string>{"multi\r\nline", "x\ny"});
  CHECK(p.records[3] == std::vector<std::string>{"last", ""});
  // Line numbers count physical lines: record 3 spans lines 3..5 (two embedded breaks).
  CHECK(p.lines == std::vector<std::size_t>{1, 2, 3, 6});
}

TEST_CASE("csv: a byte order mark is skipped, blank lines too, lone CR ends a line") {
  auto p = read_all("\xEF\xBB\xBFphone,tz\n\n+4930123456,Europe/Berlin\r\r\n\rx,y\r");
  CHECK(p.records == rows{{"phone", "tz"}, {"+4930123456", "Europe/Berlin"}, {"x", "y"}});
  CHECK(p.lines == std::vector<std::size_t>{1, 3, 6});
}

TEST_CASE("csv: empty fields at the ends and a trailing separator") {
  auto p = read_all(",a,\n,,\n");
  CHECK(p.records == rows{{"", "a", ""}, {"", "", ""}});
}

TEST_CASE("csv: malformed records are returned with a reason and the reader goes on") {
  auto p = read_all("a,b\n\"x\"y,2\nok,1\n\"open,3\nnever closed");
  REQUIRE(p.records.size() == 4);
  CHECK(p.errors[0].empty());
  CHECK(p.errors[1] == "text after the closing quote of field 1");
  CHECK(p.lines[1] == 2);
  CHECK(p.records[2] == std::vector<std::string>{"ok", "1"});
  CHECK(p.errors[2].empty());
  CHECK(p.errors[3].find("not closed at the end of the file") != std::string::npos);
  CHECK(p.lines[3] == 4);
}

TEST_CASE("csv: a quote inside an unquoted field is text; other separators") {
  auto p = read_all("5\" disk;12\"\"\n", ';');
  CHECK(p.records == rows{{"5\" disk", "12\"\""}});
  CHECK(p.errors[0].empty());
}

TEST_CASE("csv: records larger than the read buffer stream through") {
  std::string big(200'000, 'x');
  auto p = read_all("a,b\n\"" + big + "\",2\n3,4\n");
  REQUIRE(p.records.size() == 3);
  CHECK(p.records[1][0] == big);
  CHECK(p.records[2] == std::vector<std::string>{"3", "4"});
}

TEST_CASE("csv: csv_field quotes only what needs it and reads back the same") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
  std::string nasty = "a,\"b\"\r\nc";
  auto p = read_all(csv_field(nasty) + "," + csv_field("z") + "\n");
  CHECK(p.records == rows{{nasty, "z"}});
}

TEST_CASE("fields: phone numbers normalize to E.164 or say why not") {
  std::string out;
  CHECK(parse_phone("+1 (212) 555-0100", "", out).empty());
  CHECK(out == "+12125550100");
  CHECK(parse_phone("0049 30 1234567", "", out).empty());
  CHECK(out == "+49301234567");
  CHECK(parse_phone("030 1234567", "+49", out).empty());
  CHECK(out == "+49301234567");
  CHECK(parse_phone("030 1234567", "", out).find("no default country prefix") != std::string::npos);
  CHECK(parse_phone("+1234567", "", out).find("7 digits") != std::string::npos);
  CHECK(parse_phone("+1234567890123456", "", out).find("16 digits") != std::string::npos);
  CHECK(parse_phone("+1 555 CALL", "", out).find("unexpected 'C'") != std::string::npos);
  CHECK(parse_phone("+0123456789", "", out).find("never starts with 0") != std::string::npos);
  CHECK(parse_phone("", "", out) == "empty");
}

TEST_CASE("fields: zones, times of day, numbers and enum names") {
  std::string zone;
  CHECK(parse_zone("America/New_York", zone).empty());
  CHECK(parse_zone("Mars/Olympus_Mons", zone).find("not a time zone") != std::string::npos);
  std::int32_t s = -1;
  CHECK(parse_day_seconds("08:30", s).empty());
  CHECK(s == 8 * 3600 + 30 * 60);
  CHECK(parse_day_seconds("21:00:15", s).empty());
  CHECK(s == 21 * 3600 + 15);
  CHECK(parse_day_seconds("24:00", s).empty());
  CHECK(s == 86400);
  CHECK(parse_day_seconds("3600", s).empty());
  CHECK(s == 3600);
  CHECK_FALSE(parse_day_seconds("86401", s).empty());
  CHECK_FALSE(parse_day_seconds("25:00", s).empty());
  CHECK_FALSE(parse_day_seconds("8:60", s).empty());
  CHECK_FALSE(parse_day_seconds("-5", s).empty());
  std::uint64_t n = 0;
  CHECK(parse_uint("18446744073709551615", UINT64_MAX, n).empty());
  CHECK(n == UINT64_MAX);
  CHECK(parse_uint("18446744073709551616", UINT64_MAX, n).find("larger") != std::string::npos);
  CHECK_FALSE(parse_uint("1e3", 1000, n).empty());
  std::uint8_t e = 0;
  CHECK(parse_record_type("campaign_callback", e).empty());
  CHECK(int{e} == 2);
  // Every OCS record type by name, each name back from its stored number.
  using parley::storage::record_type;
  for (auto [name, t] : {std::pair{"general", record_type::general},
                         {"campaign_callback", record_type::campaign_callback},
                         {"personal_callback", record_type::personal_callback},
                         {"campaign_rescheduled", record_type::campaign_rescheduled},
                         {"no_call", record_type::no_call},
                         {"personal_rescheduled", record_type::personal_rescheduled},
                         {"unknown", record_type::unknown}}) {
    std::string named = name;  // CAPTURE cannot take a structured binding (clang 14)
    CAPTURE(named);
    CHECK(parse_record_type(name, e).empty());
    CHECK(int{e} == int(t));
    CHECK(std::string{to_name(t)} == name);
  }
  CHECK(parse_record_type("rescheduled", e).empty());  // older exports' word
  CHECK(int{e} == int(record_type::campaign_rescheduled));
  CHECK_FALSE(parse_record_type("8", e).empty());
  CHECK(parse_record_status("8", e).find("not a record status") != std::string::npos);
  CHECK(parse_uint("9", 8, n).find("larger than 8") != std::string::npos);  // one digit past max
  CHECK(parse_record_status("3", e).empty());
  CHECK(int{e} == 3);
  CHECK(parse_call_result("answering_machine", e).empty());
  CHECK(std::string{to_name(static_cast<parley::storage::call_result>(e))} == "answering_machine");
  CHECK(parse_record_status("0", e).find("not a record status") != std::string::npos);
  CHECK(parse_contact_info_type("fax", e).find("mobile") != std::string::npos);
}
