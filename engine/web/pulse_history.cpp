#include "engine/web/pulse_history.hpp"

#include <map>
#include <set>

#include <caf/all.hpp>
#include <hiredis/hiredis.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/clock.hpp"
#include "actors/stats/stat_actor.hpp"
#include "engine/config.hpp"
#include "engine/web/pulse.hpp"
#include "engine/web/store_worker.hpp"
#include "protocol/codec.hpp"
#include "wire/stat_generated.h"

namespace parley::engine::web {

namespace {

/// The trend statistics the stored widgets name, by history key.
struct trend_set {
  std::map<std::string, stats::stat_spec> stats;
};

/// Samples a failed write gives back.
struct sample_batch {
  std::vector<storage::pulse_sample_row> samples;
};

using reply_ptr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

} // namespace
} // namespace parley::engine::web

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::engine::web::trend_set)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::engine::web::sample_batch)

namespace parley::engine::web {

std::string history_stream(const std::string& key) {
  return "parley:pulse:" + key;
}

history_store::history_store(std::string redis_host, std::uint16_t redis_port, std::int64_t retention_ms)
  : host_(std::move(redis_host)), port_(redis_port), retention_ms_(retention_ms) {}

history_store::~history_store() {
  if (ctx_)
    redisFree(ctx_);
}

void history_store::redis_failed(const std::string& what) {
  std::string why = ctx_ && ctx_->err ? ctx_->errstr : what;
  if (ctx_)
    redisFree(ctx_);
  ctx_ = nullptr;
  throw storage::storage_error("Redis " + host_ + ":" + std::to_string(port_) + ": " + why, true);
}

redisContext* history_store::redis() {
  if (ctx_)
    return ctx_;
  timeval tv{2, 0};
  ctx_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (!ctx_ || ctx_->err)
    redis_failed("cannot connect");
  redisSetTimeout(ctx_, tv);
  return ctx_;
}

void history_store::add(storage::store& st, const std::vector<storage::pulse_sample_row>& samples,
                        std::int64_t now_ms) {
  auto before = now_ms - retention_ms_;
  if (!in_redis()) {
    st.pulse().add_samples(samples);
    st.pulse().trim_samples(before);
    return;
  }
  // One pipeline: per sample XADD with the domain time as the entry id (the sequence part
  // left to Redis) and MINID trimming; per stream PEXPIRE, so a statistic no widget shows
  // any more goes after the retention.
  auto* c = redis();
  std::set<std::string> keys;
  std::size_t sent = 0;
  auto min_id = std::to_string(before > 0 ? before : 0);
  for (auto& s : samples) {
    auto key = history_stream(s.stat_key);
    auto id = std::to_string(s.t_ms) + "-*";
    auto value = fmt::format("{}", s.value);
    const char* argv[] = {"XADD", key.c_str(), "MINID", min_id.c_str(), id.c_str(), "v", value.c_str()};
    std::size_t lens[] = {4, key.size(), 5, min_id.size(), id.size(), 1, value.size()};
    redisAppendCommandArgv(c, 7, argv, lens);
    ++sent;
    keys.insert(key);
  }
  auto ttl = std::to_string(retention_ms_);
  for (auto& key : keys) {
    const char* argv[] = {"PEXPIRE", key.c_str(), ttl.c_str()};
    std::size_t lens[] = {7, key.size(), ttl.size()};
    redisAppendCommandArgv(c, 3, argv, lens);
    ++sent;
  }
  std::string refused;
  for (std::size_t i = 0; i < sent; ++i) {
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK)
      redis_failed("no reply");
    reply_ptr reply{static_cast<redisReply*>(r), freeReplyObject};
    // A sample older than the stream's newest (a clock set back) is refused: kept out.
    if (reply->type == REDIS_REPLY_ERROR && refused.empty())
      refused = std::string{reply->str, reply->len};
  }
  if (!refused.empty())
    spdlog::debug("pulse history: Redis refused a sample: {}", refused);
}

