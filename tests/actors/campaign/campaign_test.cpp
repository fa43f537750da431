// The campaign family (actors/outbound: campaign, dialer sessions, compliance, the list
// store, the simulated gateway) on CAF's test coordinator, in a local_engine with an
// SQLite store (engine/local_engine.hpp runs the outbound actors scheduled). Lists,
// records and do-not-call entries are put into the store before the engine starts;
// campaigns are controlled and previewed in frames (CampaignControl, PreviewRequest),
// and what they did is read back from CampaignStatus, the desktops' invites and the store
// (records, attempts). What docs/outbound.md promises: progressive dialing one call per
// ready agent, each holding its agent, and nothing without one; preview; attempt caps per
// record and per customer; the calling window in each contact's zone on the virtual
// clock; do-not-call by phone and by customer; start, pause, resume and stop.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>

#include "engine/engine.hpp"
#include "storage/store.hpp"
#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using storage::record_row;
using storage::record_status;
using test::error_of;
using test::local_client;
using test::ok;
using wire::CampaignOp;
using wire::ClientType;

namespace {

// Domain time starts at 2023-11-14T22:13:20Z (test::local_epoch): 17:13 in New York,
// 23:13 in Berlin, 07:13 (the 15th) in Tokyo.
const char* center = R"(
[routing]
offer_timeout_ms = 60000

[[queues]]
name = "outbound"

[[agent_groups]]
name = "team"
members = ["a1", "a2", "a3"]
capacity = { voice = 1 }

[outbound.gateway]
seed = 7
answer = 1.0
busy = 0.0
no_answer = 0.0
machine = 0.0
fax = 0.0
sit = 0.0
dropped = 0.0
ring_mean_ms = 4000
talk_mean_ms = 3600000

[[campaigns]]
name = "spring"
lists = ["spring"]
queue = "outbound"
mode = "progressive"
window = "08:00-21:00"

[[campaigns]]
name = "look"
lists = ["look"]
queue = "outbound"
mode = "preview"
preview_timeout_ms = 30000
)";

/// A record to seed: phone, zone, customer.
record_row person(std::string phone, std::string tz = "America/New_York", std::string customer = "") {
  record_row r;
  r.phone = std::move(phone);
  r.tz = std::move(tz);
  r.customer_id = std::move(customer);
  return r;
}

/// A personal callback for `agent`, due now.
record_row personal(std::string phone, std::string agent) {
  auto r = person(std::move(phone));
  r.record_type = static_cast<std::uint8_t>(storage::record_type::personal_callback);
  r.agent = std::move(agent);
  return r;
}

using lists = std::map<std::string, std::vector<record_row>>;
using dnc = std::vector<storage::suppression_row>;
using history = std::vector<storage::attempt_row>;

/// Writes the lists, do-not-call entries and dial history into the store the config names,
/// before the engine opens it.
std::function<void(const engine::config&)> seeding(lists ls, dnc blocked, history h) {
  return [ls, blocked, h](const engine::config& cfg) {
    std::filesystem::create_directories(cfg.data_dir);
    auto store = storage::open_store(engine::store_config(cfg));
    store->migrate();
    auto& ob = store->outbound();
    for (auto& [name, records] : ls)
      ob.insert_records(ob.create_list(name, 0).id, records);
    if (!blocked.empty())
      ob.add_suppression(blocked);
    if (!h.empty())
      ob.insert_attempts(h);
  };
}

struct fixture : test::local_fixture {
  local_client admin, d1, d2;

  explicit fixture(lists ls, dnc blocked = {}, std::string extra = "", history h = {})
    : local_fixture(std::string{center} + extra, storage_mode::store, {},
                    seeding(std::move(ls), std::move(blocked), std::move(h))) {
    open(admin, ClientType::admin);
    open(d1, ClientType::agent_desktop);
    open(d2, ClientType::agent_desktop);
  }

  const wire::CampaignStatus* control(const std::string& name, CampaignOp op) {
    auto* r = ask(admin, wire::CreateCampaignControlDirect(enc.start(), name.c_str(), op));
    return r ? r->message_as_CampaignStatus() : nullptr;
  }
  /// a1 and a2 ready, then the campaign started.
  void start_with_agents(const std::string& name) {
    login(d1, "a1");
    login(d2, "a2");
    REQUIRE(control(name, CampaignOp::start));
  }
  /// Each desktop accepts what it is offered now.
  void accept_all() {
    for (auto* d : {&d1, &d2})
      for (auto* i : d->all<wire::Invite>()) {
        auto* info = ask(admin, wire::CreateGetInteraction(enc.start(), i->info()->id()));
        if (ok(info) && info->message_as_InteractionData()->info()->state() == wire::InteractionState::offered)
          accept(*d, i->info()->id());
      }
  }
  const wire::CampaignStatus& status(const std::string& name) {
    auto* s = control(name, CampaignOp::status);
    REQUIRE(s);
    return *s;
  }
  std::uint64_t dialed(const std::string& name) { return status(name).dialed(); }

