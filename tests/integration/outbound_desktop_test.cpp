// The agent's side of a campaign call over 7120, against the real engine: an agent desktop
// sets the disposition and fields, puts the customer on the do-not-call list, reschedules
// (a personal callback that comes back to it, a campaign callback that goes to another
// agent, each at the customer-local time it asked for, and one refused outside the calling
// hours with the next allowed time), and says processed; a record nobody processes is
// written back at record_processed_timeout_ms; without one, actions are taken while the
// call is up. What came of it is read back as the engine stored it (`list export`,
// `campaign actions`, `dnc check`, /metrics).
#include <doctest/doctest.h>

#include <date/tz.h>

#include "integration/outbound_support.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

using fields = std::vector<std::pair<std::string, std::string>>;

client::answer update(client::client& cl, std::uint64_t record, const std::string& disposition,
                      const fields& f = {}, const std::string& campaign = "spring") {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             auto& fbb = e.start();
             std::vector<flatbuffers::Offset<wire::Property>> props;
             for (auto& [k, v] : f)
               props.push_back(wire::CreatePropertyDirect(fbb, k.c_str(), v.c_str()));
             auto c = fbb.CreateString(campaign);
             auto d = fbb.CreateString(disposition);
             auto p = fbb.CreateVector(props);
             return e.finish(ref, wire::CreateRecordUpdate(fbb, c, record, d, p));
           }).get();
}

client::answer reschedule(client::client& cl, std::uint64_t record, const std::string& local,
                          bool personal) {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             auto& fbb = e.start();
             return e.finish(ref, wire::CreateRecordRescheduleDirect(fbb, "spring", record,
                                                                    local.c_str(), personal));
           }).get();
}

client::answer do_not_call(client::client& cl, std::uint64_t record, const std::string& kind,
                           const std::string& reason) {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             auto& fbb = e.start();
             return e.finish(ref, wire::CreateRecordDoNotCallDirect(fbb, "spring", record,
                                                                   kind.c_str(), reason.c_str()));
           }).get();
}

client::answer processed(client::client& cl, std::uint64_t record) {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             return e.finish(ref, wire::CreateRecordProcessedDirect(e.start(), "spring", record));
           }).get();
}

/// What a desktop was offered for `phone` (the first time): its properties.
row offer_of(auto_agent& a, const std::string& phone) {
  std::lock_guard lock{a.mx};
  for (auto& o : a.offered)
    if (o.at("phone") == phone)
      return o;
  FAIL("no offer of " << phone);
  return {};
}

std::uint64_t record_of(auto_agent& a, const std::string& phone) {
  return std::stoull(offer_of(a, phone).at("record_id"));
}

/// `ms` as wall-clock time in `zone`: "YYYY-MM-DDTHH:MM:SS".
std::string local_at(std::int64_t ms, const std::string& zone) {
  auto z = date::make_zoned(zone, date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}});
  return date::format("%FT%T", date::floor<std::chrono::seconds>(z.get_local_time()));
}

std::string actions(console_conn& con) {
  return con.ask("campaign actions spring 100");
}

// Monday 2026-12-07 10:00 UTC = 11:00 in Paris; 20x: a 2 s ring is 100 ms.
std::vector<std::string> monday(const std::string& dir, std::vector<std::string> more = {}) {
  more.push_back("engine.data_dir=" + dir);
  more.push_back("engine.clock_start=\"2026-12-07T10:00:00Z\"");
  return always("answer", more);
}

const std::string desk_campaign = "dispositions = [\"sale\", \"no_sale\"]\n";

} // namespace

