// The pool of external dialing gateways (gateway_pool.hpp).
#include "actors/outbound/gateway_pool.hpp"

#include <algorithm>
#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/harden.hpp"
#include "actors/runtime/metrics.hpp"
#include "protocol/codec.hpp"

namespace parley::outbound {

namespace {

struct member {
  client_actor client;
  dial_gateway_view view;
};

struct pool_call {
  call_party_actor party;
  caf::actor_addr gateway;       ///< the member's connection
  std::int64_t give_up_ms = 0;   ///< not answered by then: ended as failed (0: answered)
};

struct pool_state {
  gateway_config cfg;
  std::shared_ptr<const clock> clk;
  std::shared_ptr<domain_metrics> metrics;
  std::vector<member> members;   ///< in registration order
  std::unordered_map<std::uint64_t, pool_call> calls;
  protocol::encoder enc;
  bool sweeping = false;
  static inline const char* name = "gateway_pool";

  member* find(const caf::actor_addr& a) {
    for (auto& m : members)
      if (m.client.address() == a)
        return &m;
    return nullptr;
  }

  /// The gauges, from the members as they are now.
  void publish() {
    std::int64_t lines = 0, busy = 0;
    for (auto& m : members) {
      lines += m.view.lines;
      busy += m.view.busy;
    }
    metrics->dial_gateways.store(static_cast<std::int64_t>(members.size()));
    metrics->dial_gateway_lines.store(lines);
    metrics->dial_gateway_lines_busy.store(busy);
  }
};

using pool_self = gateway_pool_actor::stateful_pointer<pool_state>;

void send_hangup(pool_self self, const client_actor& to, std::uint64_t call) {
  auto& enc = self->state.enc;
  auto& fbb = enc.start();
  self->send(to, event_atom_v, protocol::to_bytes(enc.finish(0, wire::CreateDialHangup(fbb, call))));
}

/// The call is over for the pool: its line is free.
void release_line(pool_self self, const caf::actor_addr& gateway) {
  if (auto* m = self->state.find(gateway); m && m->view.busy > 0)
    --m->view.busy;
  self->state.publish();
}

/// A call the engine will hear no more of from its gateway: its dialer session gets
/// `failed` (the attempt ends, the record is treated as an error), counted as lost.
void lose_call(pool_self self, std::uint64_t id, pool_call& c, member* m) {
  self->send(c.party, call_atom_v, id, static_cast<std::uint8_t>(call_event::failed));
  self->state.metrics->dial_gateway_calls_lost.fetch_add(1, std::memory_order_relaxed);
  if (m)
    ++m->view.lost;
}

void arm_sweep(pool_self self) {
  auto& st = self->state;
  if (st.sweeping || st.calls.empty())
    return;
  st.sweeping = true;
  self->delayed_send(self, st.clk->real_delay(std::chrono::seconds{1}), caf::timeout_atom_v);
}

/// Which member takes a call of `media`: the most free lines, the first registered on a tie.
member* pick_member(pool_state& st, const std::string& media) {
  member* best = nullptr;
  std::uint32_t best_free = 0;
  for (auto& m : st.members) {
    if (std::find(m.view.media.begin(), m.view.media.end(), media) == m.view.media.end())
      continue;
    auto free = m.view.lines > m.view.busy ? m.view.lines - m.view.busy : 0;
    if (free > best_free) {
      best = &m;
      best_free = free;
    }
  }
  return best;
}

caf::result<caf::ok_atom> pool_dial(pool_self self, const dial_request& req, const call_party_actor& party) {
  auto& st = self->state;
  auto* m = pick_member(st, req.media);
  if (!m) {
    std::size_t of_media = 0;
    for (auto& x : st.members)
      of_media += std::count(x.view.media.begin(), x.view.media.end(), req.media);
    return caf::make_error(wire::ErrorCode::limit_exceeded,
                           of_media == 0 ? "no dialing gateway is registered for " + req.media
                                         : "every line of the " + std::to_string(of_media)
                                             + " dialing gateway(s) for " + req.media + " is busy");
  }
  if (!st.calls.emplace(req.call, pool_call{party, m->client.address(), 0}).second)
    return caf::make_error(wire::ErrorCode::invalid_argument,
                           "call " + std::to_string(req.call) + " is up already");
  auto& c = st.calls[req.call];
  c.give_up_ms = st.clk->now_ms() + req.timeout_ms
                 + std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.report_grace).count();
  ++m->view.busy;
  ++m->view.dials;
  auto& fbb = st.enc.start();
  auto f = st.enc.finish(0, wire::CreateDialRequestDirect(fbb, req.call, req.phone.c_str(),
                                                          req.caller_id.c_str(), req.timeout_ms,
                                                          req.campaign.c_str(), req.media.c_str(),
                                                          req.email.c_str(), req.subject.c_str(),
                                                          req.text.c_str()));
  self->send(m->client, event_atom_v, protocol::to_bytes(f));
  st.publish();
  arm_sweep(self);
  return caf::ok_atom_v;
}

caf::result<caf::ok_atom> pool_progress(pool_self self, std::uint64_t id, std::uint8_t ev,
                                   const client_actor& from) {
  auto& st = self->state;
  auto it = st.calls.find(id);
  if (it == st.calls.end() || it->second.gateway != from.address())
    return caf::make_error(wire::ErrorCode::unknown_id,
                           "no call " + std::to_string(id) + " is up on this gateway (the engine "
                           "ended it, or it never was)");
  auto e = static_cast<call_event>(ev);
  if (e < call_event::ringing || e > call_event::opted_out)
    return caf::make_error(wire::ErrorCode::invalid_argument,
                           "CallProgress needs an event (ringing .. opted_out)");
  self->send(it->second.party, call_atom_v, id, ev);
  if (e == call_event::answered || e == call_event::machine)
    it->second.give_up_ms = 0;  // up until hung up: a conversation has no time limit
  if (is_final(e)) {
    auto gw = it->second.gateway;
    st.calls.erase(it);
    release_line(self, gw);
  }
  return caf::ok_atom_v;
}

/// Calls no report ended in time: failed, hung up at their gateway.
void pool_sweep(pool_self self) {
  auto& st = self->state;
  st.sweeping = false;
  auto now = st.clk->now_ms();
  for (auto it = st.calls.begin(); it != st.calls.end();) {
    auto& c = it->second;
    if (c.give_up_ms == 0 || now < c.give_up_ms) {
      ++it;
      continue;
    }
    auto* m = st.find(c.gateway);
    spdlog::warn("dialing gateway {}: call {} had no answer nor end {} ms after its timeout: ended "
                 "as failed", m ? m->view.name : "(gone)", it->first,
                 std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.report_grace).count());
    lose_call(self, it->first, c, m);
    if (m) {
      send_hangup(self, m->client, it->first);
      if (m->view.busy > 0)
        --m->view.busy;
    }
    it = st.calls.erase(it);
  }
  st.publish();
  arm_sweep(self);
}

