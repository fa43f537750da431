#include "bench/parley_bench/virtual_center.hpp"

#include <cstdio>
#include <cstdlib>

#include <caf/all.hpp>

#include "engine/engine.hpp"

namespace parley::bench {

void fnv1a::add(std::span<const std::uint8_t> bytes) {
  for (auto b : bytes) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
}

std::string fnv1a::hex() const {
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
    std::fprintf(stderr, "parley-bench: %zu actor(s) still running after the virtual engine stopped\n", left);
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

void virtual_center::send(sim_client& c, const msg::build_fn& f) {
  c.s->send(f(enc_, ++c.ref));
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

} // namespace parley::bench
