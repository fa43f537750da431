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

/// One calculation and what the hub knows of it.
struct calc_entry {
  stat_actor a;
  stat_spec spec;
  std::string object;  // its object's key
  std::string share;   // its key among shared calculations; empty: its statistic's own
  std::size_t open = 0;  // statistics on it
};

/// The key under which statistics share a calculation, or empty when a statistic needs
/// its own: a `growing` interval counts from the statistic's own open (docs/statistics.md,
/// "Shared calculations"), except for gauges, which ignore the interval.
std::string share_key(const std::string& object, const stat_spec& s) {
  if (s.interval == wire::StatInterval::growing && info(s.m).kind != metric_kind::gauge)
    return {};
  char num[64];
  std::snprintf(num, sizeof num, "|%u|%u|%u|%u|%.17g|%u", static_cast<unsigned>(s.interval),
                s.window_s, s.range_from_s, s.range_to_s, s.threshold, s.period_ms);
  return object + "|" + info(s.m).name + "|" + wire::EnumNameStatNotify(s.notify) + num + "|"
         + s.filter;
}

struct hub_state {
  domain_ptr dom;
  std::unique_ptr<tracker> track;
  std::unique_ptr<queue_today> today;  // each queue's day, for operators
  std::shared_ptr<const reset_schedule> schedule;
  /// What the hub stops when it ends, however it ends: shared with its attach_functor,
  /// which runs after CAF 0.17 has destroyed this state (reading the state there crashes).
  struct children {
    redis_publisher_actor redis;
    // object key -> the calculations on it (by actor id): the feed's fan-out
    std::unordered_map<std::string, std::unordered_map<caf::actor_id, stat_actor>> on_object;
  };
  std::shared_ptr<children> kids = std::make_shared<children>();
  std::unordered_map<std::string, std::unordered_map<caf::actor_id, stat_actor>>& on_object
    = kids->on_object;
  redis_publisher_actor& redis = kids->redis;
  std::unordered_map<caf::actor_id, calc_entry> calcs;
  std::unordered_map<std::string, caf::actor_id> shared;  // share key -> calculation
  // connection -> its statistics (stat id -> calculation)
  std::unordered_map<caf::actor_id, std::unordered_map<std::uint64_t, caf::actor_id>> of_client;
  std::size_t open = 0;
  std::map<std::string, fact_list> batch;  // one reporting event's facts, per key
  static inline const char* name = "stats_hub";

  void gauge() {
    dom->metrics->stats_open.store(static_cast<std::int64_t>(open));
    dom->metrics->stats_calculations.store(static_cast<std::int64_t>(calcs.size()));
  }

  /// Forgets a calculation (it ended, or it is being stopped).
  void forget(caf::actor_id id) {
    auto it = calcs.find(id);
    if (it == calcs.end())
      return;
    auto& c = it->second;
    if (!c.share.empty())
      shared.erase(c.share);
    if (auto o = on_object.find(c.object); o != on_object.end()) {
      o->second.erase(id);
      if (o->second.empty())
        on_object.erase(o);
    }
    calcs.erase(it);
  }

  /// Takes statistic `stat_id` of `client` off its calculation (`reset`: because it is
  /// reset onto one of its own); the last statistic to leave stops the calculation.
  void leave(caf::actor_id client, std::uint64_t stat_id, caf::actor_id calc, bool reset) {
    auto it = calcs.find(calc);
    if (it == calcs.end())
      return;
    --open;
    auto a = it->second.a;
    if (--it->second.open == 0) {
      forget(calc);
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    } else {
      caf::anon_send(a, caf::leave_atom_v, client, stat_id, reset);
    }
  }

  /// Spawns a calculation for `spec` on object `key` (a snapshot of the object now).
  calc_entry& spawn(caf::actor_system& sys, stat_spec spec, const std::string& key,
                    std::string share) {
    stat_setup setup{spec, track->snapshot(key), dom->clk, schedule, dom->metrics, redis};
    auto a = spawn_stat(sys, std::move(setup));
    on_object[key].emplace(a.id(), a);
    if (!share.empty())
      shared.emplace(share, a.id());
    return calcs[a.id()] = calc_entry{a, std::move(spec), key, std::move(share), 0};
  }
};

using hub_self = stats_hub_actor::stateful_pointer<hub_state>;

/// Puts statistic `stat_id` of `client` on calculation `c`.
void attach(hub_self self, calc_entry& c, const stat_client_actor& client, std::uint64_t stat_id,
            bool opened) {
  auto& st = self->state;
  auto [it, first] = st.of_client.try_emplace(client.id());
  if (first)
    self->monitor(client);
  it->second[stat_id] = c.a.id();
  ++c.open;
  ++st.open;
  self->send(c.a, caf::join_atom_v, client, stat_id, opened);
}

