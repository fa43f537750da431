#include "engine/local_engine.hpp"

#include <filesystem>
#include <stdexcept>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/persistence/writer.hpp"
#include "engine/engine.hpp"

namespace parley::engine {

namespace {

/// What a local engine cannot run in `c`: "" or why.
std::string unsupported(const config& c) {
  if (!c.domain.outbound.campaigns.empty() || !c.domain.outbound.schedule.empty())
    return "outbound campaigns and schedules (their list store and compliance actors run "
           "detached, on threads of their own)";
  if (c.domain.stats.redis_port != 0)
    return "publishing statistics to Redis (the publisher runs detached, on a thread of its own)";
  return {};
}

/// Stops `others` and, once every one of them is down, the writer: it commits what they
/// sent it (the order engine::stop keeps with blocking waits, here without blocking).
caf::behavior stop_writer_last(caf::event_based_actor* self,
                               std::vector<caf::actor> others, writer_actor writer) {
  auto left = std::make_shared<std::size_t>(others.size());
  auto finish = [self, writer] {
    if (writer)
      self->send_exit(writer, caf::exit_reason::user_shutdown);
    self->quit();
  };
  self->set_down_handler([=](caf::down_msg&) {
    if (--*left == 0)
      finish();
  });
  for (auto& a : others) {
    self->monitor(a);
    self->send_exit(a, caf::exit_reason::user_shutdown);
  }
  if (others.empty())
    finish();
  // Only down messages are awaited; an actor without any behavior would quit at once.
  return {[](caf::ok_atom) {}};
}

} // namespace

local_engine::local_engine(caf::actor_system& sys, config cfg, std::shared_ptr<const clock> clk,
                           storage_mode storage)
  : sys_(sys), cfg_(std::move(cfg)), clk_(std::move(clk)) {
  if (auto why = unsupported(cfg_); !why.empty())
    throw std::runtime_error("an in-process engine cannot run " + why
                             + "; use parleyd for this config");
  domain_storage ds;
  ds.metrics = std::make_shared<domain_metrics>();
  std::uint64_t next_session_id = 1;
  if (storage == storage_mode::store) {
    std::shared_ptr<storage::store> store;
    try {
      std::error_code fs_err;
      std::filesystem::create_directories(cfg_.data_dir, fs_err);
      store = storage::open_store(store_config(cfg_));
      store->claim(std::chrono::seconds{cfg_.storage.connect_timeout_s});
      store->migrate();
      auto rec = store->recover(cfg_.storage.dedupe_retained, clk_->now_ms());
      if (rec.max_interaction_id != 0)
        throw std::runtime_error(
          "it holds interactions (up to id " + std::to_string(rec.max_interaction_id)
          + "); an in-process engine starts on an empty store (it does not recover)");
      ds.last_seq = rec.max_seq;
      next_session_id = rec.max_session_id + 1;
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string{"storage: "} + e.what());
    }
    ds.metrics->storage.backend = store->describe();
    writer_ = spawn_writer(sys_, store, writer_settings(cfg_, next_session_id), ds.metrics,
                           writer_placement::scheduled);
    ds.writer = writer_;
  }
  directory_ = spawn_directory(sys_, token_map{cfg_.tokens.begin(), cfg_.tokens.end()});
  domain_ = spawn_domain(sys_, cfg_, clk_, ds);
}

local_engine::~local_engine() {
  stop();
}

std::shared_ptr<local_session> local_engine::connect(listener_kind kind, local_session::sink out) {
  if (stopped_)
    throw std::logic_error("local_engine::connect after stop()");
  connection_setup setup;
  setup.info.session_id = next_session_++;
  setup.info.peer = "in-process";
  setup.info.listener = listener_name(kind);
  setup.listener = kind;
  setup.directory = directory_;
  setup.domain = domain_;
  setup.request_timeout = cfg_.timeouts.request;
  setup.max_stats = cfg_.limits.max_stats_per_connection;
  setup.max_output_bytes = cfg_.limits.max_output_bytes;
  setup.commit_acks = cfg_.storage.durability == durability_mode::commit;
  auto s = local_session::open(sys_, std::move(setup),
                               {cfg_.name, cfg_.limits.max_frame_bytes}, std::move(out));
  std::erase_if(sessions_, [](auto& w) { return w.expired(); });
  sessions_.push_back(s);
  return s;
}

void local_engine::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  for (auto& w : sessions_)
    if (auto s = w.lock())
      s->close();
  sessions_.clear();
  caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
  directory_ = directory_actor{};
  std::vector<caf::actor> others;
  if (domain_)
    others = core_actors(*domain_);
  sys_.spawn(stop_writer_last, std::move(others), writer_);
  writer_ = nullptr;
  domain_.reset();
}

void local_engine::conservation(std::function<void(std::optional<conservation_map>)> done) {
  if (!domain_) {
    done(std::nullopt);
    return;
  }
  auto bus = domain_->bus;
  auto timeout = cfg_.timeouts.request;
  sys_.spawn([=](caf::event_based_actor* self) {
    self->request(bus, timeout, count_atom_v)
      .then([=](conservation_map& m) { done(std::move(m)); },
            [=](caf::error&) { done(std::nullopt); });
  });
}

} // namespace parley::engine
