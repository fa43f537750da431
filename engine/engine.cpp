#include "engine/engine.hpp"

#include <filesystem>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/agent/agent_registry.hpp"
#include "actors/interaction/interaction_registry.hpp"
#include "actors/persistence/writer.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/routing/router_actor.hpp"
#include "actors/outbound/campaign_actor.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/outbound/scheduler_actor.hpp"
#include "engine/list_jobs.hpp"
#include "engine/retention.hpp"
#include "engine/stream_route.hpp"
#include "engine/logging.hpp"
#include "actors/stats/stats_hub.hpp"
#include "engine/tls.hpp"

namespace parley::engine {

caf::actor_system_config& prepare_actor_system(caf::actor_system_config& c, const config& cfg) {
  c.set("scheduler.max-threads", actor_thread_count(cfg));
  c.add_message_types<caf::id_block::parley>();
  c.add_error_category(error_category,
                       [](std::uint8_t code, caf::atom_value, const caf::message& ctx) {
                         std::string out = protocol::error_name(static_cast<wire::ErrorCode>(code));
                         return ctx.empty() ? out : out + " " + caf::to_string(ctx);
                       });
  return c;
}

writer_config writer_settings(const config& c, std::uint64_t next_session_id) {
  writer_config w;
  w.batch_size = c.storage.batch_size;
  w.batch_delay = c.storage.batch_delay;
  w.commit_acks = c.storage.durability == durability_mode::commit;
  w.max_pending = c.storage.max_pending;
  w.retry_min = c.storage.retry_min;
  w.retry_max = c.storage.retry_max;
  w.shed_events = c.storage.shed_events;
  w.next_session_id = next_session_id;
  return w;
}

std::size_t actor_thread_count(const config& cfg) {
  if (cfg.actor_threads > 0)
    return cfg.actor_threads;
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  return cores > cfg.io_threads ? cores - cfg.io_threads : 1;
}

engine::engine(config cfg, std::shared_ptr<const clock> clk)
  : cfg_(std::move(cfg)), live_(std::make_shared<const config>(cfg_)),
    clock_(clk ? std::move(clk) : make_clock(cfg_.clock_scale, cfg_.clock_start_ms)) {
}

engine::~engine() {
  stop();
}

void engine::start() {
  std::lock_guard lock{stop_mx_};
  if (started_)
    return;
  // TLS files first: a wrong path should not wait for a database to tell.
  if (cfg_.tls.enabled)
    tls_ = make_server_tls(cfg_.tls);
  std::error_code fs_err;
  std::filesystem::create_directories(cfg_.data_dir, fs_err);
  if (fs_err)
    throw std::runtime_error("cannot create engine.data_dir \"" + cfg_.data_dir
                             + "\": " + fs_err.message());
  // Storage before anything else: nothing starts on a database it cannot use, and the
  // interactions the last run left are back in their queues before a client connects.
  std::shared_ptr<storage::store> store;
  storage::recovered rec;
  auto read_from = std::chrono::steady_clock::now();
  try {
    store = storage::open_store(store_config(cfg_));
    store->claim(std::chrono::seconds{cfg_.storage.connect_timeout_s});
    store->migrate();
    read_from = std::chrono::steady_clock::now();
    rec = store->recover(cfg_.storage.dedupe_retained, clock_->now_ms());
  } catch (const storage::storage_error& e) {
    throw std::runtime_error(std::string{"storage: "} + e.what());
  }
  auto read_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - read_from);
  auto metrics = std::make_shared<domain_metrics>();
  metrics->storage.backend = store->describe();
  caf_cfg_ = std::make_unique<caf::actor_system_config>();
  system_ = std::make_unique<caf::actor_system>(prepare_actor_system(*caf_cfg_, cfg_));
  directory_ = spawn_directory(*system_, token_map{cfg_.tokens.begin(), cfg_.tokens.end()});
  writer_ = spawn_writer(*system_, store, writer_settings(cfg_, rec.max_session_id + 1), metrics);
  outbound::compliance_actor ob;
  try {
    ob = start_outbound(*store, metrics);
  } catch (...) {
    stop_actors();
    throw;
  }
  domain_ = spawn_domain(*system_, cfg_, clock_,
                         domain_storage{writer_, metrics, rec.max_seq, rec.max_vq_seq, list_store_, ob});
  scheduler_ = start_schedule();
  supervisor_ = spawn_supervisor(*system_, supervision_, metrics,
                                 long_lived_actors(*domain_, any_actor(directory_),
                                                   any_actor(list_store_), any_actor(scheduler_)),
                                 [this](const std::string& what) { fatal_death(what); });
  recover(rec, read_ms);
  if (cfg_.reporting.enabled)
    history_ = spawn_history(*system_, {store_config(cfg_), domain_->cfg, clock_, cfg_.reporting.poll,
                                        cfg_.reporting.batch_events,
                                        std::int64_t{cfg_.reporting.short_abandon_s} * 1000, rec.max_seq + 1,
                                        &counters_});
  if (auto& x = cfg_.streams; x.export_events)
    for (auto log : {export_log::events, export_log::vq})
      exporters_[static_cast<std::size_t>(log)] =
        spawn_exporter(*system_,
                       {store_config(cfg_), cfg_.redis.host, cfg_.redis.port, x.prefix, x.max_len,
                        std::int64_t{x.max_age_s} * 1000, x.batch_events, x.poll, clock_, &counters_},
                       log);
  env_ = std::make_unique<session_env>(
    session_env{cfg_, live_, tls_.get(), *system_, directory_, domain_, clock_, counters_, sessions_});
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
    console_env ops{
      cfg_, live_, *system_, directory_, domain_, counters_, started_at_,
      [this] { return sessions_.size(); }, [this] { drain(); },
      [this] {
        if (!shutdown_hook_)
          return false;
        shutdown_hook_();
        return true;
      },
      [this] { return draining_.load(); },
      [this] { return undrain(); },
      [this]() -> std::optional<reload_result> {
        if (!reload_source_)
          return std::nullopt;
        return reload_from_source("console reload");
      },
      list_store_, scheduler_, std::make_shared<audit_log>(audit_file(cfg_)), history_, ha_};
    console_ = std::make_unique<console_server>(io_, ops);
    web_ = std::make_unique<web::web_server>(io_, ops, tls_.get(), counters_.tls_handshake_failures);
    auto page_env = std::make_shared<metrics_env>(
      metrics_env{cfg_, *system_, domain_, counters_, [this] { return sessions_.size(); }, ha_});
    metrics_ = std::make_unique<metrics_server>(
      io_, cfg_.metrics.bind, cfg_.metrics.port,
      http_probes{[this]() -> std::string {
                    if (auto dead = supervision_->failure(); !dead.empty())
                      return dead + "; parleyd restarts (exit code " + std::to_string(supervision_exit_code)
                             + ")";
                    if (stopping_.load())
                      return "stopping";
                    if (draining_.load())
                      return "draining";
                    if (ha_ && !ha_->primary.load())
                      return "no longer the primary of the HA pair (stepping down)";
                    if (!domain_->metrics->storage.up.load())
                      return "storage unreachable (" + domain_->metrics->storage.backend + ")";
                    return {};
                  },
                  [page_env](std::function<void(std::string)> done) { render_metrics(page_env, std::move(done)); }});
  } catch (...) {
    console_.reset();
    web_.reset();
    metrics_.reset();
    listeners_.clear();
    stop_actors();
    throw;
  }
  guard_ = std::make_unique<decltype(guard_)::element_type>(io_.get_executor());
  for (auto& l : listeners_)
    l->start();
  console_->start();
  web_->start();
  metrics_->start();
  for (std::uint32_t i = 0; i < cfg_.io_threads; ++i)
    io_threads_.emplace_back([this] { io_.run(); });
  started_ = true;
}

