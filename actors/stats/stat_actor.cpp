#include "actors/stats/stat_actor.hpp"

#include <cmath>

#include <caf/all.hpp>

#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"
#include "actors/stats/calculator.hpp"
#include "protocol/codec.hpp"

namespace parley::stats {

namespace {

struct stat_state {
  stat_setup s;
  std::unique_ptr<calculator> calc;
  stat_value sent;         // the last value sent (on_change compares with it)
  bool sent_any = false;
  bool opened = false;     // StatOpened went out: notifications may follow
  bool valid = true;
  std::uint64_t seq = 0;        // the last fact's reporting sequence number
  std::int64_t event_ms = 0;    // and its engine time
  std::uint64_t period_gen = 0;
  std::uint64_t reset_gen = 0;
  std::string field;            // the Redis hash field
  protocol::encoder enc{256};
  static inline const char* name = "stat";

  std::int64_t now() const { return s.clk->now_ms(); }

  frame info_frame(std::uint64_t ref, const stat_value& v, bool from_event) {
    auto& fbb = enc.start();
    auto text = fbb.CreateString(v.text);
    return protocol::to_bytes(enc.finish(
      ref, wire::CreateStatInfo(fbb, s.stat_id, v.value, text, now(), from_event ? event_ms : 0,
                                from_event ? seq : 0)));
  }

  bool changed(const stat_value& v) const {
    if (!sent_any || v.text != sent.text)
      return true;
    auto d = std::fabs(v.value - sent.value);
    return s.spec.threshold > 0 ? d >= s.spec.threshold : d != 0;
  }
};

using self_ptr = stat_actor::stateful_pointer<stat_state>;

/// Sends the current value to the connection (which batches, and coalesces for a client
/// that does not keep up).
void notify(self_ptr self, bool from_event) {
  auto& st = self->state;
  if (!st.opened)
    return;  // StatOpened carries the value of the moment it is sent
  auto v = st.calc->value(st.now());
  st.sent = v;
  st.sent_any = true;
  st.s.metrics->stats_notifications.fetch_add(1, std::memory_order_relaxed);
  if (st.s.redis)
    self->send(st.s.redis, publish_atom_v, object_key(st.s.spec.object_type, st.s.spec.object_id),
               st.field, v.value);
  self->send(st.s.client, notify_atom_v, st.s.stat_id, st.info_frame(0, v, from_event), true);
}

void arm_period(self_ptr self) {
  auto& st = self->state;
  auto d = st.s.clk->real_delay(std::chrono::milliseconds{st.s.spec.period_ms});
  self->delayed_send(self, d, period_atom_v, st.period_gen);
}

void arm_reset(self_ptr self) {
  auto& st = self->state;
  auto now = st.now();
  auto next = st.s.schedule->next_after(now);
  auto d = st.s.clk->real_delay(std::chrono::milliseconds{next - now});
  self->delayed_send(self, d, sreset_atom_v, st.reset_gen);
}

/// Ends the interval: reset_based statistics send the value of the interval that ends.
void do_reset(self_ptr self, std::int64_t at) {
  auto& st = self->state;
  if (st.s.spec.notify == wire::StatNotify::reset_based)
    notify(self, false);
  st.calc->reset(at);
  if (st.s.spec.notify == wire::StatNotify::on_change)
    notify(self, false);
}

stat_actor::behavior_type stat_behavior(self_ptr self, stat_setup setup) {
  auto& st = self->state;
  st.s = std::move(setup);
  harden(self);
  auto now = st.now();
  // The interval starts at the open: facts from before it are not replayed (see
  // docs/statistics.md, "Intervals").
  st.calc = std::make_unique<calculator>(st.s.spec, now, st.s.snapshot);
  st.s.snapshot = {};
  st.valid = st.calc->valid();
  st.field = std::string{info(st.s.spec.m).name} + ":" + wire::EnumNameStatInterval(st.s.spec.interval)
             + (st.s.spec.window_s ? ":" + std::to_string(st.s.spec.window_s) : std::string{});
  self->monitor(st.s.client);
  self->set_down_handler([=](caf::down_msg&) { self->quit(); });
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
        auto& fbb = st.enc.start();
        frame ev;
        if (valid) {
          ev = protocol::to_bytes(st.enc.finish(0, wire::CreateStatValid(fbb, st.s.stat_id)));
        } else {
          auto why = fbb.CreateString("agent " + st.s.spec.object_id + " logged out");
          ev = protocol::to_bytes(st.enc.finish(0, wire::CreateStatInvalid(fbb, st.s.stat_id, why)));
        }
        self->send(st.s.client, notify_atom_v, st.s.stat_id, std::move(ev), false);
        if (valid)
          notify(self, true);  // StatValid is followed by the current value
        return;
      }
      if (st.s.spec.notify == wire::StatNotify::on_change) {
        if (st.changed(st.calc->value(st.now())))
          notify(self, true);
      }
    },
    [=](peek_atom, std::uint64_t ref, bool opened) -> frame {
      auto& st = self->state;
      auto v = st.calc->value(st.now());
      if (!opened)
        return st.info_frame(ref, v, st.seq != 0);
      st.sent = v;
      st.sent_any = true;
      st.opened = true;
      auto& fbb = st.enc.start();
      auto text = fbb.CreateString(v.text);
      return protocol::to_bytes(st.enc.finish(
        ref, wire::CreateStatOpened(fbb, st.s.stat_id, v.value, text, st.valid, st.now())));
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
