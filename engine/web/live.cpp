#include "engine/web/live.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <vector>

#include <caf/all.hpp>

#include "actors/outbound/campaign_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/harden.hpp"
#include "engine/campaign_status.hpp"
#include "engine/queue_live.hpp"
#include "engine/web/views_json.hpp"

namespace parley::engine::web {

namespace {

using json = nlohmann::json;

constexpr auto tick = std::chrono::milliseconds{200};
constexpr int campaign_ticks = 5;    ///< campaigns are asked once a second
constexpr int heartbeat_ticks = 75;  ///< a heartbeat every 15 s
constexpr std::size_t kept_events = 1024;

/// One value as the hub last saw it.
struct value {
  std::string tenant;
  std::string topic;  ///< "queue", "campaign"
  json data;
};

struct event {
  std::uint64_t id;
  std::string key;
  std::string tenant;
  std::string text;  ///< the SSE text
};

struct hub_state {
  std::shared_ptr<const console_env> env;
  std::map<std::uint64_t, live_watch> watchers;
  std::vector<live_watch> waiting;      ///< joined while the hub was idle: after the first look
  std::map<std::string, value> values;  ///< by key ("queue:sales")
  std::deque<event> recent;             ///< the last kept_events, oldest first
  std::uint64_t seq = 0;
  bool dirty = true;       ///< a reporting event since the last look
  bool looking = false;    ///< a gather is under way
  bool ticking = false;
  int ticks = 0;
  static inline const char* name = "live_hub";
};

using hub_self = caf::stateful_actor<hub_state>*;

std::string sse(std::uint64_t id, const std::string& type, const json& data) {
  return "id: " + std::to_string(id) + "\nevent: " + type + "\ndata: " + data.dump() + "\n\n";
}

/// The snapshot a watcher starts with: every value it may see, under the current id.
std::string snapshot(hub_self self, const principal& who) {
  auto& st = self->state;
  json queues = json::array(), campaigns = json::array();
  for (auto& [key, v] : st.values)
    if (who.sees(v.tenant))
      (v.topic == "queue" ? queues : campaigns).push_back(v.data);
  return sse(st.seq, "snapshot", {{"queues", queues}, {"campaigns", campaigns}});
}

/// Records a changed value and sends it to every watcher who may see it.
void changed(hub_self self, const std::string& topic, const std::string& name, const std::string& tenant,
             json data) {
  auto& st = self->state;
  auto key = topic + ":" + name;
  auto it = st.values.find(key);
  if (it != st.values.end() && it->second.data == data)
    return;
  auto id = ++st.seq;
  auto text = sse(id, topic, data);
  st.values[key] = {tenant, topic, std::move(data)};
  st.recent.push_back({id, key, tenant, text});
  if (st.recent.size() > kept_events)
    st.recent.pop_front();
  for (auto& [wid, w] : st.watchers)
    if (w.who.sees(tenant))
      w.sink->push(key, text);
}

void look(hub_self self) {
  auto& st = self->state;
  bool campaigns_due = st.ticks % campaign_ticks == 0 && !st.env->domain->campaigns.empty();
  if (st.looking || (!st.dirty && !campaigns_due))
    return;
  st.looking = true;
  auto left = std::make_shared<int>(campaigns_due ? 2 : 1);
  auto one_done = [self, left] {
    if (--*left > 0)
      return;
    auto& st = self->state;
    st.looking = false;
    for (auto& w : st.waiting) {  // their snapshot is fresh now
      w.sink->push("snapshot", snapshot(self, w.who));
      st.watchers[w.id] = std::move(w);
    }
    st.waiting.clear();
  };
  if (st.dirty) {
    st.dirty = false;
    gather_queue_live(self, st.env->domain, [self, one_done](queue_live_report r) {
      for (auto& q : r.queues)
        changed(self, "queue", q.name, q.tenant, queue_json(q));
      one_done();
    });
  } else {
    one_done();
  }
  if (campaigns_due)
    gather_campaigns(self, *st.env->domain, std::chrono::seconds{2}, [self, one_done](campaign_answers got) {
      auto& cfg = *self->state.env->domain->cfg;
      for (auto& [name, v] : got.views) {
        auto* k = cfg.outbound.find(name);
        auto* q = k ? cfg.find_queue(k->queue) : nullptr;
        auto tenant = q ? q->tenant : std::string{};
        changed(self, "campaign", name, tenant, campaign_json(v, tenant));
      }
      one_done();
    });
}

/// Follows the reporting stream while anyone watches (the bus then encodes every event
/// for the hub too: nothing is spent on it while nobody watches).
void follow_bus(hub_self self, bool on) {
  auto bus = self->state.env->domain->bus;
  auto me = caf::actor_cast<client_actor>(self);
  if (on)
    self->request(bus, std::chrono::seconds{5}, caf::join_atom_v, report_atom_v, me)
      .then([](caf::ok_atom) {}, [](caf::error&) {});
  else
    caf::anon_send(bus, caf::leave_atom_v, me);
}

caf::behavior live_hub(hub_self self, std::shared_ptr<const console_env> env) {
  harden(self);
  self->state.env = std::move(env);
  self->attach_functor([bus = self->state.env->domain->bus, me = caf::actor_cast<client_actor>(self)] {
    caf::anon_send(bus, caf::leave_atom_v, me);
  });
  return {
    // Every reporting event: something may have changed.
    [=](event_atom, const frame&) { self->state.dirty = true; },
    [=](caf::tick_atom) {
      auto& st = self->state;
      if (st.watchers.empty() && st.waiting.empty()) {
        st.ticking = false;
        follow_bus(self, false);
        return;
      }
      look(self);
      ++st.ticks;
      if (st.ticks % heartbeat_ticks == 0)
        for (auto& [id, w] : st.watchers)
          w.sink->push("heartbeat", ": heartbeat\n\n");
      self->delayed_send(self, tick, caf::tick_atom_v);
    },
    [=](caf::join_atom, live_watch& w) {
      auto& st = self->state;
      if (!st.ticking) {  // idle: the values may be stale; the snapshot follows the first look
        st.waiting.push_back(std::move(w));
        follow_bus(self, true);
        st.ticking = true;
        st.dirty = true;
        st.ticks = 0;
        self->send(self, caf::tick_atom_v);
        return;
      }
      auto oldest = st.recent.empty() ? st.seq + 1 : st.recent.front().id;
      if (w.resume && w.last_event_id <= st.seq && w.last_event_id + 1 >= oldest) {
        // What it missed: the newest value of each object that changed since, in order.
        std::map<std::string, const event*> newest;
        for (auto& e : st.recent)
          if (e.id > w.last_event_id && w.who.sees(e.tenant))
            newest[e.key] = &e;
        std::vector<const event*> missed;
        for (auto& [key, e] : newest)
          missed.push_back(e);
        std::sort(missed.begin(), missed.end(), [](auto* a, auto* b) { return a->id < b->id; });
        for (auto* e : missed)
          w.sink->push(e->key, e->text);
      } else {
        w.sink->push("snapshot", snapshot(self, w.who));
      }
      st.watchers[w.id] = std::move(w);
    },
    [=](caf::leave_atom, std::uint64_t id) {
      auto& st = self->state;
      st.watchers.erase(id);
      std::erase_if(st.waiting, [id](auto& w) { return w.id == id; });
    },
  };
}

} // namespace

caf::actor spawn_live_hub(std::shared_ptr<const console_env> env) {
  auto& sys = env->system;
  return sys.spawn(live_hub, std::move(env));
}

void watch(const caf::actor& hub, live_watch w) {
  caf::anon_send(hub, caf::join_atom_v, std::move(w));
}

void unwatch(const caf::actor& hub, std::uint64_t id) {
  caf::anon_send(hub, caf::leave_atom_v, id);
}

} // namespace parley::engine::web
