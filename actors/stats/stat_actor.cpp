#include "actors/stats/stat_actor.hpp"

#include <cmath>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"
#include "actors/stats/calculator.hpp"
#include "protocol/codec.hpp"

namespace parley::stats {

namespace {

/// One open statistic on this calculation: where its notifications go and what it was sent.
struct subscription {
  stat_client_actor client;
  std::uint64_t stat_id = 0;
  stat_value sent;        // the last value sent (on_change compares with it)
  bool sent_any = false;
  bool opened = false;    // StatOpened went out: notifications may follow
};

/// (connection, stat id): stat ids are per connection.
struct sub_key {
  caf::actor_id client;
  std::uint64_t stat_id;
  bool operator==(const sub_key&) const = default;
};

struct sub_key_hash {
  std::size_t operator()(const sub_key& k) const {
    return std::hash<std::uint64_t>{}(k.client * 0x9E3779B97F4A7C15ull ^ k.stat_id);
  }
};

struct stat_state {
  stat_setup s;
  std::unique_ptr<calculator> calc;
  std::vector<subscription> subs;
  std::unordered_map<sub_key, std::size_t, sub_key_hash> index;  // -> position in subs
  bool valid = true;
  std::uint64_t seq = 0;        // the last fact's reporting sequence number
  std::int64_t event_ms = 0;    // and its engine time
  std::uint64_t period_gen = 0;
  std::uint64_t reset_gen = 0;
  std::string field;            // the Redis hash field
  protocol::encoder enc{256};
  static inline const char* name = "stat";

  std::int64_t now() const { return s.clk->now_ms(); }

  subscription* find(caf::actor_id client, std::uint64_t stat_id) {
    auto it = index.find({client, stat_id});
    return it == index.end() ? nullptr : &subs[it->second];
  }

  /// Removes a statistic (swap with the last: order does not matter).
  void erase(caf::actor_id client, std::uint64_t stat_id) {
    auto it = index.find({client, stat_id});
    if (it == index.end())
      return;
    auto pos = it->second;
    index.erase(it);
    if (pos + 1 != subs.size()) {
      subs[pos] = std::move(subs.back());
      index[{subs[pos].client.id(), subs[pos].stat_id}] = pos;
    }
    subs.pop_back();
  }

  frame info_frame(std::uint64_t ref, std::uint64_t stat_id, const stat_value& v, bool from_event) {
    auto& fbb = enc.start();
    auto text = fbb.CreateString(v.text);
    return protocol::to_bytes(enc.finish(
      ref, wire::CreateStatInfo(fbb, stat_id, v.value, text, now(), from_event ? event_ms : 0,
                                from_event ? seq : 0)));
  }

