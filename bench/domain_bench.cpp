// Hot paths below the protocol: a statistic update (the calculator folding one fact and
// giving its value), a queue insert and pop through the real queue actor, and one actor
// request round trip (CAF's request/then between two event-based actors).
#include <benchmark/benchmark.h>

#include <future>

#include <caf/all.hpp>

#include "actors/queue/queue_actor.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/types.hpp"
#include "actors/runtime/views.hpp"
#include "actors/stats/calculator.hpp"

using bench_done = std::shared_ptr<std::promise<void>>;
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bench_done)

namespace {

using namespace parley;
using go_atom = caf::atom_constant<caf::atom("go")>;

// -- statistic update --------------------------------------------------------------------

/// A service-level statistic over a 60 s sliding window, [0, 20) s: each iteration one
/// interaction starts waiting and the previous one is distributed, then the value is read.
void stat_update(benchmark::State& state) {
  stats::stat_spec spec;
  spec.object_type = wire::StatObjectType::queue;
  spec.object_id = "sales";
  spec.m = stats::metric::service_level;
  spec.interval = wire::StatInterval::sliding;
  spec.window_s = 60;
  spec.range_to_s = 20;
  std::int64_t t = 1'700'000'000'000;
  stats::calculator calc{spec, t, {}};
  std::uint64_t iid = 0;
  double sink = 0;
  for (auto _ : state) {
    t += 7;
    stats::stat_fact begin;
    begin.kind = stats::fact_kind::wait_begin;
    begin.t_ms = t;
    begin.iid = ++iid;
    begin.start_ms = t;
    calc.apply(begin);
    stats::stat_fact end = begin;
    end.kind = stats::fact_kind::wait_end;
    end.iid = iid - 1;
    end.start_ms = t - 7 - (iid % 40) * 1000;  // waits of 0..39 s: some within 20 s, some not
    calc.apply(end);
    sink += calc.value(t).value;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(stat_update);

// -- queue insert and pop ----------------------------------------------------------------

struct queue_driver_state {
  queue_actor queue;
  std::int64_t left = 0;
  std::uint64_t iid = 0;
  bench_done done;
};

/// Puts an interaction into the queue, takes it out again (as a stop does), repeats.
caf::behavior queue_driver(caf::stateful_actor<queue_driver_state>* self, queue_actor queue) {
  self->state.queue = std::move(queue);
  auto one = [=] {
    auto& st = self->state;
    interaction_view v;
    v.id = ++st.iid;
    v.queue = "q";
    v.media = "voice";
    // The queue never offers it (no router): a stand-in handle is enough.
    self->request(st.queue, caf::infinite, enqueue_atom_v, v.id,
                  caf::actor_cast<interaction_actor>(self), v, std::uint64_t{0}, std::int64_t{0})
      .then([=](std::uint64_t) {
        auto& st = self->state;
        // No answer: the next enqueue arrives behind it (messages between two actors keep
        // their order).
        self->send(st.queue, remove_atom_v, st.iid, false, std::string{"bench"});
        if (--st.left == 0)
          st.done->set_value();
        else
          self->send(self, go_atom::value);
      });
  };
  return {
    [=](go_atom, std::int64_t n, bench_done done) {
      self->state.left = n;
      self->state.done = std::move(done);
      one();
    },
    [=](go_atom) { one(); },
  };
}

void queue_insert_pop(benchmark::State& state) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  queue_config qc;
  qc.name = "q";
  auto q = spawn_queue(sys, qc);
  auto dom = std::make_shared<domain_handles>();  // no router: nobody routes
  caf::anon_send(q, init_atom_v, domain_ptr{dom});
  auto drv = sys.spawn(queue_driver, q);
  constexpr std::int64_t batch = 10'000;
  for (auto _ : state) {
    auto done = std::make_shared<std::promise<void>>();
    caf::anon_send(drv, go_atom::value, batch, done);
    done->get_future().wait();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  caf::anon_send_exit(q, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(drv, caf::exit_reason::user_shutdown);
}
BENCHMARK(queue_insert_pop)->Unit(benchmark::kMillisecond)->UseRealTime();

// -- actor request round trip ----------------------------------------------------------

caf::behavior echo(caf::event_based_actor*) {
  return {[](std::uint64_t x) { return x + 1; }};
}

struct pinger_state {
  caf::actor peer;
  std::int64_t left = 0;
  bench_done done;
};

caf::behavior pinger(caf::stateful_actor<pinger_state>* self, caf::actor peer) {
  self->state.peer = std::move(peer);
  auto one = [=](std::uint64_t x) {
    self->request(self->state.peer, caf::infinite, x).then([=](std::uint64_t y) {
      auto& st = self->state;
      if (--st.left == 0)
        st.done->set_value();
      else
        self->send(self, go_atom::value, y);
    });
  };
  return {
    [=](go_atom, std::int64_t n, bench_done done) {
      self->state.left = n;
      self->state.done = std::move(done);
      one(0);
    },
    [=](go_atom, std::uint64_t x) { one(x); },
  };
}

void actor_request_round_trip(benchmark::State& state) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  auto peer = sys.spawn(echo);
  auto p = sys.spawn(pinger, peer);
  constexpr std::int64_t batch = 100'000;
  for (auto _ : state) {
    auto done = std::make_shared<std::promise<void>>();
    caf::anon_send(p, go_atom::value, batch, done);
    done->get_future().wait();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  for (auto& a : {peer, p})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
BENCHMARK(actor_request_round_trip)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