TEST_CASE("the agent's side: disposition and fields, do-not-call, a personal callback at the "
          "customer's local time, refusals, processed") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(
    center("progressive", desk_campaign + "record_processed_timeout_ms = 3600000\n"), monday(dir));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer,from,till,plan\n"
                       "+12125557001,UTC,a,09:00,17:00,gold\n"
                       "+12125557002,UTC,b,09:00,17:00,gold\n"
                       "+33140007003,Europe/Paris,c,09:00,17:00,gold\n", 3);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  auto_agent bob{eng->port(listener_kind::interaction), "bob"};  // logged in, never ready
  // A desktop learns what it may set from the campaign's status.
  auto status = ann.desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                                 auto& fbb = e.start();
                                 return e.finish(ref, wire::CreateCampaignControlDirect(
                                                        fbb, "spring", wire::CampaignOp::status));
                               }).get();
  auto* cs = status.as<wire::CampaignStatus>();
  REQUIRE(cs != nullptr);
  REQUIRE(cs->dispositions() != nullptr);
  REQUIRE(cs->dispositions()->size() == 2);
  CHECK(cs->dispositions()->Get(1)->str() == "no_sale");
  CHECK(cs->record_processed_timeout_ms() == 3'600'000);
  ann.ready();
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  REQUIRE(eventually([&] { return ann.calls() == 3 && ann.holding == 0; }, 20s));
  auto sale = record_of(ann, "+12125557001");
  auto dnc = record_of(ann, "+12125557002");
  auto later = record_of(ann, "+33140007003");
  CHECK(offer_of(ann, "+33140007003").at("campaign") == "spring");

  // Every call is over; each record waits for ann's RecordProcessed, not written back yet.
  auto list = exported(con);
  for (auto p : {"+12125557001", "+12125557002", "+33140007003"}) {
    CAPTURE(p);
    CHECK(list.at(p).at("status") == "retrieved");
  }
  auto& desk = *ann.desk->cl;

  SUBCASE("refused: another agent, an unknown record or campaign, a bad disposition or field, "
          "no agent logged in, a callback outside the calling hours") {
    CHECK(update(*bob.desk->cl, sale, "sale").error_code() == wire::ErrorCode::wrong_state);
    CHECK(processed(*bob.desk->cl, sale).error_code() == wire::ErrorCode::wrong_state);
    CHECK(update(desk, 999'999, "sale").error_code() == wire::ErrorCode::unknown_id);
    CHECK(update(desk, sale, "sale", {}, "winter").error_code() == wire::ErrorCode::unknown_id);
    auto bad = update(desk, sale, "maybe");
    CHECK(bad.error_code() == wire::ErrorCode::invalid_argument);
    CHECK(bad.error_text().find("\"maybe\" is not a disposition of campaign spring (sale, no_sale)")
          != std::string::npos);
    CHECK(update(desk, sale, "", {{"phone", "+1"}}).error_code() == wire::ErrorCode::invalid_argument);
    connected_client nobody{eng->port(listener_kind::interaction), wire::ClientType::agent_desktop};
    CHECK(update(*nobody.cl, sale, "sale").error_code() == wire::ErrorCode::wrong_state);
    // 18:00 in Paris is after the record's 17:00: the next allowed time is tomorrow 09:00.
    auto late = reschedule(desk, later, "2026-12-07T18:00", true);
    CHECK(late.error_code() == wire::ErrorCode::invalid_argument);
    CHECK_MESSAGE(late.error_text().find("next allowed 2026-12-08T09:00 Europe/Paris") != std::string::npos,
                  late.error_text());
    CHECK(reschedule(desk, later, "2026-12-07 12:00", true).error_code()
          == wire::ErrorCode::invalid_argument);
    CHECK(do_not_call(desk, dnc, "email", "").error_code() == wire::ErrorCode::invalid_argument);
    // Nothing refused changed anything or was logged.
    CHECK(actions(con).find("0 action(s)") != std::string::npos);
    CHECK(con.ask("dnc check phone +12125557002").find("is not on the do-not-call list") != std::string::npos);
  }

  SUBCASE("accepted, then written back once processed") {
    REQUIRE(update(desk, sale, "sale", {{"plan", "platinum"}, {"renewal", "2027"}}).ok());
    REQUIRE(update(desk, sale, "", {{"plan", ""}}).ok());  // removes it again
    REQUIRE(update(desk, sale, "no_sale").ok());
    REQUIRE(update(desk, sale, "sale").ok());  // the last disposition stands
    auto d = do_not_call(desk, dnc, "", "asked on the call");
    REQUIRE_MESSAGE(d.ok(), d.error_text());
    CHECK(con.ask("dnc check phone +12125557002").find("+12125557002 is on the do-not-call list") != std::string::npos);
    // A personal callback two minutes of domain time from now, in the customer's zone.
    auto at = (eng->clk().now_ms() / 1000 + 120) * 1000;
    auto r = reschedule(desk, later, local_at(at, "Europe/Paris"), true);
    REQUIRE_MESSAGE(r.ok(), r.error_text());
    for (auto id : {sale, dnc, later})
      REQUIRE(processed(desk, id).ok());
    CHECK(processed(desk, sale).error_code() == wire::ErrorCode::unknown_id);  // written back

    REQUIRE(eventually([&] {
      list = exported(con);
      return list.at("+12125557001").at("status") != "retrieved"
             && list.at("+12125557002").at("status") != "retrieved"
             && list.at("+33140007003").at("status") != "retrieved";
    }, 10s));
    auto& s = list.at("+12125557001");
    CHECK(s.at("status") == "updated");
    CHECK(s.at("result") == "answer");
    CHECK(s.at("disposition") == "sale");
    CHECK(s.at("custom") == R"({"renewal":"2027"})");
    auto& n = list.at("+12125557002");
    CHECK(n.at("status") == "cancelled");
    CHECK(n.at("record_type") == "no_call");
    auto& c = list.at("+33140007003");
    CHECK(c.at("status") == "ready");
    CHECK(c.at("record_type") == "personal_callback");
    CHECK(c.at("agent") == "ann");
    CHECK(num(c, "sched") == at / 1000);
    CHECK(num(c, "attempts") == 1);

    // Not before its time (ann is free all along), then to ann.
    wait_domain(*eng, at - 15'000);
    CHECK(ann.calls() == 3);
    REQUIRE(eventually([&] { return ann.calls() == 4; }, 20s));
    {
      std::lock_guard lock{ann.mx};
      CHECK(ann.offered.back().at("phone") == "+33140007003");
    }
    CHECK(bob.calls() == 0);

    auto log = actions(con);
    CHECK_MESSAGE(log.find("agent=ann update disposition=sale plan=platinum renewal=2027") != std::string::npos, log);
    CHECK(log.find("agent=ann do_not_call phone +12125557002: asked on the call") != std::string::npos);
    CHECK(log.find("agent=ann reschedule " + local_at(at, "Europe/Paris").substr(0, 16)
                   + " Europe/Paris personal") != std::string::npos);
    CHECK(log.find("9 action(s)") != std::string::npos);  // 4 updates, dnc, reschedule, 3 processed
    CHECK(metric(eng->metrics_port(), "parley_record_actions_total{action=\"processed\"}") == 3);
    CHECK(metric(eng->metrics_port(), "parley_record_actions_total{action=\"do_not_call\"}") == 1);
  }
  con.ask("campaign stop spring");
}

TEST_CASE("a campaign callback goes to any agent at its time; a record nobody processes is "
          "written back at the timeout") {
  auto dir = temp_dir();
  // A minute of domain time (3 s) for the agent's wrap-up.
  auto eng = start_engine_toml(
    center("progressive", desk_campaign + "record_processed_timeout_ms = 60000\n"), monday(dir));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n"
                       "+12125557101,America/New_York,a\n"
                       "+12125557102,UTC,b\n", 2);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  REQUIRE(eventually([&] { return ann.calls() == 2 && ann.holding == 0; }, 20s));
  ann.not_ready();
  // 05:00 in New York: the campaign's window is all day, the record's too.
  auto at = (eng->clk().now_ms() / 1000 + 120) * 1000;
  auto r = reschedule(*ann.desk->cl, record_of(ann, "+12125557101"), local_at(at, "America/New_York"), false);
  REQUIRE_MESSAGE(r.ok(), r.error_text());
  auto_agent bob{eng->port(listener_kind::interaction), "bob"};
  bob.ready();
  // Nobody says processed: both go back a minute after their call, the callback ready.
  REQUIRE(eventually([&] {
    auto list = exported(con);
    return list.at("+12125557101").at("status") == "ready"
           && list.at("+12125557102").at("status") == "updated";
  }, 15s));
  auto list = exported(con);
  CHECK(list.at("+12125557101").at("record_type") == "campaign_callback");
  CHECK(list.at("+12125557101").at("agent").empty());
  CHECK(num(list.at("+12125557101"), "sched") == at / 1000);
  CHECK(metric(eng->metrics_port(), "parley_record_actions_total{action=\"timeout\"}") == 2);
  CHECK(actions(con).find("agent=- timeout no RecordProcessed from ann") != std::string::npos);

  wait_domain(*eng, at - 15'000);
  CHECK(bob.calls() == 0);
  REQUIRE(eventually([&] { return bob.calls() == 1; }, 20s));
  CHECK(offer_of(bob, "+12125557101").at("customer_id") == "a");
  CHECK(ann.calls() == 2);
  con.ask("campaign stop spring");
}

TEST_CASE("without record_processed_timeout_ms the desktop acts while the call is up; the "
          "record is written back when it ends") {
  auto dir = temp_dir();
  // The customer stays on the line until the agent ends the call.
  auto eng = start_engine_toml(center("progressive", desk_campaign),
                               monday(dir, {"outbound.gateway.talk_mean_ms=86400000"}));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n+12125557201,UTC,a\n", 1);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  REQUIRE(eventually([&] { return ann.calls() == 1 && ann.holding == 1; }, 20s));
  auto id = record_of(ann, "+12125557201");
  auto& desk = *ann.desk->cl;
  REQUIRE(update(desk, id, "no_sale", {{"callback_note", "call after 6"}}).ok());
  REQUIRE(processed(desk, id).ok());  // during the call: written back when it ends
  CHECK(exported(con).at("+12125557201").at("status") == "retrieved");
  auto iid = std::stoull(offer_of(ann, "+12125557201").at("_iid"));
  auto stop = desk.request([=](protocol::encoder& e, std::uint64_t ref) {
                      auto& fbb = e.start();
                      return e.finish(ref, wire::CreateStopProcessingDirect(fbb, iid, "done"));
                    }).get();
  REQUIRE(stop.ok());
  std::map<std::string, row> list;
  REQUIRE(eventually([&] {
    list = exported(con);
    return list.at("+12125557201").at("status") == "updated";
  }, 10s));
  CHECK(list.at("+12125557201").at("disposition") == "no_sale");
  CHECK(list.at("+12125557201").at("custom").find("\"callback_note\":\"call after 6\"") != std::string::npos);
  CHECK(update(desk, id, "sale").error_code() == wire::ErrorCode::unknown_id);
  auto log = actions(con);
  CHECK_MESSAGE(log.find("processed during the call") != std::string::npos, log);
  CHECK(log.find("2 action(s)") != std::string::npos);
}

TEST_CASE("the record follows the call: an agent who rejected the offer cannot act on it, the "
          "agent who took it can") {
  auto dir = temp_dir();
  // Predictive: no agent is reserved, so the rejected call goes to whoever is ready next.
  // The customer stays on the line.
  auto eng = start_engine_toml(
    center("predictive", desk_campaign + "record_processed_timeout_ms = 3600000\n"),
    monday(dir, {"outbound.gateway.talk_mean_ms=86400000"}));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n+12125557301,UTC,a\n", 1);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.rejecting = true;
  ann.ready();
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  // Offered to ann (perhaps twice: her Reject and her not-ready race the next offer).
  REQUIRE(eventually([&] { return ann.calls() >= 1; }, 20s));
  auto id = record_of(ann, "+12125557301");
  auto_agent bob{eng->port(listener_kind::interaction), "bob"};
  bob.ready();
  REQUIRE(eventually([&] { return bob.calls() == 1 && bob.holding == 1; }, 20s));
  CHECK(update(*ann.desk->cl, id, "sale").error_code() == wire::ErrorCode::wrong_state);
  auto ok = update(*bob.desk->cl, id, "sale");
  CHECK_MESSAGE(ok.ok(), ok.error_text());
  CHECK(processed(*bob.desk->cl, id).ok());
  CHECK(actions(con).find("agent=bob update disposition=sale") != std::string::npos);
  con.ask("campaign stop spring");
}

TEST_CASE("what the agent set survives the engine stopping before the record was written back") {
  auto dir = temp_dir();
  auto toml = center("progressive", desk_campaign + "record_processed_timeout_ms = 3600000\n");
  std::int64_t at = 0;
  {
    auto eng = start_engine_toml(toml, monday(dir));
    console_conn con{eng->console_port()};
    import_csv(con, dir, "phone,tz,customer,plan\n+12125557401,UTC,a,gold\n+12125557402,UTC,b,gold\n",
               2);
    auto_agent ann{eng->port(listener_kind::interaction), "ann"};
    ann.ready();
    REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
    REQUIRE(eventually([&] { return ann.calls() == 2 && ann.holding == 0; }, 20s));
    auto& desk = *ann.desk->cl;
    auto one = record_of(ann, "+12125557401"), two = record_of(ann, "+12125557402");
    REQUIRE(update(desk, one, "sale", {{"plan", "platinum"}}).ok());
    at = (eng->clk().now_ms() / 1000 + 3600) * 1000;
    REQUIRE(reschedule(desk, one, local_at(at, "UTC"), true).ok());
    REQUIRE(do_not_call(desk, two, "customer", "").ok());
    // Stored already, the records still leased.
    REQUIRE(eventually([&] { return exported(con).at("+12125557401").at("disposition") == "sale"; }, 10s));
    auto list = exported(con);
    CHECK(list.at("+12125557401").at("status") == "retrieved");
    CHECK(list.at("+12125557402").at("record_type") == "no_call");
  }  // stopped: nobody said processed
  auto eng = start_engine_toml(toml, monday(dir));
  console_conn con{eng->console_port()};
  auto list = exported(con);
  auto& one = list.at("+12125557401");
  CHECK(one.at("status") == "ready");
  CHECK(one.at("disposition") == "sale");
  CHECK(one.at("custom") == R"({"plan":"platinum"})");
  CHECK(one.at("record_type") == "personal_callback");
  CHECK(one.at("agent") == "ann");
  CHECK(num(one, "sched") == at / 1000);
  CHECK(list.at("+12125557402").at("record_type") == "no_call");
  CHECK(con.ask("dnc check customer b").find("is on the do-not-call list") != std::string::npos);
  CHECK(con.ask("campaign actions spring").find("3 action(s)") != std::string::npos);
}
