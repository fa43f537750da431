// Do-not-call lists on both implementations: in process (persisted in a real SQLite file)
// and Redis sets (the test command's Redis: PARLEY_TEST_REDIS_PORT).
#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>

#include <unistd.h>

#include "actors/outbound/suppression.hpp"
#include "storage/fresh_database.hpp"
#include "support/storage_env.hpp"

using namespace parley;
using namespace parley::outbound;

namespace {

/// What every implementation must do.
void check_behaviour(suppression_list& l) {
  CHECK(l.size("phone") == 0);
  CHECK(l.add("phone", {"+15550001", "+15550002", "+15550001"}, 1) == 2);
  CHECK(l.add("phone", {"+15550002", "+15550003"}, 2) == 1);
  CHECK(l.add("customer", {"c1"}, 3) == 1);
  CHECK(l.contains("phone", "+15550001"));
  CHECK_FALSE(l.contains("phone", "+15559999"));
  CHECK(l.contains("customer", "c1"));
  CHECK_FALSE(l.contains("customer", "+15550001"));  // kinds are separate
  CHECK(l.size("phone") == 3);
  CHECK(l.remove("phone", "+15550002"));
  CHECK_FALSE(l.remove("phone", "+15550002"));
  CHECK_FALSE(l.contains("phone", "+15550002"));
  CHECK(l.size("phone") == 2);
  CHECK_THROWS_AS(l.contains("fax", "x"), std::invalid_argument);
  // Kinds per media: a number that may not be texted, an address.
  CHECK(l.add("sms", {"+15550001"}, 3) == 1);
  CHECK(l.add("email", {"ann@example.com"}, 3) == 1);
  CHECK(l.contains("sms", "+15550001"));
  CHECK_FALSE(l.contains("sms", "+15550003"));  // on the phone list only
  CHECK(l.contains("email", "ann@example.com"));
  CHECK(l.size("email") == 1);

  std::istringstream csv{"name,phone\nAnn,+1 212 555 0100\nBob,12345\nCy,0212 5550101\n"};
  auto res = import_suppression(l, "phone", csv, "+1", 4);
  CHECK(res.rows == 3);
  CHECK(res.added == 2);
  CHECK(res.rejected == 1);
  REQUIRE(res.errors.size() == 1);
  CHECK(res.errors[0].find("line 3: phone: ") == 0);
  CHECK(l.contains("phone", "+12125550100"));
  CHECK(l.contains("phone", "+12125550101"));
  std::istringstream ids{"c7\nc8\n\nc7\n"};  // no header: every line is a value
  auto ids_res = import_suppression(l, "customer", ids, "", 5);
  CHECK(ids_res.added == 2);
  CHECK(l.size("customer") == 3);
}

} // namespace

TEST_CASE("suppression in process: lookups, and it survives a restart through storage") {
  auto db = test::fresh_sqlite();
  std::shared_ptr<storage::store> s = db->migrated();
  {
    auto l = make_memory_suppression(s);
    check_behaviour(*l);
  }
  s.reset();
  std::shared_ptr<storage::store> again = db->open();  // the next start
  auto l = make_memory_suppression(again);
  CHECK(l->contains("phone", "+15550001"));
  CHECK_FALSE(l->contains("phone", "+15550002"));  // the removal was stored too
  CHECK(l->contains("customer", "c8"));
  CHECK(l->contains("sms", "+15550001"));
  CHECK(l->contains("email", "ann@example.com"));
  CHECK(l->size("phone") == 4);
  CHECK(l->describe().find("in process") == 0);
}

TEST_CASE("suppression in Redis: lookups, and two engines share the sets <redis>") {
  auto port = test::test_redis_port();
  if (!port)
    return;
  auto prefix = "parley:test:" + std::to_string(::getpid()) + ":dnc:";
  auto a = make_redis_suppression("127.0.0.1", *port, prefix);
  a->remove("phone", "x");  // reachable
  check_behaviour(*a);
  auto b = make_redis_suppression("127.0.0.1", *port, prefix);  // another engine
  CHECK(b->contains("phone", "+15550001"));
  CHECK(b->add("phone", {"+15550077"}, 9) == 1);
  CHECK(a->contains("phone", "+15550077"));
  CHECK(a->describe() == "redis 127.0.0.1:" + std::to_string(*port));
  for (auto& p : {std::string{"+15550001"}, std::string{"+15550003"}, std::string{"+15550077"},
                  std::string{"+12125550100"}, std::string{"+12125550101"}})
    a->remove("phone", p);
  for (auto& c : {"c1", "c7", "c8"})
    a->remove("customer", c);
  a->remove("sms", "+15550001");
  a->remove("email", "ann@example.com");
  CHECK(a->size("sms") == 0);
  CHECK(a->size("phone") == 0);
}

TEST_CASE("suppression in Redis: an unreachable server is a clear error") {
  CHECK_THROWS_WITH_AS(make_redis_suppression("127.0.0.1", 1), doctest::Contains("cannot reach Redis at 127.0.0.1:1"),
                       suppression_error);
}
