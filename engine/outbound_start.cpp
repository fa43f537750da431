// Outbound at start-up (engine.hpp, engine::start_outbound): what campaigns need before
// the first one runs — leases a killed run left behind released, imports it left
// unfinished marked interrupted, the import directory there, the list store and the
// compliance actor on store connections of their own, the do-not-call list loaded.
#include <algorithm>
#include <chrono>
#include <filesystem>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/outbound/suppression.hpp"
#include "engine/engine.hpp"
#include "storage/store.hpp"

namespace parley::engine {

namespace {

/// The directory list imports read from (and exports write to), created when missing. A
/// failure stops the start when outbound is in use (campaigns, timed imports, or the
/// directory configured); otherwise it is a warning: nothing needs the directory yet.
void make_import_dir(const config& cfg) {
  auto dir = import_dir(cfg);
  std::error_code ignored, ec;
  auto where = std::filesystem::absolute(dir, ignored).lexically_normal().string();
  std::filesystem::create_directories(dir, ec);
  if (!ec && std::filesystem::is_directory(dir, ec)) {
    spdlog::info("outbound: import directory {} (list import, dnc import and timed imports read "
                 "files from it; list export writes there)", where);
    return;
  }
  auto why = "cannot create the import directory " + where + " (outbound.import_dir): "
             + (ec ? ec.message() : "not a directory");
  auto& ob = cfg.domain.outbound;
  bool imports = std::any_of(ob.schedule.begin(), ob.schedule.end(),
                             [](auto& e) { return e.action == schedule_action::import; });
  if (!ob.campaigns.empty() || imports || !cfg.outbound.import_dir.empty())
    throw std::runtime_error("outbound: " + why);
  spdlog::warn("outbound: {}; list imports will fail until it exists", why);
}

} // namespace

outbound::compliance_actor engine::start_outbound(storage::store& main,
                                                  std::shared_ptr<domain_metrics> metrics) {
  auto env = std::make_shared<outbound::compliance_setup>();
  make_import_dir(cfg_);
  try {
    if (auto n = main.outbound().recover_stale(); n > 0)
      spdlog::info("outbound: {} record(s) the last run left retrieved are ready again", n);
    auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto n = main.outbound().recover_imports(wall); n > 0)
      spdlog::warn("outbound: {} list import(s) the last run left unfinished are marked "
                   "interrupted (the records they added stay; see show lists)", n);
    auto lists = storage::open_store(store_config(cfg_));
    env->store = storage::open_store(store_config(cfg_));
    if (cfg_.redis.host.empty())
      env->dnc = outbound::make_memory_suppression(env->store);
    else
      env->dnc = outbound::make_redis_suppression(cfg_.redis.host, cfg_.redis.port);
    list_store_ = outbound::spawn_list_store(*system_, std::move(lists));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"outbound: "} + e.what());
  }
  spdlog::info("outbound: do-not-call list {}; {} campaign(s)", env->dnc->describe(),
               cfg_.domain.outbound.campaigns.size());
  env->list_store = list_store_;
  env->clk = clock_;
  env->metrics = std::move(metrics);
  return outbound::spawn_compliance(*system_, std::move(env));
}

} // namespace parley::engine
