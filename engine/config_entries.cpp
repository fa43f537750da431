// config_entries: the arrays of tables of a config — reading [[queues]] and
// [[agent_groups]] (config_outbound.cpp reads [[campaigns]], [[schedule]] and [[sequences]]), the checks
// between entries, and entry_tables(): every entry key with its default and meaning, for
// --config-keys. Each reader is checked against its table as it reads (entry_reader::finish),
// so a key cannot be read without being described, nor described without being read.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "engine/config_entries.hpp"

namespace parley::engine::config_detail {

namespace {

std::string in_quotes(const std::string& s) {
  return '"' + s + '"';
}

std::string real(double x) {
  std::ostringstream o;
  o << x;
  auto s = o.str();
  return s.find_first_of(".e") == std::string::npos ? s + ".0" : s;
}

template <class Rep, class Period> std::string count(std::chrono::duration<Rep, Period> d) {
  return std::to_string(d.count());
}

std::string window(const outbound::calling_window& w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"%02d:%02d-%02d:%02d\"", w.from_s / 3600, w.from_s / 60 % 60,
                w.till_s / 3600, w.till_s / 60 % 60);
  return buf;
}

std::vector<entry_table> make_entry_tables() {
  const std::string required = "(required)";
  queue_config q;
  agent_group_config g;
  campaign_config c;
  treatment t;
  schedule_entry e;
  sequence_config sq;
  sequence_step step;
  return {
      {"queues",
       "one table per queue; every interaction waits in one, and each has a virtual queue of its "
       "name (7122)",
       {{"name", required, "unique queue name"},
        {"tenant", in_quotes(q.tenant), "the tenant it belongs to; a tenant has its own router"},
        {"skills", "{}", "an agent needs every skill at this level or higher, e.g. { sales = 5 }"},
        {"max_size", std::to_string(q.max_size),
         "waiting interactions; a submit or transfer into a full queue gets limit_exceeded"},
        {"overflow_after_ms", count(q.overflow_after),
         "after waiting this long an interaction moves to overflow_to; 0 = never"},
        {"overflow_to", in_quotes(q.overflow_to), "another queue of the same tenant"},
        {"service_level_s", std::to_string(q.service_level_s),
         "T of the service level operators see (console show queues, /metrics): answered "
         "within T seconds, since the day's statistics reset"},
        {"router", in_quotes(q.router),
         "\"builtin\" (a router client may take it over: RegisterRouter), or \"stream\": "
         "routed by external routers over Redis Streams (needs redis.host)"}}},
      {"agent_groups",
       "one table per group; an agent logs in with the first group whose members match its id",
       {{"name", required, "group name"},
        {"tenant", in_quotes(g.tenant), "the tenant its agents route for"},
        {"members", required, "agent ids; \"*\" = anyone, \"team-*\" = ids starting with team-"},
        {"skills", "{}", "skill levels, e.g. { sales = 7, support = 3 }"},
        {"capacity", "{}", "interactions at once per media, e.g. { voice = 1, chat = 3 }"},
        {"wrap_up_ms", count(g.wrap_up),
         "after-call work once the agent's last interaction leaves; 0 = none"}}},
      {"campaigns",
       "one table per outbound campaign (docs/outbound.md)",
       {{"name", required, "the campaign's name (console: campaign start NAME)"},
        {"tenant", "(its queue's)", "a campaign belongs to its queue's tenant; an sms or email campaign without a queue to this one"},
        {"lists", required, "contact lists it dials, taken in turn"},
        {"mode", in_quotes(outbound::to_name(c.mode)),
         "\"preview\", \"progressive\" or \"predictive\""},
        {"queue", "(required for calls)",
         "agents eligible for this queue take its calls; answered calls wait here"},
        {"media", in_quotes(c.media), "media of the interactions answered calls become; \"sms\" or \"email\": a campaign that sends messages"},
        {"caller_id", in_quotes(c.caller_id), "the number its calls present (E.164; \"\": the trunk's); email: the sender address"},
        {"message", in_quotes(c.message), "sms, email: the message, {field}s from the record"},
        {"subject", in_quotes(c.subject), "email: the subject, {field}s from the record"},
        {"messages_per_second", real(c.messages_per_second), "sms, email: sending rate"},
        {"lines_per_agent", real(c.lines_per_agent),
         "predictive: the most lines in flight per logged-in agent"},
        {"target_abandon", real(c.target_abandon),
         "predictive pacing keeps the abandon rate under this"},
        {"max_abandon_rate", real(c.rules.max_abandon_rate),
         "compliance cap over abandon_window_days; above it predictive falls back to calls that "
         "hold an agent"},
        {"abandon_after_ms", count(c.abandon_after),
         "an answered call must reach an agent within this, else it is abandoned"},
        {"abandon_window_days", std::to_string(c.abandon_window.count() / (24 * 60)),
         "the window of the abandon-rate cap"},
        {"lease_chunk", std::to_string(c.lease_chunk), "records leased from storage at a time"},
        {"order", "\"schedule\"",
         "which due records first: \"schedule\", \"fewest_attempts\" or \"list\""},
        {"max_in_flight", std::to_string(c.max_in_flight),
         "calls dialing at once at most; 0 = no cap"},
        {"preview_timeout_ms", count(c.preview_timeout),
         "a previewed record nobody decides on goes back to its list"},
        {"answering_machine", in_quotes(to_string(c.answering_machine)),
         "a call a machine answered: \"drop\" (hang up), \"agent\" (an agent leaves a message; "
         "never abandoned) or \"no_answer\" (hang up, treated as no answer)"},
        {"personal_callback_grace_ms", count(c.personal_grace),
         "a personal callback its agent has not taken this long after it was due becomes a "
         "campaign callback (any agent)"},
        {"dispositions", "[]",
         "what an agent's desktop may set as a call's disposition (RecordUpdate)"},
        {"record_processed_timeout_ms", count(c.record_processed_timeout),
         "0: a connected call's record is written back when the call ends; else it waits for "
         "the desktop's RecordProcessed this long at most after the call"},
        {"window", window(c.rules.window), "daily calling window in each contact's own time zone"},
        {"max_record_attempts", std::to_string(c.rules.max_record_attempts),
         "attempts per record within record_period_h; 0 = no cap"},
        {"max_customer_attempts", std::to_string(c.rules.max_customer_attempts),
         "attempts per customer id within customer_period_h; 0 = no cap"},
        {"record_period_h", count(c.rules.record_period),
         "the period of max_record_attempts (hours)"},
        {"customer_period_h", count(c.rules.customer_period),
         "the period of max_customer_attempts (hours)"},
        {"autostart", c.autostart ? "true" : "false", "start with the engine"},
        {"treatments", "(see docs/outbound.md)",
         "what a call result does to its record: [{ result, action, after_min, max_attempts }, "
         "...]"}}},
      {"campaigns.treatments",
       "one per call result, inside a campaign; replaces that result's default treatment",
       {{"result", required,
         "a call result name (busy, no_answer, answering_machine, ...) or \"abandoned\""},
        {"action", in_quotes(to_string(t.action)),
         "\"retry\" the number later, go on with the \"next\" of its chain, or \"final\""},
        {"after_min", count(t.after), "retry: not before this many minutes"},
        {"max_attempts", std::to_string(t.max_attempts),
         "retry: the record's attempts cap (then final)"}}},
      {"schedule",
       "timed jobs: cron-like campaign control and list imports on the domain clock",
       {{"cron", required, "\"m h dom mon dow\", names, ranges, steps or @daily ..."},
        {"zone", in_quotes(e.zone), "IANA time zone of the cron expression"},
        {"action", required,
         "\"start\", \"stop\", \"pause\", \"resume\" (with campaign) or \"import\" (with list and "
         "file)"},
        {"campaign", in_quotes(e.campaign), "the campaign a start/stop/pause/resume controls"},
        {"sequence", in_quotes(e.sequence),
         "or the campaign sequence a start (at its first step) or stop controls"},
        {"list", in_quotes(e.list), "import: into this contact list"},
        {"file", in_quotes(e.file),
         "import: this file in outbound.import_dir (renamed once imported)"},
        {"mapping", in_quotes(e.mapping), "import: column mapping as in the console's list import"},
        {"dedupe", e.dedupe ? "true" : "false",
         "import: as list import --dedupe, rows whose phone the list has are skipped"}}},
      {"sequences",
       "campaign sequences: campaigns run one after another (docs/outbound.md)",
       {{"name", required, "the sequence's name (console: sequence start NAME)"},
        {"zone", in_quotes(sq.zone), "IANA time zone of the steps' until_time"},
        {"autostart", sq.autostart ? "true" : "false", "start at its first step with the engine"},
        {"steps", required,
         "[{ campaign, until, until_time }, ...]: each step's campaign runs until the next "
         "takes over"}}},
      {"sequences.steps",
       "one per step, inside a sequence, in order; a campaign is in one step of one sequence "
       "at most",
       {{"campaign", required, "the campaign this step runs"},
        {"until", in_quotes(to_string(step.until)),
         "the next step takes over when: \"exhausted\" (nothing left to dial, now or later), "
         "\"idle\" (nothing due now) or \"time\" (only at until_time)"},
        {"until_time", in_quotes(step.until_time),
         "cron in the sequence's zone: the next step takes over then at the latest"}}},
  };
}

} // namespace

