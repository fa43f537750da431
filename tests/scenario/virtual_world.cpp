// virtual_world: the in-process mode. The engine's actors (engine/local_engine.hpp: the
// directory, the domain, the real writer on an SQLite file in a fresh directory) run on
// CAF's deterministic test coordinator in this thread; the domain clock is a virtual_clock
// on the coordinator's clock. Each client is a local_session in front of a real connection
// actor: requests are the same FlatBuffers frames the TCP mode sends, answers and events
// come back as bytes, split and verified here. Time moves only while a step waits
// (virtual_time: timer by timer, each at its due time); nothing sleeps.
#include <chrono>
#include <filesystem>
#include <map>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/virtual_clock.hpp"
#include "actors/runtime/virtual_time.hpp"
#include "engine/engine.hpp"
#include "engine/local_engine.hpp"
#include "protocol/frame_reader.hpp"
#include "scenario/world.hpp"
#include "support/child.hpp"

namespace parley::scenario {

namespace {

using namespace std::chrono_literals;

/// Domain time at the start of every virtual run unless the config sets
/// engine.clock_start_ms: a fixed instant, so that two runs stamp the same times.
clock::time_point default_start() {
  using namespace std::chrono;
  return clock::time_point{sys_days{year{2025} / January / 6}.time_since_epoch() + 9h};
}

/// FNV-1a, for a short fingerprint of each frame in the log.
std::uint64_t fnv1a(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (auto b : bytes)
    h = (h ^ b) * 1099511628211ull;
  return h;
}

std::string hex(std::uint64_t x) {
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, x >>= 4)
    out[static_cast<std::size_t>(i)] = digits[x & 15];
  return out;
}

wire::ClientType client_type(client_kind k) {
  switch (k) {
    case client_kind::gateway: return wire::ClientType::media_gateway;
    case client_kind::desktop: return wire::ClientType::agent_desktop;
    case client_kind::reporter: return wire::ClientType::reporting;
    default: return wire::ClientType::router;
  }
}

/// One scenario client: its session, its requests' answers by reference id, its inbox.
struct local_client {
  std::string name;
  std::shared_ptr<engine::local_session> session;
  std::shared_ptr<inbox> in;
  protocol::encoder enc;
  std::uint64_t next_ref = 1;
  std::uint64_t register_ref = 0;
  bool registered = false;
  std::string refused;   // the registration's error
  std::string problem;   // a frame from the engine that does not verify
  std::map<std::uint64_t, client::answer> answers;
};

class virtual_world final : public world {
public:
  explicit virtual_world(const script& s)
    : dir_(test::temp_dir()),
      cfg_(engine::parse_config(s.toml, s.name, {"engine.data_dir=" + dir_ + "/var", "log.level=warn"})),
      sys_(testing_config(engine::prepare_actor_system(caf_cfg_, cfg_))), vt_(sys_) {
    spdlog::set_level(spdlog::level::warn);
    auto start = cfg_.clock_start_ms != 0
                   ? clock::time_point{std::chrono::milliseconds{cfg_.clock_start_ms}}
                   : default_start();
    clk_ = std::make_shared<virtual_clock>(sys_.clock(), start);
    eng_ = std::make_unique<engine::local_engine>(sys_, cfg_, clk_);
    vt_.run();  // the actors introduce themselves to each other
  }

  ~virtual_world() override {
    for (auto& [name, c] : clients_)
      c->session->close();
    eng_->stop();
    // Stopping takes no time, but the writer's last commit may: allow it a minute of
    // virtual time (its retries are timers).
    vt_.run_until([this] { return sys_.registry().running() == 0; }, 60s);
    if (auto left = sys_.registry().running(); left != 0) {
      FAIL_CHECK(left << " actor(s) still running after the engine stopped");
      // ~actor_system would wait for them forever.
      std::fflush(nullptr);
      std::_Exit(1);
    }
    clients_.clear();
    eng_.reset();
    if (std::uncaught_exceptions() == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    } else {
      MESSAGE("the virtual run's data directory is kept: " << dir_);
    }
  }

  void connect(const std::string& name, client_kind kind, std::shared_ptr<inbox> in) override {
    auto owned = std::make_unique<local_client>();
    auto& c = *owned;
    c.name = name;
    c.in = std::move(in);
    clients_[name] = std::move(owned);
    auto port = kind == client_kind::vq ? engine::listener_kind::vq : engine::listener_kind::interaction;
    c.session = eng_->connect(port, [this, &c](std::span<const std::uint8_t> f) { received(c, f); });
    c.register_ref = c.next_ref++;
    c.session->send(c.enc.register_client(c.register_ref, name, client_type(kind), ""));
    vt_.run_until([&c] { return c.registered || !c.refused.empty() || c.session->closed(); }, 5s);
    check(c);
    if (!c.registered)
      fail("did not register: " + (c.refused.empty() ? "no answer within 5 s" : c.refused));
  }

