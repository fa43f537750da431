// Outbound at start-up (engine.hpp, engine::start_outbound): what campaigns need before
// the first one runs — leases a killed run left behind released, the list store and the
// compliance actor on store connections of their own, the do-not-call list loaded.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/outbound/suppression.hpp"
#include "engine/engine.hpp"
#include "storage/store.hpp"

namespace parley::engine {

caf::actor engine::start_outbound(storage::store& main, std::shared_ptr<domain_metrics> metrics) {
  auto env = std::make_shared<outbound::compliance_setup>();
  try {
    if (auto n = main.outbound().recover_stale(); n > 0)
      spdlog::info("outbound: {} record(s) the last run left retrieved are ready again", n);
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