const std::vector<entry_table>& entry_tables() {
  static const auto all = make_entry_tables();
  return all;
}

const entry_table* find_entry_table(const std::string& name) {
  for (auto& t : entry_tables())
    if (t.name == name)
      return &t;
  return nullptr;
}

void entry_reader::finish() {
  for (auto&& [k, x] : t)
    if (std::find(known.begin(), known.end(), std::string{k.str()}) == known.end())
      v.fail(x, name + "." + std::string{k.str()}, "unknown key");
  std::vector<std::string> described;
  if (auto* d = find_entry_table(table))
    for (auto& k : d->keys)
      described.push_back(k.key);
  auto read = known;
  std::sort(read.begin(), read.end());
  read.erase(std::unique(read.begin(), read.end()), read.end());
  std::sort(described.begin(), described.end());
  if (read != described)
    v.problems.push_back(
        {~0u, "bug: the keys read from [[" + table
                  + "]] differ from those --config-keys describes (config_entries.cpp)"});
}

void validator::entries(const toml::node& n, const std::string& key) {
  auto* arr = n.as_array();
  if (!arr || !arr->is_homogeneous(toml::node_type::table)) {
    fail(n, key, "must be an array of tables ([[" + key + "]])");
    return;
  }
  auto& d = cfg.domain;
  std::size_t i = 0;
  for (auto& item : *arr) {
    entry_reader r{*this, *item.as_table(), key + "[" + std::to_string(i++) + "]", key};
    if (key == "queues") {
      queue_config q;
      r.text("name", q.name, true);
      r.text("tenant", q.tenant);
      r.levels("skills", q.skills, 0, 100);
      r.number("max_size", q.max_size, 1, 100'000'000);
      r.duration("overflow_after_ms", q.overflow_after);
      r.text("overflow_to", q.overflow_to);
      r.number("service_level_s", q.service_level_s, 1, 86'400);
      r.text("router", q.router);
      r.finish();
      if (q.router != "builtin" && q.router != "stream")
        fail(item, r.name, "router must be \"builtin\" or \"stream\", not \"" + q.router + "\"");
      if (d.find_queue(q.name))
        fail(item, r.name, "a queue named \"" + q.name + "\" exists already");
      d.queues.push_back(std::move(q));
    } else if (key == "campaigns") {
      read_campaign(r, item);
    } else if (key == "schedule") {
      read_schedule(r, item);
    } else if (key == "sequences") {
      read_sequence(r, item);
    } else {
      agent_group_config g;
      r.text("name", g.name, true);
      r.text("tenant", g.tenant);
      r.strings("members", g.members);
      r.levels("skills", g.skills, 0, 100);
      r.levels("capacity", g.capacity, 0, 1000);
      r.duration("wrap_up_ms", g.wrap_up);
      r.finish();
      if (g.members.empty())
        fail(item, r.name, "needs members (agent ids, \"*\" or \"prefix-*\")");
      d.groups.push_back(std::move(g));
    }
  }
}

void check_domain(validator& v, const std::string& name) {
  auto& d = v.cfg.domain;
  for (auto& q : d.queues) {
    if (q.overflow_to.empty())
      continue;
    auto* to = d.find_queue(q.overflow_to);
    if (!to || to == &q || to->tenant != q.tenant)
      v.problems.push_back({~0u, name + ": queues: \"" + q.name + "\" overflows to \""
                                     + q.overflow_to
                                     + "\", which is not another queue of its tenant"});
    else if (q.overflow_after.count() == 0)
      v.problems.push_back(
          {~0u, name + ": queues: \"" + q.name + "\" has overflow_to but no overflow_after_ms"});
  }
  check_outbound(v, name);
  for (auto& g : d.groups)
    for (auto& [media, cap] : g.capacity)
      if (!d.knows_media(media))
        v.problems.push_back({~0u, name + ": agent_groups: \"" + g.name + "\" has capacity for \""
                                       + media + "\", which is not in routing.media"});
}

} // namespace parley::engine::config_detail
