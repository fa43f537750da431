// Outbound over the interaction protocol (7120): campaign control and status from clients,
// and the preview flow of an agent desktop — ask, see, reject, accept, get the call.
#include <doctest/doctest.h>

#include <filesystem>

#include "integration/outbound_support.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

client::answer control(client::client& cl, const std::string& campaign, wire::CampaignOp op) {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             auto& fbb = e.start();
             auto name = fbb.CreateString(campaign);
             return e.finish(ref, wire::CreateCampaignControl(fbb, name, op));
           }).get();
}

client::answer ask_preview(client::client& cl, const std::string& campaign) {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             auto& fbb = e.start();
             auto name = fbb.CreateString(campaign);
             return e.finish(ref, wire::CreatePreviewRequest(fbb, name));
           }).get();
}

client::answer decide(client::client& cl, const std::string& campaign, std::uint64_t record,
                      bool dial) {
  return cl.request([=](protocol::encoder& e, std::uint64_t ref) {
             auto& fbb = e.start();
             auto name = fbb.CreateString(campaign);
             return e.finish(ref, wire::CreatePreviewDecision(fbb, name, record, dial));
           }).get();
}

std::string state_of(const client::answer& a) {
  auto* s = a.as<wire::CampaignStatus>();
  return s && s->state() ? s->state()->str() : "(" + a.error_text() + ")";
}

std::string field_of(const wire::PreviewRecord& p, const std::string& key) {
  if (p.fields())
    for (auto* f : *p.fields())
      if (f->key()->str() == key)
        return f->text() ? f->text()->str() : std::string{};
  return "(none)";
}

} // namespace

TEST_CASE("campaign control over 7120: status for any client, changes for admin clients") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 10)).find("10 imported") != std::string::npos);
  auto port = eng->port(listener_kind::interaction);
  connected_client gw{port, wire::ClientType::media_gateway};
  connected_client admin{port, wire::ClientType::admin};

  auto s = control(*gw.cl, "spring", wire::CampaignOp::status);
  REQUIRE(s.ok());
  auto* st = s.as<wire::CampaignStatus>();
  REQUIRE(st);
  CHECK(st->name()->str() == "spring");
  CHECK(st->mode()->str() == "progressive");
  CHECK(st->state()->str() == "loaded");
  CHECK(st->queue()->str() == "sales");
  REQUIRE(st->lists());
  CHECK(st->lists()->size() == 1);

  auto refused = control(*gw.cl, "spring", wire::CampaignOp::start);
  CHECK(refused.error_code() == wire::ErrorCode::wrong_client_type);
  CHECK(state_of(control(*gw.cl, "spring", wire::CampaignOp::status)) == "loaded");

  CHECK(state_of(control(*admin.cl, "spring", wire::CampaignOp::start)) == "running");
  CHECK(state_of(control(*admin.cl, "spring", wire::CampaignOp::pause)) == "paused");
  CHECK(control(*admin.cl, "spring", wire::CampaignOp::pause).error_code()
        == wire::ErrorCode::wrong_state);
  CHECK(con.ask("campaign status spring").find(" paused ") != std::string::npos);
  CHECK(state_of(control(*admin.cl, "spring", wire::CampaignOp::resume)) == "running");
  CHECK(control(*admin.cl, "nowhere", wire::CampaignOp::status).error_code()
        == wire::ErrorCode::unknown_id);
  CHECK(control(*admin.cl, "spring", static_cast<wire::CampaignOp>(9)).error_code()
        == wire::ErrorCode::invalid_argument);

  auto all = gw.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                   return e.finish(ref, wire::CreateGetCampaigns(e.start()));
                 }).get();
  auto* list = all.as<wire::Campaigns>();
  REQUIRE(list);
  REQUIRE(list->items());
  REQUIRE(list->items()->size() == 1);
  CHECK(list->items()->Get(0)->state()->str() == "running");

  CHECK(state_of(control(*admin.cl, "spring", wire::CampaignOp::stop)) == "stopped");
  CHECK(con.ask("campaign status spring").find(" stopped ") != std::string::npos);
}

