#include "support/local_fixture.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <caf/all.hpp>
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/types.hpp"
#include "engine/engine.hpp"
#include "support/child.hpp"

namespace parley::test {

using namespace std::chrono_literals;

// -- local_client ---------------------------------------------------------------------

void local_client::take(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    std::uint32_t n = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | std::uint32_t(bytes[3]) << 24;
    frames.emplace_back(bytes.begin(), bytes.begin() + 4 + n);
    bytes = bytes.subspan(4 + n);
  }
}

const wire::Envelope* local_client::answer(std::uint64_t ref) const {
  for (auto& f : frames)
    if (protocol::envelope_of(f)->ref() == ref)
      return protocol::envelope_of(f);
  return nullptr;
}

std::vector<wire::Message> local_client::events() const {
  std::vector<wire::Message> out;
  for (auto& f : frames)
    if (protocol::envelope_of(f)->ref() == 0)
      out.push_back(protocol::envelope_of(f)->message_type());
  return out;
}

std::size_t local_client::count(wire::Message type) const {
  auto all = events();
  return static_cast<std::size_t>(std::count(all.begin(), all.end(), type));
}

std::vector<std::uint64_t> local_client::invites() const {
  std::vector<std::uint64_t> out;
  for (auto* i : all<wire::Invite>())
    out.push_back(i->info()->id());
  return out;
}

std::vector<std::pair<std::uint64_t, std::string>> local_client::revoked() const {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (auto* r : all<wire::Revoked>())
    out.emplace_back(r->interaction_id(), r->reason() ? r->reason()->str() : "");
  return out;
}

std::vector<std::pair<wire::AgentState, std::string>> local_client::agent_states() const {
  std::vector<std::pair<wire::AgentState, std::string>> out;
  for (auto* a : all<wire::AgentStateChanged>())
    out.emplace_back(a->status()->state(), a->status()->reason() ? a->status()->reason()->str() : "");
  return out;
}

bool ok(const wire::Envelope* e) {
  return e && !e->message_as_Error();
}

wire::ErrorCode error_of(const wire::Envelope* e) {
  return e && e->message_as_Error() ? e->message_as_Error()->code() : wire::ErrorCode::none;
}

// -- local_fixture ----------------------------------------------------------------------

local_fixture::local_fixture(const std::string& toml, storage_mode storage,
                             std::vector<std::string> overrides,
                             const std::function<void(const engine::config&)>& before_engine)
  : dir(temp_dir()), cfg([&] {
      overrides.push_back("engine.data_dir=" + dir + "/var");
      return engine::parse_config(toml, "test", overrides);
    }()),
    sys(testing_config(engine::prepare_actor_system(caf_cfg, cfg))), vt(sys),
    clk(std::make_shared<virtual_clock>(sys.clock(), clock::time_point{local_epoch})) {
  spdlog::set_level(spdlog::level::warn);  // the engine's info lines would drown a failure
  if (before_engine)
    before_engine(cfg);
  eng = std::make_unique<engine::local_engine>(sys, cfg, clk, storage);
  vt.run();  // the actors introduce themselves to each other
}

local_fixture::~local_fixture() {
  eng->stop();
  // Stopping takes no time, but a writer's last commit may: its retries are timers.
  vt.run_until([&] { return sys.registry().running() == 0; }, 60s);
  if (auto left = sys.registry().running(); left != 0) {
    // ~actor_system would wait for them forever.
    std::cerr << left << " actor(s) still running after the local engine stopped\n";
    std::fflush(nullptr);
    std::_Exit(1);
  }
  eng.reset();
  if (!keep_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
}

void local_fixture::connect(local_client& c, engine::listener_kind kind) {
  c.s = eng->connect(kind, [&c](std::span<const std::uint8_t> f) { c.take(f); });
}

const wire::Envelope* local_fixture::register_as(local_client& c, wire::ClientType type,
                                                 const std::string& credential) {
  c.s->send(enc.register_client(1, "test", type, credential));
  vt.run_until([&] { return c.answer(1) != nullptr; }, 5s);
  return c.answer(1);
}

void local_fixture::open(local_client& c, wire::ClientType type, engine::listener_kind kind) {
  connect(c, kind);
  auto* r = register_as(c, type);
  REQUIRE(r);
  REQUIRE(r->message_as_Registered());
}

void local_fixture::login(local_client& desk, const std::string& agent, bool ready_too) {
  auto* r = ask(desk, wire::CreateAgentLoginDirect(enc.start(), agent.c_str()));
  REQUIRE(ok(r));
  if (ready_too)
    ready(desk);
}

void local_fixture::ready(local_client& desk) {
  auto* r = ask(desk, wire::CreateAgentReady(enc.start()));
  REQUIRE(ok(r));
  REQUIRE(r->message_as_AgentStatus()->state() == wire::AgentState::ready);
}

std::uint64_t local_fixture::submit(local_client& gw, const std::string& queue,
                                    const std::string& media, std::int32_t priority) {
  auto* r = ask(gw, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, media.c_str(),
                                             queue.c_str(), priority));
  REQUIRE(ok(r));
  return r->message_as_Submitted()->interaction_id();
}

void local_fixture::accept(local_client& desk, std::uint64_t iid) {
  REQUIRE(ok(ask(desk, wire::CreateAccept(enc.start(), iid))));
}

void local_fixture::stop(local_client& c, std::uint64_t iid) {
  REQUIRE(ok(ask(c, wire::CreateStopProcessingDirect(enc.start(), iid))));
}

std::pair<wire::InteractionState, std::vector<std::string>>
local_fixture::state_of(local_client& c, std::uint64_t iid) {
  auto* r = ask(c, wire::CreateGetInteraction(enc.start(), iid));
  REQUIRE(ok(r));
  auto* info = r->message_as_InteractionData()->info();
  std::vector<std::string> agents;
  if (info->agents())
    for (auto* a : *info->agents())
      agents.push_back(a->str());
  return {info->state(), agents};
}

std::vector<std::uint64_t> local_fixture::snapshot(local_client& c, const std::string& queue) {
  auto* r = ask(c, wire::CreateQueueSnapshotDirect(enc.start(), queue.c_str(), 0, 1000));
  REQUIRE(ok(r));
  std::vector<std::uint64_t> out;
  if (auto* items = r->message_as_QueueSnapshotData()->items())
    for (auto* i : *items)
      out.push_back(i->id());
  return out;
}

parley::agent_actor local_fixture::agent_actor(const std::string& id) {
  auto out = std::make_shared<parley::agent_actor>();
  sys.spawn([=, agents = eng->domain()->agents](caf::event_based_actor* self) {
    self->request(agents, 1s, lookup_atom_v, id).then([=](const parley::agent_actor& a) { *out = a; });
  });
  vt.run();
  return *out;
}

} // namespace parley::test
