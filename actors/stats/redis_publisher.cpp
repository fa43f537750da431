#include "actors/stats/redis_publisher.hpp"

#include <map>
#include <string>

#include <caf/all.hpp>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"

namespace parley::stats {

namespace {

struct redis_state {
  stats_config cfg;
  std::shared_ptr<domain_metrics> metrics;
  redisContext* ctx = nullptr;
  bool failing = false;  // log once per outage
  std::map<std::string, std::map<std::string, double>> pending;  // key -> field -> value
  static inline const char* name = "redis_publisher";

  ~redis_state() { disconnect(); }

  void disconnect() {
    if (ctx)
      redisFree(ctx);
    ctx = nullptr;
  }

  void fail(const std::string& what) {
    metrics->stats_redis_errors.fetch_add(1, std::memory_order_relaxed);
    if (!failing)
      spdlog::warn("stats: Redis {}:{}: {}; retrying", cfg.redis_host, cfg.redis_port, what);
    failing = true;
    disconnect();
  }

  bool connect() {
    if (ctx)
      return true;
    timeval tv{1, 0};
    ctx = redisConnectWithTimeout(cfg.redis_host.c_str(), cfg.redis_port, tv);
    if (!ctx || ctx->err) {
      fail(ctx ? ctx->errstr : "cannot allocate a context");
      return false;
    }
    redisSetTimeout(ctx, tv);
    return true;
  }

  void flush() {
    if (pending.empty() || !connect())
      return;
    std::size_t sent = 0, fields = 0;
    for (auto& [key, values] : pending) {
      std::vector<std::string> args{"HSET", cfg.redis_prefix + key};
      for (auto& [field, v] : values) {
        args.push_back(field);
        args.push_back(fmt::format("{}", v));
      }
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
      ++sent;
      fields += values.size();
    }
    for (std::size_t i = 0; i < sent; ++i) {
      void* reply = nullptr;
      if (redisGetReply(ctx, &reply) != REDIS_OK) {
        fail(ctx->errstr);
        return;  // keep `pending`: the next flush writes the latest values
      }
      freeReplyObject(reply);
    }
    if (failing)
      spdlog::info("stats: Redis {}:{} is back", cfg.redis_host, cfg.redis_port);
    failing = false;
    metrics->stats_redis_writes.fetch_add(fields, std::memory_order_relaxed);
    pending.clear();
  }
};

redis_publisher_actor::behavior_type
redis_publisher(redis_publisher_actor::stateful_pointer<redis_state> self, stats_config cfg,
                std::shared_ptr<domain_metrics> metrics) {
  harden(self);
  self->state.cfg = std::move(cfg);
  self->state.metrics = std::move(metrics);
  self->delayed_send(self, self->state.cfg.redis_flush, nflush_atom_v);
  return {
    [=](publish_atom, const std::string& key, const std::string& field, double v) {
      self->state.pending[key][field] = v;
    },
    [=](nflush_atom) {
      self->state.flush();
      self->delayed_send(self, self->state.cfg.redis_flush, nflush_atom_v);
    },
  };
}

} // namespace

redis_publisher_actor spawn_redis_publisher(caf::actor_system& sys, const stats_config& cfg,
                                 std::shared_ptr<domain_metrics> metrics) {
  return sys.spawn<caf::detached>(redis_publisher, cfg, std::move(metrics));
}

} // namespace parley::stats
