#include "engine/web/live.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
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
constexpr std::uint32_t live_agents = 10'000;  ///< agents followed (the bus's first rows)

/// One value as the hub last saw it.
struct value {
  std::string tenant;
  std::string topic;  ///< "queue", "campaign", "agent"
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
  std::chrono::steady_clock::time_point last_look{};
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
  json out{{"queues", json::array()}, {"campaigns", json::array()}, {"agents", json::array()}};
  for (auto& [key, v] : st.values)
    if (who.sees(v.tenant))
      out[v.topic + "s"].push_back(v.data);
  return sse(st.seq, "snapshot", out);
}

/// Records a changed value and sends it to every watcher who may see it; `gone`: the
/// object left (the event is its last value, and the snapshots forget it).
void changed(hub_self self, const std::string& topic, const std::string& name, const std::string& tenant,
             json data, bool gone = false) {
  auto& st = self->state;
  auto key = topic + ":" + name;
  auto it = st.values.find(key);
  if (it != st.values.end() && it->second.data == data)
    return;
  auto id = ++st.seq;
  auto text = sse(id, topic, data);
  if (gone)
    st.values.erase(key);
  else
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
  st.last_look = std::chrono::steady_clock::now();
  auto left = std::make_shared<int>(campaigns_due ? 3 : 2);
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
    // Agents from the bus's table: a logged-out agent is no longer in it.
    self->request(st.env->domain->bus, std::chrono::seconds{2}, snapshot_atom_v, live_agents)
      .then(
        [self, one_done](const std::vector<agent_row>& rows) {
          std::set<std::string> present;
          for (auto& a : rows) {
            present.insert("agent:" + a.agent);
            changed(self, "agent", a.agent, a.tenant, agent_json(a));
          }
          std::vector<value> left_agents;
          for (auto& [key, v] : self->state.values)
            if (v.topic == "agent" && !present.count(key))
              left_agents.push_back(v);
          for (auto& v : left_agents) {
            auto id = v.data["id"].get<std::string>();
            auto data = v.data;
            data["state"] = "logged_out";
            changed(self, "agent", id, v.tenant, std::move(data), true);
          }
          one_done();
        },
        [one_done](caf::error&) { one_done(); });
  } else {
    one_done();
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
    // Every reporting event: something may have changed. The first change after a quiet
    // spell is looked at at once; in a busy spell, changes wait for the next tick.
    [=](event_atom, const frame&) {
      auto& st = self->state;
      st.dirty = true;
      if (st.ticking && !st.looking && std::chrono::steady_clock::now() - st.last_look >= tick)
        look(self);
    },
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

/// How long the gatherer waits for more asks before it starts a gather: on one actor thread
/// a gather (an ask to every queue and router and the stats hub) runs to its end before the
/// next request's handler even asks, so without this window no two requests would share one.
constexpr auto gather_window = std::chrono::milliseconds{2};

struct gatherer_state {
  std::vector<caf::response_promise> next;  ///< asked since the running gather began
  bool gathering = false;  ///< a gather runs, or starts at the end of the window
  static inline const char* name = "queue_gatherer";
};

using gatherer_self = caf::stateful_actor<gatherer_state>*;

void gather_for_waiting(gatherer_self self, std::shared_ptr<const console_env> env) {
  auto& st = self->state;
  st.gathering = true;
  auto these = std::make_shared<std::vector<caf::response_promise>>(std::exchange(st.next, {}));
  gather_queue_live(self, env->domain, [self, env, these](queue_live_report r) {
    auto snap = std::make_shared<queue_live_snapshot>();
    for (auto& q : r.queues)
      snap->texts.push_back(queue_json(q).dump());
    snap->report = std::move(r);
    for (auto& rp : *these)
      rp.deliver(queue_live_ptr{snap});
    self->state.gathering = false;
    if (!self->state.next.empty())
      gather_for_waiting(self, env);
  });
}

caf::behavior queue_gatherer(gatherer_self self, std::shared_ptr<const console_env> env) {
  harden(self);
  return {
    [=](caf::get_atom) {
      auto rp = self->make_response_promise();
      self->state.next.push_back(rp);
      if (!self->state.gathering) {
        self->state.gathering = true;
        self->delayed_send(self, gather_window, caf::tick_atom_v);
      }
      return rp;
    },
    [=](caf::tick_atom) { gather_for_waiting(self, env); },
  };
}

} // namespace

caf::actor spawn_queue_gatherer(std::shared_ptr<const console_env> env) {
  auto& sys = env->system;
  return sys.spawn(queue_gatherer, std::move(env));
}

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
