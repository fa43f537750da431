// The storage conformance suite, outbound tables: lists, records (bulk insert, read-back of
// every field, paging, leases in scheduled order, write-back, stale recovery), attempts,
// suppression and denials — every case on every backend (PARLEY_BACKENDS).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "fresh_database.hpp"

using namespace parley;
using namespace parley::test;
using storage::record_row;

namespace {

record_row rec(std::uint64_t n, std::int64_t sched_ms = 0) {
  record_row r;
  r.phone = "+1555" + std::to_string(1000000 + n);
  r.contact_info_type = static_cast<std::uint8_t>(storage::contact_info_type::mobile);
  r.record_type = static_cast<std::uint8_t>(storage::record_type::general);
  r.record_status = static_cast<std::uint8_t>(storage::record_status::ready);
  r.dial_sched_ms = sched_ms;
  r.daily_from_s = 8 * 3600;
  r.daily_till_s = 21 * 3600;
  r.tz = "America/New_York";
  r.chain_id = n / 2;
  r.chain_n = static_cast<std::uint32_t>(n % 2);
  r.customer_id = "c" + std::to_string(n / 2);
  r.custom = R"({"name":"Zoë \"Z\" Tab\there","n":)" + std::to_string(n) + "}";
  return r;
}

bool same_json(const std::string& a, const std::string& b) {
  return nlohmann::json::parse(a) == nlohmann::json::parse(b);
}

void check_same(const record_row& got, const record_row& want) {
  CHECK(got.phone == want.phone);
  CHECK(int{got.contact_info_type} == int{want.contact_info_type});
  CHECK(int{got.record_type} == int{want.record_type});
  CHECK(int{got.record_status} == int{want.record_status});
  CHECK(int{got.call_result} == int{want.call_result});
  CHECK(got.attempts == want.attempts);
  CHECK(got.dial_sched_ms == want.dial_sched_ms);
  CHECK(got.call_time_ms == want.call_time_ms);
  CHECK(got.daily_from_s == want.daily_from_s);
  CHECK(got.daily_till_s == want.daily_till_s);
  CHECK(got.tz == want.tz);
  CHECK(got.chain_id == want.chain_id);
  CHECK(got.chain_n == want.chain_n);
  CHECK(got.customer_id == want.customer_id);
  CHECK(got.agent == want.agent);
  CHECK(got.disposition == want.disposition);
  CHECK_MESSAGE(same_json(got.custom, want.custom), got.custom << " vs " << want.custom);
}

} // namespace

TEST_CASE_TEMPLATE("storage/outbound: lists are created once and counted", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  CHECK(o.lists().empty());
  CHECK(!o.list("spring").has_value());
  auto a = o.create_list("spring", 1000);
  auto b = o.create_list("autumn", 2000);
  CHECK(a.id != b.id);
  bool taken = false;
  try {
    o.create_list("spring", 3000);
  } catch (const storage::storage_error& e) {
    taken = std::string{e.what()}.find("exists already") != std::string::npos && !e.transient();
  }
  CHECK(taken);
  o.insert_records(a.id, {rec(1), rec(2), rec(3)});
  auto all = o.lists();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "autumn");  // by name
  CHECK(all[0].records == 0);
  CHECK(all[1].name == "spring");
  CHECK(all[1].records == 3);
  CHECK(all[1].created_ms == 1000);
  CHECK(o.list("spring")->id == a.id);
  CHECK(o.count_records(a.id) == 3);
}

