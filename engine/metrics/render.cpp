// render: the /metrics page in Prometheus text format. Names follow Prometheus practice:
// a parley_ prefix, base units (seconds), _total for counters, no per-interaction or
// per-agent labels; the process_* families are the standard process collector's.
// docs/metrics.md lists them all. The parts are in render_parts.hpp.
#include <set>
#include <sstream>

#include <caf/all.hpp>

#include "engine/metrics/process_metrics.hpp"
#include "engine/metrics/render_parts.hpp"
#include "engine/queue_live.hpp"
#include "actors/runtime/unexpected.hpp"
#include "engine/reload_result.hpp"
#include "protocol/wire.hpp"

namespace parley::engine {

namespace {

/// External routers: fallbacks to the built-in router, and routing over Redis Streams.
void routing_part(page& p, const domain_metrics& m) {
  auto count = [](const std::atomic<std::uint64_t>& n) {
    return static_cast<double>(n.load(std::memory_order_relaxed));
  };
  p.single("parley_router_fallbacks_total", "counter",
           "Requests of external routers the built-in router decided: no answer within "
           "routing.router_timeout_ms, a request Redis did not take, an instruction that could not "
           "be carried out.",
           count(m.router_fallbacks));
  p.single("parley_stream_route_requests_total", "counter",
           "Routing requests appended to <prefix><tenant>:to-route.", count(m.stream_requests));
  p.single("parley_stream_route_post_errors_total", "counter",
           "Routing requests Redis did not take (the built-in router decided them).",
           count(m.stream_post_errors));
  p.family("parley_stream_route_instructions_total", "counter",
           "Instructions read from <prefix><tenant>:instructions, by outcome: applied (per action), "
           "stale (no such open request: a second copy, too late, another run), refused (could not "
           "be carried out), dead_letter (malformed).");
  static constexpr const char* outcomes[][2] = {{"applied", "route"}, {"applied", "queue"}, {"applied", "wait"},
                                                {"applied", "stop"},  {"stale", ""},         {"refused", ""},
                                                {"dead_letter", ""}};
  for (std::size_t i = 0; i < m.stream_instructions.size(); ++i)
    p.sample("parley_stream_route_instructions_total",
             label("outcome", outcomes[i][0]) + (*outcomes[i][1] ? "," + label("action", outcomes[i][1]) : ""),
             count(m.stream_instructions[i]));
  p.single("parley_stream_route_claimed_total", "counter",
           "Instructions claimed from another consumer of the group parley that left them pending.",
           count(m.stream_claimed));
  p.single("parley_stream_route_read_errors_total", "counter",
           "Failed reads or acknowledgements of instructions (Redis down; tried again).",
           count(m.stream_read_errors));
  p.histogram("parley_stream_route_round_trip_seconds",
              "A routing request made to its instruction reaching the router (through Redis).",
              m.stream_round_trip);
}

void storage_part(page& p, const storage_health& h, const config& cfg) {
  auto gauge = [&](const char* name, const char* help, double v) {
    p.family(name, "gauge", help);
    p.sample(name, "", v);
  };
  auto counter = [&](const char* name, const char* help, const std::atomic<std::uint64_t>& v) {
    p.family(name, "counter", help);
    p.sample(name, "", static_cast<double>(v.load(std::memory_order_relaxed)));
  };
  p.family("parley_storage_info", "gauge",
           "Always 1: the storage backend and storage.durability the engine runs with.");
  p.sample("parley_storage_info",
           label("backend", storage::to_string(cfg.storage.backend)) + ","
             + label("durability", to_string(cfg.storage.durability)),
           1);
  gauge("parley_storage_up", "1 when the last storage write or health check succeeded.",
        h.up.load(std::memory_order_relaxed) ? 1 : 0);
  gauge("parley_storage_accepting",
        "1 when new submits are accepted (storage up, or async, and below storage.max_pending).",
        h.accepting() ? 1 : 0);
  gauge("parley_storage_pending_rows", "Rows buffered by the writer, not yet committed.",
        static_cast<double>(h.pending.load(std::memory_order_relaxed)));
  counter("parley_storage_batches_total", "Committed storage transactions.", h.batches);
  counter("parley_storage_rows_total", "Rows committed (interactions, events, agent sessions).",
          h.rows);
  counter("parley_storage_write_failures_total", "Failed write attempts (each is retried).",
          h.failures);
  counter("parley_storage_events_shed_total",
          "Reporting events dropped past storage.max_pending (only with storage.shed_events).",
          h.shed);
  p.histogram("parley_storage_commit_seconds", "One storage transaction, begin to commit.",
              h.commit);
  p.histogram("parley_storage_batch_rows", "Rows per committed storage transaction.",
              h.batch_rows, h.batch_rows.sum());
}

} // namespace

void engine_part(page& p, const metrics_env& env) {
  auto& s = env.stats;
  auto count = [](const std::atomic<std::uint64_t>& n) {
    return static_cast<double>(n.load(std::memory_order_relaxed));
  };
  p.family("parley_build_info", "gauge", "Build information; always 1.");
  p.sample("parley_build_info",
           label("version", PARLEY_VERSION) + "," + label("protocol", std::to_string(protocol::protocol_version)),
           1);
  p.single("parley_connections", "gauge", "Open protocol connections.",
           static_cast<double>(env.open_sessions()));
  p.single("parley_connections_accepted_total", "counter", "Protocol connections accepted.",
           count(s.connections_accepted));
  p.single("parley_connections_refused_total", "counter",
           "Protocol connections refused over limits.max_connections.", count(s.connections_refused));
  p.single("parley_registrations_total", "counter", "Successful registrations.",
           count(s.registrations));
  p.single("parley_tls_handshake_failures_total", "counter",
           "TLS handshakes that failed or did not finish within timeouts.registration_ms.",
           count(s.tls_handshake_failures));
  p.family("parley_config_reloads_total", "counter",
           "Config reloads (SIGHUP, console reload) by result: applied, unchanged (nothing to "
           "apply) or refused as a whole.");
  for (auto [result, n] : {std::pair{reload_outcome::applied, &s.reloads_applied},
                           {reload_outcome::unchanged, &s.reloads_unchanged},
                           {reload_outcome::refused, &s.reloads_refused}})
    p.sample("parley_config_reloads_total", label("result", to_string(result)), count(*n));
  p.single("parley_reporting_watermark", "gauge",
           "The last reporting event folded into the historical facts (its seq).", count(s.reporting_watermark));
  p.single("parley_reporting_facts_total", "counter", "Historical facts written by this run.",
           count(s.reporting_facts));
  p.single("parley_reporting_errors_total", "counter",
           "Failed passes of the fact writer or the aggregator (tried again at the next tick).",
           count(s.reporting_errors));
  p.single("parley_reporting_lag_seconds", "gauge",
           "Domain seconds since the historical aggregates last included every stored event (0: caught up).",
           static_cast<double>(s.reporting_lag_ms.load(std::memory_order_relaxed)) / 1000.0);
  // The stream export, per log: the reporting events and the VQ events.
  auto exports = [&](const char* name, const char* type, const char* help, auto value) {
    p.family(name, type, help);
    for (auto log : {export_log::events, export_log::vq})
      p.sample(name, label("log", to_string(log)), value(s.exported(log)));
  };
  exports("parley_export_watermark", "gauge", "The last event of the log appended to Redis Streams (its seq).",
          [&](auto& x) { return count(x.watermark); });
  exports("parley_export_appended_total", "counter", "Stream entries appended by this run.",
          [&](auto& x) { return count(x.appended); });
  exports("parley_export_duplicates_total", "counter",
          "Appends Redis already had (a retry after a lost reply), skipped.", [&](auto& x) { return count(x.duplicates); });
  exports("parley_export_errors_total", "counter",
          "Failed export passes (Redis down or the event log unreadable; tried again).",
          [&](auto& x) { return count(x.errors); });
  exports("parley_export_lag_seconds", "gauge",
          "Domain seconds since the streams last had every stored event of the log (0: caught up).",
          [&](auto& x) { return static_cast<double>(x.lag_ms.load(std::memory_order_relaxed)) / 1000.0; });
  p.single("parley_frames_received_total", "counter", "Frames received.", count(s.frames_in));
  p.single("parley_frames_sent_total", "counter", "Frames sent.", count(s.frames_out));
  p.single("parley_requests_in_flight", "gauge", "Requests handed to actors and not yet answered.",
           count(s.requests_in_flight));
  p.family("parley_requests_total", "counter", "Requests received, by message type.");
  for (auto t : wire::EnumValuesMessage())
    if (t != wire::Message::NONE)
      p.sample("parley_requests_total", label("type", wire::EnumNameMessage(t)),
               count(s.requests[static_cast<std::size_t>(t)]));
  p.family("parley_errors_total", "counter", "Error frames sent to clients, by error code.");
  for (auto c : wire::EnumValuesErrorCode())
    if (c != wire::ErrorCode::none)
      p.sample("parley_errors_total", label("code", protocol::error_name(c)),
               count(s.errors[static_cast<std::size_t>(c)]));
  auto& m = *env.domain->metrics;
  p.histogram("parley_submit_ack_seconds", "Submit received to Submitted sent.", m.submit_ack);
  p.histogram("parley_routing_seconds",
              "An interaction entering a queue to its agent showing the invite.", m.routing);
  storage_part(p, m.storage, env.cfg);
  routing_part(p, m);
  outbound_part(p, m);
  p.single("parley_stats_open", "gauge", "Open statistics (2060).",
           static_cast<double>(m.stats_open.load()));
  p.single("parley_stats_calculations", "gauge",
           "Calculations behind the open statistics (identical ones share one).",
           static_cast<double>(m.stats_calculations.load()));
  p.single("parley_stats_opened_total", "counter", "Statistics opened.", count(m.stats_opened));
  p.single("parley_stats_notifications_total", "counter", "StatInfo notifications sent.",
           count(m.stats_notifications));
  p.single("parley_stats_coalesced_total", "counter",
           "Statistic values replaced by a newer one before a slow client could take them.",
           count(m.stats_coalesced));
  p.single("parley_stats_redis_writes_total", "counter", "Statistic values written to Redis.",
           count(m.stats_redis_writes));
  p.single("parley_stats_redis_errors_total", "counter", "Failed Redis connects or writes.",
           count(m.stats_redis_errors));
  p.family("parley_unexpected_messages_total", "counter",
           "Messages an actor did not understand, by actor (a bug: each is logged once per "
           "signature).");
  for (auto& [actor, n] : unexpected_messages::instance().counts())
    p.sample("parley_unexpected_messages_total", label("actor", actor), static_cast<double>(n));
  p.family("parley_actor_deaths_total", "counter",
           "Supervised actors that died outside an orderly stop, by actor family (a long-lived "
           "one makes parleyd restart; interactions and agents are forgotten by their registry).");
  for (auto f : actor_families())
    p.sample("parley_actor_deaths_total", label("actor", to_string(f)),
             count(m.deaths[static_cast<std::size_t>(f)]));
}

void domain_part(page& p, const domain_handles& dom, const bus_status& b) {
  p.family("parley_reporting_events_total", "counter", "Reporting events ordered, by kind.");
  for (auto k : wire::EnumValuesReportingKind()) {
    auto i = static_cast<std::size_t>(k);
    p.sample("parley_reporting_events_total", label("kind", wire::EnumNameReportingKind(k)),
             static_cast<double>(i < b.kinds.size() ? b.kinds[i] : 0));
  }
  // Every configured tenant (each has a router), and any other that has interactions.
  std::set<std::string> tenants;
  for (auto& [tenant, r] : dom.routers)
    tenants.insert(tenant);
  for (auto& [tenant, c] : b.interactions)
    tenants.insert(tenant);
  for (auto& [tenant, v] : b.agents)
    tenants.insert(tenant);
  p.family("parley_interactions", "gauge", "Live interactions by tenant and state.");
  for (auto& tenant : tenants) {
    auto it = b.interactions.find(tenant);
    auto c = it == b.interactions.end() ? conservation_map::mapped_type{} : it->second;
    for (auto [state, n] : {std::pair{"submitted", c.in_submitted}, {"queued", c.queued},
                            {"offered", c.offered}, {"handled", c.handled}, {"parked", c.parked}})
      p.sample("parley_interactions", label("tenant", tenant) + "," + label("state", state),
               static_cast<double>(n));
  }
  p.family("parley_interactions_submitted_total", "counter", "Interactions submitted, by tenant.");
  for (auto& tenant : tenants) {
    auto it = b.interactions.find(tenant);
    p.sample("parley_interactions_submitted_total", label("tenant", tenant),
             it == b.interactions.end() ? 0 : static_cast<double>(it->second.submitted));
  }
  p.family("parley_interactions_stopped_total", "counter",
           "Interactions stopped (abandoned included), by tenant.");
  for (auto& tenant : tenants) {
    auto it = b.interactions.find(tenant);
    p.sample("parley_interactions_stopped_total", label("tenant", tenant),
             it == b.interactions.end() ? 0 : static_cast<double>(it->second.stopped));
  }
  p.family("parley_agents", "gauge", "Logged-in agents by tenant and state.");
  for (auto& tenant : tenants) {
    auto it = b.agents.find(tenant);
    for (auto state : wire::EnumValuesAgentState()) {
      auto i = static_cast<std::size_t>(state);
      if (state == wire::AgentState::logged_out)
        continue;
      auto n = it == b.agents.end() || i >= it->second.size() ? 0 : it->second[i];
      p.sample("parley_agents",
               label("tenant", tenant) + "," + label("state", wire::EnumNameAgentState(state)),
               static_cast<double>(n));
    }
  }
}

void queue_part(page& p, const queue_live_report& r) {
  auto each = [&](const char* name, const char* help, auto value) {
    p.family(name, "gauge", help);
    for (auto& q : r.queues)
      p.sample(name, label("queue", q.name) + "," + label("tenant", q.tenant),
               static_cast<double>(value(q)));
  };
  each("parley_queue_waiting", "Interactions waiting, by queue.",
       [](const queue_live& q) { return q.waiting; });
  each("parley_queue_oldest_wait_seconds",
       "How long the longest-waiting interaction has waited in the queue (0: none waits).",
       [](const queue_live& q) { return q.oldest_wait_s; });
  each("parley_queue_ready_agents",
       "Agents in state ready (free or busy) eligible for the queue.",
       [](const queue_live& q) { return q.ready_agents; });
  each("parley_queue_answered_today",
       "Interactions answered (accepted) since the day's statistics reset.",
       [](const queue_live& q) { return q.today.answered; });
  each("parley_queue_abandoned_today", "Interactions abandoned since the day's statistics reset.",
       [](const queue_live& q) { return q.today.abandoned; });
  each("parley_queue_service_level_ratio",
       "Answered within the queue's service_level_s over answered + abandoned after it, since "
       "the day's reset (0..1; 0 before anything counted).",
       [](const queue_live& q) { return q.today.service_level / 100.0; });
  each("parley_queue_service_level_threshold_seconds", "The queue's service_level_s (T).",
       [](const queue_live& q) { return q.today.threshold_s; });
  each("parley_queue_speed_of_answer_seconds",
       "Average wait of the interactions answered since the day's reset.",
       [](const queue_live& q) { return q.today.asa_s; });
}

void render_metrics(const std::shared_ptr<metrics_env>& env, std::function<void(std::string)> done) {
  // A short-lived actor gathers what only actors know — the bus's counts, each queue's live
  // figures (queue_live), each campaign's and sequence's status — then renders everything.
  env->system.spawn([env, done](caf::event_based_actor* self) {
    struct gathered {
      bus_status bus;
      bool bus_ok = false;
      queue_live_report queues;
      campaign_answers campaigns;
      sequence_answers sequences;
    };
    auto got = std::make_shared<gathered>();
    auto& dom = *env->domain;
    // The bus, the queues, the campaigns and the sequences (each as one) answer; the last one
    // renders.
    auto left = std::make_shared<std::size_t>(4);
    auto one_done = [=] {
      if (--*left > 0)
        return;
      page p;
      engine_part(p, *env);
      if (got->bus_ok)  // else the domain did not answer: what the engine knows
        domain_part(p, *env->domain, got->bus);
      queue_part(p, got->queues);
      campaign_part(p, *env->domain, got->campaigns);
      sequence_part(p, got->sequences);
      if (env->ha)
        ha_part(p, *env->ha);
      process_part(p);
      done(p.text());
      self->quit();
    };
    self->request(dom.bus, std::chrono::seconds{5}, state_atom_v)
      .then(
        [=](const bus_status& b) {
          got->bus = b;
          got->bus_ok = true;
          one_done();
        },
        [=](caf::error&) { one_done(); });
    gather_queue_live(self, env->domain, [=](queue_live_report r) {
      got->queues = std::move(r);
      one_done();
    });
    gather_campaigns(self, dom, std::chrono::seconds{5}, [=](campaign_answers a) {
      got->campaigns = std::move(a);
      one_done();
    });
    gather_sequences(self, dom, std::chrono::seconds{5}, [=](sequence_answers a) {
      got->sequences = std::move(a);
      one_done();
    });
  });
}

} // namespace parley::engine