void engine::recover(storage::recovered& rec, std::chrono::milliseconds read_ms) {
  auto live = rec.live.size();
  auto from = std::chrono::steady_clock::now();
  caf::scoped_actor self{*system_};
  std::string failure;
  self->request(domain_->interactions, std::chrono::minutes{5}, recover_atom_v, std::move(rec.live),
                std::move(rec.finished), rec.max_interaction_id,
                static_cast<std::uint64_t>(cfg_.storage.dedupe_retained))
    .receive([](std::uint64_t) {}, [&](caf::error& e) { failure = describe(e); });
  if (!failure.empty()) {
    stop_actors();
    throw std::runtime_error("storage: recovery failed: " + failure);
  }
  auto since = [](auto t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t);
  };
  auto requeue_ms = since(from);
  // Its events (recovered and queued per interaction, and a VQ `entered`) are stored before
  // any client connects: an acknowledged request would wait behind them (3,000,000 rows at
  // 1,000,000 waiting: longer than a client's timeout). They all reached the bus before the
  // registry answered, so once the bus answers it has passed them on to the writer.
  auto stored_from = std::chrono::steady_clock::now();
  self->request(domain_->bus, std::chrono::minutes{1}, count_atom_v)
    .receive([](conservation_map&) {}, [](caf::error&) {});
  self->request(writer_, std::chrono::minutes{1}, sync_atom_v)
    .receive([](caf::ok_atom) {},
             [](caf::error& e) {
               spdlog::warn("storage: the recovery's events are not all stored yet ({}); they are "
                            "written when storage can take them",
                            describe(e));
             });
  spdlog::info("storage: {} ({}); recovered {} interaction(s) (read {} ms, requeued {} ms, their events "
               "stored {} ms); reporting continues after seq {}; {} agent session(s) left open by the "
               "last run closed",
               domain_->metrics->storage.backend, to_string(cfg_.storage.durability), live,
               read_ms.count(), requeue_ms.count(), since(stored_from).count(), rec.max_seq,
               rec.closed_sessions);
}

