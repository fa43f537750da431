// The outbound parts of /metrics: engine-wide dial and compliance counters, and the
// parley_campaign_* families, one set per configured campaign, and parley_sequence_* per
// campaign sequence (render_parts.hpp).
#include "actors/outbound/compliance.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/outbound/record_actions.hpp"
#include "engine/metrics/render_parts.hpp"

namespace parley::engine {

namespace {

using outbound::call_event;

/// The events a dial attempt ends with; `answered` only ends an abandoned call, which
/// counts as `abandoned` instead.
constexpr call_event final_events[] = {
    call_event::busy, call_event::no_answer, call_event::machine, call_event::fax,
    call_event::sit,  call_event::dropped,   call_event::hangup,  call_event::failed,
    call_event::delivered, call_event::undeliverable, call_event::opted_out};

/// Samples of a by-result family: every final event (0 included), then abandoned.
template <class Count>
void by_result(page& p, const std::string& name, const std::string& labels, Count count,
               double abandoned) {
  auto prefix = labels.empty() ? labels : labels + ",";
  for (auto e : final_events)
    p.sample(name, prefix + label("result", outbound::to_name(e)),
             static_cast<double>(count(static_cast<std::size_t>(e))));
  p.sample(name, prefix + label("result", "abandoned"), abandoned);
}

constexpr const char* campaign_states[] = {"loaded", "running", "paused", "stopped"};
constexpr const char* sequence_states[] = {"idle",    "starting", "running",
                                           "finished", "stopped", "failed"};

} // namespace

void outbound_part(page& p, const domain_metrics& m) {
  p.family("parley_dial_attempts_total", "counter",
           "Finished outbound dial attempts, by result (abandoned: answered, no agent in time).");
  by_result(
      p, "parley_dial_attempts_total", "",
      [&](std::size_t e) { return m.dial_results[e].load(std::memory_order_relaxed); },
      static_cast<double>(m.dial_abandoned.load(std::memory_order_relaxed)));
  p.single("parley_dials_total", "counter", "Outbound calls placed.",
           static_cast<double>(m.dials.load()));
  p.single("parley_dials_in_flight", "gauge", "Outbound calls dialing or connected now.",
           static_cast<double>(m.dials_in_flight.load()));
  p.single("parley_personal_callbacks_missed_total", "counter",
           "Personal callbacks their agent did not take within personal_callback_grace_ms "
           "(then dialed for any agent of the campaign).",
           static_cast<double>(m.dial_missed_personal.load()));
  p.single("parley_dials_not_placed_total", "counter",
           "Dials no gateway had a free line for: not placed, not an attempt (the record is "
           "dialed when a line frees up).",
           static_cast<double>(m.dials_not_placed.load()));
  p.single("parley_dial_gateways", "gauge",
           "External dialing gateways (dial_gateway clients) registered now.",
           static_cast<double>(m.dial_gateways.load()));
  p.single("parley_dial_gateway_lines", "gauge",
           "Lines the registered dialing gateways offer.",
           static_cast<double>(m.dial_gateway_lines.load()));
  p.single("parley_dial_gateway_lines_busy", "gauge",
           "Of those, lines with a call on them now.",
           static_cast<double>(m.dial_gateway_lines_busy.load()));
  p.single("parley_dial_gateway_calls_lost_total", "counter",
           "Calls ended as failed because their dialing gateway disconnected or never reported "
           "their end (their records are retried as the campaign's error treatment says).",
           static_cast<double>(m.dial_gateway_calls_lost.load()));
  p.family("parley_record_actions_total", "counter",
           "Agents' desktop actions on the records of their calls, by action (update, "
           "reschedule, do_not_call, processed), and timeout: records written back because "
           "RecordProcessed did not come within record_processed_timeout_ms.");
  static_assert(std::tuple_size_v<decltype(m.record_actions)> == outbound::action_names.size());
  for (std::size_t i = 0; i < m.record_actions.size(); ++i)
    p.sample("parley_record_actions_total", label("action", outbound::action_names[i]),
             static_cast<double>(m.record_actions[i].load(std::memory_order_relaxed)));
  p.family("parley_compliance_decisions_total", "counter",
           "Pre-dial compliance decisions, by decision (allowed or the denial reason).");
  for (std::size_t r = 0; r < m.compliance.size(); ++r)
    p.sample("parley_compliance_decisions_total",
             label("decision", outbound::to_name(static_cast<outbound::deny_reason>(r))),
             static_cast<double>(m.compliance[r].load(std::memory_order_relaxed)));
}

void campaign_part(page& p, const domain_handles& dom, const campaign_answers& got) {
  // Labels per campaign: its name, and its tenant (the tenant of its queue).
  std::vector<std::pair<std::string, const outbound::campaign_view*>> all;
  for (auto& [name, v] : got.views) {
    auto* c = dom.cfg->outbound.find(name);
    all.emplace_back(label("campaign", name) + "," + label("tenant", c ? c->tenant : "default"),
                     &v);
  }
  auto gauge = [&](const char* name, const char* type, const char* help, auto value) {
    p.family(name, type, help);
    for (auto& [labels, v] : all)
      p.sample(name, labels, static_cast<double>(value(*v)));
  };
  p.family(
      "parley_campaign_state", "gauge",
      "1 for the state a campaign is in (loaded, running, paused, stopped), 0 for the others.");
  for (auto& [labels, v] : all)
    for (auto* s : campaign_states)
      p.sample("parley_campaign_state", labels + "," + label("state", s), v->state == s ? 1 : 0);
  gauge("parley_campaign_agents", "gauge",
        "Agents working the campaign's queue: ready, free or on a call.",
        [](auto& v) { return v.agents; });
  gauge("parley_campaign_agents_ready", "gauge", "Agents available for the campaign's queue now.",
        [](auto& v) { return v.ready_agents; });
  gauge("parley_campaign_dials_in_flight", "gauge",
        "The campaign's calls dialing or connected now.", [](auto& v) { return v.in_flight; });
  gauge("parley_campaign_records_buffered", "gauge",
        "Records the campaign leased and has not dialed yet (previewed ones included).",
        [](auto& v) { return v.buffered; });
  gauge("parley_campaign_dials_total", "counter", "Calls the campaign placed.",
        [](auto& v) { return v.dialed; });
  gauge("parley_campaign_denied_total", "counter", "The campaign's records refused by compliance.",
        [](auto& v) { return v.denied; });
  gauge("parley_campaign_abandon_rate_percent", "gauge",
        "Abandoned per 100 answered calls over the campaign's abandon_window_days (its "
        "compliance cap is max_abandon_rate).",
        [](auto& v) { return v.abandon_rate * 100; });
  p.family(
      "parley_campaign_dial_attempts_total", "counter",
      "The campaign's finished dial attempts, by result (abandoned: answered, no agent in time).");
  for (auto& [labels, v] : all)
    by_result(
        p, "parley_campaign_dial_attempts_total", labels,
        [v = v](std::size_t e) { return e < v->results.size() ? v->results[e] : 0; },
        static_cast<double>(v->abandoned));
}

void sequence_part(page& p, const sequence_answers& got) {
  if (got.views.empty())
    return;
  p.family("parley_sequence_state", "gauge",
           "1 for the state a campaign sequence is in (idle, starting, running, finished, "
           "stopped, failed), 0 for the others.");
  for (auto& [name, v] : got.views)
    for (auto* s : sequence_states)
      p.sample("parley_sequence_state", label("sequence", name) + "," + label("state", s),
               v.state == s ? 1 : 0);
  p.family("parley_sequence_step", "gauge",
           "The step a campaign sequence runs (or ran last), from 1; 0 before its first start.");
  for (auto& [name, v] : got.views)
    p.sample("parley_sequence_step", label("sequence", name), v.step);
}

} // namespace parley::engine