  /// The list's records as the store has them now (the list store commits every 20 ms).
  std::vector<record_row> records(const std::string& list) {
    vt.advance(100ms);
    auto store = storage::open_store(engine::store_config(cfg));
    auto& ob = store->outbound();
    auto l = ob.list(list);
    REQUIRE(l);
    return ob.records(l->id, 0, 1000);
  }
  std::vector<storage::attempt_row> attempts(const record_row& r) {
    vt.advance(100ms);
    auto store = storage::open_store(engine::store_config(cfg));
    return store->outbound().record_attempts(r.id, 0);
  }
};

std::string invite_property(const wire::Invite* invite, const std::string& key) {
  if (auto* props = invite->info()->properties())
    for (auto* p : *props)
      if (p->key()->str() == key)
        return p->text() ? p->text()->str() : std::to_string(p->number());
  return "";
}

const std::int64_t start_ms = std::chrono::milliseconds{test::local_epoch}.count();

} // namespace

TEST_CASE("progressive: one call per ready agent, each offered to the agent it held; none without agents") {
  fixture f{lists{{"spring", {person("+12125550101"), person("+12125550102"), person("+12125550103")}}}};
  REQUIRE(f.control("spring", CampaignOp::start));
  CHECK(f.status("spring").state()->str() == "running");
  // Nobody is logged in: nothing is dialed, however long.
  f.vt.advance(1min);
  CHECK(f.dialed("spring") == 0);

  f.login(f.d1, "a1");
  f.login(f.d2, "a2");
  f.vt.advance(100ms);  // one pacing tick
  auto s = &f.status("spring");
  CHECK(s->dialed() == 2);
  CHECK(s->in_flight() == 2);
  // A held agent is offered nothing else: an inbound call into the same queue waits.
  auto inbound = f.submit(f.admin, "outbound");
  CHECK(f.d1.invites().empty());
  CHECK(f.d2.invites().empty());
  // The calls ring (1 to 7 s); answered, each is offered to the agent held for it.
  f.vt.advance(10s);
  CHECK(f.status("spring").ready_agents() == 0);  // both held for their calls
  CHECK(f.status("spring").agents() == 2);
  REQUIRE(f.d1.all<wire::Invite>().size() == 1);
  REQUIRE(f.d2.all<wire::Invite>().size() == 1);
  auto* i1 = f.d1.all<wire::Invite>()[0];
  auto* i2 = f.d2.all<wire::Invite>()[0];
  CHECK(invite_property(i1, "campaign") == "spring");
  CHECK(invite_property(i2, "campaign") == "spring");
  CHECK(i1->info()->priority() == 1000);
  std::set<std::string> phones{invite_property(i1, "phone"), invite_property(i2, "phone")};
  CHECK(phones == std::set<std::string>{"+12125550101", "+12125550102"});
  CHECK(f.status("spring").answered() == 0);  // answered counts finished calls
  CHECK(f.state_of(f.admin, inbound).first == wire::InteractionState::queued);
  f.stop(f.admin, inbound);
  f.accept(f.d1, i1->info()->id());
  f.accept(f.d2, i2->info()->id());
  // Both agents on a call: the third record waits, a whole minute.
  f.vt.advance(1min);
  CHECK(f.dialed("spring") == 2);
  // a1 hangs up: its call ends and the third record is dialed for it at the next tick.
  f.stop(f.d1, i1->info()->id());
  f.vt.advance(100ms);
  s = &f.status("spring");
  CHECK(s->dialed() == 3);
  CHECK(s->answered() == 1);
  f.vt.advance(10s);
  REQUIRE(f.d1.all<wire::Invite>().size() == 2);
  CHECK(invite_property(f.d1.all<wire::Invite>()[1], "phone") == "+12125550103");
  CHECK(f.d2.all<wire::Invite>().size() == 1);
  // The finished call's record: answered once, final.
  auto recs = f.records("spring");
  REQUIRE(recs.size() == 3);
  auto first = std::find_if(recs.begin(), recs.end(),
                            [&](auto& r) { return r.phone == invite_property(i1, "phone"); });
  REQUIRE(first != recs.end());
  CHECK(first->attempts == 1);
  CHECK(first->call_result == static_cast<std::uint8_t>(storage::call_result::answer));
  CHECK(first->record_status == static_cast<std::uint8_t>(record_status::updated));
}

