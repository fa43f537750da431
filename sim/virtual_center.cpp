#include "sim/virtual_center.hpp"

#include <cstdio>
#include <cstdlib>

#include <caf/all.hpp>

#include "engine/engine.hpp"

namespace parley::sim {

void count_error(const wire::Envelope& e, error_sink& errors) {
  if (auto* err = e.message_as_Error())
    errors.record_other(wire::EnumNameErrorCode(err->code()), err->text() ? err->text()->str() : "");
}

bool stream_hash::read(sim_client& rep, error_sink& errors) {
  if (rep.inbox.empty())
    return false;
  each_frame(rep, [&](const wire::Envelope& e, std::span<const std::uint8_t> frame) {
    count_error(e, errors);
    if (e.message_type() != wire::Message::ReportingEvent)
      return;
    for (auto b : frame) {
      h ^= b;
      h *= 0x100000001b3ull;
    }
    ++events;
  });
  return true;
}

std::string stream_hash::hex() const {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

namespace {

caf::actor_system_config& virtual_config(caf::actor_system_config& c, const engine::config& cfg) {
  return testing_config(engine::prepare_actor_system(c, cfg));
}

} // namespace

virtual_center::virtual_center(const engine::config& cfg, engine::local_engine::storage_mode storage,
                               const std::function<void(const engine::config&)>& before_engine)
  : sys_(virtual_config(caf_cfg_, cfg)), vt_(sys_),
    clk_(std::make_shared<virtual_clock>(sys_.clock(), clock::time_point{epoch})) {
  if (before_engine)
    before_engine(cfg);
  eng_ = std::make_unique<engine::local_engine>(sys_, cfg, clk_, storage);
  jobs_ += vt_.run();  // the actors introduce themselves to each other
}

virtual_center::~virtual_center() {
  eng_->stop();
  vt_.run_until([&] { return sys_.registry().running() == 0; }, std::chrono::seconds{60});
  if (auto left = sys_.registry().running(); left != 0) {
    std::fprintf(stderr, "parley: %zu actor(s) still running after the virtual engine stopped\n", left);
    std::fflush(nullptr);
    std::_Exit(1);  // ~actor_system would wait for them forever
  }
  eng_.reset();
}

void virtual_center::connect(sim_client& c, wire::ClientType type, const std::string& name) {
  c.s = eng_->connect(engine::listener_kind::interaction,
                      [&c](std::span<const std::uint8_t> f) { c.inbox.insert(c.inbox.end(), f.begin(), f.end()); });
  c.ref = 1;
  c.s->send(enc_.register_client(1, name, type, ""));
  clients_.push_back(&c);
}

void virtual_center::send(sim_client& c, const build_fn& f) {
  c.s->send(f(enc_, ++c.ref));
}

void virtual_center::open_floor(sim_client* rep, std::vector<sim_client>& desks,
                                const std::function<std::string(std::size_t)>& agent, error_sink& errors,
                                const std::function<bool()>& look) {
  if (rep)
    connect(*rep, wire::ClientType::reporting, "sim-reporting");
  for (std::size_t d = 0; d < desks.size(); ++d)
    connect(desks[d], wire::ClientType::agent_desktop, "sim-desk-" + std::to_string(d));
  settle(look);
  if (rep)
    send(*rep, make([](fbb& b) { return wire::CreateSubscribeReporting(b); }));
  for (std::size_t d = 0; d < desks.size(); ++d)
    send(desks[d], agent_login(agent(d)));
  settle(look);
  for (auto& desk : desks)
    send(desk, agent_ready());
  settle(look);
  if (errors.total() > 0)
    throw std::runtime_error("the simulated clients could not log in: " + errors.first());
}

bool virtual_center::serve_desks(std::vector<sim_client>& desks, error_sink& errors,
                                 const std::function<std::uint64_t(std::size_t, const wire::Envelope&)>& on_event) {
  bool any = false;
  std::vector<std::uint64_t> accepts;
  for (std::size_t d = 0; d < desks.size(); ++d) {
    auto& desk = desks[d];
    if (desk.inbox.empty())
      continue;
    any = true;
    accepts.clear();
    each_frame(desk, [&](const wire::Envelope& e, auto) {
      count_error(e, errors);
      if (e.ref() == 0)
        if (auto iid = on_event(d, e))
          accepts.push_back(iid);
    });
    for (auto iid : accepts)
      send(desk, accept(iid));
  }
  return any;
}

bool virtual_center::any_inbox() const {
  for (auto* c : clients_)
    if (!c->inbox.empty())
      return true;
  return false;
}

void virtual_center::settle(const std::function<bool()>& look) {
  do
    jobs_ += vt_.run();
  while (look());
}

void virtual_center::advance_to(std::int64_t to_ms, const std::function<bool()>& look) {
  for (;;) {
    auto left = to_ms - now_ms();
    if (left <= 0)
      return;
    if (!vt_.run_until([&] { return any_inbox(); }, std::chrono::milliseconds{left}))
      return;
    settle(look);
  }
}

} // namespace parley::sim