  bool changed(const subscription& sub, const stat_value& v) const {
    if (!sub.sent_any || v.text != sub.sent.text)
      return true;
    auto d = std::fabs(v.value - sub.sent.value);
    return s.spec.threshold > 0 ? d >= s.spec.threshold : d != 0;
  }
};

using stat_self = stat_actor::stateful_pointer<stat_state>;

/// Sends value `v` to one statistic (its connection batches, and coalesces for a client
/// that does not keep up).
void send_value(stat_self self, subscription& sub, const stat_value& v, bool from_event) {
  auto& st = self->state;
  sub.sent = v;
  sub.sent_any = true;
  st.s.metrics->stats_notifications.fetch_add(1, std::memory_order_relaxed);
  self->send(sub.client, notify_atom_v, sub.stat_id, st.info_frame(0, sub.stat_id, v, from_event),
             true);
}

/// The calculation's value went out (once to Redis, whoever reads it).
void publish(stat_self self, const stat_value& v) {
  auto& st = self->state;
  if (st.s.redis)
    self->send(st.s.redis, publish_atom_v, object_key(st.s.spec.object_type, st.s.spec.object_id),
               st.field, v.value);
}

/// Sends the current value to every opened statistic; `only_changed`: to those whose last
/// value it differs from (on_change with its threshold).
void notify(stat_self self, bool from_event, bool only_changed = false) {
  auto& st = self->state;
  auto v = st.calc->value(st.now());
  bool any = false;
  for (auto& sub : st.subs) {
    // Not opened: StatOpened carries the value of the moment it is sent.
    if (!sub.opened || (only_changed && !st.changed(sub, v)))
      continue;
    send_value(self, sub, v, from_event);
    any = true;
  }
  if (any)
    publish(self, v);
}

void arm_period(stat_self self) {
  auto& st = self->state;
  auto d = st.s.clk->real_delay(std::chrono::milliseconds{st.s.spec.period_ms});
  self->delayed_send(self, d, period_atom_v, st.period_gen);
}

void arm_reset(stat_self self) {
  auto& st = self->state;
  auto now = st.now();
  auto next = st.s.schedule->next_after(now);
  auto d = st.s.clk->real_delay(std::chrono::milliseconds{next - now});
  self->delayed_send(self, d, sreset_atom_v, st.reset_gen);
}

/// Ends the interval: reset_based statistics send the value of the interval that ends.
void do_reset(stat_self self, std::int64_t at) {
  auto& st = self->state;
  if (st.s.spec.notify == wire::StatNotify::reset_based)
    notify(self, false);
  st.calc->reset(at);
  if (st.s.spec.notify == wire::StatNotify::on_change)
    notify(self, false);
}

stat_actor::behavior_type stat_behavior(stat_self self, stat_setup setup) {
  auto& st = self->state;
  st.s = std::move(setup);
  harden(self);
  auto now = st.now();
  // The interval starts with the calculation: facts from before it are not replayed (see
  // docs/statistics.md, "Intervals" and "Shared calculations").
  st.calc = std::make_unique<calculator>(st.s.spec, now, st.s.snapshot);
  st.s.snapshot = {};
  st.valid = st.calc->valid();
  st.field = std::string{info(st.s.spec.m).name} + ":" + wire::EnumNameStatInterval(st.s.spec.interval)
             + (st.s.spec.window_s ? ":" + std::to_string(st.s.spec.window_s) : std::string{});
  if (st.s.spec.notify == wire::StatNotify::periodic)
    arm_period(self);
  if (st.s.spec.interval == wire::StatInterval::growing_reset)
    arm_reset(self);
  return {
    [=](facts_atom, const shared_facts& facts) {
      auto& st = self->state;
      for (auto& f : *facts) {
        st.calc->apply(f);
        st.seq = f.seq;
        st.event_ms = f.t_ms;
      }
      auto valid = st.calc->valid();
      if (valid != st.valid) {
        st.valid = valid;
        for (auto& sub : st.subs) {
          auto& fbb = st.enc.start();
          frame ev;
          if (valid) {
            ev = protocol::to_bytes(st.enc.finish(0, wire::CreateStatValid(fbb, sub.stat_id)));
          } else {
            auto why = fbb.CreateString("agent " + st.s.spec.object_id + " logged out");
            ev = protocol::to_bytes(st.enc.finish(0, wire::CreateStatInvalid(fbb, sub.stat_id, why)));
          }
          self->send(sub.client, notify_atom_v, sub.stat_id, std::move(ev), false);
        }
        if (valid)
          notify(self, true);  // StatValid is followed by the current value
        return;
      }
      if (st.s.spec.notify == wire::StatNotify::on_change)
        notify(self, true, true);
    },
    [=](caf::join_atom, const stat_client_actor& client, std::uint64_t stat_id, bool opened) {
      auto& st = self->state;
      if (st.find(client.id(), stat_id))
        return;
      st.index.emplace(sub_key{client.id(), stat_id}, st.subs.size());
      st.subs.push_back({client, stat_id, {}, false, opened});
      if (opened && st.s.spec.notify == wire::StatNotify::on_change) {
        auto v = st.calc->value(st.now());
        send_value(self, st.subs.back(), v, false);
        publish(self, v);
      }
    },
    [=](caf::leave_atom, caf::actor_id client, std::uint64_t stat_id, bool reset) {
      auto& st = self->state;
      auto* sub = st.find(client, stat_id);
      if (!sub)
        return;
      if (reset && sub->opened && st.s.spec.notify == wire::StatNotify::reset_based)
        send_value(self, *sub, st.calc->value(st.now()), false);
      st.erase(client, stat_id);
    },
    [=](peek_atom, std::uint64_t ref, caf::actor_id client, std::uint64_t stat_id,
        bool opened) -> caf::result<frame> {
      auto& st = self->state;
      auto* sub = st.find(client, stat_id);
      if (!sub)
        return caf::make_error(wire::ErrorCode::unknown_id, "no open statistic " + std::to_string(stat_id));
      auto v = st.calc->value(st.now());
      if (!opened)
        return st.info_frame(ref, stat_id, v, st.seq != 0);
      sub->sent = v;
      sub->sent_any = true;
      sub->opened = true;
      auto& fbb = st.enc.start();
      auto text = fbb.CreateString(v.text);
      return protocol::to_bytes(st.enc.finish(
        ref, wire::CreateStatOpened(fbb, stat_id, v.value, text, st.valid, st.now())));
    },
    [=](caf::reset_atom) {
      do_reset(self, self->state.now());
      return caf::ok_atom_v;
    },
    [=](period_atom, std::uint64_t gen) {
      if (gen != self->state.period_gen)
        return;
      notify(self, false);
      arm_period(self);
    },
    [=](sreset_atom, std::uint64_t gen) {
      auto& st = self->state;
      if (gen != st.reset_gen)
        return;
      do_reset(self, st.s.schedule->last_at_or_before(st.now()));
      arm_reset(self);
    },
  };
}

} // namespace

stat_actor spawn_stat(caf::actor_system& sys, stat_setup setup) {
  return sys.spawn(stat_behavior, std::move(setup));
}

} // namespace parley::stats
