#include "actors/stats/stats_hub.hpp"

#include <map>
#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/stats/queue_today.hpp"
#include "actors/stats/redis_publisher.hpp"
#include "actors/stats/stat_actor.hpp"
#include "actors/stats/tracker.hpp"

namespace parley::stats {

namespace {

struct hub_state {
  domain_ptr dom;
  std::unique_ptr<tracker> track;
  std::unique_ptr<queue_today> today;  // each queue's day, for operators
  std::shared_ptr<const reset_schedule> schedule;
  /// What the hub stops when it ends, however it ends: shared with its attach_functor,
  /// which runs after CAF 0.17 has destroyed this state (reading the state there crashes).
  struct children {
    redis_publisher_actor redis;
    // key -> open statistics on it (by actor id)
    std::unordered_map<std::string, std::unordered_map<caf::actor_id, stat_actor>> subs;
  };
  std::shared_ptr<children> kids = std::make_shared<children>();
  std::unordered_map<std::string, std::unordered_map<caf::actor_id, stat_actor>>& subs = kids->subs;
  redis_publisher_actor& redis = kids->redis;
  // ... and back: the key of each open statistic.
  std::unordered_map<caf::actor_id, std::string> key_of;
  std::map<std::string, fact_list> batch;  // one reporting event's facts, per key
  static inline const char* name = "stats_hub";

  void gauge() { dom->metrics->stats_open.store(static_cast<std::int64_t>(key_of.size())); }
};

using self_ptr = stats_hub_actor::stateful_pointer<hub_state>;

stats_hub_actor::behavior_type stats_hub(self_ptr self) {
  harden(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.key_of.find(dm.source.id());
    if (it == st.key_of.end())
      return;
    auto s = st.subs.find(it->second);
    if (s != st.subs.end()) {
      s->second.erase(dm.source.id());
      if (s->second.empty())
        st.subs.erase(s);
    }
    st.key_of.erase(it);
    st.gauge();
  });
  self->attach_functor([kids = self->state.kids](const caf::error&) {
    // Statistics do not outlive the engine's feed, whether the hub stops or dies.
    for (auto& [key, m] : kids->subs)
      for (auto& [aid, a] : m)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    if (kids->redis)
      caf::anon_send_exit(kids->redis, caf::exit_reason::user_shutdown);
  });
  return {
    [=](init_atom, const domain_ptr& dom) {
      auto& st = self->state;
      st.dom = dom;
      st.track = std::make_unique<tracker>(dom->cfg);
      auto& sc = dom->cfg->stats;
      st.schedule = std::make_shared<const reset_schedule>(sc.reset_time_zone, sc.reset_minute);
      st.today = std::make_unique<queue_today>(*dom->cfg, st.schedule, dom->clk->now_ms());
      if (sc.redis_port != 0)
        st.redis = spawn_redis_publisher(self->system(), sc, dom->metrics);
    },
    [=](report_atom, const report& r, std::uint64_t seq, std::int64_t engine_ms) {
      auto& st = self->state;
      auto& today = *st.today;
      if (st.subs.empty()) {
        st.track->apply(r, seq, engine_ms,
                        [&](const std::string& key, const stat_fact& f) { today.apply(key, f); });
        return;
      }
      st.batch.clear();
      st.track->apply(r, seq, engine_ms, [&](const std::string& key, const stat_fact& f) {
        today.apply(key, f);
        if (st.subs.count(key))
          st.batch[key].push_back(f);
      });
      for (auto& [key, facts] : st.batch) {
        auto& targets = st.subs[key];
        // One payload for all.
        auto shared = std::make_shared<const fact_list>(std::move(facts));
        for (auto& [id, a] : targets)
          self->send(a, facts_atom_v, shared);
      }
    },
    [=](dial_atom, const std::string& tenant, const std::string& campaign,
        const std::string& result, std::int64_t t) {
      // An outbound attempt ended (from its campaign): campaign and tenant statistics.
      auto& st = self->state;
      st.track->dial(tenant, campaign, result, 0, t, [&](const std::string& key, const stat_fact& f) {
        if (auto it = st.subs.find(key); it != st.subs.end()) {
          auto shared = std::make_shared<const fact_list>(fact_list{f});
          for (auto& [id, a] : it->second)
            self->send(a, facts_atom_v, shared);
        }
      });
    },
    [=](caf::open_atom, stat_spec& spec, const stat_client_actor& client,
        std::uint64_t stat_id) -> caf::result<stat_actor> {
      auto& st = self->state;
      if (auto why = validate(spec); !why.empty())
        return caf::make_error(wire::ErrorCode::invalid_argument, why);
      if (!st.track->knows(spec.object_type, spec.object_id))
        return caf::make_error(wire::ErrorCode::unknown_id,
                               std::string{"no "} + wire::EnumNameStatObjectType(spec.object_type)
                                 + " named " + spec.object_id);
      auto key = object_key(spec.object_type, spec.object_id);
      stat_setup setup{std::move(spec), stat_id, client, st.track->snapshot(key), st.dom->clk,
                       st.schedule, st.dom->metrics, st.redis};
      auto a = spawn_stat(self->system(), std::move(setup));
      self->monitor(a);
      st.subs[key].emplace(a.id(), a);
      st.key_of.emplace(a.id(), key);
      st.dom->metrics->stats_opened.fetch_add(1, std::memory_order_relaxed);
      st.gauge();
      return a;
    },
    [=](snapshot_atom) {
      auto& st = self->state;
      return st.today->figures(st.dom->clk->now_ms());
    },
    [=](count_atom) {
      std::map<std::string, std::uint64_t> out;
      for (auto& [key, m] : self->state.subs)
        out[key] = m.size();
      return out;
    },
  };
}

} // namespace

stats_hub_actor spawn_stats_hub(caf::actor_system& sys) {
  return sys.spawn(stats_hub);
}

} // namespace parley::stats
