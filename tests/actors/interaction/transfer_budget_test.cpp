// The interaction actor on CAF's test coordinator: a transfer lives within the time its
// client waits (actors/runtime/budget.hpp). The target agent is held back (its invite sits
// in its mailbox, unprocessed) until the transfer's budget has run out: the client is told
// `timeout`, and the transfer must then not happen after all — the transferring agent
// keeps the interaction, the target's late invite is taken back, and the reporting stream
// shows nothing of it. With a fixed inner timeout longer than the client's (5 s inside 5 s,
// as it was), the client got `timeout` and the target then got the interaction.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include <caf/all.hpp>

#include "actors/runtime/virtual_clock.hpp"
#include "actors/runtime/virtual_time.hpp"
#include "engine/engine.hpp"
#include "engine/local_engine.hpp"
#include "support/child.hpp"

using namespace parley;
using namespace std::chrono_literals;
using engine::listener_kind;

namespace {

const char* two_agents = R"(
[timeouts]
request_ms = 1000

[routing]
offer_timeout_ms = 60000

[[queues]]
name = "sales"

[[agent_groups]]
name = "team"
members = ["a1", "a2"]
capacity = { voice = 1 }
)";

/// One in-process client: the frames it received, split.
struct client {
  std::shared_ptr<engine::local_session> s;
  std::vector<std::vector<std::uint8_t>> frames;

  void take(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
      std::uint32_t n = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | std::uint32_t(bytes[3]) << 24;
      frames.emplace_back(bytes.begin(), bytes.begin() + 4 + n);
      bytes = bytes.subspan(4 + n);
    }
  }
  const wire::Envelope* answer(std::uint64_t ref) const {
    for (auto& f : frames)
      if (protocol::envelope_of(f)->ref() == ref)
        return protocol::envelope_of(f);
    return nullptr;
  }
  std::vector<wire::Message> events() const {
    std::vector<wire::Message> out;
    for (auto& f : frames)
      if (protocol::envelope_of(f)->ref() == 0)
        out.push_back(protocol::envelope_of(f)->message_type());
    return out;
  }
};

struct fixture {
  std::string dir = test::temp_dir();
  engine::config cfg;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  virtual_time vt;
  std::shared_ptr<virtual_clock> clk;
  std::unique_ptr<engine::local_engine> eng;
  protocol::encoder enc;
  std::uint64_t ref = 10;

