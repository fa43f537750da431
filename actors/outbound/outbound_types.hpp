// outbound_types: how the outbound rows and views travel in CAF messages (inspect functions)
// and the views campaigns answer with. Local messages only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "actors/outbound/compliance.hpp"
#include "storage/outbound_rows.hpp"

namespace parley::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_row& x) {
  return f(caf::meta::type_name("record_row"), x.id, x.list_id, x.phone, x.contact_info_type,
           x.record_type, x.record_status, x.call_result, x.attempts, x.dial_sched_ms,
           x.call_time_ms, x.daily_from_s, x.daily_till_s, x.tz, x.chain_id, x.chain_n,
           x.customer_id, x.custom, x.agent, x.disposition);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_action_row& x) {
  return f(caf::meta::type_name("record_action_row"), x.time_ms, x.campaign, x.list_id,
           x.record_id, x.agent, x.action, x.detail);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_row& x) {
  return f(caf::meta::type_name("attempt_row"), x.record_id, x.list_id, x.chain_id, x.customer_id,
           x.phone, x.campaign, x.started_ms, x.call_result, x.answered_ms, x.connected_ms,
           x.ended_ms, x.abandoned, x.agent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, answer_hour& x) {
  return f(caf::meta::type_name("answer_hour"), x.hour, x.answered, x.abandoned);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_audit& x) {
  return f(caf::meta::type_name("attempt_audit"), x.attempts, x.answered, x.abandoned,
           x.connected, x.connected_in_2s);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_remaining& x) {
  return f(caf::meta::type_name("list_remaining"), x.due_now, x.later);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, denial_row& x) {
  return f(caf::meta::type_name("denial_row"), x.time_ms, x.campaign, x.list_id, x.record_id,
           x.phone, x.customer_id, x.reason, x.detail);
}

} // namespace parley::storage

namespace parley::outbound {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, calling_window& x) {
  return f(caf::meta::type_name("calling_window"), x.from_s, x.till_s);
}

/// Local messages only: the cap periods (std::chrono::hours) are not inspected.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, compliance_rules& x) {
  return f(caf::meta::type_name("compliance_rules"), x.window, x.max_record_attempts,
           x.max_customer_attempts, x.max_abandon_rate);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, abandon_stats& x) {
  return f(caf::meta::type_name("abandon_stats"), x.answered, x.abandoned);
}

/// One pre-dial decision as the compliance actor answers it.
struct verdict {
  std::uint8_t reason = 0;  ///< deny_reason (0: allowed)
  std::string detail;
  std::int64_t retry_ms = 0;  ///< outside_window: when the window opens next
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, verdict& x) {
  return f(caf::meta::type_name("verdict"), x.reason, x.detail, x.retry_ms);
}

/// A campaign as the console and clients see it.
struct campaign_view {
  std::string name;
  std::string mode;       ///< preview, progressive, predictive
  std::string state;      ///< loaded, running, paused, stopped
  std::string queue;
  std::vector<std::string> lists;
  std::uint32_t ready_agents = 0;   ///< available for its queue now
  std::uint32_t agents = 0;         ///< working its queue: ready, free or on a call
  std::uint32_t in_flight = 0;      ///< calls dialing or connected
  std::uint32_t buffered = 0;       ///< leased records not dialed yet
  std::uint64_t dialed = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t denied = 0;
  /// Finished attempts by final call_event (index); abandoned ones count in `abandoned`.
  std::vector<std::uint64_t> results;
  std::uint64_t exhausted_lists = 0;  ///< lists with nothing due at the last lease
  double abandon_rate = 0;            ///< over its compliance window
  double answer_rate = 0;             ///< pacing's estimate
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, campaign_view& x) {
  return f(caf::meta::type_name("campaign_view"), x.name, x.mode, x.state, x.queue, x.lists,
           x.ready_agents, x.agents, x.in_flight, x.buffered, x.dialed, x.answered, x.abandoned,
           x.denied, x.results, x.exhausted_lists, x.abandon_rate, x.answer_rate);
}

/// What a campaign has left to dial (a campaign sequence asks it, to know when its step is
/// over): anything held or under way (leases, buffered, previewed, reserving, calls), and
/// whether its lists have records due now or later (storage::list_remaining).
struct campaign_progress {
  std::string state;     ///< loaded, running, paused, stopped
  bool in_hand = false;  ///< leased, buffered or held records, or calls under way
  bool due_now = false;  ///< a list has a record due now
  bool later = false;    ///< a list has a record due later

  bool idle() const { return !in_hand && !due_now; }
  bool exhausted() const { return idle() && !later; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, campaign_progress& x) {
  return f(caf::meta::type_name("campaign_progress"), x.state, x.in_hand, x.due_now, x.later);
}

/// A campaign sequence as the console and clients see it.
struct sequence_view {
  std::string name;
  std::string state;           ///< idle, running, finished, stopped, failed
  std::uint32_t step = 0;      ///< the step running (or last run), 1-based; 0: none yet
  std::uint32_t steps = 0;
  std::string campaign;        ///< that step's campaign
  std::string until;           ///< that step hands over when: exhausted, idle, time
  std::int64_t since_ms = 0;   ///< that step started
  std::int64_t until_ms = 0;   ///< its until_time's next firing (0: none)
  std::string note;            ///< the last hand-over, or why it failed or stopped
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sequence_view& x) {
  return f(caf::meta::type_name("sequence_view"), x.name, x.state, x.step, x.steps, x.campaign,
           x.until, x.since_ms, x.until_ms, x.note);
}

/// A record shown to a preview agent before it is dialed.
struct preview_record {
  std::string campaign;
  std::uint64_t record_id = 0;
  std::string phone;
  std::string customer_id;
  std::vector<std::pair<std::string, std::string>> fields;  ///< the record's fields as text
  std::uint32_t timeout_ms = 0;  ///< the record goes back to its list when undecided this long
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, preview_record& x) {
  return f(caf::meta::type_name("preview_record"), x.campaign, x.record_id, x.phone,
           x.customer_id, x.fields, x.timeout_ms);
}

/// What an agent's desktop does with the record of its call (docs/outbound.md "The agent's
/// side"): the RecordUpdate, RecordReschedule, RecordDoNotCall and RecordProcessed messages.
enum class record_op : std::uint8_t { update = 0, reschedule = 1, do_not_call = 2, processed = 3 };

const char* to_name(record_op op);  ///< "update", "reschedule", "do_not_call", "processed"

struct record_request {
  std::uint8_t op = 0;       ///< record_op
  std::string agent;         ///< the agent logged in on the desktop that asks
  std::uint64_t record = 0;
  std::string disposition;   ///< update: "" keeps it
  std::vector<std::pair<std::string, std::string>> fields;  ///< update: custom fields ("" removes)
  std::string local_time;    ///< reschedule: "YYYY-MM-DDTHH:MM[:SS]" in the record's zone
  bool personal = false;     ///< reschedule: for this agent only
  std::string kind;          ///< do_not_call: "phone" (default) or "customer"
  std::string reason;        ///< do_not_call: free text for the log

  record_op what() const { return static_cast<record_op>(op); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_request& x) {
  return f(caf::meta::type_name("record_request"), x.op, x.agent, x.record, x.disposition,
           x.fields, x.local_time, x.personal, x.kind, x.reason);
}

} // namespace parley::outbound