stats_hub_actor::behavior_type stats_hub(hub_self self) {
  harden(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto id = dm.source.id();
    if (auto c = st.of_client.find(id); c != st.of_client.end()) {
      // A connection ended: every statistic it opened ends with it.
      auto stats = std::move(c->second);
      st.of_client.erase(c);
      for (auto& [stat_id, calc] : stats)
        st.leave(id, stat_id, calc, false);
      st.gauge();
      return;
    }
    auto c = st.calcs.find(id);
    if (c == st.calcs.end())
      return;
    // A calculation ended by itself: its connections see it end too (they monitor it) and
    // tell their clients; its statistics are gone.
    st.open -= c->second.open;
    for (auto& [client, stats] : st.of_client)
      std::erase_if(stats, [&](auto& kv) { return kv.second == id; });
    st.forget(id);
    st.gauge();
  });
  self->attach_functor([kids = self->state.kids](const caf::error&) {
    // Statistics do not outlive the engine's feed, whether the hub stops or dies.
    for (auto& [key, m] : kids->on_object)
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
      if (st.on_object.empty()) {
        st.track->apply(r, seq, engine_ms,
                        [&](const std::string& key, const stat_fact& f) { today.apply(key, f); });
        return;
      }
      st.batch.clear();
      st.track->apply(r, seq, engine_ms, [&](const std::string& key, const stat_fact& f) {
        today.apply(key, f);
        if (st.on_object.count(key))
          st.batch[key].push_back(f);
      });
      for (auto& [key, facts] : st.batch) {
        auto& targets = st.on_object[key];
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
        if (auto it = st.on_object.find(key); it != st.on_object.end()) {
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
      auto share = share_key(key, spec);
      calc_entry* c = nullptr;
      if (auto it = share.empty() ? st.shared.end() : st.shared.find(share); it != st.shared.end())
        c = &st.calcs.at(it->second);
      else
        c = &st.spawn(self->system(), std::move(spec), key, std::move(share));
      attach(self, *c, client, stat_id, false);
      st.dom->metrics->stats_opened.fetch_add(1, std::memory_order_relaxed);
      st.gauge();
      return c->a;
    },
    [=](caf::close_atom, const stat_client_actor& client, std::uint64_t stat_id) {
      auto& st = self->state;
      auto c = st.of_client.find(client.id());
      if (c == st.of_client.end())
        return;
      auto s = c->second.find(stat_id);
      if (s == c->second.end())
        return;
      auto calc = s->second;
      c->second.erase(s);
      st.leave(client.id(), stat_id, calc, false);
      st.gauge();
    },
    [=](caf::reset_atom, const stat_client_actor& client, std::uint64_t stat_id,
        caf::timespan wait) -> caf::result<stat_actor> {
      auto& st = self->state;
      auto unknown = caf::make_error(wire::ErrorCode::unknown_id,
                                     "no open statistic " + std::to_string(stat_id));
      auto c = st.of_client.find(client.id());
      if (c == st.of_client.end() || !c->second.count(stat_id))
        return unknown;
      auto calc_id = c->second[stat_id];
      auto it = st.calcs.find(calc_id);
      if (it == st.calcs.end())
        return unknown;
      auto& old = it->second;  // stays valid: unordered_map nodes do not move
      if (old.open == 1) {
        // Its own calculation (or alone on a shared one): restart it in place.
        auto rp = self->make_response_promise<stat_actor>();
        auto a = old.a;
        self->request(a, wait, caf::reset_atom_v)
          .then([=](caf::ok_atom) mutable { rp.deliver(a); },
                [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
        return rp;
      }
      // Shared: the statistic moves to a calculation of its own that starts now (the
      // others keep their interval).
      --old.open;
      --st.open;
      self->send(old.a, caf::leave_atom_v, client.id(), stat_id, true);
      auto& fresh = st.spawn(self->system(), old.spec, old.object, {});
      attach(self, fresh, client, stat_id, true);
      st.gauge();
      return fresh.a;
    },
    [=](snapshot_atom) {
      auto& st = self->state;
      return st.today->figures(st.dom->clk->now_ms());
    },
    [=](count_atom) {
      std::map<std::string, std::uint64_t> out;
      for (auto& [id, c] : self->state.calcs)
        out[c.object] += c.open;
      return out;
    },
  };
}

} // namespace

stats_hub_actor spawn_stats_hub(caf::actor_system& sys) {
  return sys.spawn(stats_hub);
}

} // namespace parley::stats