TEST_CASE_TEMPLATE("storage/outbound: records read back field by field, paged by id", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  std::vector<record_row> in;
  for (std::uint64_t n = 0; n < 25'000; ++n)
    in.push_back(rec(n, static_cast<std::int64_t>(n % 7)));
  in[3].custom = "";  // stored as {}
  in[4].record_type = static_cast<std::uint8_t>(storage::record_type::personal_callback);
  in[4].agent = "ann \"the\" agent, \\ {x}";  // quotes, a comma, a backslash, braces
  o.insert_records(l.id, {in.begin(), in.begin() + 10'000});
  o.insert_records(l.id, {in.begin() + 10'000, in.end()});
  CHECK(o.count_records(l.id) == 25'000);

  std::vector<record_row> out;
  std::uint64_t after = 0;
  for (;;) {
    auto page = o.records(l.id, after, 4096);
    if (page.empty())
      break;
    for (auto& r : page) {
      REQUIRE(r.id > after);
      after = r.id;
    }
    out.insert(out.end(), page.begin(), page.end());
  }
  REQUIRE(out.size() == in.size());
  in[3].custom = "{}";
  for (std::size_t i : {0UL, 3UL, 4UL, 9'999UL, 10'000UL, 24'999UL}) {
    CAPTURE(i);
    CHECK(out[i].list_id == l.id);
    check_same(out[i], in[i]);
  }
  CHECK(o.records(l.id + 1, 0, 10).empty());
}

TEST_CASE_TEMPLATE("storage/outbound: lease takes due ready records in scheduled order once", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  auto other = o.create_list("other", 1);
  // Scheduled at 500, 400, 300, 200, 100, 0 — and one far in the future, one cancelled.
  std::vector<record_row> rows;
  for (std::int64_t i = 0; i < 6; ++i)
    rows.push_back(rec(static_cast<std::uint64_t>(i), 500 - 100 * i));
  rows.push_back(rec(6, 1'000'000));
  rows.push_back(rec(7, 0));
  rows.back().record_status = static_cast<std::uint8_t>(storage::record_status::cancelled);
  o.insert_records(l.id, rows);
  o.insert_records(other.id, {rec(8)});

  auto first = o.lease(l.id, 4, 1000);
  REQUIRE(first.size() == 4);
  std::vector<std::int64_t> sched;
  for (auto& r : first) {
    sched.push_back(r.dial_sched_ms);
    CHECK(int{r.record_status} == int(storage::record_status::retrieved));
    CHECK(r.list_id == l.id);
  }
  CHECK(sched == std::vector<std::int64_t>{0, 100, 200, 300});
  auto second = o.lease(l.id, 10, 1000);
  REQUIRE(second.size() == 2);  // 400 and 500; not the future one, not the cancelled one
  CHECK(second[0].dial_sched_ms == 400);
  CHECK(o.lease(l.id, 10, 1000).empty());
  CHECK(o.lease(l.id, 10, 2'000'000).size() == 1);

  // Write one back as called; the rest stay retrieved until recovery.
  auto done = first[0];
  done.record_status = static_cast<std::uint8_t>(storage::record_status::updated);
  done.call_result = static_cast<std::uint8_t>(storage::call_result::busy);
  done.attempts = 1;
  done.call_time_ms = 1500;
  done.dial_sched_ms = 1500 + 600'000;
  o.update_records({done});
  CHECK(o.recover_stale() == 6);  // 3 + 2 + the future one
  CHECK(o.recover_stale() == 0);
  auto back = o.records(l.id, 0, 100);
  auto it = std::find_if(back.begin(), back.end(), [&](auto& r) { return r.id == done.id; });
  REQUIRE(it != back.end());
  check_same(*it, done);
  std::multiset<int> statuses;
  for (auto& r : back)
    statuses.insert(r.record_status);
  CHECK(statuses.count(int(storage::record_status::ready)) == 6);
  CHECK(statuses.count(int(storage::record_status::cancelled)) == 1);
  CHECK(statuses.count(int(storage::record_status::updated)) == 1);
}

TEST_CASE_TEMPLATE("storage/outbound: leases in each record order", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  // Imported in this order: due 300 100 200 0; attempts 0 2 1 1.
  std::vector<record_row> rows{rec(0, 300), rec(1, 100), rec(2, 200), rec(3, 0)};
  std::uint32_t attempts[] = {0, 2, 1, 1};
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i].attempts = attempts[i];
  auto phones = [](const std::vector<record_row>& got) {
    std::vector<std::string> out;
    for (auto& r : got)
      out.push_back(r.phone.substr(r.phone.size() - 1));
    return out;
  };
  using V = std::vector<std::string>;
  auto run = [&](storage::lease_order order, const char* name) {
    auto l = o.create_list(name, 1);
    o.insert_records(l.id, rows);
    return phones(o.lease(l.id, 10, 1000, order));
  };
  CHECK(run(storage::lease_order::schedule, "by-schedule") == V{"3", "1", "2", "0"});
  CHECK(run(storage::lease_order::fewest_attempts, "fresh-first") == V{"0", "3", "2", "1"});
  CHECK(run(storage::lease_order::list, "as-listed") == V{"0", "1", "2", "3"});
  // Not due yet stays out whatever the order.
  auto l = o.create_list("later", 1);
  o.insert_records(l.id, {rec(5, 5000), rec(6, 10)});
  CHECK(phones(o.lease(l.id, 10, 1000, storage::lease_order::list)) == V{"6"});
}

TEST_CASE_TEMPLATE("storage/outbound: a chain's next number becomes due; a closed chain is cancelled",
                   B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  // Chain 9: positions 1 (due), 2 and 3 (waiting); chain 8 in the same list, one record.
  std::vector<record_row> rows;
  for (std::uint32_t n = 1; n <= 3; ++n) {
    auto r = rec(n, n == 1 ? 0 : storage::chain_waiting_ms);
    r.chain_id = 9;
    r.chain_n = n;
    rows.push_back(r);
  }
  auto other = rec(4, storage::chain_waiting_ms);
  other.chain_id = 8;
  other.chain_n = 2;
  rows.push_back(other);
  o.insert_records(l.id, rows);
  auto by_n = [&](std::uint64_t chain) {
    std::map<std::uint32_t, record_row> out;
    for (auto& r : o.records(l.id, 0, 100))
      if (r.chain_id == chain)
        out[r.chain_n] = r;
    return out;
  };
  CHECK(o.release_chain_next(l.id, 9, 1, 5'000));
  auto c = by_n(9);
  CHECK(c[2].dial_sched_ms == 5'000);
  CHECK(c[3].dial_sched_ms == storage::chain_waiting_ms);  // one at a time
  CHECK(o.release_chain_next(l.id, 9, 2, 6'000));
  CHECK_FALSE(o.release_chain_next(l.id, 9, 3, 7'000));  // nothing after the last
  CHECK(o.close_chain(l.id, 9) == 3);
  for (auto& [n, r] : by_n(9))
    CHECK(int{r.record_status} == int(storage::record_status::cancelled));
  CHECK(int{by_n(8)[2].record_status} == int(storage::record_status::ready));  // untouched
  CHECK(o.close_chain(l.id, 9) == 0);
}

TEST_CASE_TEMPLATE("storage/outbound: attempts by record and by customer since a time", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  std::vector<storage::attempt_row> rows;
  for (std::int64_t t = 0; t < 10; ++t)
    rows.push_back({static_cast<std::uint64_t>(100 + t % 2), 1, 7, "cust-7", "+15550001",
                    "spring", 1000 * t, static_cast<std::uint8_t>(t % 3)});
  rows.push_back({300, 1, 8, "cust-8", "+15550002", "spring", 5000, 1});
  o.insert_attempts(rows);
  auto r100 = o.record_attempts(100, 4000);  // t = 4, 6, 8
  REQUIRE(r100.size() == 3);
  CHECK(r100[0].started_ms == 4000);
  CHECK(r100[2].started_ms == 8000);
  CHECK(r100[1].campaign == "spring");
  CHECK(r100[1].customer_id == "cust-7");
  CHECK(r100[1].chain_id == 7);
  CHECK(int{r100[1].call_result} == 0);
  CHECK(o.customer_attempts("cust-7", 0).size() == 10);
  CHECK(o.customer_attempts("cust-7", 9000).size() == 1);
  CHECK(o.customer_attempts("cust-8", 0).size() == 1);
  CHECK(o.customer_attempts("nobody", 0).empty());
  // Text with tabs, newlines and backslashes survives (PostgreSQL writes attempts with COPY).
  o.insert_attempts({{400, 1, 0, "a\tb\\c\nd", "+15550003", "camp\\aign", 1, 2}});
  auto odd = o.record_attempts(400, 0);
  REQUIRE(odd.size() == 1);
  CHECK(odd[0].customer_id == "a\tb\\c\nd");
  CHECK(odd[0].campaign == "camp\\aign");
}

TEST_CASE_TEMPLATE("storage/outbound: a batch of write-backs applies in order (a record's last row wins)",
                   B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  o.insert_records(l.id, {rec(1), rec(2)});
  auto leased = o.lease(l.id, 2, 1000);
  REQUIRE(leased.size() == 2);
  auto given_back = leased[0];
  given_back.record_status = static_cast<std::uint8_t>(storage::record_status::ready);
  given_back.dial_sched_ms = 2000;
  auto called = leased[0];
  called.record_status = static_cast<std::uint8_t>(storage::record_status::updated);
  called.call_result = static_cast<std::uint8_t>(storage::call_result::answer);
  called.attempts = 1;
  called.call_time_ms = 3000;
  // What the agent set: a disposition, and fields written back into custom.
  called.disposition = "sale \"gold\", {x}";
  called.custom = R"({"name":"Zoë","plan":"platin\"um","n":1})";
  auto other = leased[1];
  other.attempts = 4;
  // A missed personal callback becomes a campaign callback; a rescheduled one names its agent.
  other.record_type = static_cast<std::uint8_t>(storage::record_type::personal_rescheduled);
  other.agent = "bo\"b, {x}";
  o.update_records({given_back, other, called});
  std::map<std::uint64_t, record_row> back;
  for (auto& r : o.records(l.id, 0, 10))
    back[r.id] = r;
  check_same(back[called.id], called);
  check_same(back[other.id], other);
  o.update_records({});
}

TEST_CASE_TEMPLATE("storage/outbound: suppression entries are added once and removed", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  CHECK(o.suppression().empty());
  o.add_suppression({{"phone", "+15550001", 1}, {"customer", "c9", 2}, {"phone", "+15550001", 3}});
  o.add_suppression({{"phone", "+15550002", 4}});
  auto all = o.suppression();
  REQUIRE(all.size() == 3);
  CHECK(all[0].kind == "customer");
  CHECK(all[1].value == "+15550001");
  CHECK(all[1].added_ms == 1);  // the first add stands
  CHECK(o.remove_suppression("phone", "+15550001"));
  CHECK_FALSE(o.remove_suppression("phone", "+15550001"));
  CHECK_FALSE(o.remove_suppression("customer", "+15550002"));  // kinds are separate
  CHECK(o.suppression().size() == 2);
  // A new store on the same database sees them (what a restart does).
  s.reset();
  CHECK(db->open()->outbound().suppression().size() == 2);
}

TEST_CASE_TEMPLATE("storage/outbound: denials are kept, newest first", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  o.insert_denials({{10, "spring", 1, 11, "+15550001", "c1", "suppressed_phone", "on the DNC list"},
                    {20, "spring", 1, 12, "+15550002", "c2", "outside_window",
                     "22:00:00 local in Europe/Berlin, window 08:00:00-21:00:00"}});
  auto d = o.denials(10);
  REQUIRE(d.size() == 2);
  CHECK(d[0].time_ms == 20);
  CHECK(d[0].reason == "outside_window");
  CHECK(d[0].detail.find("Europe/Berlin") != std::string::npos);
  CHECK(d[1].record_id == 11);
  CHECK(d[1].customer_id == "c1");
  CHECK(d[1].campaign == "spring");
  CHECK(o.denials(1).size() == 1);
}

TEST_CASE_TEMPLATE("storage/outbound: the agents' record actions are kept per campaign, newest "
                   "first; an imported disposition is kept", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  o.insert_record_actions({{10, "spring", 1, 11, "ann", "update", "disposition=sale plan=\"gold\""},
                           {20, "autumn", 2, 12, "bob", "processed", ""},
                           {30, "spring", 1, 11, "", "timeout", "no RecordProcessed from ann"},
                           {40, "spring", 1, 13, "ann", "do_not_call", "phone +15550001: {asked}"}});
  o.insert_record_actions({});
  auto a = o.record_actions("spring", 10);
  REQUIRE(a.size() == 3);
  CHECK(a[0].time_ms == 40);
  CHECK(a[0].action == "do_not_call");
  CHECK(a[0].detail == "phone +15550001: {asked}");
  CHECK(a[1].agent.empty());
  CHECK(a[2].detail == "disposition=sale plan=\"gold\"");
  CHECK(a[2].list_id == 1);
  CHECK(a[2].record_id == 11);
  CHECK(a[2].campaign == "spring");
  CHECK(o.record_actions("spring", 1).size() == 1);
  CHECK(o.record_actions("winter", 10).empty());

  auto l = o.create_list("l", 1);
  auto r = rec(1);
  r.disposition = "sale";
  o.insert_records(l.id, {r, rec(2)});
  auto back = o.records(l.id, 0, 10);
  REQUIRE(back.size() == 2);
  check_same(back[0], r);
  CHECK(back[1].disposition.empty());
}

TEST_CASE_TEMPLATE("storage/outbound: a lease never returns no_call or unknown records", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  using storage::record_type;
  std::vector<record_row> in;
  for (auto t : {record_type::general, record_type::campaign_callback,
                 record_type::personal_callback, record_type::campaign_rescheduled,
                 record_type::no_call, record_type::personal_rescheduled, record_type::unknown}) {
    auto r = rec(in.size());
    r.record_type = static_cast<std::uint8_t>(t);
    if (storage::is_personal(r.record_type))
      r.agent = "ann";
    in.push_back(r);
  }
  o.insert_records(l.id, in);
  for (auto order : {storage::lease_order::schedule, storage::lease_order::fewest_attempts,
                     storage::lease_order::list}) {
    auto got = o.lease(l.id, 100, 1000, order);
    std::set<int> types;
    for (auto& r : got) {
      types.insert(r.record_type);
      r.record_status = static_cast<std::uint8_t>(storage::record_status::ready);
    }
    CHECK(types == std::set<int>{1, 2, 3, 4, 6});
    o.update_records(got);  // ready again for the next order
  }
  // They stay in the list, ready, and are exported like any other.
  CHECK(o.count_records(l.id) == 7);
}

TEST_CASE_TEMPLATE("storage/outbound: result rows carry their times; the abandon window and the "
                   "audit are computed from them", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  constexpr std::int64_t h = 3'600'000, t0 = 1000 * h;
  auto attempt = [](std::int64_t dialed, std::int64_t answered, std::int64_t connected,
                    std::int64_t ended, bool abandoned, std::string campaign = "spring") {
    storage::attempt_row a{1, 1, 0, "c", "+15550001", std::move(campaign), dialed,
                           static_cast<std::uint8_t>(storage::call_result::answer)};
    a.answered_ms = answered;
    a.connected_ms = connected;
    a.ended_ms = ended;
    a.abandoned = abandoned;
    a.agent = connected ? "ann" : "";
    return a;
  };
  std::vector<storage::attempt_row> rows{
    // hour 1000: three answers, one abandoned; one reached an agent after 2.5 s
    attempt(t0, t0 + 100, t0 + 900, t0 + 60'000, false),
    attempt(t0, t0 + 100, t0 + 2600, t0 + 61'000, false),
    attempt(t0, t0 + 100, 0, t0 + 2'200, true),
    // hour 1002: one answer, and a busy number (no answer: no time)
    attempt(t0 + 2 * h, t0 + 2 * h + 5, t0 + 2 * h + 2005, t0 + 2 * h + 9000, false),
    attempt(t0 + 2 * h, 0, 0, t0 + 2 * h + 4000, false),
    // another campaign, and a dial row (no end: not a result)
    attempt(t0, t0 + 1, t0 + 2, t0 + 3, true, "autumn"),
    attempt(t0, 0, 0, 0, false),
  };
  rows[4].call_result = static_cast<std::uint8_t>(storage::call_result::busy);
  rows[6].call_result = 0;
  o.insert_attempts(rows);

  auto back = o.record_attempts(1, 0);
  REQUIRE(back.size() == 7);
  CHECK(back[1].answered_ms == t0 + 100);
  CHECK(back[1].connected_ms == t0 + 2600);
  CHECK(back[1].ended_ms == t0 + 61'000);
  CHECK(back[1].agent == "ann");
  CHECK(std::count_if(back.begin(), back.end(), [](auto& a) { return a.abandoned; }) == 2);

  auto hours = o.answer_hours("spring", 0);
  REQUIRE(hours.size() == 2);
  CHECK(hours[0].hour == 1000);
  CHECK(hours[0].answered == 3);
  CHECK(hours[0].abandoned == 1);
  CHECK(hours[1].hour == 1002);
  CHECK(hours[1].answered == 1);
  CHECK(hours[1].abandoned == 0);
  CHECK(o.answer_hours("spring", t0 + h).size() == 1);
  CHECK(o.answer_hours("nobody", 0).empty());

  auto a = o.audit("spring", 0, t0 + 10 * h);
  CHECK(a.attempts == 5);
  CHECK(a.answered == 4);
  CHECK(a.abandoned == 1);
  CHECK(a.connected == 3);
  CHECK(a.connected_in_2s == 2);  // 800 ms and exactly 2000 ms; not 2500 ms
  auto first_hour = o.audit("spring", t0, t0 + h);
  CHECK(first_hour.attempts == 3);
  auto none = o.audit("spring", 0, t0);
  CHECK(none.attempts == 0);
  CHECK(none.answered == 0);
}

TEST_CASE_TEMPLATE("storage/outbound: remaining tells a record due now from one due later, and "
                   "ignores what can never be dialed", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& o = s->outbound();
  auto l = o.create_list("l", 1);
  auto other = o.create_list("other", 1);
  auto left = [&](std::uint64_t list, std::int64_t now) {
    auto r = o.remaining(list, now);
    return std::pair{r.due_now, r.later};
  };
  CHECK(left(l.id, 1000) == std::pair{false, false});
  // Never dialed: a no_call record, one waiting for its chain, a cancelled one.
  auto no_call = rec(0);
  no_call.record_type = static_cast<std::uint8_t>(storage::record_type::no_call);
  auto waiting = rec(1, storage::chain_waiting_ms);
  o.insert_records(l.id, {no_call, waiting, rec(2), rec(3, 5000)});
  auto rows = o.records(l.id, 0, 100);
  REQUIRE(rows.size() == 4);
  rows[2].record_status = static_cast<std::uint8_t>(storage::record_status::cancelled);
  o.update_records({rows[2]});
  CHECK(left(l.id, 1000) == std::pair{false, true});  // the one due at 5000
  CHECK(left(l.id, 5000) == std::pair{true, false});
  CHECK(left(other.id, 5000) == std::pair{false, false});
  // Leased, it is the campaign's (in hand), no longer the list's.
  CHECK(o.lease(l.id, 10, 5000, storage::lease_order::schedule).size() == 1);
  CHECK(left(l.id, 5000) == std::pair{false, false});
  // Given back for a retry later.
  rows[3].record_status = static_cast<std::uint8_t>(storage::record_status::ready);
  rows[3].dial_sched_ms = 9000;
  o.update_records({rows[3]});
  CHECK(left(l.id, 5000) == std::pair{false, true});
  CHECK(left(l.id, 9000) == std::pair{true, false});
}
