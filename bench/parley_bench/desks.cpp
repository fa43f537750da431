#include "bench/parley_bench/desks.hpp"

#include <thread>

#include "bench/parley_bench/messages.hpp"

namespace parley::bench {

using namespace std::chrono_literals;
using M = wire::Message;

desk_pool::desk_pool(harness& h, std::size_t count) : h_(h), desks_(count) {
  for (std::size_t i = 0; i < count; ++i)
    desks_[i].agent = h.opts().agent_prefix + std::to_string(i);
}

void desk_pool::begin(std::size_t i) {
  auto& d = desks_[i];
  d.cl = h_.make_client("bench-desk-" + d.agent, wire::ClientType::agent_desktop);
  auto* c = d.cl.get();
  c->on_event([this, c, i](const client::answer& a) { on_event(i, c, a); });
  d.start_us = now_us();
  ++begun_;
  c->start();
  // Waits inside the client until the registration is through.
  c->request(msg::agent_login(d.agent), [this, c, &d](client::answer a) {
    if (a.type() != M::AgentStatus) {
      h_.errors().record(a);
      ++failed_;
      return;
    }
    ++logged_in_;
    if (closing())
      return;
    c->request(msg::agent_ready(), [this, &d](client::answer a) {
      if (a.type() != M::AgentStatus) {
        h_.errors().record(a);
        ++failed_;
        return;
      }
      auto now = now_us();
      login_latency_.record(now - d.start_us);
      auto last = last_ready_us_.load();
      while (now > last && !last_ready_us_.compare_exchange_weak(last, now)) {
      }
      ++ready_;
    });
  });
}

bool desk_pool::login_all(std::size_t concurrency, std::chrono::milliseconds limit) {
  auto until = steady::now() + limit;
  std::size_t next = 0;
  while (steady::now() < until) {
    auto settled = ready_ + failed_;
    if (settled == desks_.size())
      break;
    while (next < desks_.size() && next - settled < concurrency)
      begin(next++);
    std::this_thread::sleep_for(1ms);
  }
  return ready_ == desks_.size();
}

void desk_pool::on_event(std::size_t i, client::client* c, const client::answer& a) {
  auto* inv = a.as<wire::Invite>();
  if (!inv || !inv->info()) {
    // PartyRemoved, ProcessingStopped, AgentStateChanged...: nothing to do by default
    if (on_other && !closing())
      on_other(i, a);
    return;
  }
  ++invites_;
  if (closing())
    return;
  if (on_invited)
    on_invited(*inv);
  if (on_invite) {
    on_invite(i, *c, *inv);
    return;
  }
  auto id = inv->info()->id();
  auto t0 = msg::t0_of(inv->info());
  c->request(msg::accept(id), [this, c, id, t0](client::answer a) {
    if (a.type() != M::Ack) {
      h_.errors().record(a);
      return;
    }
    if (!closing())
      stop_it(c, id, t0);
  });
}

void desk_pool::stop_it(client::client* c, std::uint64_t id, std::uint64_t t0) {
  c->request(msg::stop(id), [this, t0](client::answer a) {
    if (a.type() != M::Ack) {
      h_.errors().record(a);
      return;
    }
    auto now = now_us();
    if (t0 != 0 && now >= t0)
      lifecycle_latency_.record(now - t0);
    if (now <= window_end_us.load(std::memory_order_relaxed))
      ++completed_;
    else
      ++completed_late_;
  });
}

} // namespace parley::bench
