// parley-bench: the embedded load benchmark. `parley-bench SCENARIO [options] [--json]`
// starts an engine in this process (or targets one with --connect HOST:PORT), drives it
// over loopback TCP with the C++ client library, and prints a table; with --json the last
// line of stdout is one JSON object. bench/README.md documents scenarios and fields.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench/parley_bench/harness.hpp"
#include "bench/parley_bench/scenarios.hpp"

namespace {

using namespace parley::bench;

void common_options(CLI::App* s, options& o, bool duration = true) {
  if (duration)
    s->add_option("--duration", o.duration_s, "seconds of load (a cap for agents and capacity)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  s->add_option("--drain", o.drain_s, "seconds to wait for in-flight work after the load")
    ->check(CLI::Range(0.0, 30.0))
    ->capture_default_str();
  s->add_flag("--json", o.json, "print one JSON object as the last line of stdout");
  s->add_option("--connect", o.connect,
                "HOST:PORT of a running engine's interaction port instead of an embedded engine");
  s->add_option("--io-threads", o.io_threads, "client io threads")
    ->check(CLI::Range(1, 16))
    ->capture_default_str();
  s->add_option("--set", o.engine_set, "key=value for the embedded engine's config (repeatable)")
    ->expected(1)
    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  s->add_flag("--no-progress", o.no_progress, "no progress bar even on a terminal");
}

void interaction_options(CLI::App* s, options& o) {
  s->add_option("--queue", o.queue, "queue to submit to")->capture_default_str();
  s->add_option("--media", o.media, "media of the interactions")->capture_default_str();
}

void agent_options(CLI::App* s, options& o) {
  s->add_option("--agent-prefix", o.agent_prefix, "agents are <prefix>0, <prefix>1, ...")
    ->capture_default_str();
}

/// --backend (sqlite or postgresql; `what` says what it is for) and --dsn.
void backend_options(CLI::App* s, options& o, const std::string& what,
                     const std::string& dsn = "PostgreSQL connection string of an EMPTY database") {
  s->add_option("--backend", o.backend, what)
    ->check(CLI::IsMember({"sqlite", "postgresql"}))
    ->capture_default_str();
  s->add_option("--dsn", o.dsn, dsn);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"parley-bench: load benchmark for the Parley engine, over real loopback TCP.\n"
               "By default it starts an embedded engine in this process."};
  app.require_subcommand(1);
  options o;

  auto* lifecycle = app.add_subcommand(
    "lifecycle", "gateways submit, agents accept and stop at once: lifecycles/s (goal 25,000/s)");
  common_options(lifecycle, o);
  interaction_options(lifecycle, o);
  agent_options(lifecycle, o);
  lifecycle->add_option("--gateways", o.gateways, "media-gateway connections (default 4)");
  lifecycle->add_option("--window", o.window, "lifecycles in flight per gateway (default 64)");
  lifecycle->add_option("--agents", o.agents, "agent desktops, one agent each")
    ->check(CLI::Range(1u, 1'000'000u))
    ->capture_default_str();

  auto* latency = app.add_subcommand(
    "latency", "open-loop submits at --rate: submit -> ack latency (goal p99 <= 2 ms at 10,000/s)");
  common_options(latency, o);
  interaction_options(latency, o);
  agent_options(latency, o);
  latency->add_option("--rate", o.rate, "submits per second, by the clock")
    ->check(CLI::Range(1.0, 10'000'000.0))
    ->capture_default_str();
  latency->add_option("--gateways", o.gateways, "media-gateway connections (default 4)");
  latency->add_option("--agents", o.agents, "agent desktops that accept and stop (0: submits only)")
    ->check(CLI::Range(0u, 1'000'000u))
    ->capture_default_str();

  auto* ping = app.add_subcommand(
    "ping", "Ping round trips vs redis-benchmark PING on the same machine (goal ratio >= 0.8)");
  common_options(ping, o);
  ping->add_option("--clients", o.clients, "connections")->check(CLI::Range(1u, 100'000u))->capture_default_str();
  ping->add_option("--pipeline", o.pipeline, "pings in flight per connection")
    ->check(CLI::Range(1u, 10'000u))
    ->capture_default_str();
  ping->add_flag("--no-reference", o.no_reference, "do not run redis-server / redis-benchmark");

  auto* agents = app.add_subcommand(
    "agents", "log in --count agents, one desktop connection each (goal 100,000)");
  common_options(agents, o);
  agent_options(agents, o);
  agents->add_option("--count", o.count, "agents (default 10,000)")->check(CLI::Range(1u, 10'000'000u));
  agents->add_option("--concurrency", o.concurrency, "logins in progress at once")
    ->check(CLI::Range(1u, 100'000u))
    ->capture_default_str();

  auto* capacity = app.add_subcommand(
    "capacity", "hold --count waiting interactions; memory each (goal 1,000,000 at <= 1.5 KB)");
  common_options(capacity, o);
  interaction_options(capacity, o);
  capacity->add_option("--count", o.count, "interactions (default 100,000)")
    ->check(CLI::Range(1u, 100'000'000u));
  capacity->add_option("--gateways", o.gateways, "media-gateway connections (default 1)");
  capacity->add_option("--window", o.window, "submits in flight per gateway (default 256)");
  capacity->add_option("--engine-pid", o.engine_pid,
                       "with --connect: the engine's pid on this machine, whose RSS is measured")
    ->check(CLI::PositiveNumber);

  auto* crash = app.add_subcommand(
    "crash", "kill -9 a loaded parleyd, restart, retry: every acked submit present exactly once");
  common_options(crash, o);
  crash->get_option("--duration")->description("longest load per round before the kill (s)");
  interaction_options(crash, o);
  backend_options(crash, o, "storage: sqlite or postgresql", "PostgreSQL connection string (--backend postgresql)");
  crash->add_option("--rounds", o.rounds, "kill -9 rounds (default 3)")->check(CLI::Range(1u, 1000u));
  crash->add_option("--seed", o.seed, "seed for the kill moments and the stops")->capture_default_str();
  crash->add_option("--gateways", o.gateways, "media-gateway connections (default 4)");
  crash->add_option("--window", o.window, "submits in flight per gateway (default 16)");
  crash->add_option("--parleyd", o.parleyd, "parleyd binary (default: beside parley-bench)");

  auto* failover = app.add_subcommand(
    "failover", "an HA pair on one PostgreSQL: kill -9 the primary under load, N rounds; client "
                "outage p50/p99/max (goal p99 <= 10 s), acked submits lost (goal 0), agents restored");
  common_options(failover, o);
  failover->get_option("--duration")->description("longest load per round before the kill (s)");
  failover->add_option("--dsn", o.dsn, "PostgreSQL connection string of the database both nodes share")->required();
  failover->add_option("--rounds", o.rounds, "kill -9 rounds (default 3)")->check(CLI::Range(1u, 1000u));
  failover->add_option("--seed", o.seed, "seed for the kill moments")->capture_default_str();
  failover->add_option("--gateways", o.gateways, "media-gateway connections (default 4)");
  failover->add_option("--window", o.window, "submits in flight per gateway (default 8)");
  failover->add_option("--agents", o.agents, "agent desktops kept logged in (default 200, at most 1,000)")
    ->capture_default_str();
  failover->add_option("--count", o.count, "interactions left waiting before the first kill (default 0): "
                                           "every promotion recovers them")
    ->check(CLI::Range(0u, 10'000'000u));
  failover->add_option("--parleyd", o.parleyd, "parleyd binary (default: beside parley-bench)");

  auto* recovery = app.add_subcommand(
    "recovery", "fill a parleyd with --count open interactions, kill -9, restart: time until "
                "they are back and routable (goal 1,000,000 in <= 10 s)");
  common_options(recovery, o, false);
  recovery->add_option("--count", o.count, "open interactions (default 20,000)")
    ->check(CLI::Range(1u, 100'000'000u));
  backend_options(recovery, o, "storage: sqlite or postgresql");
  recovery->add_option("--agents", o.agents, "desks at the kill: half handle (a quarter of all park), half leave it offered (default 100)")
    ->check(CLI::Range(0u, 100'000u));
  recovery->add_option("--gateways", o.gateways, "media-gateway connections of the fill (default 4)");
  recovery->add_option("--window", o.window, "submits in flight per gateway (default 64)");
  recovery->add_option("--parleyd", o.parleyd, "parleyd binary (default: beside parley-bench)");

  auto* store = app.add_subcommand(
    "storage", "rows/s through the persistence writer vs the database's own limit (raw COPY)");
  common_options(store, o);
  backend_options(store, o, "sqlite or postgresql");
  store->add_option("--count", o.count, "interactions (6 rows each; default 50,000)")
    ->check(CLI::Range(1u, 10'000'000u));
  auto* stats = app.add_subcommand(
    "stats", "statistics on 2060: --count open statistics, on-change notifications driven by "
             "submits (goals: 1,000,000 open; >= 200,000 notifications/s; p99 <= 10 ms)");
  common_options(stats, o);
  stats->add_option("--count", o.count, "statistics to open (default 100,000)")
    ->check(CLI::Range(1u, 100'000'000u));
  stats->add_option("--boards", o.boards, "wallboard connections")
    ->check(CLI::Range(1u, 10'000u))
    ->capture_default_str();
  stats->add_option("--queues", o.queues, "queues the statistics and submits spread over")
    ->check(CLI::Range(1u, 100'000u))
    ->capture_default_str();
  stats->add_option("--gateways", o.gateways, "media-gateway connections (default 2)");
  stats->add_option("--window", o.window, "submits in flight per gateway (default 16)");
  stats->add_option("--rate", o.stats_rate,
                    "submits per second by the clock (open loop); 0 = as fast as the window allows")
    ->check(CLI::Range(0.0, 10'000'000.0))
    ->capture_default_str();

  auto* simulate = app.add_subcommand(
    "simulate", "Poisson calls, exponential handle times, N agents on scaled time: measured "
                "service level and ASA next to Erlang C (goal +/-2 points, +/-10 %)");
  common_options(simulate, o, false);
  interaction_options(simulate, o);
  agent_options(simulate, o);
  simulate->add_option("--mode", o.sim_mode,
                       "virtual: the engine's actors on discrete-event time (deterministic, as fast as the CPU "
                       "allows); scaled: the embedded engine on engine.clock_scale = --scale, played in real time")
    ->check(CLI::IsMember({"virtual", "scaled"}))
    ->capture_default_str();
  simulate->add_option("--preset", o.preset,
                       "traffic profile: westbay (720 calls/h, AHT 240 s, 55 agents, SL 15 s) or "
                       "small (240 calls/h, AHT 120 s, 10 agents, SL 20 s)")
    ->capture_default_str();
  simulate->add_option("--calls-per-hour", o.calls_per_hour, "arrival rate (default: the preset's)")
    ->check(CLI::Range(0.001, 1e7));
  simulate->add_option("--aht-s", o.aht_s, "average handle time, domain seconds (default: the preset's)")
    ->check(CLI::Range(0.001, 1e6));
  simulate->add_option("--agents", o.sim_agents, "agents (default: the preset's)")
    ->check(CLI::Range(1u, 100'000u));
  simulate->add_option("--sl-target-s", o.sl_target_s, "service level threshold, domain seconds")
    ->check(CLI::Range(0.001, 1e6));
  simulate->add_option("--hours", o.hours, "measured domain hours (after the warm-up)")
    ->check(CLI::Range(0.001, 1e6))
    ->capture_default_str();
  simulate->add_option("--warmup-h", o.warmup_h, "domain hours before the measurement starts")
    ->check(CLI::Range(0.0, 1e4))
    ->capture_default_str();
  simulate->add_option("--scale", o.scale, "engine.clock_scale: domain seconds per real second")
    ->check(CLI::Range(1.0, 100'000.0))
    ->capture_default_str();
  simulate->add_option("--seed", o.seed, "random seed of the traffic")->capture_default_str();
  simulate->add_option("--patience-s", o.patience_s,
                       "callers' mean patience, domain seconds (exponential; virtual mode): who is not offered "
                       "to an agent by then hangs up (0: nobody does)")
    ->check(CLI::Range(0.0, 1e6))
    ->capture_default_str();
  simulate->add_option("--batches", o.batches, "batches for the 95 % intervals (batch means)")
    ->check(CLI::Range(2u, 1000u))
    ->capture_default_str();

  auto gateway_options = [&](CLI::App* s, const char* ring, const char* no_answer, const char* answer) {
    s->add_option("--answer", o.answer_share, std::string{"share of calls a live person answers (default "} + answer
                                                + "); the rest is busy or no answer, half and half")
      ->check(CLI::Range(0.0, 1.0));
    s->add_option("--ring-s", o.ring_s, std::string{"mean ring time, domain s (uniform 0.25..1.75x; default "} + ring + ")")
      ->check(CLI::Range(0.001, 600.0));
    s->add_option("--no-answer-s", o.no_answer_s, std::string{"no answer after, domain s (default "} + no_answer + ")")
      ->check(CLI::Range(0.001, 600.0));
    s->add_option("--seed", o.seed, "seed of the simulated gateway")->capture_default_str();
    s->add_option("--lease-chunk", o.lease_chunk, "records leased at a time (campaign lease_chunk)")
      ->check(CLI::Range(1u, 100'000u));
  };

  auto* pacing = app.add_subcommand(
    "pacing", "a predictive campaign on virtual or scaled time with the simulated gateway: abandon rate and "
              "agent occupancy (goals <= 3 %; >= 90 % at 50 agents, >= 80 % at 10)");
  common_options(pacing, o, false);
  interaction_options(pacing, o);
  agent_options(pacing, o);
  pacing->add_option("--agents", o.agents, "agent desktops that accept every call (default 50)")
    ->check(CLI::Range(1u, 10'000u));
  pacing->add_option("--hours", o.hours, "measured domain hours, after the warm-up (default 1)")
    ->check(CLI::Range(0.001, 1e4));
  pacing->add_option("--warmup-h", o.warmup_h, "domain hours before the measurement starts")
    ->check(CLI::Range(0.0, 100.0))
    ->capture_default_str();
  pacing->add_option("--mode", o.sim_mode,
                     "virtual: the engine's actors on discrete-event time (reproducible); scaled: the embedded "
                     "engine on engine.clock_scale = --scale, through the console, in real time")
    ->check(CLI::IsMember({"virtual", "scaled"}))
    ->capture_default_str();
  pacing->add_option("--scale", o.scale, "engine.clock_scale: domain seconds per real second")
    ->check(CLI::Range(1.0, 10'000.0))
    ->capture_default_str();
  gateway_options(pacing, "6", "15", "0.30");
  pacing->add_option("--talk-s", o.talk_s, "mean talk time = AHT (no wrap-up), domain s")
    ->check(CLI::Range(1.0, 36'000.0))
    ->capture_default_str();
  pacing->add_option("--machine", o.machine_share,
                     "share of calls an answering machine answers (taken from busy and no "
                     "answer; default 0)")
    ->check(CLI::Range(0.0, 1.0));
  pacing->add_option("--machine-policy", o.machine_policy,
                     "the campaign's answering_machine: drop, agent or no_answer")
    ->check(CLI::IsMember({"drop", "agent", "no_answer"}))
    ->capture_default_str();
  pacing->add_option("--lines-per-agent", o.lines_per_agent, "campaign lines_per_agent (default 3)")
    ->check(CLI::Range(1.0, 20.0));
  pacing->add_option("--target-abandon", o.target_abandon, "campaign target_abandon")
    ->check(CLI::Range(0.001, 0.5))
    ->capture_default_str();

  auto* dial = app.add_subcommand(
    "dial", "dial attempts per second through lease, compliance, pacing, dialer sessions and "
            "history (goal >= 10,000/s)");
  common_options(dial, o);
  interaction_options(dial, o);
  agent_options(dial, o);
  dial->add_option("--warmup-s", o.warmup_s, "real seconds of dialing before the measured window")
    ->check(CLI::Range(0.0, 600.0))
    ->capture_default_str();
  dial->add_option("--agents", o.agents, "ready agent desktops (default 100)")->check(CLI::Range(1u, 100'000u));
  dial->add_option("--campaigns", o.campaigns, "predictive campaigns, one list each")
    ->check(CLI::Range(1u, 64u))
    ->capture_default_str();
  dial->add_option("--count", o.count, "records imported over all lists (default 300,000)")
    ->check(CLI::Range(1u, 100'000'000u));
  dial->add_option("--lines-per-agent", o.lines_per_agent, "campaign lines_per_agent (default 20)")
    ->check(CLI::Range(1.0, 20.0));
  dial->add_option("--max-in-flight", o.max_in_flight, "campaign max_in_flight (0: no cap)")
    ->capture_default_str();
  dial->add_option("--scale", o.scale, "engine.clock_scale (default 1: real time)")->check(CLI::Range(1.0, 10'000.0));
  gateway_options(dial, "0.002", "0.002", "0");
  dial->add_flag("--no-reference", o.no_reference, "skip the storage-alone reference");
  dial->add_option("--gateway", o.gateway,
                   "simulated (the embedded gateway) or external: parley-dial-gateway in its own "
                   "process over 7120, after a pass with the embedded one (the reference)")
    ->check(CLI::IsMember({"simulated", "external"}));

  auto* http = app.add_subcommand(
    "http", "GET /api/v1/queues with wrk next to nginx serving a static file of the same size; --count "
            "live-update clients (goal p99 submit -> event <= 250 ms at 1,000)");
  common_options(http, o);
  interaction_options(http, o);
  http->add_option("--clients", o.clients, "wrk connections (default 64)")->check(CLI::Range(1u, 10'000u));
  http->add_option("--count", o.count, "live-update (SSE) clients (default 1,000)")->check(CLI::Range(1u, 10'000u));
  http->add_option("--queues", o.queues, "queues the answer lists (default 20)")->check(CLI::Range(1u, 10'000u));
  http->add_option("--rate", o.rate, "submits per second while the live-update clients watch (default 10)")
    ->check(CLI::Range(0.1, 1000.0));
  http->add_flag("--no-reference", o.no_reference, "do not run nginx");

  auto* dashboards = app.add_subcommand(
    "dashboards", "--count dashboards of --per statistics on the live stream, periodic every --refresh s, while "
                  "--rate interactions/s flow (goal 300,000 values at 10 s, p99 event -> SSE <= 1 s)");
  common_options(dashboards, o);
  interaction_options(dashboards, o);
  dashboards->add_option("--count", o.count, "dashboards: SSE streams (default 3,000)")->check(CLI::Range(1u, 100'000u));
  dashboards->add_option("--per", o.window, "statistics per dashboard (default 100, at most 100)")
    ->check(CLI::Range(2u, 100u));
  dashboards->add_option("--queues", o.queues, "queues the statistics and submits spread over (default 100)")
    ->check(CLI::Range(1u, 10'000u));
  dashboards->add_option("--refresh", o.refresh_s, "seconds between periodic values (default 10)")
    ->check(CLI::Range(0.1, 3600.0));
  dashboards->add_option("--rate", o.rate, "interactions submitted per second (default 1,000)")
    ->check(CLI::Range(0.0, 100'000.0));

  auto* history = app.add_subcommand(
    "history", "historical reporting: --count facts aggregated from scratch next to a plain GROUP BY, a month of "
               "one queue at 15 min (goal <= 200 ms), retention's rate, the fact writer's lag under an event stream "
               "of --rate lifecycles/s and under the lifecycle load, each for --duration s (goal <= 60 s)");
  common_options(history, o);
  interaction_options(history, o);
  backend_options(history, o, "sqlite or postgresql (the from-scratch part)");
  history->add_option("--count", o.count, "facts to aggregate (default 10,000,000)")
    ->check(CLI::Range(5u, 100'000'000u));
  history->add_option("--agents", o.agents, "desks of the lifecycle load")->capture_default_str();
  history->add_option("--gateways", o.gateways, "media-gateway connections of the load (default 4)");
  history->add_option("--window", o.window, "lifecycles in flight per gateway (default 64)");
  history->add_option("--rate", o.rate, "lifecycles/s of the event stream the fact writer gets alone")
    ->capture_default_str();

  auto* exporting = app.add_subcommand(
    "export", "the export to Redis Streams: --count stored events appended to a throwaway redis-server, next "
              "to redis-benchmark XADD with the same pipeline in the same run (goal >= 50 %)");
  common_options(exporting, o);
  backend_options(exporting, o, "sqlite or postgresql (where the events are stored)");
  exporting->add_option("--count", o.count, "events to append (default 1,000,000)")
    ->check(CLI::Range(5u, 100'000'000u));
  exporting->add_option("--pipeline", o.pipeline, "entries per pipeline: streams.batch_events (default 1,000)")
    ->check(CLI::Range(1u, 100'000u));

  auto* stream_route = app.add_subcommand(
    "stream-route", "routing over Redis Streams through a throwaway redis-server and a router in this process, "
                    "next to built-in routing on the same engine: Submit -> Invite and the route round trip "
                    "(goal p99 <= 5 ms at 1,000 routes/s)");
  common_options(stream_route, o);
  interaction_options(stream_route, o);
  agent_options(stream_route, o);
  stream_route->add_option("--rate", o.rate, "submits per second, by the clock (default 1,000)");
  stream_route->add_option("--queues", o.queues, "stream-routed queues, and as many built-in ones (default 1)")
    ->check(CLI::Range(1u, 1000u));
  stream_route->add_option("--agents", o.agents, "agent desktops that accept and stop")
    ->check(CLI::Range(1u, 100'000u))
    ->capture_default_str();
  stream_route->add_option("--gateways", o.gateways, "media-gateway connections (default 2)");

  CLI11_PARSE(app, argc, argv);
  o.scenario = app.get_subcommands().front()->get_name();
  // Defaults that differ by scenario (the options struct holds one default per field).
  if (o.scenario == "pacing") {
    if (pacing->count("--agents") == 0)
      o.agents = 50;
    if (pacing->count("--hours") == 0)
      o.hours = 1;
  } else if (o.scenario == "recovery") {
    if (recovery->count("--agents") == 0)
      o.agents = 100;
  } else if (o.scenario == "http") {
    if (http->count("--clients") == 0)
      o.clients = 64;
    if (http->count("--queues") == 0)
      o.queues = 20;
    if (http->count("--rate") == 0)
      o.rate = 10;
  } else if (o.scenario == "dashboards") {
    if (dashboards->count("--rate") == 0)
      o.rate = 1000;
    if (dashboards->count("--duration") == 0)
      o.duration_s = 30;
  } else if (o.scenario == "stream-route") {
    if (stream_route->count("--rate") == 0)
      o.rate = 1000;
    if (stream_route->count("--queues") == 0)
      o.queues = 1;
  } else if (o.scenario == "dial") {
    if (dial->count("--agents") == 0)
      o.agents = 100;
    if (dial->count("--scale") == 0)
      o.scale = 1;
  }

  result r;
  try {
    harness h{o};
    if (o.scenario == "lifecycle")
      r = run_lifecycle(h);
    else if (o.scenario == "latency")
      r = run_latency(h);
    else if (o.scenario == "ping")
      r = run_ping(h);
    else if (o.scenario == "agents")
      r = run_agents(h);
    else if (o.scenario == "crash")
      r = run_crash(h);
    else if (o.scenario == "failover")
      r = run_failover(h);
    else if (o.scenario == "recovery")
      r = run_recovery(h);
    else if (o.scenario == "storage")
      r = run_storage(h);
    else if (o.scenario == "stats")
      r = run_stats(h);
    else if (o.scenario == "simulate")
      r = run_simulate(h);
    else if (o.scenario == "pacing")
      r = run_pacing(h);
    else if (o.scenario == "dial")
      r = run_dial(h);
    else if (o.scenario == "http")
      r = run_http(h);
    else if (o.scenario == "dashboards")
      r = run_dashboards(h);
    else if (o.scenario == "history")
      r = run_history(h);
    else if (o.scenario == "export")
      r = run_export(h);
    else if (o.scenario == "stream-route")
      r = run_stream_route(h);
    else
      r = run_capacity(h);
    h.progress().clear();
    print_table(std::cout, r);
    if (o.json)
      print_json(std::cout, r);
  } catch (const std::exception& e) {
    std::cout.flush();
    std::fprintf(stderr, "\nparley-bench %s: %s\n", o.scenario.c_str(), e.what());
    return 1;
  }
  if (!r.ran) {
    std::fprintf(stderr, "parley-bench %s: nothing completed (see the errors above)\n",
                 o.scenario.c_str());
    return 1;
  }
  if ((o.scenario == "crash" || o.scenario == "failover") && !r.aim.met)
    return 2;  // a broken promise, not a slow run
  return 0;
}