domain_ptr spawn_domain(caf::actor_system& sys, const config& cfg,
                        std::shared_ptr<const clock> clk, domain_storage storage) {
  auto d = std::make_shared<domain_handles>();
  d->clk = std::move(clk);
  auto dc = cfg.domain;
  dc.request_timeout = cfg.timeouts.request;
  dc.storage_timeout = cfg.timeouts.storage;
  d->cfg = std::make_shared<const domain_config>(std::move(dc));
  d->metrics = storage.metrics ? storage.metrics : std::make_shared<domain_metrics>();
  d->store = storage.writer;
  d->bus = spawn_reporting_bus(sys, d->clk, storage.writer, storage.last_seq, storage.last_vq_seq,
                               cfg.limits.replay_hold_events);
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
  route_stream_setup rs{cfg.redis.host, cfg.redis.port, cfg.streams.prefix, cfg.streams.consumer,
                        cfg.streams.router_group, cfg.streams.claim_idle, cfg.streams.route_max_len, {}};
  for (auto& q : d->cfg->queues)
    if (q.stream_routed() && std::find(rs.tenants.begin(), rs.tenants.end(), q.tenant) == rs.tenants.end())
      rs.tenants.push_back(q.tenant);
  if (!rs.tenants.empty())
    d->route_stream = spawn_route_stream(sys, std::move(rs));
  outbound::campaign_handles ob{{}, storage.list_store, storage.compliance};
  d->compliance = storage.compliance;
  if (storage.list_store && !d->cfg->outbound.campaigns.empty()) {
    if (d->cfg->outbound.gateway.kind == gateway_kind::external) {
      d->gateway_pool = outbound::spawn_gateway_pool(sys, d->cfg->outbound.gateway, d->clk, d->metrics);
      ob.gateway = caf::actor_cast<outbound::gateway_actor>(d->gateway_pool);
    } else {
      ob.gateway = outbound::spawn_simulated_gateway(sys, d->cfg->outbound.gateway, d->clk);
    }
    d->gateway = ob.gateway;
    for (auto& c : d->cfg->outbound.campaigns)
      d->campaigns[c.name] = outbound::spawn_campaign(sys, &c);
    for (auto& q : d->cfg->outbound.sequences)
      d->sequences[q.name] = outbound::spawn_sequence(sys, &q);
  }
  // Everyone learns everyone's handle before the first client can connect.
  domain_ptr shared = d;
  caf::anon_send(d->interactions, init_atom_v, shared);
  caf::anon_send(d->agents, init_atom_v, shared);
  caf::anon_send(d->stats, init_atom_v, shared);
  // Before any listener opens, so the statistics see every report from the first one.
  caf::anon_send(d->bus, caf::join_atom_v, stats_atom_v, report_feed_actor{d->stats});
  for (auto& [tenant, r] : d->routers)
    caf::anon_send(r, init_atom_v, shared);
  if (d->route_stream)
    caf::anon_send(d->route_stream, init_atom_v, shared);
  for (auto& [name, q] : d->queues)
    caf::anon_send(q, init_atom_v, shared);
  for (auto& c : d->cfg->outbound.campaigns) {
    auto it = d->campaigns.find(c.name);
    if (it == d->campaigns.end())
      continue;
    caf::anon_send(it->second, init_atom_v, shared, ob);
    if (c.autostart)
      caf::anon_send(it->second, campaign_atom_v, outbound::start_atom_v);
  }
  for (auto& [name, q] : d->sequences) {
    caf::anon_send(q, init_atom_v, shared);
    if (d->cfg->outbound.find_sequence(name)->autostart)
      caf::anon_send(q, sequence_atom_v, outbound::start_atom_v, std::uint32_t{0});
  }
  return shared;
}