TEST_CASE("start, pause, resume and stop: what applies when, and nothing dialed unless running") {
  fixture f{lists{{"spring", {person("+12125550101"), person("+12125550102"), person("+12125550103")}}}};
  auto* refused = f.ask(f.admin, wire::CreateCampaignControlDirect(f.enc.start(), "spring", CampaignOp::pause));
  CHECK(error_of(refused) == wire::ErrorCode::wrong_state);
  CHECK(error_of(f.ask(f.admin, wire::CreateCampaignControlDirect(f.enc.start(), "nope", CampaignOp::start)))
        == wire::ErrorCode::unknown_id);
  // Only admin clients change a campaign; anyone may read it.
  CHECK(error_of(f.ask(f.d1, wire::CreateCampaignControlDirect(f.enc.start(), "spring", CampaignOp::start)))
        == wire::ErrorCode::wrong_client_type);
  CHECK(ok(f.ask(f.d1, wire::CreateCampaignControlDirect(f.enc.start(), "spring", CampaignOp::status))));
  CHECK(f.status("spring").state()->str() == "loaded");

  REQUIRE(f.control("spring", CampaignOp::start));
  CHECK(error_of(f.ask(f.admin, wire::CreateCampaignControlDirect(f.enc.start(), "spring", CampaignOp::start)))
        == wire::ErrorCode::wrong_state);
  REQUIRE(f.control("spring", CampaignOp::pause));
  CHECK(f.status("spring").state()->str() == "paused");
  f.login(f.d1, "a1");
  f.vt.advance(30s);
  CHECK(f.dialed("spring") == 0);
  REQUIRE(f.control("spring", CampaignOp::resume));
  f.vt.advance(100ms);
  CHECK(f.dialed("spring") == 1);
  // Stop: the leased, undialed records go back to their list; the call under way finishes.
  auto* stopped = f.control("spring", CampaignOp::stop);
  REQUIRE(stopped);
  CHECK(stopped->state()->str() == "stopped");
  CHECK(stopped->buffered() == 0);
  CHECK(stopped->in_flight() == 1);
  f.login(f.d2, "a2");
  f.vt.advance(1min);
  CHECK(f.dialed("spring") == 1);
  std::map<std::uint8_t, int> by_status;
  for (auto& r : f.records("spring"))
    ++by_status[r.record_status];
  CHECK(by_status[static_cast<std::uint8_t>(record_status::ready)] == 2);
  CHECK(by_status[static_cast<std::uint8_t>(record_status::retrieved)] == 1);  // on the phone
  CHECK(error_of(f.ask(f.admin, wire::CreateCampaignControlDirect(f.enc.start(), "spring", CampaignOp::stop)))
        == wire::ErrorCode::wrong_state);
}

TEST_CASE("the calling window is each contact's own local time, on the virtual clock") {
  // 22:13:20Z: open in New York (17:13), closed in Berlin (23:13) and in Tokyo (07:13,
  // opening at 08:00 local = 23:00:00Z, 46 min 40 s later).
  fixture f{lists{{"spring", {person("+12125550101", "America/New_York"),
                              person("+493012345678", "Europe/Berlin"),
                              person("+81312345678", "Asia/Tokyo")}}}};
  f.start_with_agents("spring");
  f.vt.advance(10s);
  auto* s = &f.status("spring");
  CHECK(s->dialed() == 1);
  CHECK(s->denied() == 2);
  // New York answered; its agent takes the call (an offer left alone would time out, and
  // max_no_answer of those would make the agents not ready).
  f.accept_all();
  f.vt.advance(46min + 29s);  // 22:59:59
  CHECK(f.dialed("spring") == 1);
  f.vt.advance(15s);  // the next lease after 23:00:00Z
  CHECK(f.dialed("spring") == 2);
  auto recs = f.records("spring");
  REQUIRE(recs.size() == 3);
  auto tokyo = f.attempts(recs[2]);
  REQUIRE(tokyo.size() >= 1);
  CHECK(tokyo[0].started_ms >= start_ms + (46 * 60 + 40) * 1000);
  CHECK(tokyo[0].started_ms < start_ms + (46 * 60 + 40 + 15) * 1000);
  CHECK(f.attempts(recs[1]).empty());  // Berlin opens at 07:00Z tomorrow
  CHECK(recs[1].dial_sched_ms == start_ms + (8 * 3600 + 46 * 60 + 40) * 1000);
}