std::vector<storage::pulse_sample_row> history_store::range(storage::store& st, const std::string& key,
                                                            std::int64_t from_ms, std::int64_t to_ms,
                                                            std::size_t limit) {
  if (!in_redis())
    return st.pulse().samples(key, from_ms, to_ms, limit);
  auto* c = redis();
  auto stream = history_stream(key), from = std::to_string(from_ms < 0 ? 0 : from_ms),
       to = std::to_string(to_ms), count = std::to_string(limit);
  const char* argv[] = {"XRANGE", stream.c_str(), from.c_str(), to.c_str(), "COUNT", count.c_str()};
  std::size_t lens[] = {6, stream.size(), from.size(), to.size(), 5, count.size()};
  reply_ptr reply{static_cast<redisReply*>(redisCommandArgv(c, 6, argv, lens)), freeReplyObject};
  if (!reply)
    redis_failed("no reply");
  if (reply->type == REDIS_REPLY_ERROR)
    throw storage::storage_error("Redis XRANGE: " + std::string{reply->str, reply->len}, false);
  std::vector<storage::pulse_sample_row> out;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    auto* entry = reply->element[i];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
      continue;
    std::string id{entry->element[0]->str, entry->element[0]->len};
    auto* fields = entry->element[1];
    for (std::size_t f = 0; f + 1 < fields->elements; f += 2)
      if (std::string_view{fields->element[f]->str, fields->element[f]->len} == "v") {
        try {
          out.push_back({key, std::stoll(id.substr(0, id.find('-'))),
                         std::stod(std::string{fields->element[f + 1]->str, fields->element[f + 1]->len})});
        } catch (const std::exception&) {
          // not one of ours: skipped
        }
      }
  }
  return out;
}

