// [[campaigns]], [[schedule]] and [[sequences]]: reading and checking the outbound entries of
// a config.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "engine/config_entries.hpp"
#include "actors/outbound/cron.hpp"
#include "actors/outbound/list_import.hpp"
#include "actors/outbound/messages.hpp"
#include "actors/outbound/record_fields.hpp"

namespace parley::engine::config_detail {

namespace {

/// "HH:MM-HH:MM" into a calling window; "" or why not.
std::string parse_window(const std::string& text, outbound::calling_window& w) {
  auto dash = text.find('-');
  if (dash == std::string::npos)
    return "\"" + text + "\" is not a window (\"08:00-21:00\")";
  if (auto why = outbound::parse_day_seconds(text.substr(0, dash), w.from_s); !why.empty())
    return why;
  if (auto why = outbound::parse_day_seconds(text.substr(dash + 1), w.till_s); !why.empty())
    return why;
  if (w.from_s >= w.till_s)
    return "\"" + text + "\" is empty (from must be before till)";
  return {};
}

/// Treatments a campaign gets when it configures none (docs/outbound.md).
std::vector<treatment> default_treatments() {
  using storage::call_result;
  using enum treatment_action;
  auto t = [](call_result r, treatment_action action, int after_min, std::uint32_t max) {
    return treatment{static_cast<std::uint8_t>(r), action, std::chrono::minutes{after_min}, max};
  };
  return {t(call_result::busy, retry, 5, 5),
          t(call_result::no_answer, retry, 60, 5),
          t(call_result::answering_machine, retry, 120, 3),
          t(call_result::error, retry, 15, 5),
          t(call_result::fax, next, 0, 0),
          t(call_result::sit, next, 0, 0),
          treatment{abandoned_result, retry, std::chrono::minutes{30}, 5},
          t(call_result::answer, final, 0, 0),
          t(call_result::delivered, final, 0, 0),
          t(call_result::undeliverable, next, 0, 0),
          t(call_result::opted_out, final, 0, 0)};
}

const char* order_word(storage::lease_order o) {
  switch (o) {
    case storage::lease_order::schedule: return "schedule";
    case storage::lease_order::fewest_attempts: return "fewest_attempts";
    case storage::lease_order::list: return "list";
  }
  return "?";
}

} // namespace

void read_campaign(entry_reader& r, const toml::node& item) {
  auto& v = r.v;
  campaign_config c;
  r.text("name", c.name, true);
  r.text("tenant", c.tenant);
  r.strings("lists", c.lists);
  r.choice("mode", c.mode, {dial_mode::preview, dial_mode::progressive, dial_mode::predictive},
           outbound::to_name);
  r.text("queue", c.queue);
  r.text("media", c.media);
  r.text("message", c.message);
  r.text("subject", c.subject);
  r.real("messages_per_second", c.messages_per_second, 0.1, 10'000.0);
  const bool message = outbound::is_message_media(c.media);
  if (message && c.message.empty())
    v.fail(item, r.name + ".message", "an " + c.media + " campaign needs the message it sends");
  if (!message && !c.message.empty())
    v.fail(item, r.name + ".message", "only sms and email campaigns send a message");
  if (c.media == "email" && c.subject.empty())
    v.fail(item, r.name + ".subject", "an email campaign needs a subject");
  if (!message && c.queue.empty())
    v.fail(item, r.name + ".queue", "required: the queue whose agents take the calls");
  c.rules.media = c.media;
  r.text("caller_id", c.caller_id);
  if (!c.caller_id.empty()) {
    std::string normal;
    auto why = c.media == "email" ? outbound::parse_email(c.caller_id, normal)
                                  : outbound::parse_phone(c.caller_id, "", normal);
    if (!why.empty())
      v.fail(item, r.name + ".caller_id", why);
    c.caller_id = normal;
  }
  r.real("lines_per_agent", c.lines_per_agent, 1.0, 20.0);
  r.real("target_abandon", c.target_abandon, 0.001, 0.5);
  r.real("max_abandon_rate", c.rules.max_abandon_rate, 0.001, 1.0);
  r.duration("abandon_after_ms", c.abandon_after);
  std::int64_t days = 30;
  r.number("abandon_window_days", days, 1, 366);
  c.abandon_window = std::chrono::minutes{days * 24 * 60};
  r.number("lease_chunk", c.lease_chunk, 1, 100'000);
  r.choice("order", c.order,
           {storage::lease_order::schedule, storage::lease_order::fewest_attempts,
            storage::lease_order::list},
           order_word);
  r.number("max_in_flight", c.max_in_flight, 0, 1'000'000);
  r.duration("preview_timeout_ms", c.preview_timeout);
  r.duration("personal_callback_grace_ms", c.personal_grace);
  r.choice("answering_machine", c.answering_machine,
           {machine_policy::drop, machine_policy::agent, machine_policy::no_answer},
           +[](machine_policy p) -> const char* { return to_string(p); });
  r.strings("dispositions", c.dispositions);
  r.duration("record_processed_timeout_ms", c.record_processed_timeout);
  std::string window;
  r.text("window", window);
  if (!window.empty())
    if (auto why = parse_window(window, c.rules.window); !why.empty())
      v.fail(item, r.name + ".window", why);
  r.number("max_record_attempts", c.rules.max_record_attempts, 0, 1000);
  r.number("max_customer_attempts", c.rules.max_customer_attempts, 0, 1000);
  std::int64_t rp = 24, cp = 24;
  r.number("record_period_h", rp, 1, 24 * 366);
  r.number("customer_period_h", cp, 1, 24 * 366);
  c.rules.record_period = std::chrono::hours{rp};
  c.rules.customer_period = std::chrono::hours{cp};
  r.flag("autostart", c.autostart);
  r.known.push_back("treatments");
  c.treatments = default_treatments();
  if (auto* n = r.t.get("treatments")) {
    auto* arr = n->as_array();
    if (!arr || !arr->is_homogeneous(toml::node_type::table)) {
      v.fail(*n, r.name + ".treatments", "must be an array of tables");
    } else {
      std::size_t i = 0;
      for (auto& x : *arr) {
        entry_reader tr{v, *x.as_table(), r.name + ".treatments[" + std::to_string(i++) + "]",
                        "campaigns.treatments"};
        treatment t;
        std::string result;
        tr.text("result", result, true);
        tr.choice("action", t.action,
                  {treatment_action::retry, treatment_action::next, treatment_action::final},
                  parley::to_string);
        std::int64_t after = 0;
        tr.number("after_min", after, 0, 366 * 24 * 60);
        t.after = std::chrono::minutes{after};
        tr.number("max_attempts", t.max_attempts, 0, 1000);
        tr.finish();
        if (result == "abandoned")
          t.result = abandoned_result;
        else if (auto why = outbound::parse_call_result(result, t.result); !why.empty())
          v.fail(x, tr.name + ".result", why + " (or \"abandoned\")");
        std::erase_if(c.treatments, [&](const treatment& o) { return o.result == t.result; });
        c.treatments.push_back(t);
      }
    }
  }
  r.finish();
  if (c.lists.empty())
    v.fail(item, r.name, "needs lists (contact list names)");
  for (std::size_t i = 0; i < c.dispositions.size(); ++i) {
    auto& d = c.dispositions[i];
    if (d.empty() || d.size() > 64)
      v.fail(item, r.name + ".dispositions", "a disposition is 1 to 64 characters");
    else if (std::find(c.dispositions.begin(), c.dispositions.begin() + i, d) != c.dispositions.begin() + i)
      v.fail(item, r.name + ".dispositions", "\"" + d + "\" is listed twice");
  }
  auto& o = v.cfg.domain.outbound;
  if (o.find(c.name))
    v.fail(item, r.name, "a campaign named \"" + c.name + "\" exists already");
  o.campaigns.push_back(std::move(c));
}

void read_schedule(entry_reader& r, const toml::node& item) {
  schedule_entry e;
  r.text("cron", e.cron, true);
  r.text("zone", e.zone);
  bool known_action = r.choice(
    "action", e.action,
    {schedule_action::start, schedule_action::stop, schedule_action::pause,
     schedule_action::resume, schedule_action::import, schedule_action::retention},
    parley::to_string, true);
  r.text("campaign", e.campaign);
  r.text("sequence", e.sequence);
  r.text("list", e.list);
  r.text("file", e.file);
  r.text("mapping", e.mapping);
  r.flag("dedupe", e.dedupe);
  r.finish();
  try {
    outbound::cron_schedule::parse(e.cron, e.zone);
  } catch (const std::exception& ex) {
    r.v.fail(item, r.name + ".cron", ex.what());
  }
  bool is_import = known_action && e.action == schedule_action::import;
  if (known_action && e.action == schedule_action::retention) {
    if (!e.campaign.empty() || !e.sequence.empty() || !e.list.empty() || !e.file.empty() || !e.mapping.empty()
        || e.dedupe)
      r.v.fail(item, r.name, "retention takes cron and zone only (what it keeps: reporting.*_days)");
  } else if (known_action && !is_import && e.dedupe) {
    r.v.fail(item, r.name + ".dedupe", "only an import dedupes");
  } else if (is_import && (e.list.empty() || e.file.empty())) {
    r.v.fail(item, r.name, "an import needs list and file");
  } else if (is_import) {
    try {
      outbound::parse_mapping(e.mapping);
    } catch (const std::invalid_argument& ex) {
      r.v.fail(item, r.name + ".mapping", ex.what());
    }
  } else if (known_action && !e.sequence.empty()) {
    if (!e.campaign.empty())
      r.v.fail(item, r.name, "campaign or sequence, not both");
    else if (e.action != schedule_action::start && e.action != schedule_action::stop)
      r.v.fail(item, r.name + ".action", "a sequence only starts and stops");
  } else if (known_action && e.campaign.empty()) {
    r.v.fail(item, r.name, "a campaign action needs campaign (or sequence)");
  }
  r.v.cfg.domain.outbound.schedule.push_back(std::move(e));
}

void read_sequence(entry_reader& r, const toml::node& item) {
  auto& v = r.v;
  sequence_config q;
  r.text("name", q.name, true);
  r.text("zone", q.zone);
  auto zone_problem = outbound::parse_zone(q.zone, q.zone);
  if (!zone_problem.empty())
    v.fail(item, r.name + ".zone", zone_problem);
  r.flag("autostart", q.autostart);
  r.known.push_back("steps");
  auto* n = r.t.get("steps");
  if (!n) {
    v.fail(item, r.name, "needs steps");
  } else if (auto* arr = n->as_array(); !arr || !arr->is_homogeneous(toml::node_type::table)
                                       || arr->empty()) {
    v.fail(*n, r.name + ".steps", "must be a non-empty array of tables");
  } else {
    std::size_t i = 0;
    for (auto& x : *arr) {
      entry_reader sr{v, *x.as_table(), r.name + ".steps[" + std::to_string(i++) + "]",
                      "sequences.steps"};
      sequence_step s;
      sr.text("campaign", s.campaign, true);
      sr.choice("until", s.until, {step_until::exhausted, step_until::idle, step_until::time},
                parley::to_string);
      sr.text("until_time", s.until_time);
      sr.finish();
      if (!s.until_time.empty() && zone_problem.empty()) {
        try {
          outbound::cron_schedule::parse(s.until_time, q.zone);
        } catch (const std::exception& ex) {
          v.fail(x, sr.name + ".until_time", ex.what());
        }
      } else if (s.until == step_until::time) {
        v.fail(x, sr.name, "until = \"time\" needs until_time");
      }
      q.steps.push_back(std::move(s));
    }
  }
  r.finish();
  auto& o = v.cfg.domain.outbound;
  if (o.find_sequence(q.name))
    v.fail(item, r.name, "a sequence named \"" + q.name + "\" exists already");
  o.sequences.push_back(std::move(q));
}

/// Retention's days, and its [[schedule]] entry: reporting.retention_cron's when none is
/// configured (the event log must not grow forever because nobody wrote an entry).
void check_retention(validator& v, const std::string& name) {
  auto& r = v.cfg.reporting;
  if (r.aggregates_days != 0 && (r.facts_days == 0 || r.aggregates_days < r.facts_days))
    v.problems.push_back({~0u, name + ": reporting.aggregates_days = " + std::to_string(r.aggregates_days)
                                 + " keeps aggregates for less time than their facts (reporting.facts_days = "
                                 + std::to_string(r.facts_days) + "; 0 is forever)"});
  auto& schedule = v.cfg.domain.outbound.schedule;
  bool scheduled = std::any_of(schedule.begin(), schedule.end(),
                               [](auto& e) { return e.action == schedule_action::retention; });
  if (scheduled || r.retention_cron.empty())
    return;
  try {
    outbound::cron_schedule::parse(r.retention_cron, r.retention_zone);
  } catch (const std::exception& ex) {
    v.problems.push_back({~0u, name + ": reporting.retention_cron: " + ex.what()});
    return;
  }
  schedule_entry e;
  e.cron = r.retention_cron;
  e.zone = r.retention_zone;
  e.action = schedule_action::retention;
  schedule.push_back(std::move(e));
}

void check_outbound(validator& v, const std::string& name) {
  check_retention(v, name);
  auto& d = v.cfg.domain;
  auto& g = d.outbound.gateway;
  if (g.answer + g.busy + g.no_answer + g.machine + g.fax + g.sit + g.dropped <= 0)
    v.problems.push_back({~0u, name + ": outbound.gateway: the call outcome shares add up to 0"});
  if (g.delivered + g.undeliverable + g.opted_out <= 0)
    v.problems.push_back({~0u, name + ": outbound.gateway: the message outcome shares "
                                      "(delivered, undeliverable, opted_out) add up to 0"});
  for (auto& c : d.outbound.campaigns) {
    if (outbound::is_message_media(c.media) && c.queue.empty())
      continue;  // a message campaign without agents: its own tenant, no routing media
    auto* q = d.find_queue(c.queue);
    if (!q)
      v.problems.push_back({~0u, name + ": campaigns: \"" + c.name + "\" dials for queue \"" + c.queue
                                   + "\", which is not configured"});
    else
      c.tenant = q->tenant;
    if (!outbound::is_message_media(c.media) && !d.knows_media(c.media))
      v.problems.push_back({~0u, name + ": campaigns: \"" + c.name + "\" uses media \"" + c.media
                                   + "\", which is not in routing.media"});
  }
  for (auto& e : d.outbound.schedule) {
    if (!e.campaign.empty() && !d.outbound.find(e.campaign))
      v.problems.push_back({~0u, name + ": schedule: no campaign named \"" + e.campaign + "\""});
    if (!e.sequence.empty() && !d.outbound.find_sequence(e.sequence))
      v.problems.push_back({~0u, name + ": schedule: no sequence named \"" + e.sequence + "\""});
  }
  // A campaign is one step of one sequence at most: the sequence that runs it stops it.
  std::map<std::string, std::string> step_of;
  for (auto& q : d.outbound.sequences)
    for (std::size_t i = 0; i < q.steps.size(); ++i) {
      auto& c = q.steps[i].campaign;
      auto where = "sequence \"" + q.name + "\" step " + std::to_string(i + 1);
      auto* cc = d.outbound.find(c);
      if (!cc)
        v.problems.push_back({~0u, name + ": sequences: " + where + ": no campaign named \"" + c + "\""});
      else if (cc->autostart)
        v.problems.push_back({~0u, name + ": sequences: " + where + ": campaign \"" + c
                                     + "\" has autostart; its sequence starts it"});
      if (auto [it, fresh] = step_of.emplace(c, where); !fresh)
        v.problems.push_back({~0u, name + ": sequences: " + where + ": campaign \"" + c
                                     + "\" is " + it->second + " already"});
    }
}

} // namespace parley::engine::config_detail
