// The domain actors without any network: the routing decision (router actor: a queue head
// meets the longest-idle eligible agent) and one full interaction lifecycle (submit ->
// queue -> route -> invite -> accept -> stop) through the real actors.
#include <benchmark/benchmark.h>

#include <future>

#include <caf/all.hpp>

#include "actors/agent/agent_registry.hpp"
#include "actors/runtime/views.hpp"
#include "actors/interaction/interaction_registry.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/routing/router_actor.hpp"
#include "engine/config.hpp"
#include "engine/engine.hpp"

/// How a benchmark iteration learns that its batch is done (local messages only).
using done_ptr = std::shared_ptr<std::promise<void>>;
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(done_ptr)

namespace {

using namespace parley;
using run_atom = caf::atom_constant<caf::atom("run")>;

caf::actor_system_config& prepare(caf::actor_system_config& c) {
  c.set("scheduler.max-threads", 2);
  c.add_message_types<caf::id_block::parley>();
  return c;
}

// -- routing decision ------------------------------------------------------------------

struct fake_queue_state {
  router_actor router;
  std::int64_t left = 0;
  done_ptr done;
  queue_head head;
};

/// Stands in for a queue: every assignment is answered by voiding it and offering the same
/// head again, so the router decides over and over against the same agent population.
caf::behavior fake_queue(caf::stateful_actor<fake_queue_state>* self) {
  return {
    [=](router_atom, const router_actor& router) { self->state.router = router; },
    [=](run_atom, std::int64_t n, done_ptr done) {
      auto& st = self->state;
      st.left = n;
      st.done = done;
      st.head = queue_head{"q", "voice", true, 1, 0, 0};
      self->send(st.router, head_atom_v, st.head);
    },
    [=](assign_atom, std::uint64_t, const std::string& agent, const agent_actor&,
        const std::string& media) {
      auto& st = self->state;
      self->send(st.router, void_atom_v, agent, media);
      if (--st.left == 0) {
        st.done->set_value();
        return;
      }
      self->send(st.router, head_atom_v, st.head);
    },
  };
}

void routing_decision(benchmark::State& state) {
  caf::actor_system_config cfg;
  caf::actor_system sys{prepare(cfg)};
  auto agents = state.range(0);
  auto dc = std::make_shared<domain_config>();
  dc->queues.push_back(queue_config{"q", "default", {{"sales", 3}}, 1'000'000, {}, {}});
  auto d = std::make_shared<domain_handles>();
  d->clk = std::make_shared<real_clock>();
  d->cfg = dc;
  auto q = sys.spawn(fake_queue);
  d->queues["q"] = caf::actor_cast<queue_actor>(q);  // a stand-in: the bench's escape hatch
  auto router = spawn_router(sys, "default", 0);
  d->routers["default"] = router;
  domain_ptr dom = d;
  caf::anon_send(router, init_atom_v, dom);
  caf::anon_send(q, router_atom_v, router);
  auto stand_in = sys.spawn([] { return caf::behavior{[](caf::ok_atom) {}}; });
  for (std::int64_t i = 0; i < agents; ++i) {
    auto id = "a" + std::to_string(i);
    // Half the agents lack the skill level: the index must not make the router scan them.
    skill_levels skills{{"sales", i % 2 ? 1 : 5}};
    caf::anon_send(router, login_atom_v, id, caf::actor_cast<agent_actor>(stand_in), skills,
                   media_capacity{{"voice", 1}});
    caf::anon_send(router, avail_atom_v, agent_report{id, true, {}, {}});
  }
  constexpr std::int64_t batch = 10'000;
  for (auto _ : state) {
    auto done = std::make_shared<std::promise<void>>();
    caf::anon_send(q, run_atom::value, batch, done);
    done->get_future().wait();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["agents"] = static_cast<double>(agents);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(q, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(stand_in, caf::exit_reason::user_shutdown);
}
BENCHMARK(routing_decision)->Arg(100)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// -- full lifecycle through the actors ----------------------------------------------------

/// An agent desktop without a socket: accepts every invite, then stops the interaction.
caf::behavior desk(caf::event_based_actor* self, domain_ptr, caf::actor driver,
                   std::string agent) {
  return {
    [=](event_atom, const frame& f, const caf::actor_addr& addr) {
      // An Invite comes with its interaction, as for a desktop's connection.
      auto* inv = protocol::envelope_of(f)->message_as_Invite();
      auto inter = caf::actor_cast<interaction_actor>(addr);
      if (!inv || !inter)
        return;
      requester who{wire::ClientType::agent_desktop, agent, caf::actor_cast<client_actor>(self), {}};
      self->request(inter, caf::infinite, accept_atom_v, who).then([=](caf::ok_atom) {
        self->request(inter, caf::infinite, stop_atom_v, who, std::string{"done"})
          .then([=](caf::ok_atom) { self->send(driver, caf::ok_atom_v); });
      });
    },
    [=](event_atom, const frame&) {},  // the interaction's other events
  };
}

struct driver_state {
  domain_ptr dom;
  std::int64_t to_submit = 0;
  std::int64_t to_finish = 0;
  done_ptr done;
};

/// A media gateway without a socket: keeps `window` interactions in flight.
caf::behavior driver(caf::stateful_actor<driver_state>* self, domain_ptr dom) {
  self->state.dom = std::move(dom);
  auto submit = [=] {
    auto& st = self->state;
    if (st.to_submit == 0)
      return;
    --st.to_submit;
    submit_request req{"", "", "voice", "q", 0, {}, {}, {}};
    self->request(st.dom->interactions, caf::infinite, submit_atom_v, req, client_actor{})
      .then([](std::uint64_t, bool, wire::InteractionState) {});
  };
  return {
    [=](run_atom, std::int64_t n, std::int64_t window, done_ptr done) {
      auto& st = self->state;
      st.to_submit = n;
      st.to_finish = n;
      st.done = done;
      for (std::int64_t i = 0; i < window; ++i)
        submit();
    },
    [=](caf::ok_atom) {
      auto& st = self->state;
      if (--st.to_finish == 0)
        st.done->set_value();
      else
        submit();
    },
  };
}

void lifecycle(benchmark::State& state) {
  auto agents = state.range(0);
  auto cfg = engine::parse_config(R"(
[[queues]]
name = "q"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
)",
                                  "bench");
  caf::actor_system_config ccfg;
  caf::actor_system sys{prepare(ccfg)};
  auto dom = engine::spawn_domain(sys, cfg, std::make_shared<real_clock>());
  auto drv = sys.spawn(driver, dom);
  {
    caf::scoped_actor self{sys};
    for (std::int64_t i = 0; i < agents; ++i) {
      auto id = "a" + std::to_string(i);
      auto d = sys.spawn(desk, dom, drv, id);
      self->request(dom->agents, caf::infinite, login_atom_v, id, std::string{},
                    caf::actor_cast<client_actor>(d))
        .receive(
          [&](const agent_actor& a, const agent_view&) {
            self->request(a, caf::infinite, ready_atom_v).receive([](const agent_view&) {},
                                                                  [](caf::error&) {});
          },
          [](caf::error&) {});
    }
  }
  constexpr std::int64_t batch = 5'000;
  for (auto _ : state) {
    auto done = std::make_shared<std::promise<void>>();
    caf::anon_send(drv, run_atom::value, batch, agents, done);
    done->get_future().wait();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["agents"] = static_cast<double>(agents);
  for (auto& a : engine::core_actors(*dom))
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(drv, caf::exit_reason::user_shutdown);
}
BENCHMARK(lifecycle)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