TEST_CASE("do-not-call by phone and by customer: cancelled, never dialed") {
  fixture f{lists{{"spring", {person("+12125550101", "America/New_York", "c1"),
                              person("+12125550102", "America/New_York", "c2"),
                              person("+12125550103", "America/New_York", "c3")}}},
            dnc{{"phone", "+12125550101", 0}, {"customer", "c3", 0}}};
  f.start_with_agents("spring");
  f.vt.advance(1min);
  auto* st = &f.status("spring");
  CHECK(st->dialed() == 1);
  CHECK(st->denied() == 2);
  std::map<std::string, std::uint8_t> status_of;
  for (auto& r : f.records("spring"))
    status_of[r.phone] = r.record_status;
  CHECK(status_of["+12125550101"] == static_cast<std::uint8_t>(record_status::cancelled));
  CHECK(status_of["+12125550103"] == static_cast<std::uint8_t>(record_status::cancelled));
  CHECK(status_of["+12125550102"] == static_cast<std::uint8_t>(record_status::retrieved));
}

TEST_CASE("attempt caps: per customer across its numbers, per record across retries") {
  // An answered call is retried a minute later here, so that the record cap has a retry
  // to refuse.
  fixture f{lists{{"capped", {person("+12125550101", "America/New_York", "c1"),
                              person("+12125550102", "America/New_York", "c1"),
                              person("+12125550103", "America/New_York", "c2")}}},
            {}, R"(
[[campaigns]]
name = "capped"
lists = ["capped"]
queue = "outbound"
max_record_attempts = 1
max_customer_attempts = 1
treatments = [{ result = "answer", action = "retry", after_min = 1, max_attempts = 5 }]
)"};
  f.start_with_agents("capped");
  f.vt.advance(10s);
  // c1's two numbers were checked together: only one of them passes the customer cap.
  auto* st = &f.status("capped");
  CHECK(st->dialed() == 2);
  CHECK(st->denied() == 1);
  for (auto* d : {&f.d1, &f.d2}) {
    REQUIRE(d->all<wire::Invite>().size() == 1);
    auto iid = d->all<wire::Invite>()[0]->info()->id();
    f.accept(*d, iid);
    f.stop(*d, iid);
  }
  // Both retried a minute later, both refused by the record cap (1 in 24 h); c1's other
  // number waits an hour after its denial.
  f.vt.advance(2min);
  st = &f.status("capped");
  CHECK(st->dialed() == 2);
  CHECK(st->denied() == 3);
  auto recs = f.records("capped");
  REQUIRE(recs.size() == 3);
  std::multiset<std::uint32_t> attempts;
  for (auto& r : recs)
    attempts.insert(r.attempts);
  CHECK(attempts == std::multiset<std::uint32_t>{0, 1, 1});
  auto store = storage::open_store(engine::store_config(f.cfg));
  std::multiset<std::string> reasons;
  for (auto& d : store->outbound().denials(10))
    reasons.insert(d.reason);
  CHECK(reasons == std::multiset<std::string>{"customer_attempts", "record_attempts", "record_attempts"});
}