outbound::scheduler_actor engine::start_schedule() {
  if (!list_store_ || domain_->cfg->outbound.schedule.empty())
    return {};
  // The scheduler keeps its own snapshot of the config: never a reference into one.
  auto snapshot = std::make_shared<const config>(cfg_);
  auto& sys = *system_;
  return outbound::spawn_scheduler(
    sys, domain_, [&sys, snapshot, clk = clock_](const schedule_entry& e, const outbound::job_report_actor& to) {
      auto report_to = caf::actor_cast<caf::actor>(to);
      if (e.action == schedule_action::retention)
        return start_retention(sys, report_to, *snapshot, clk->now_ms());
      return start_list_import(sys, report_to, *snapshot,
                               {e.list, e.file, e.mapping, false, e.dedupe, after_import::rename, {}});
    });
}

void engine::fatal_death(const std::string& what) {
  if (exit_code_.exchange(supervision_exit_code) != 0)
    return;  // one restart is enough
  if (fatal_hook_) {
    fatal_hook_();
    return;
  }
  spdlog::error("supervision: {}; this embedded engine has no process to restart: it stays up, "
                "not ready", what);
}

void engine::stop_actors() {
  // Every death from here on is expected: the supervisor goes first.
  supervision_->stopping = true;
  if (supervisor_)
    caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
  supervisor_ = nullptr;
  caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
  directory_ = directory_actor{};
  if (history_)  // it reads the store on its own connection: nothing waits for it
    caf::anon_send_exit(history_, caf::exit_reason::user_shutdown);
  history_ = history_actor{};
  for (auto& x : exporters_) {  // the same: its own connections, and the log keeps what it has not appended
    if (x)
      caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
    x = exporter_actor{};
  }
  if (domain_) {
    // Sequences, then campaigns: they give their leased records back and take their dialer
    // sessions (linked) with them; then the gateway and compliance.
    caf::scoped_actor first{*system_};
    std::vector<caf::actor> outbound;
    for (auto& [name, q] : domain_->sequences)
      outbound.push_back(any_actor(q));
    for (auto& [name, c] : domain_->campaigns)
      outbound.push_back(any_actor(c));
    for (auto& a : {any_actor(scheduler_), any_actor(domain_->gateway),
                    any_actor(domain_->compliance)})
      if (a)
        outbound.push_back(a);
    for (auto& a : outbound) {
      first->monitor(a);
      first->send_exit(a, caf::exit_reason::user_shutdown);
    }
    for (std::size_t i = 0; i < outbound.size(); ++i)
      first->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds{10}) >> [] {});
    auto all = core_actors(*domain_);
    // The writer goes last, once nobody sends it rows any more, and writes what it holds.
    caf::scoped_actor self{*system_};
    for (auto& a : all) {
      self->monitor(a);
      self->send_exit(a, caf::exit_reason::user_shutdown);
    }
    for (std::size_t i = 0; i < all.size(); ++i)
      self->receive([](const caf::down_msg&) {},
                    caf::after(std::chrono::seconds{10}) >> [] {});
  }
  if (writer_)
    caf::anon_send_exit(writer_, caf::exit_reason::user_shutdown);
  writer_ = nullptr;
  if (list_store_)  // after the campaigns: it commits what they gave back
    caf::anon_send_exit(list_store_, caf::exit_reason::user_shutdown);
  list_store_ = nullptr;
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

