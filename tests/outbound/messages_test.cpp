// SMS and email helpers (actors/outbound/messages.hpp): addresses and message templates.
#include <doctest/doctest.h>

#include "actors/outbound/messages.hpp"
#include "actors/outbound/suppression.hpp"

using namespace parley;
using namespace parley::outbound;

TEST_CASE("email addresses: trimmed, lower-cased, plainly checked") {
  std::string out;
  CHECK(parse_email("  Ann.Lee@Example.COM ", out).empty());
  CHECK(out == "ann.lee@example.com");
  for (auto* bad : {"", "ann", "@example.com", "ann@", "ann@example", "ann@example.", "a b@x.com",
                    "a@b@c.com", "<ann@x.com>", "ann@.com"}) {
    CAPTURE(bad);
    std::string o;
    CHECK_FALSE(parse_email(bad, o).empty());
    CHECK(o.empty());
  }
  storage::record_row r;
  r.custom = R"({"email":" Bob@X.org ","first":"Bob"})";
  CHECK(email_of(r, out));
  CHECK(out == "bob@x.org");
  r.custom = R"({"first":"Bob"})";
  CHECK_FALSE(email_of(r, out));
  r.custom = "not json";
  CHECK_FALSE(email_of(r, out));
}

TEST_CASE("message templates: record fields, custom fields, braces") {
  storage::record_row r;
  r.id = 42;
  r.phone = "+12125550100";
  r.customer_id = "c7";
  r.tz = "UTC";
  r.custom = R"({"first":"Ann","balance":12.5,"due":null})";
  CHECK(fill_template("Hi {first}, {balance} due ({due}) on {phone} for {customer_id}/{record_id} {tz}", r)
        == "Hi Ann, 12.5 due () on +12125550100 for c7/42 UTC");
  CHECK(fill_template("{unknown}|{{x}}|}|{open", r) == "|{x}|}|{open");
  CHECK(fill_template("", r).empty());
}

TEST_CASE("do-not-call kinds per media: entries as stored") {
  std::string out;
  CHECK(normalize_entry("phone", "+1 (212) 555-0100", "", out).empty());
  CHECK(out == "+12125550100");
  CHECK(normalize_entry("sms", "0049 30 1234567", "", out).empty());
  CHECK(out == "+49301234567");
  CHECK(normalize_entry("email", "Ann@Example.com", "", out).empty());
  CHECK(out == "ann@example.com");
  CHECK(normalize_entry("customer", "C-1", "", out).empty());
  CHECK(out == "C-1");
  CHECK_FALSE(normalize_entry("email", "nobody", "", out).empty());
  CHECK_THROWS_AS(normalize_entry("fax", "+12125550100", "", out), std::invalid_argument);
}