TEST_CASE("preview: the agent sees a record, dials it with itself held, or hands it back") {
  fixture f{lists{{"look", {person("+12125550101"), person("+12125550102")}}}};
  f.login(f.d1, "a1");
  auto preview = [&](local_client& d) {
    return f.ask(d, wire::CreatePreviewRequestDirect(f.enc.start(), "look"));
  };
  CHECK(error_of(preview(f.d1)) == wire::ErrorCode::wrong_state);  // not running
  REQUIRE(f.control("look", CampaignOp::start));
  auto* p1 = preview(f.d1);
  REQUIRE(ok(p1));
  auto* rec = p1->message_as_PreviewRecord();
  CHECK(rec->phone()->str() == "+12125550101");
  CHECK(rec->timeout_ms() == 30000);
  auto first = rec->record_id();
  CHECK(error_of(preview(f.d1)) == wire::ErrorCode::wrong_state);  // holds one already
  // Handed back to its list; the next preview comes from what the campaign holds.
  REQUIRE(ok(f.ask(f.d1, wire::CreatePreviewDecisionDirect(f.enc.start(), "look", first, false))));
  CHECK(error_of(f.ask(f.d1, wire::CreatePreviewDecisionDirect(f.enc.start(), "look", first, true)))
        == wire::ErrorCode::unknown_id);
  f.vt.advance(100ms);
  auto* p2 = preview(f.d1);
  REQUIRE(ok(p2));
  auto second = p2->message_as_PreviewRecord()->record_id();
  CHECK(p2->message_as_PreviewRecord()->phone()->str() == "+12125550102");
  // Not decided within preview_timeout_ms: back to its list, and the decision is too late.
  f.vt.advance(30s);
  CHECK(error_of(f.ask(f.d1, wire::CreatePreviewDecisionDirect(f.enc.start(), "look", second, true)))
        == wire::ErrorCode::unknown_id);
  CHECK(f.dialed("look") == 0);
  // Dialed: the call is offered to this agent, nobody else.
  f.login(f.d2, "a2");
  auto* p3 = preview(f.d1);
  REQUIRE(ok(p3));
  auto third = p3->message_as_PreviewRecord()->record_id();
  auto phone = p3->message_as_PreviewRecord()->phone()->str();
  REQUIRE(ok(f.ask(f.d1, wire::CreatePreviewDecisionDirect(f.enc.start(), "look", third, true))));
  f.vt.advance(10s);
  CHECK(f.dialed("look") == 1);
  REQUIRE(f.d1.all<wire::Invite>().size() == 1);
  CHECK(invite_property(f.d1.all<wire::Invite>()[0], "phone") == phone);
  CHECK(f.d2.all<wire::Invite>().empty());
}

TEST_CASE("personal callbacks go to their own agent only: first in preview, dialed holding them") {
  fixture f{lists{{"look", {personal("+12125550101", "a2"), person("+12125550102")}},
                  {"spring", {personal("+12125550201", "a2"), person("+12125550202")}}}};
  auto preview = [&](local_client& d) {
    auto* r = f.ask(d, wire::CreatePreviewRequestDirect(f.enc.start(), "look"));
    REQUIRE(ok(r));
    return r->message_as_PreviewRecord()->phone()->str();
  };
  // Preview: a1 gets what is due for anyone although a2's callback was leased first...
  f.login(f.d1, "a1");
  REQUIRE(f.control("look", CampaignOp::start));
  CHECK(preview(f.d1) == "+12125550102");
  // ... and a2's own callback is the first thing a2 gets.
  f.login(f.d2, "a2");
  CHECK(preview(f.d2) == "+12125550101");
  REQUIRE(f.control("look", CampaignOp::stop));

  // Progressive: a1 is free, a2's callback is due first, and still a1 only gets the other.
  f.vt.advance(1min);  // the previews' records are back in their list
  REQUIRE(f.control("spring", CampaignOp::start));
  f.vt.advance(10s);
  auto invites = [](local_client& d) {
    std::vector<std::string> out;
    for (auto* i : d.all<wire::Invite>())
      out.push_back(invite_property(i, "phone"));
    return out;
  };
  CHECK(invites(f.d1) == std::vector<std::string>{"+12125550202"});
  CHECK(invites(f.d2) == std::vector<std::string>{"+12125550201"});
  CHECK(f.dialed("spring") == 2);
}

TEST_CASE("the abandon rate is rebuilt from the stored attempts before the campaign dials") {
  // In the last day: 10 answered calls, 2 of them abandoned; 31 days ago: 5, all abandoned
  // (outside the 30-day window); a dial row and an unanswered call count for nothing.
  history h;
  constexpr std::int64_t hour = 3'600'000;
  auto row = [&](std::int64_t ended, bool answered, bool abandoned) {
    storage::attempt_row a{1, 1, 0, "c", "+12125550101", "spring", ended - 30'000,
                           static_cast<std::uint8_t>(storage::call_result::answer)};
    a.answered_ms = answered ? ended - 20'000 : 0;
    a.ended_ms = ended;
    a.abandoned = abandoned;
    h.push_back(a);
  };
  for (int i = 0; i < 10; ++i)
    row(start_ms - (i + 1) * hour, true, i < 2);
  for (int i = 0; i < 5; ++i)
    row(start_ms - 31 * 24 * hour, true, true);
  row(start_ms - hour, false, false);
  h.push_back({1, 1, 0, "c", "+12125550101", "spring", start_ms - hour, 0});
  fixture f{lists{{"spring", {}}}, {}, "", h};
  CHECK(f.status("spring").abandon_rate() == doctest::Approx(0.2));
  CHECK(f.status("spring").abandoned() == 0);  // this run's own count
}