namespace {

constexpr auto flush_every = std::chrono::seconds{1};
constexpr auto reread_every = std::chrono::minutes{1};
constexpr std::size_t max_pending = 1'000'000;  ///< samples held while the store is away

struct sampler_state {
  stats::stats_hub_actor hub;
  caf::actor worker;
  std::shared_ptr<history_store> history;
  std::shared_ptr<const clock> clk;
  std::uint32_t sample_s = 10;
  std::map<std::string, std::uint64_t> open;  ///< history key → stat id
  std::map<std::uint64_t, std::string> key_of;
  std::uint64_t next_id = 1;
  std::vector<storage::pulse_sample_row> pending;
  bool writing = false;
  static inline const char* name = "pulse_sampler";
};

caf::behavior sampler(caf::stateful_actor<sampler_state>* self, stats::stats_hub_actor hub, caf::actor worker,
                      std::shared_ptr<history_store> history, std::shared_ptr<const clock> clk, std::uint32_t sample_s) {
  auto& st = self->state;
  st.hub = std::move(hub);
  st.worker = std::move(worker);
  st.history = std::move(history);
  st.clk = std::move(clk);
  st.sample_s = sample_s;
  self->link_to(st.worker);  // the worker ends with the sampler
  auto me = caf::actor_cast<stats::stat_client_actor>(self);
  auto reread = [self] {
    auto sample_s = self->state.sample_s;
    caf::actor back = self;
    run_on(self->state.worker, {[back, sample_s](storage::store& db) {
                                   trend_set set;
                                   for (auto& w : db.pulse().all_widgets()) {
                                     auto doc = nlohmann::json::parse(w.widget, nullptr, false);
                                     if (doc.is_discarded() || !widget_problem(doc, true).empty())
                                       continue;
                                     for (auto& [key, spec] : trend_stats(doc, sample_s))
                                       set.stats.emplace(key, spec);
                                   }
                                   caf::anon_send(back, caf::update_atom_v, std::move(set));
                                 },
                                 {}});
  };
  reread();
  self->delayed_send(self, flush_every, period_atom_v);
  self->delayed_send(self, reread_every, caf::get_atom_v);
  return {
    [=](caf::update_atom, trend_set& set) {
      auto& st = self->state;
      // Close what no widget shows any more; open what is new.
      for (auto it = st.open.begin(); it != st.open.end();) {
        if (set.stats.count(it->first)) {
          ++it;
          continue;
        }
        self->send(st.hub, caf::close_atom_v, me, it->second);
        st.key_of.erase(it->second);
        it = st.open.erase(it);
      }
      for (auto& entry : set.stats) {
        auto& key = entry.first;  // not a structured binding: the callbacks capture it
        auto& spec = entry.second;
        if (st.open.count(key))
          continue;
        auto id = st.next_id++;
        st.open[key] = id;
        st.key_of[id] = key;
        // Opened as a 2060 connection opens: join, then the StatOpened peek (until it, the
        // calculation sends nothing).
        self->request(st.hub, std::chrono::seconds{10}, caf::open_atom_v, spec, me, id)
          .then([self, id](const stats::stat_actor& a) {
                  self->request(a, std::chrono::seconds{10}, peek_atom_v, std::uint64_t{0}, self->id(), id, true)
                    .then([](frame&) {}, [](caf::error&) {});
                },
                [self, key, id](caf::error& e) {
                  spdlog::warn("pulse history: cannot sample {}: {}", key, to_string(e));
                  self->state.key_of.erase(id);
                  self->state.open.erase(key);
                });
      }
    },
    [=](notify_atom, std::uint64_t id, frame& f, bool) {
      auto& st = self->state;
      auto it = st.key_of.find(id);
      if (it == st.key_of.end())
        return;
      auto* env = protocol::envelope_of(f);
      if (env->message_type() != wire::Message::StatInfo)
        return;  // the periodic values are the samples; an invalid statistic has none
      auto* m = env->message_as_StatInfo();
      if (st.pending.size() < max_pending)
        st.pending.push_back({it->second, m->timestamp_ms(), m->value()});
    },
    [=](period_atom) {
      auto& st = self->state;
      self->delayed_send(self, flush_every, period_atom_v);
      if (st.pending.empty() || st.writing)
        return;
      st.writing = true;
      auto batch = std::make_shared<std::vector<storage::pulse_sample_row>>(std::move(st.pending));
      st.pending.clear();
      caf::actor back = self;
      auto now = st.clk->now_ms();
      run_on(st.worker, {[history = st.history, batch, back, now](storage::store& db) {
                           history->add(db, *batch, now);
                           caf::anon_send(back, caf::ok_atom_v);
                         },
                         [batch, back](const std::string&) {
                           // Kept for the next flush (Redis or the database is away).
                           caf::anon_send(back, sample_batch{std::move(*batch)});
                         }});
    },
    [=](caf::ok_atom) { self->state.writing = false; },
    [=](sample_batch& failed) {
      auto& st = self->state;
      st.writing = false;
      auto& batch = failed.samples;
      if (st.pending.size() + batch.size() <= max_pending)
        st.pending.insert(st.pending.begin(), batch.begin(), batch.end());
    },
    [=](caf::get_atom) {
      reread();
      self->delayed_send(self, reread_every, caf::get_atom_v);
    },
    [=](sync_atom) { reread(); },
  };
}

} // namespace

caf::actor spawn_pulse_sampler(caf::actor_system& sys, const config& cfg, stats::stats_hub_actor hub,
                               std::shared_ptr<const clock> clk) {
  auto history = std::make_shared<history_store>(cfg.redis.host, cfg.redis.port,
                                                 std::int64_t{cfg.pulse.history_retention_h} * 3'600'000);
  return sys.spawn(sampler, std::move(hub), spawn_store_worker(sys, cfg, "pulse history"), std::move(history),
                   std::move(clk), cfg.pulse.history_sample_s);
}

void widgets_changed(const caf::actor& sampler) {
  caf::anon_send(sampler, sync_atom_v);
}

} // namespace parley::engine::web