/// A gateway's connection ended: its calls are lost.
void pool_gone(pool_self self, const caf::actor_addr& who) {
  auto& st = self->state;
  auto pos = std::find_if(st.members.begin(), st.members.end(),
                          [&](const member& m) { return m.client.address() == who; });
  if (pos == st.members.end())
    return;
  std::size_t lost = 0;
  for (auto it = st.calls.begin(); it != st.calls.end();) {
    if (it->second.gateway != who) {
      ++it;
      continue;
    }
    lose_call(self, it->first, it->second, &*pos);
    ++lost;
    it = st.calls.erase(it);
  }
  spdlog::warn("dialing gateway {} (session {}) disconnected: {} call(s) ended as failed",
               pos->view.name, pos->view.session, lost);
  st.members.erase(pos);
  st.publish();
}

gateway_pool_actor::behavior_type gateway_pool(pool_self self, gateway_config cfg,
                                               std::shared_ptr<const clock> clk,
                                               std::shared_ptr<domain_metrics> metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.clk = std::move(clk);
  st.metrics = std::move(metrics);
  st.publish();
  harden(self);
  self->set_down_handler([=](caf::down_msg& dm) { pool_gone(self, dm.source); });
  return {
    [=](dial_atom, const dial_request& req, const call_party_actor& party) {
      return pool_dial(self, req, party);
    },
    [=](hangup_atom, std::uint64_t id) {
      auto& st = self->state;
      auto it = st.calls.find(id);
      if (it == st.calls.end())
        return;  // ended by its gateway meanwhile
      auto gw = it->second.gateway;
      st.calls.erase(it);
      if (auto* m = st.find(gw))
        send_hangup(self, m->client, id);
      release_line(self, gw);
    },
    [=](lines_atom, std::uint64_t session, const std::string& name,
        std::vector<std::string> media, std::uint32_t lines,
        const client_actor& client) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      std::sort(media.begin(), media.end());
      media.erase(std::unique(media.begin(), media.end()), media.end());
      std::erase(media, std::string{});
      if (media.empty())
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "RegisterDialGateway needs the media it dials (\"voice\", ...)");
      if (lines > max_gateway_lines)
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "RegisterDialGateway offers " + std::to_string(lines)
                                 + " lines; at most " + std::to_string(max_gateway_lines));
      auto* m = st.find(client.address());
      if (!m) {
        self->monitor(client);
        st.members.push_back({client, {}});
        m = &st.members.back();
        m->view.session = session;
      }
      m->view.name = name;
      m->view.media = std::move(media);
      m->view.lines = lines;
      spdlog::info("dialing gateway {} (session {}): {} line(s)", name, session, lines);
      st.publish();
      return caf::ok_atom_v;
    },
    [=](call_atom, std::uint64_t id, std::uint8_t ev, const client_actor& from) {
      return pool_progress(self, id, ev, from);
    },
    [=](caf::get_atom) {
      std::vector<dial_gateway_view> out;
      for (auto& m : self->state.members)
        out.push_back(m.view);
      return out;
    },
    [=](caf::timeout_atom) { pool_sweep(self); },
  };
}

} // namespace

gateway_pool_actor spawn_gateway_pool(caf::actor_system& sys, gateway_config cfg,
                                      std::shared_ptr<const clock> clk,
                                      std::shared_ptr<domain_metrics> metrics) {
  return sys.spawn(gateway_pool, std::move(cfg), std::move(clk), std::move(metrics));
}

} // namespace parley::outbound