  client::answer ask(const std::string& name, const client::client::build_fn& build) override {
    auto& c = *clients_.at(name);
    auto ref = c.next_ref++;
    if (!c.session->send(build(c.enc, ref)))
      return {client::status::disconnected, "the session is closed"};
    vt_.run_until([&c, ref] { return c.answers.count(ref) || c.session->closed(); }, 5s);
    check(c);
    auto it = c.answers.find(ref);
    if (it == c.answers.end())
      return c.session->closed()
               ? client::answer{client::status::disconnected, "the engine closed the session"}
               : client::answer{client::status::timeout, "no answer within request_timeout"};
    auto a = std::move(it->second);
    c.answers.erase(it);
    return a;
  }

  std::optional<client::answer> next_event(inbox& in, millis limit) override {
    vt_.run_until([&in] { return !in.empty(); }, limit);
    for (auto& [name, c] : clients_)
      check(*c);
    return in.try_pop();
  }

  millis now() override { return std::chrono::duration_cast<millis>(vt_.elapsed()); }

  void pass(millis d) override { vt_.advance(d); }

  void disconnect(const std::string& name) override {
    clients_.at(name)->session->close();
    vt_.run();
  }

  std::string conservation_problems() override {
    auto got = std::make_shared<std::optional<std::optional<conservation_map>>>();
    eng_->conservation([got](std::optional<conservation_map> m) { *got = std::move(m); });
    vt_.run_until([got] { return got->has_value(); }, 5s);
    if (!got->has_value() || !got->value())
      return "no answer from the reporting bus";
    std::string out;
    for (auto& [tenant, c] : *got->value())
      if (!c.holds() || c.violations != 0)
        out += "interactions [" + tenant + "]: submitted " + std::to_string(c.submitted)
               + " = in-submitted " + std::to_string(c.in_submitted) + " + queued "
               + std::to_string(c.queued) + " + offered " + std::to_string(c.offered)
               + " + handled " + std::to_string(c.handled) + " + parked "
               + std::to_string(c.parked) + " + stopped " + std::to_string(c.stopped) + ", "
               + std::to_string(c.violations) + " violation(s); ";
    return out;
  }

  std::vector<std::string> frame_log() const override { return log_; }

private:
  /// Frames from the engine for `c`: split, verified, logged, then an event, an answer or
  /// the registration's outcome.
  void received(local_client& c, std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
      std::uint32_t n = 0;
      if (bytes.size() >= protocol::prefix_bytes)
        n = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
      if (bytes.size() < protocol::prefix_bytes || bytes.size() - protocol::prefix_bytes < n) {
        c.problem = "a truncated frame from the engine";
        return;
      }
      std::vector<std::uint8_t> frame(bytes.begin(), bytes.begin() + protocol::prefix_bytes + n);
      bytes = bytes.subspan(frame.size());
      auto d = protocol::decode(frame);
      if (!d) {
        c.problem = std::string{"an undecodable frame from the engine: "} + d.reason;
        return;
      }
      auto ref = d.envelope->ref();
      log_.push_back(std::to_string(now().count()) + "ms " + c.name + " " + describe(client::answer{frame}, {})
                     + " #" + hex(fnv1a(frame)));
      client::answer a{std::move(frame)};
      if (ref == 0) {
        c.in->push(a);
      } else if (ref == c.register_ref) {
        c.registered = a.type() == wire::Message::Registered;
        if (!c.registered)
          c.refused = a.error_text().empty() ? describe(a, {}) : a.error_text();
      } else {
        c.answers[ref] = std::move(a);
      }
    }
  }

  void check(const local_client& c) const {
    if (!c.problem.empty())
      fail(c.name + ": " + c.problem);
  }

  std::string dir_;
  engine::config cfg_;
  caf::actor_system_config caf_cfg_;
  caf::actor_system sys_;  // before everything that holds actor handles
  virtual_time vt_;
  std::shared_ptr<virtual_clock> clk_;
  std::unique_ptr<engine::local_engine> eng_;
  std::map<std::string, std::unique_ptr<local_client>> clients_;
  std::vector<std::string> log_;
};

} // namespace

std::unique_ptr<world> make_virtual_world(const script& s) {
  return std::make_unique<virtual_world>(s);
}

} // namespace parley::scenario
