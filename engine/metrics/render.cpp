// render: the /metrics page in Prometheus text format. Names follow Prometheus practice:
// a parley_ prefix, base units (seconds), _total for counters, no per-interaction or
// per-agent labels. docs/metrics.md lists them all.
#include <sstream>

#include <caf/all.hpp>

#include "actors/outbound/compliance.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "engine/metrics/metrics_server.hpp"
#include "engine/queue_live.hpp"
#include "protocol/wire.hpp"

namespace parley::engine {

namespace {

class page {
public:
  // The stream's default 6 significant digits would print a counter past 999,999 as
  // 1.23457e+06, so it would seem to stand still; 15 digits keep every count exact (up to
  // 10^15) and print fractions such as 0.005 as they are.
  page() { out_.precision(15); }

  void family(const std::string& name, const char* type, const std::string& help) {
    out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    out_ << name;
    if (!labels.empty())
      out_ << "{" << labels << "}";
    out_ << " " << value << "\n";
  }
  template <class Histogram>
  void histogram(const std::string& name, const std::string& help, const Histogram& h, double sum) {
    family(name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < Histogram::bounds.size(); ++i) {
      cumulative += h.bucket(i);
      std::ostringstream le;
      le << Histogram::bounds[i];
      sample(name + "_bucket", "le=\"" + le.str() + "\"", static_cast<double>(cumulative));
    }
    cumulative += h.bucket(Histogram::bounds.size());
    sample(name + "_bucket", "le=\"+Inf\"", static_cast<double>(cumulative));
    sample(name + "_sum", "", sum);
    sample(name + "_count", "", static_cast<double>(cumulative));
  }
  void histogram(const std::string& name, const std::string& help, const latency_histogram& h) {
    histogram(name, help, h, h.sum_seconds());
  }
  std::string text() const { return out_.str(); }

private:
  std::ostringstream out_;
};

std::string label(const char* key, const std::string& value) {
  std::string v;
  for (char c : value) {
    if (c == '\\' || c == '"')
      v += '\\';
    if (c == '\n') {
      v += "\\n";
      continue;
    }
    v += c;
  }
  return std::string{key} + "=\"" + v + "\"";
}

void storage_part(page& p, const storage_health& h) {
  auto gauge = [&](const char* name, const char* help, double v) {
    p.family(name, "gauge", help);
    p.sample(name, "", v);
  };
  auto counter = [&](const char* name, const char* help, const std::atomic<std::uint64_t>& v) {
    p.family(name, "counter", help);
    p.sample(name, "", static_cast<double>(v.load(std::memory_order_relaxed)));
  };
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

void engine_part(page& p, const metrics_env& env) {
  auto& s = env.stats;
  p.family("parley_build_info", "gauge", "Build information; always 1.");
  p.sample("parley_build_info",
           label("version", PARLEY_VERSION) + "," + label("protocol", std::to_string(protocol::protocol_version)),
           1);
  p.family("parley_connections", "gauge", "Open protocol connections.");
  p.sample("parley_connections", "", static_cast<double>(env.open_sessions()));
  p.family("parley_connections_accepted_total", "counter", "Protocol connections accepted.");
  p.sample("parley_connections_accepted_total", "", static_cast<double>(s.connections_accepted));
  p.family("parley_connections_refused_total", "counter",
           "Protocol connections refused over limits.max_connections.");
  p.sample("parley_connections_refused_total", "", static_cast<double>(s.connections_refused));
  p.family("parley_registrations_total", "counter", "Successful registrations.");
  p.sample("parley_registrations_total", "", static_cast<double>(s.registrations));
  p.family("parley_tls_handshake_failures_total", "counter",
           "TLS handshakes that failed or did not finish within timeouts.registration_ms.");
  p.sample("parley_tls_handshake_failures_total", "", static_cast<double>(s.tls_handshake_failures));
  p.family("parley_config_reloads_total", "counter",
           "Config reloads (SIGHUP, console reload) by result: applied or refused as a whole.");
  p.sample("parley_config_reloads_total", label("result", "applied"),
           static_cast<double>(s.reloads_applied));
  p.sample("parley_config_reloads_total", label("result", "refused"),
           static_cast<double>(s.reloads_refused));
  p.family("parley_frames_received_total", "counter", "Frames received.");
  p.sample("parley_frames_received_total", "", static_cast<double>(s.frames_in));
  p.family("parley_frames_sent_total", "counter", "Frames sent.");
  p.sample("parley_frames_sent_total", "", static_cast<double>(s.frames_out));
  p.family("parley_requests_in_flight", "gauge", "Requests handed to actors and not yet answered.");
  p.sample("parley_requests_in_flight", "", static_cast<double>(s.requests_in_flight));
  p.family("parley_requests_total", "counter", "Requests received, by message type.");
  for (auto t : wire::EnumValuesMessage())
    if (auto n = s.requests[static_cast<std::size_t>(t)].load(); n > 0)
      p.sample("parley_requests_total", label("type", wire::EnumNameMessage(t)), static_cast<double>(n));
  p.family("parley_errors_total", "counter", "Error frames sent to clients, by error code.");
  for (std::size_t c = 1; c < s.errors.size(); ++c)
    if (auto n = s.errors[c].load(); n > 0)
      p.sample("parley_errors_total", label("code", protocol::error_name(static_cast<wire::ErrorCode>(c))),
               static_cast<double>(n));
  auto& m = *env.domain->metrics;
  p.histogram("parley_submit_ack_seconds", "Submit received to Submitted sent.", m.submit_ack);
  p.histogram("parley_routing_seconds",
              "An interaction entering a queue to its agent showing the invite.", m.routing);
  storage_part(p, m.storage);
  auto num = [&](const char* name, const char* type, const char* help, double v) {
    p.family(name, type, help);
    p.sample(name, "", v);
  };
  // -- outbound --
  p.family("parley_dial_attempts_total", "counter",
           "Finished outbound dial attempts, by result (abandoned: answered, no agent in time).");
  for (std::size_t e = 1; e < m.dial_results.size(); ++e)
    if (auto n = m.dial_results[e].load(); n > 0)
      p.sample("parley_dial_attempts_total",
               label("result", outbound::to_name(static_cast<outbound::call_event>(e))),
               static_cast<double>(n));
  if (auto n = m.dial_abandoned.load(); n > 0)
    p.sample("parley_dial_attempts_total", label("result", "abandoned"), static_cast<double>(n));
  num("parley_dials_total", "counter", "Outbound calls placed.", static_cast<double>(m.dials.load()));
  num("parley_dials_in_flight", "gauge", "Outbound calls dialing or connected now.",
      static_cast<double>(m.dials_in_flight.load()));
  p.family("parley_compliance_decisions_total", "counter",
           "Pre-dial compliance decisions, by decision (allowed or the denial reason).");
  for (std::size_t r = 0; r < m.compliance.size(); ++r)
    if (auto n = m.compliance[r].load(); n > 0)
      p.sample("parley_compliance_decisions_total",
               label("decision", outbound::to_name(static_cast<outbound::deny_reason>(r))),
               static_cast<double>(n));
  num("parley_stats_open", "gauge", "Open statistics (2060).", static_cast<double>(m.stats_open.load()));
  num("parley_stats_opened_total", "counter", "Statistics opened.",
      static_cast<double>(m.stats_opened.load()));
  num("parley_stats_notifications_total", "counter", "StatInfo notifications sent.",
      static_cast<double>(m.stats_notifications.load()));
  num("parley_stats_coalesced_total", "counter",
      "Statistic values replaced by a newer one before a slow client could take them.",
      static_cast<double>(m.stats_coalesced.load()));
  num("parley_stats_redis_writes_total", "counter", "Statistic values written to Redis.",
      static_cast<double>(m.stats_redis_writes.load()));
  num("parley_stats_redis_errors_total", "counter", "Failed Redis connects or writes.",
      static_cast<double>(m.stats_redis_errors.load()));
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

void domain_part(page& p, const bus_status& b) {
  p.family("parley_reporting_events_total", "counter", "Reporting events ordered, by kind.");
  for (auto k : wire::EnumValuesReportingKind())
    if (auto i = static_cast<std::size_t>(k); i < b.kinds.size() && b.kinds[i] > 0)
      p.sample("parley_reporting_events_total", label("kind", wire::EnumNameReportingKind(k)),
               static_cast<double>(b.kinds[i]));
  p.family("parley_interactions", "gauge", "Live interactions by tenant and state.");
  p.family("parley_interactions_submitted_total", "counter", "Interactions submitted, by tenant.");
  p.family("parley_interactions_stopped_total", "counter", "Interactions stopped (abandoned included), by tenant.");
  for (auto& [tenant, c] : b.interactions) {
    auto t = label("tenant", tenant);
    for (auto [state, n] : {std::pair{"submitted", c.in_submitted}, {"queued", c.queued},
                            {"offered", c.offered}, {"handled", c.handled}, {"parked", c.parked}})
      p.sample("parley_interactions", t + "," + label("state", state), static_cast<double>(n));
    p.sample("parley_interactions_submitted_total", t, static_cast<double>(c.submitted));
    p.sample("parley_interactions_stopped_total", t, static_cast<double>(c.stopped));
  }
  p.family("parley_agents", "gauge", "Logged-in agents by tenant and state.");
  for (auto& [tenant, v] : b.agents)
    for (std::size_t s = 1; s < v.size(); ++s)
      p.sample("parley_agents",
               label("tenant", tenant) + ","
                 + label("state", wire::EnumNameAgentState(static_cast<wire::AgentState>(s))),
               static_cast<double>(v[s]));
}

} // namespace

void render_metrics(const std::shared_ptr<metrics_env>& env, std::function<void(std::string)> done) {
  // A short-lived actor gathers what only actors know, then renders everything.
  env->system.spawn([env, done](caf::event_based_actor* self) {
    auto& dom = *env->domain;
    self->request(dom.bus, std::chrono::seconds{5}, state_atom_v)
      .then(
        [=](const bus_status& b) {
          gather_queue_live(self, env->domain, [=](queue_live_report r) {
            page p;
            engine_part(p, *env);
            domain_part(p, b);
            queue_part(p, r);
            done(p.text());
            self->quit();
          });
        },
        [=](caf::error&) {
          page p;
          engine_part(p, *env);  // the domain did not answer: what the engine knows
          done(p.text());
          self->quit();
        });
  });
}

} // namespace parley::engine