std::uint16_t engine::http_port() const {
  return web_ ? web_->port() : 0;
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

std::string engine::undrain() {
  if (stopping_.load())
    return "the engine is stopping";
  if (!draining_.load())
    return "the engine is not draining";
  // Sessions told to drain still finish and close; new connections are welcome again.
  for (auto& l : listeners_)
    if (auto why = l->reopen(); !why.empty())
      return why + " (the listeners opened so far stay open; undrain again to retry)";
  draining_.store(false);
  spdlog::info("undrain: taking new connections and requests again");
  return {};
}

reload_result engine::reload(const config& next, const std::string& who) {
  std::lock_guard lock{reload_mx_};  // one reload at a time; stop() does not take it
  reload_result out;
  auto say = [&](spdlog::level::level_enum level, std::string line) {
    spdlog::log(level, "{}: {}", who, line);
    out.lines.push_back(std::move(line));
  };
  auto refuse = [&](std::string line) {
    counters_.reloads_refused.fetch_add(1, std::memory_order_relaxed);
    out.outcome = reload_outcome::refused;
    say(spdlog::level::warn, "not applied: " + line);
    return out;
  };
  if (stopping_.load())
    return refuse("the engine is stopping");
  auto running = live_.get();
  auto changes = config_diff(*running, next);
  if (changes.empty()) {
    counters_.reloads_unchanged.fetch_add(1, std::memory_order_relaxed);
    out.outcome = reload_outcome::unchanged;
    say(spdlog::level::info, "nothing changed in " + next.source);
    return out;
  }
  std::string unsafe;
  for (auto& c : changes)
    if (!c.reloadable)
      unsafe += (unsafe.empty() ? "" : ", ") + c.key;
  if (!unsafe.empty())
    return refuse(unsafe + (unsafe.find(',') == std::string::npos ? " needs" : " need")
                  + " a restart; nothing changed");
  // The new snapshot: the running config with exactly the reloadable keys replaced.
  auto fresh = std::make_shared<config>(with_reloaded(*running, next));
  // A key marked reloadable that the table cannot copy would be silently ignored: refuse.
  if (auto left = config_diff(*fresh, next); !left.empty())
    return refuse(left.front().key + " is reloadable but the engine cannot apply it (a bug)");
  // Apply. The directory swaps its tokens in one message; everything else is one snapshot.
  if (fresh->tokens != running->tokens)
    caf::anon_send(directory_, caf::update_atom_v, token_map{fresh->tokens.begin(), fresh->tokens.end()});
  auto old_level = spdlog_level(running->log.level);
  auto new_level = spdlog_level(fresh->log.level);
  live_.publish(fresh);
  counters_.reloads_applied.fetch_add(1, std::memory_order_relaxed);
  out.outcome = reload_outcome::applied;
  // Say what changed at the more verbose of the two levels, so a quieter level still
  // shows the line that made it quieter.
  spdlog::set_level(std::min(old_level, new_level));
  for (auto& c : changes)
    say(spdlog::level::info, c.key + " " + c.before + " -> " + c.after);
  spdlog::set_level(new_level);
  return out;
}

reload_result engine::reload_from_source(const std::string& who) {
  auto refused = [&](std::string line) {
    counters_.reloads_refused.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{}: {}", who, line);
    return reload_result{reload_outcome::refused, {std::move(line)}};
  };
  if (!reload_source_)
    return refused("not applied: this engine has no config file to read again");
  config next;
  try {
    next = reload_source_();
  } catch (const std::exception& e) {
    std::string why = e.what();
    for (auto& ch : why)
      if (ch == '\n')
        ch = ';';  // one log line
    return refused("not applied: config error: " + why);
  }
  return reload(next, who);
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
  supervision_->stopping = true;  // sessions draining may see actors end
  if (console_)
    console_->close();
  if (web_)
    web_->close();
  if (metrics_)
    metrics_->close();
  for (auto& l : listeners_)
    l->close();
  // 2. Drain: sessions finish their in-flight requests, flush and close.
  auto open = sessions_.all();
  auto shutdown_timeout = live_.get()->timeouts.shutdown;
  if (!open.empty())
    spdlog::info("stopping: draining {} session(s), at most {} ms", open.size(),
                 shutdown_timeout.count());
  for (auto& s : open)
    s->drain();
  open.clear();
  if (!sessions_.wait_empty(steady::now() + shutdown_timeout)) {
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
  web_.reset();
  metrics_.reset();
  spdlog::info("stopped");
}

} // namespace parley::engine