TEST_CASE("preview over 7120: the agent asks, sees the record, rejects one, dials the next and gets the call") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("preview"),
                               {"engine.data_dir=" + dir, "outbound.gateway.answer=1",
                                "outbound.gateway.busy=0", "outbound.gateway.no_answer=0"});
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 5)).find("5 imported") != std::string::npos);
  auto port = eng->port(listener_kind::interaction);
  connected_client admin{port, wire::ClientType::admin};

  // Not for gateways, and not before an agent logs in; not before the campaign runs.
  connected_client gw{port, wire::ClientType::media_gateway};
  CHECK(ask_preview(*gw.cl, "spring").error_code() == wire::ErrorCode::wrong_client_type);

  std::mutex mx;
  std::vector<std::map<std::string, std::string>> invites;
  connected_client desk{port, wire::ClientType::agent_desktop};
  CHECK(ask_preview(*desk.cl, "spring").error_code() == wire::ErrorCode::wrong_state);
  auto cl = desk.cl;
  // The callback lives in the client: a raw pointer, not a shared_ptr cycle (a leak).
  cl->on_event([&, cl = cl.get()](const client::answer& a) {
    auto* inv = a.as<wire::Invite>();
    if (!inv)
      return;
    std::map<std::string, std::string> props;
    if (inv->info()->properties())
      for (auto* p : *inv->info()->properties())
        props[p->key()->str()] = p->text() ? p->text()->str() : std::to_string(p->number());
    {
      std::lock_guard lock{mx};
      invites.push_back(props);
    }
    auto iid = inv->info()->id();
    cl->request([iid](protocol::encoder& e, std::uint64_t ref) {
      return e.finish(ref, wire::CreateAccept(e.start(), iid));
    });
  });
  REQUIRE(cl->request([](protocol::encoder& e, std::uint64_t ref) {
                auto& fbb = e.start();
                auto agent = fbb.CreateString("ann");
                return e.finish(ref, wire::CreateAgentLogin(fbb, agent, 0));
              }).get().ok());
  REQUIRE(cl->request([](protocol::encoder& e, std::uint64_t ref) {
                return e.finish(ref, wire::CreateAgentReady(e.start()));
              }).get().ok());
  CHECK(ask_preview(*cl, "spring").error_code() == wire::ErrorCode::wrong_state);  // loaded
  CHECK(ask_preview(*cl, "nowhere").error_code() == wire::ErrorCode::unknown_id);
  REQUIRE(state_of(control(*admin.cl, "spring", wire::CampaignOp::start)) == "running");

  // The first record: seen with its fields, then rejected (back to the list, not dialed).
  auto first = ask_preview(*cl, "spring");
  auto* p1 = first.as<wire::PreviewRecord>();
  REQUIRE_MESSAGE(p1, first.error_text());
  CHECK(p1->campaign()->str() == "spring");
  CHECK(p1->phone()->str().rfind("+1212555", 0) == 0);
  CHECK(p1->customer_id()->str().rfind("c", 0) == 0);
  CHECK(p1->timeout_ms() == 120'000);
  CHECK(field_of(*p1, "tz") == "UTC");
  CHECK(field_of(*p1, "attempts") == "0");
  CHECK(field_of(*p1, "custom").find("\"plan\":\"gold\"") != std::string::npos);
  auto rejected = p1->record_id();
  // One record at a time per agent.
  CHECK(ask_preview(*cl, "spring").error_code() == wire::ErrorCode::wrong_state);
  CHECK(decide(*cl, "spring", rejected + 1000, true).error_code() == wire::ErrorCode::unknown_id);
  CHECK(decide(*cl, "spring", rejected, false).ok());
  CHECK(decide(*cl, "spring", rejected, false).error_code() == wire::ErrorCode::unknown_id);

  // The next record is another one; dialing it offers the answered call to this agent.
  auto second = ask_preview(*cl, "spring");
  auto* p2 = second.as<wire::PreviewRecord>();
  REQUIRE_MESSAGE(p2, second.error_text());
  CHECK(p2->record_id() != rejected);
  auto dialed = p2->record_id();
  auto phone = p2->phone()->str();
  CHECK(decide(*cl, "spring", dialed, true).ok());
  REQUIRE(eventually([&] { std::lock_guard lock{mx}; return !invites.empty(); }, 10s));
  {
    std::lock_guard lock{mx};
    CHECK(invites.front().at("record_id") == std::to_string(dialed));
    CHECK(invites.front().at("phone") == phone);
    CHECK(invites.front().at("campaign") == "spring");
  }
  // Counted when the call is over (the customer hangs up after the talk time).
  CHECK(eventually([&] {
    auto status = control(*cl, "spring", wire::CampaignOp::status);
    auto* s = status.as<wire::CampaignStatus>();
    return s && s->dialed() == 1 && s->answered() == 1;
  }, 10s));

  // The export shows the dialed record attempted once and the rejected one untouched.
  REQUIRE(state_of(control(*admin.cl, "spring", wire::CampaignOp::stop)) == "stopped");
  CHECK(ask_preview(*cl, "spring").error_code() == wire::ErrorCode::wrong_state);
  CHECK(eventually([&] {
    return con.ask("list export spring out.csv").find("5 record(s) exported") != std::string::npos;
  }));
  CHECK(con.ask("list export spring out.csv").find("exists already") != std::string::npos);
  CHECK(con.ask("list export spring ../out.csv").find("outside the import directory") != std::string::npos);
  // Columns: id,phone,tz,customer,chain,chain_n,from,till,contact_type,record_type,status,
  // result,attempts,... (the custom JSON last).
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream lines{read_text(dir + "/import/out.csv")};
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cols;
    std::istringstream in{line};
    for (std::string c; cols.size() < 13 && std::getline(in, c, ',');)
      cols.push_back(c);
    rows[cols.front()] = cols;
  }
  REQUIRE(rows.size() == 6);  // the header and 5 records
  REQUIRE(rows.count(std::to_string(dialed)));
  CHECK(rows[std::to_string(dialed)].at(11) == "answer");
  CHECK(rows[std::to_string(dialed)].at(12) == "1");
  CHECK(rows[std::to_string(rejected)].at(10) == "ready");
  CHECK(rows[std::to_string(rejected)].at(12) == "0");
}
