#include "engine/local_engine.hpp"

#include <algorithm>

#include <filesystem>
#include <stdexcept>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/outbound/suppression.hpp"
#include "actors/persistence/writer.hpp"
#include "engine/engine.hpp"

namespace parley::engine {

namespace {

/// What a local engine cannot run in `c` with `storage`: "" or why.
std::string unsupported(const config& c, local_engine::storage_mode storage) {
  // Retention's entry (one is there by default) is not run: this engine starts on an empty
  // store and lives for a test or a simulation.
  auto& jobs = c.domain.outbound.schedule;
  if (std::any_of(jobs.begin(), jobs.end(), [](auto& e) { return e.action != schedule_action::retention; }))
    return "[[schedule]] jobs (timed list imports read files on threads of their own)";
  if (!c.domain.outbound.campaigns.empty() && storage != local_engine::storage_mode::store)
    return "outbound campaigns without a store (their contact lists are in it)";
  if (!c.domain.outbound.campaigns.empty() && !c.redis.host.empty())
    return "a do-not-call list in Redis (its calls block on the network)";
  if (c.domain.stats.redis_port != 0)
    return "publishing statistics to Redis (the publisher runs detached, on a thread of its own)";
  return {};
}

/// The stages stop_in_stages has left, and the actors of the current one still up.
struct stop_stages {
  std::vector<std::vector<caf::actor>> rest;
  std::size_t left = 0;
};

/// Tells the next stages to stop, up to one with actors to wait for; quits after the last.
void next_stage(caf::event_based_actor* self, stop_stages& st) {
  while (!st.rest.empty() && st.left == 0) {
    auto stage = std::move(st.rest.front());
    st.rest.erase(st.rest.begin());
    bool last = st.rest.empty();
    for (auto& a : stage) {
      if (!a)
        continue;
      if (!last) {
        self->monitor(a);
        ++st.left;
      }
      self->send_exit(a, caf::exit_reason::user_shutdown);
    }
  }
  if (st.rest.empty() && st.left == 0)
    self->quit();
}

/// Stops the actors of each stage, the next stage once every one of them is down: the
/// order engine::stop keeps with blocking waits, here without blocking. The last stage
/// (the writer, the list store) is told and not waited for.
caf::behavior stop_in_stages(caf::event_based_actor* self,
                             std::vector<std::vector<caf::actor>> stages) {
  auto st = std::make_shared<stop_stages>(stop_stages{std::move(stages), 0});
  self->set_down_handler([=](caf::down_msg&) {
    if (--st->left == 0)
      next_stage(self, *st);
  });
  next_stage(self, *st);
  // Only down messages are awaited; an actor without any behavior would quit at once.
  return {[](caf::ok_atom) {}};
}

} // namespace

local_engine::local_engine(caf::actor_system& sys, config cfg, std::shared_ptr<const clock> clk,
                           storage_mode storage)
  : sys_(sys), cfg_(std::move(cfg)), clk_(std::move(clk)) {
  if (auto why = unsupported(cfg_, storage); !why.empty())
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
      ds.last_vq_seq = rec.max_vq_seq;
      next_session_id = rec.max_session_id + 1;
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string{"storage: "} + e.what());
    }
    ds.metrics->storage.backend = store->describe();
    writer_ = spawn_writer(sys_, store, writer_settings(cfg_, next_session_id), ds.metrics,
                           actor_placement::scheduled);
    ds.writer = writer_;
    if (!cfg_.domain.outbound.campaigns.empty()) {
      try {
        start_outbound(ds);
      } catch (...) {
        caf::anon_send_exit(writer_, caf::exit_reason::user_shutdown);  // nobody else runs yet
        throw;
      }
    }
  }
  directory_ = spawn_directory(sys_, token_map{cfg_.tokens.begin(), cfg_.tokens.end()});
  domain_ = spawn_domain(sys_, cfg_, clk_, ds);
}

void local_engine::start_outbound(domain_storage& ds) {
  // As engine::start_outbound, minus what a fresh in-process run does not need (stale
  // leases, interrupted imports, the import directory): the list store and compliance on
  // store connections of their own, the do-not-call list in process.
  auto env = std::make_shared<outbound::compliance_setup>();
  try {
    env->store = storage::open_store(store_config(cfg_));
    env->dnc = outbound::make_memory_suppression(env->store);
    list_store_ = outbound::spawn_list_store(sys_, storage::open_store(store_config(cfg_)), {},
                                             actor_placement::scheduled);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"outbound: "} + e.what());
  }
  env->list_store = list_store_;
  env->clk = clk_;
  env->metrics = ds.metrics;
  ds.list_store = list_store_;
  ds.compliance = outbound::spawn_compliance(sys_, std::move(env), actor_placement::scheduled);
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
  std::vector<caf::actor> outbound, others;
  if (domain_) {
    // Campaigns first: they give their leased records back and take their dialer sessions
    // (linked) with them; then the gateway and compliance.
    for (auto& [name, c] : domain_->campaigns)
      outbound.push_back(any_actor(c));
    outbound.push_back(any_actor(domain_->gateway));
    outbound.push_back(any_actor(domain_->compliance));
    others = core_actors(*domain_);
  }
  // The writer and the list store last: they commit what the others sent them.
  sys_.spawn(stop_in_stages,
             std::vector<std::vector<caf::actor>>{std::move(outbound), std::move(others),
                                                  {any_actor(writer_), any_actor(list_store_)}});
  writer_ = nullptr;
  list_store_ = nullptr;
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
