// The storage conformance suite, web users: users, API tokens and browser sessions — every
// case on every backend (PARLEY_BACKENDS).
#include <doctest/doctest.h>

#include <string>

#include "fresh_database.hpp"

using namespace parley;
using namespace parley::test;

namespace {

storage::user_row alice() {
  return {"alice", "$argon2id$hash-1", "supervisor", "acme,globex", 1000, 1000};
}

/// Does `f` throw a storage_error, not transient, whose message holds `words`?
template <class F>
bool refused(F f, const std::string& words) {
  try {
    f();
  } catch (const storage::storage_error& e) {
    return !e.transient() && std::string{e.what()}.find(words) != std::string::npos;
  }
  return false;
}

} // namespace

TEST_CASE_TEMPLATE("storage/users: users are added once, read back, changed and listed by name", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& u = s->users();
  CHECK(u.users().empty());
  u.add_user(alice());
  u.add_user({"bob", "$argon2id$hash-2", "viewer", "*", 2000, 2000});
  CHECK(refused([&] { u.add_user(alice()); }, "exists already"));
  auto got = u.user("alice");
  REQUIRE(got);
  CHECK(got->password_hash == "$argon2id$hash-1");
  CHECK(got->role == "supervisor");
  CHECK(got->tenants == "acme,globex");
  CHECK(got->created_ms == 1000);
  CHECK(!u.user("carol"));
  auto all = u.users();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "alice");
  CHECK(all[1].name == "bob");
  auto changed = *got;
  changed.role = "admin";
  changed.changed_ms = 5000;
  CHECK(u.update_user(changed));
  CHECK(u.user("alice")->role == "admin");
  CHECK(u.user("alice")->changed_ms == 5000);
  CHECK(u.user("alice")->created_ms == 1000);
  changed.name = "carol";
  CHECK_FALSE(u.update_user(changed));
}

TEST_CASE_TEMPLATE("storage/users: tokens are unique per user and go with their user", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& u = s->users();
  u.add_user(alice());
  CHECK(refused([&] { u.add_token({"d0", "nobody", "x", 1}); }, "no user"));
  u.add_token({"d1", "alice", "deploy", 10});
  u.add_token({"d2", "alice", "backup", 20});
  CHECK(refused([&] { u.add_token({"d3", "alice", "deploy", 30}); }, "already"));
  auto t = u.token("d1");
  REQUIRE(t);
  CHECK(t->user == "alice");
  CHECK(t->label == "deploy");
  CHECK(t->created_ms == 10);
  CHECK(!u.token("d3"));
  auto all = u.tokens("alice");
  REQUIRE(all.size() == 2);
  CHECK(all[0].label == "backup");  // by label
  CHECK(u.remove_token("alice", "backup"));
  CHECK_FALSE(u.remove_token("alice", "backup"));
  CHECK(!u.token("d2"));
  u.add_session({"s1", "alice", "csrf1", 100, 10'000});
  CHECK(u.remove_user("alice"));
  CHECK_FALSE(u.remove_user("alice"));
  CHECK(!u.token("d1"));  // its tokens and sessions went with it
  CHECK(!u.session("s1", 200));
  CHECK(u.tokens("alice").empty());
}

TEST_CASE_TEMPLATE("storage/users: sessions expire, and a new password ends them", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& u = s->users();
  u.add_user(alice());
  u.add_user({"bob", "$argon2id$hash-2", "viewer", "*", 2000, 2000});
  u.add_session({"s1", "alice", "c1", 100, 1'000});
  u.add_session({"s2", "alice", "c2", 100, 5'000});
  u.add_session({"s3", "bob", "c3", 100, 5'000});
  auto got = u.session("s1", 500);
  REQUIRE(got);
  CHECK(got->user == "alice");
  CHECK(got->csrf == "c1");
  CHECK(got->expires_ms == 1'000);
  CHECK(!u.session("s1", 1'000));  // expired at its time
  CHECK(u.remove_expired_sessions(1'000) == 1);
  CHECK(u.remove_expired_sessions(1'000) == 0);
  u.remove_session("s2");
  CHECK(!u.session("s2", 500));
  u.add_session({"s4", "alice", "c4", 100, 5'000});
  auto a = *u.user("alice");
  a.role = "viewer";  // a change that is not the password keeps the sessions
  CHECK(u.update_user(a));
  CHECK(u.session("s4", 500));
  a.password_hash = "$argon2id$hash-new";
  CHECK(u.update_user(a));
  CHECK(!u.session("s4", 500));
  CHECK(u.session("s3", 500));  // bob's stays
}
