#include "engine/engine.hpp"

#include <filesystem>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/agent/agent_registry.hpp"
#include "actors/interaction/interaction_registry.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/routing/router_actor.hpp"
#include "actors/stats/stats_hub.hpp"

namespace parley::engine {

namespace {

caf::actor_system_config& prepare(caf::actor_system_config& c, const config& cfg) {
  c.set("scheduler.max-threads", actor_thread_count(cfg));
  c.add_message_types<caf::id_block::parley>();
  c.add_error_category(error_category,
                       [](std::uint8_t code, caf::atom_value, const caf::message& ctx) {
                         std::string out = protocol::error_name(static_cast<wire::ErrorCode>(code));
                         return ctx.empty() ? out : out + " " + caf::to_string(ctx);
                       });
  return c;
}

} // namespace

std::size_t actor_thread_count(const config& cfg) {
  if (cfg.actor_threads > 0)
    return cfg.actor_threads;
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  return cores > cfg.io_threads ? cores - cfg.io_threads : 1;
}

engine::engine(config cfg, std::shared_ptr<const clock> clk)
  : cfg_(std::move(cfg)), clock_(clk ? std::move(clk) : make_clock(cfg_.clock_scale)) {
}

engine::~engine() {
  stop();
}

void engine::start() {
  std::lock_guard lock{stop_mx_};
  if (started_)
    return;
  std::error_code fs_err;
  std::filesystem::create_directories(cfg_.data_dir, fs_err);
  if (fs_err)
    throw std::runtime_error("cannot create engine.data_dir \"" + cfg_.data_dir
                             + "\": " + fs_err.message());
  caf_cfg_ = std::make_unique<caf::actor_system_config>();
  system_ = std::make_unique<caf::actor_system>(prepare(*caf_cfg_, cfg_));
  directory_ = spawn_directory(*system_, token_map{cfg_.tokens.begin(), cfg_.tokens.end()});
  domain_ = spawn_domain(*system_, cfg_, clock_);
  env_ = std::make_unique<session_env>(
    session_env{cfg_, *system_, directory_, domain_, clock_, counters_, sessions_});
  try {
    auto& l = cfg_.listen;
    listeners_.push_back(std::make_unique<listener>(io_, listener_kind::interaction, l.bind,
                                                    l.interaction_port, *env_, next_session_id_));
    listeners_.push_back(
      std::make_unique<listener>(io_, listener_kind::vq, l.bind, l.vq_port, *env_, next_session_id_));
    listeners_.push_back(std::make_unique<listener>(io_, listener_kind::stat, l.bind, l.stat_port,
                                                    *env_, next_session_id_));
  } catch (...) {
    listeners_.clear();
    stop_actors();
    system_->await_all_actors_done();
    throw;
  }
  started_at_ = std::chrono::steady_clock::now();
  try {
    console_ = std::make_unique<console_server>(io_, console_env{
      cfg_, *system_, directory_, domain_, counters_, started_at_,
      [this] { return sessions_.size(); }, [this] { drain(); },
      [this] {
        if (!shutdown_hook_)
          return false;
        shutdown_hook_();
        return true;
      },
      [this] { return draining_.load(); }});
    metrics_ = std::make_unique<metrics_server>(io_, metrics_env{
      cfg_, *system_, domain_, counters_, [this] { return sessions_.size(); },
      [this] { return !draining_.load() && !stopping_.load(); }});
  } catch (...) {
    console_.reset();
  metrics_.reset();
    listeners_.clear();
    stop_actors();
    throw;
  }
  guard_ = std::make_unique<decltype(guard_)::element_type>(io_.get_executor());
  for (auto& l : listeners_)
    l->start();
  console_->start();
  metrics_->start();
  for (std::uint32_t i = 0; i < cfg_.io_threads; ++i)
    io_threads_.emplace_back([this] { io_.run(); });
  started_ = true;
}

domain_ptr spawn_domain(caf::actor_system& sys, const config& cfg,
                        std::shared_ptr<const clock> clk) {
  auto d = std::make_shared<domain_handles>();
  d->clk = std::move(clk);
  d->cfg = std::make_shared<const domain_config>(cfg.domain);
  d->metrics = std::make_shared<domain_metrics>();
  d->bus = spawn_reporting_bus(sys, d->clk);
  d->interactions = spawn_interaction_registry(sys);
  d->agents = spawn_agent_registry(sys);
  d->stats = stats::spawn_stats_hub(sys);
  for (auto& q : d->cfg->queues)
    d->routers.try_emplace(q.tenant);
  for (auto& g : d->cfg->groups)
    d->routers.try_emplace(g.tenant);
  for (auto& [tenant, r] : d->routers) {
    r = spawn_router(sys, tenant, d->routers_by_index.size());
    d->routers_by_index.push_back(r);
  }
  for (auto& q : d->cfg->queues)
    d->queues[q.name] = spawn_queue(sys, q);
  // Everyone learns everyone's handle before the first client can connect.
  domain_ptr shared = d;
  for (auto& a : {d->interactions, d->agents, d->stats})
    caf::anon_send(a, init_atom_v, shared);
  // Before any listener opens, so the statistics see every report from the first one.
  caf::anon_send(d->bus, caf::join_atom_v, stats_atom_v, d->stats);
  for (auto& [tenant, r] : d->routers)
    caf::anon_send(r, init_atom_v, shared);
  for (auto& [name, q] : d->queues)
    caf::anon_send(q, init_atom_v, shared);
  return shared;
}

void engine::stop_actors() {
  caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
  directory_ = directory_actor{};
  if (domain_) {
    // The registries take the interactions and agents they spawned with them.
    // The stats hub takes its statistics and the Redis publisher with it.
    for (auto& a : {domain_->interactions, domain_->agents, domain_->bus, domain_->stats})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    for (auto& [tenant, r] : domain_->routers)
      caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
    for (auto& [name, q] : domain_->queues)
      caf::anon_send_exit(q, caf::exit_reason::user_shutdown);
  }
  system_->await_all_actors_done();
  domain_.reset();
  if (env_)
    env_->domain.reset();
}

conservation_map engine::conservation() {
  conservation_map out;
  caf::scoped_actor self{*system_};
  self->request(domain_->bus, std::chrono::seconds{5}, count_atom_v)
    .receive([&](conservation_map& m) { out = std::move(m); }, [](caf::error&) {});
  return out;
}

std::uint16_t engine::port(listener_kind kind) const {
  for (auto& l : listeners_)
    if (l->kind() == kind)
      return l->port();
  return 0;
}

std::uint16_t engine::metrics_port() const {
  return metrics_ ? metrics_->port() : 0;
}

std::uint16_t engine::console_port() const {
  return console_ ? console_->port() : 0;
}

void engine::drain() {
  if (draining_.exchange(true))
    return;
  spdlog::info("draining: no new connections or requests; finishing in-flight work");
  for (auto& l : listeners_)
    l->close();
  for (auto& s : sessions_.all())
    s->drain();
}

std::size_t engine::running_actors() const {
  return system_ ? system_->registry().running() : 0;
}

void engine::stop() {
  std::lock_guard lock{stop_mx_};
  if (!started_ || stopped_)
    return;
  stopped_ = true;
  using steady = std::chrono::steady_clock;
  // 1. Stop accepting (the console first: no commands during the stop).
  stopping_ = true;
  if (console_)
    console_->close();
  if (metrics_)
    metrics_->close();
  for (auto& l : listeners_)
    l->close();
  // 2. Drain: sessions finish their in-flight requests, flush and close.
  auto open = sessions_.all();
  if (!open.empty())
    spdlog::info("stopping: draining {} session(s), at most {} ms", open.size(),
                 cfg_.timeouts.shutdown.count());
  for (auto& s : open)
    s->drain();
  open.clear();
  if (!sessions_.wait_empty(steady::now() + cfg_.timeouts.shutdown)) {
    spdlog::warn("stopping: {} session(s) did not drain in time; closing them",
                 sessions_.size());
    for (auto& s : sessions_.all())
      s->abort();
    sessions_.wait_empty(steady::now() + std::chrono::seconds{2});
  }
  // 3. Stop the long-lived actors; connection actors quit with their sessions.
  stop_actors();
  // 4. Stop the I/O threads; nothing can post into Asio any more.
  guard_.reset();
  io_.stop();
  for (auto& t : io_threads_)
    t.join();
  io_threads_.clear();
  listeners_.clear();
  console_.reset();
  metrics_.reset();
  spdlog::info("stopped");
}

} // namespace parley::engine
