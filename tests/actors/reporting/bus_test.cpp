// The reporting bus (actors/reporting/reporting_bus) with the real persistence writer on a
// real SQLite file, on CAF's test coordinator: a subscriber is sent an event only once the
// writer has stored it (so a crash never makes the next run reuse a number a subscriber
// saw), live and replaying subscribers alike, in order and each once; without a writer,
// at once.
#include <doctest/doctest.h>

#include <filesystem>

#include <caf/all.hpp>

#include "actors/persistence/writer.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/types.hpp"
#include "protocol/codec.hpp"
#include "support/child.hpp"

using namespace parley;

namespace {

/// What a subscriber was sent: each event's seq, and the last seq stored when it came.
struct received {
  std::vector<std::uint64_t> seqs;
  std::vector<std::uint64_t> stored_then;
};

struct bus_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::string dir = test::temp_dir();
  std::shared_ptr<storage::store> store, reader;
  writer_actor writer;
  reporting_bus_actor bus;

  static caf::actor_system_config& prepare(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    return c;
  }

  explicit bus_fixture(bool with_writer = true)
    : sys(prepare(cfg)), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    storage::config sc;
    sc.path = dir + "/parley.db";
    store = storage::open_store(sc);
    store->migrate();
    reader = storage::open_store(sc);
    if (with_writer)
      writer = spawn_writer(sys, store, writer_config{}, std::make_shared<domain_metrics>(),
                            writer_placement::scheduled);
    bus = spawn_reporting_bus(sys, std::make_shared<real_clock>(), writer);
    sched.run();
  }

  ~bus_fixture() {
    caf::anon_send_exit(bus, caf::exit_reason::user_shutdown);
    if (writer)
      caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    sched.run();
    std::filesystem::remove_all(dir);
  }

  /// A client that notes every ReportingEvent it is sent, and what the database held then.
  client_actor subscriber(std::shared_ptr<received> out) {
    auto db = reader;
    return sys.spawn([out, db](client_actor::pointer) -> client_actor::behavior_type {
      auto note = [out, db](const frame& f) {
        if (auto* e = protocol::envelope_of(f)->message_as_ReportingEvent()) {
          out->seqs.push_back(e->seq());
          auto stored = db->events(e->seq(), 1);
          out->stored_then.push_back(stored.empty() ? 0 : stored.front().seq);
        }
      };
      return {[note](event_atom, const frame& f) { note(f); },
              [note](event_atom, const frame& f, const caf::actor_addr&) { note(f); }};
    });
  }

  void report_some(int n) {
    for (int i = 0; i < n; ++i) {
      report r;
      r.kind = wire::ReportingKind::agent_ready;
      r.tenant = "default";
      r.agent = "a" + std::to_string(i);
      caf::anon_send(bus, report_atom_v, r);
    }
  }
};

} // namespace

TEST_CASE("reporting bus: a live subscriber is sent an event only once it is stored") {
  bus_fixture fx;
  auto got = std::make_shared<received>();
  auto client = fx.subscriber(got);
  caf::anon_send(fx.bus, caf::join_atom_v, report_atom_v, client);
  fx.sched.run();
  fx.report_some(3);
  // The bus orders them and hands them to the writer; nobody is sent anything yet.
  while (fx.sched.has_job() && fx.sched.next_job<caf::scheduled_actor>().id() == fx.bus.id())
    fx.sched.run_once();
  CHECK(got->seqs.empty());
  CHECK(fx.reader->events(1, 10).empty());
  fx.sched.run();  // the writer commits, then tells the bus
  CHECK(got->seqs == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(got->stored_then == std::vector<std::uint64_t>{1, 2, 3});  // each was in the database
  fx.report_some(2);
  fx.sched.run();
  CHECK(got->seqs == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  CHECK(got->stored_then == got->seqs);
  caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
  fx.sched.run();
}

TEST_CASE("reporting bus: a replaying subscriber is held only what is stored after its answer, each once") {
  bus_fixture fx;
  fx.report_some(4);
  fx.sched.run();
  auto got = std::make_shared<received>();
  auto client = fx.subscriber(got);
  // Two more ordered but not stored when the subscriber asks: its answer covers them (its
  // replayer reads them from the store), the held events start after them.
  fx.report_some(2);
  while (fx.sched.has_job() && fx.sched.next_job<caf::scheduled_actor>().id() == fx.bus.id())
    fx.sched.run_once();
  std::uint64_t answer = 0;
  {
    caf::scoped_actor self{fx.sys};
    self->send(fx.bus, caf::join_atom_v, report_atom_v, client, replay_atom_v);
    fx.sched.run();
    self->receive([&](std::uint64_t last) { answer = last; });
  }
  CHECK(answer == 6);
  fx.report_some(3);
  fx.sched.run();
  CHECK(got->seqs.empty());  // held while the replayer works
  std::uint64_t more = 99;
  {
    caf::scoped_actor self{fx.sys};
    self->send(fx.bus, replay_atom_v, client);
    fx.sched.run();
    self->receive([&](std::uint64_t x) { more = x; });
  }
  CHECK(more == 0);  // an ordinary subscriber now
  fx.sched.run();
  CHECK(got->seqs == std::vector<std::uint64_t>{7, 8, 9});
  CHECK(got->stored_then == got->seqs);
  fx.report_some(1);
  fx.sched.run();
  CHECK(got->seqs == std::vector<std::uint64_t>{7, 8, 9, 10});
  caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
  fx.sched.run();
}

TEST_CASE("reporting bus: without a writer (nothing stored) events are sent as they are ordered") {
  bus_fixture fx{false};
  auto got = std::make_shared<received>();
  auto client = fx.subscriber(got);
  caf::anon_send(fx.bus, caf::join_atom_v, report_atom_v, client);
  fx.sched.run();
  fx.report_some(2);
  fx.sched.run();
  CHECK(got->seqs == std::vector<std::uint64_t>{1, 2});
  caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
  fx.sched.run();
}