  fixture()
    : cfg(engine::parse_config(two_agents, "test", {"engine.data_dir=" + dir + "/var"})),
      sys(testing_config(engine::prepare_actor_system(caf_cfg, cfg))), vt(sys),
      clk(std::make_shared<virtual_clock>(sys.clock(), parley::clock::time_point{1'700'000'000s})),
      eng(std::make_unique<engine::local_engine>(sys, cfg, clk,
                                                 engine::local_engine::storage_mode::none)) {
    vt.run();
  }

  ~fixture() {
    eng->stop();
    vt.run_until([&] { return sys.registry().running() == 0; }, 10s);
    eng.reset();
    std::filesystem::remove_all(dir);
  }

  void open(client& c, wire::ClientType type) {
    c.s = eng->connect(listener_kind::interaction, [&c](std::span<const std::uint8_t> f) { c.take(f); });
    c.s->send(enc.register_client(1, "test", type, ""));
    vt.run();
    REQUIRE(c.answer(1));
    REQUIRE(c.answer(1)->message_as_Registered());
  }

  /// Sends a request and runs every actor until nothing is left to do; its answer.
  template <class T>
  const wire::Envelope* ask(client& c, flatbuffers::Offset<T> msg) {
    auto r = ++ref;
    c.s->send(enc.finish(r, msg));
    vt.run();
    return c.answer(r);
  }

  parley::agent_actor agent_actor(const std::string& id) {
    auto out = std::make_shared<parley::agent_actor>();
    sys.spawn([=, agents = eng->domain()->agents](caf::event_based_actor* self) {
      self->request(agents, 1s, lookup_atom_v, id).then([=](const parley::agent_actor& a) { *out = a; });
    });
    vt.run();
    return *out;
  }
};

bool ok(const wire::Envelope* e) {
  return e && !e->message_as_Error();
}

} // namespace

TEST_CASE_FIXTURE(fixture, "a transfer that ran out of time is not carried out afterwards") {
  client gw, d1, d2, rep;
  open(gw, wire::ClientType::media_gateway);
  open(d1, wire::ClientType::agent_desktop);
  open(d2, wire::ClientType::agent_desktop);
  open(rep, wire::ClientType::reporting);
  REQUIRE(ok(ask(rep, wire::CreateSubscribeReporting(enc.start()))));
  REQUIRE(ok(ask(d1, wire::CreateAgentLoginDirect(enc.start(), "a1"))));
  REQUIRE(ok(ask(d2, wire::CreateAgentLoginDirect(enc.start(), "a2"))));
  REQUIRE(ok(ask(d1, wire::CreateAgentReady(enc.start()))));
  auto* sub = ask(gw, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, "voice", "sales"));
  REQUIRE(ok(sub));
  auto iid = sub->message_as_Submitted()->interaction_id();
  REQUIRE(ok(ask(d1, wire::CreateAccept(enc.start(), iid))));
  REQUIRE(ok(ask(d2, wire::CreateAgentReady(enc.start()))));
  auto reports_before = rep.events().size();

  // The transfer: everything runs but a2, whose invite waits in its mailbox.
  auto* a2 = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(agent_actor("a2")));
  REQUIRE(a2);
  auto& sched = vt.coordinator();
  auto all_but_a2 = [&] { sched.run_jobs_filtered([&](caf::resumable* r) { return r != a2; }); };
  auto transfer = ++ref;
  d1.s->send(enc.finish(transfer, wire::CreateTransferDirect(enc.start(), iid, "a2")));
  all_but_a2();
  REQUIRE(std::find(sched.jobs.begin(), sched.jobs.end(), a2) != sched.jobs.end());
  CHECK_FALSE(d1.answer(transfer));

  // 900 ms of the client's 1000: past what the interaction may wait for a2, not past what
  // the connection waits for the interaction.
  sched.advance_time(900ms);
  all_but_a2();
  auto* answer = d1.answer(transfer);
  REQUIRE(answer);
  REQUIRE(answer->message_as_Error());
  CHECK(answer->message_as_Error()->code() == wire::ErrorCode::timeout);

  // Now a2 catches up: it shows the late invite and takes it back at once.
  vt.run();
  auto d2_events = d2.events();
  auto invite = std::find(d2_events.begin(), d2_events.end(), wire::Message::Invite);
  REQUIRE(invite != d2_events.end());
  CHECK(std::find(invite, d2_events.end(), wire::Message::Revoked) != d2_events.end());

  // The transfer did not happen: a1 still handles it, a2 cannot accept it.
  auto* info = ask(gw, wire::CreateGetInteraction(enc.start(), iid));
  REQUIRE(ok(info));
  auto* v = info->message_as_InteractionData()->info();
  CHECK(v->state() == wire::InteractionState::handled);
  REQUIRE(v->agents());
  REQUIRE(v->agents()->size() == 1);
  CHECK(v->agents()->Get(0)->str() == "a1");
  CHECK_FALSE(ok(ask(d2, wire::CreateAccept(enc.start(), iid))));
  CHECK(ok(ask(d1, wire::CreateHold(enc.start(), iid))));
  // Nothing of it on the reporting stream: the next event is the hold.
  auto reports = rep.events();
  REQUIRE(reports.size() > reports_before);
  std::vector<wire::ReportingKind> kinds;
  for (auto& f : rep.frames)
    if (auto* e = protocol::envelope_of(f)->message_as_ReportingEvent())
      kinds.push_back(e->kind());
  CHECK(std::find(kinds.begin(), kinds.end(), wire::ReportingKind::transferred) == kinds.end());
  CHECK(kinds.back() == wire::ReportingKind::held);

  // With time to spare, the same transfer goes through.
  auto again = ask(d1, wire::CreateTransferDirect(enc.start(), iid, "a2"));
  CHECK(ok(again));
  CHECK(ok(ask(d2, wire::CreateAccept(enc.start(), iid))));
}
