// outbound_rows: the outbound side's stored shapes (no CAF, no SQL): contact lists, their
// records and imports, suppression (do-not-call) entries, compliance denials and dial
// attempts.
//
// Enum columns hold the numbers below; `custom` is a JSON object as text (jsonb in
// PostgreSQL). Times are milliseconds since the epoch (UTC), 0 meaning "none"; the daily
// calling window is in seconds after the contact's local midnight (`tz`, an IANA zone).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::storage {

/// dial_sched_ms of a chained record waiting for its predecessor ("next in chain").
constexpr std::int64_t chain_waiting_ms = 253'402'300'799'000;  // 9999-12-31T23:59:59Z

/// What kind of number a record holds (the usual outbound contact info types).
enum class contact_info_type : std::uint8_t {
  none = 0, home = 1, business = 2, business_ext = 3, mobile = 4, vacation = 5, pager = 6,
  voice_mail = 7, other = 8,
};

/// Why a record is in the list — the Outbound Contact Server's record types, and what a
/// campaign does with each (docs/outbound.md "Record types"): general, campaign_rescheduled
/// and campaign_callback are dialed when due by any agent of the campaign;
/// personal_callback and personal_rescheduled only for their `agent`; no_call and unknown
/// are never leased. The numbers are stored: never renumber.
enum class record_type : std::uint8_t {
  general = 1, campaign_callback = 2, personal_callback = 3, campaign_rescheduled = 4,
  no_call = 5, personal_rescheduled = 6, unknown = 7,
};

/// A record of this type is meant for one agent (its `agent` column).
constexpr bool is_personal(std::uint8_t t) {
  return t == std::uint8_t(record_type::personal_callback)
         || t == std::uint8_t(record_type::personal_rescheduled);
}

/// The record types a lease never returns (SQL, both backends): never dialed.
constexpr const char* undialable_types = "5, 7";

/// Where a record is in its life: ready to dial, leased by a campaign (retrieved), written
/// back after a call (updated), left retrieved by a campaign that died (stale), cancelled.
enum class record_status : std::uint8_t {
  ready = 1, retrieved = 2, updated = 3, stale = 4, cancelled = 5, agent_error = 6,
  missed_callback = 7,
};

/// The order a campaign takes due records in (`[[campaigns]] order`).
enum class lease_order : std::uint8_t {
  schedule = 0,         ///< earliest due first, then list (import) order — the default
  fewest_attempts = 1,  ///< records never called (then fewest attempts) first, then by due time
  list = 2,             ///< list (import) order, whatever their due time
};

/// ORDER BY of a lease, for both SQL backends (columns of `records`).
inline const char* order_by(lease_order o) {
  switch (o) {
    case lease_order::fewest_attempts: return "attempts, dial_sched_ms, id";
    case lease_order::list: return "id";
    case lease_order::schedule: break;
  }
  return "dial_sched_ms, id";
}

/// The outcome of the last call attempt (none before the first).
enum class call_result : std::uint8_t {
  none = 0, answer = 1, busy = 2, no_answer = 3, answering_machine = 4, fax = 5, sit = 6,
  dropped = 7, cancelled = 8, wrong_party = 9, error = 10,
  // messages (media sms, email)
  delivered = 11, undeliverable = 12, opted_out = 13,
};

/// One contact list. `records` is filled by reads (the number of records it holds).
struct list_row {
  std::uint64_t id = 0;
  std::string name;
  std::int64_t created_ms = 0;
  std::uint64_t records = 0;
};

/// One import into a list: what file, and what it brought in (`list_imports`).
struct import_row {
  std::uint64_t id = 0;  ///< assigned by begin_import
  std::uint64_t list_id = 0;
  std::string sha256;    ///< of the file's bytes, lower-case hex
  std::string file;      ///< as the operator named it
  bool appended = false; ///< --append: imported although the same contents were in
  bool deduped = false;  ///< --dedupe: rows whose phone the list held were skipped
  std::uint64_t rows = 0;        ///< data rows read
  std::uint64_t imported = 0;    ///< records added (exact: counted with each chunk's commit)
  std::uint64_t rejected = 0;
  std::uint64_t duplicates = 0;  ///< rows skipped by --dedupe
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;  ///< 0 while it runs
  std::string error;             ///< "" or why it stopped early

  bool finished() const { return finished_ms != 0; }
};

/// The error recover_imports gives an import the engine stopped in the middle of.
constexpr const char* interrupted_import = "interrupted: the engine stopped during the import";

/// A saved column mapping (`list_mappings`): a name for an import's "field=Column,..." text.
struct mapping_row {
  std::string name;
  std::string mapping;
  std::int64_t changed_ms = 0;
  std::string changed_by;
};

/// What delete_list removed.
struct list_deletion {
  std::uint64_t list_id = 0;
  std::uint64_t records = 0;
  std::uint64_t imports = 0;
};

/// One number to call.
struct record_row {
  std::uint64_t id = 0;  ///< assigned by the store on insert
  std::uint64_t list_id = 0;
  std::string phone;     ///< E.164: "+" and 8..15 digits
  std::uint8_t contact_info_type = 0;
  std::uint8_t record_type = 1;    ///< general
  std::uint8_t record_status = 1;  ///< ready
  std::uint8_t call_result = 0;
  std::uint32_t attempts = 0;
  std::int64_t dial_sched_ms = 0;  ///< not before this; 0: any time
  std::int64_t call_time_ms = 0;   ///< last call; 0: never called
  std::int32_t daily_from_s = 0;   ///< local seconds after midnight, 0..86400
  std::int32_t daily_till_s = 86400;
  std::string tz;                  ///< IANA zone, e.g. "America/New_York"
  std::uint64_t chain_id = 0;      ///< records of one customer share a chain (0: none)
  std::uint32_t chain_n = 0;       ///< position in the chain
  std::string customer_id;
  std::string custom = "{}";       ///< JSON object of free fields
  std::string agent;               ///< personal callbacks: the agent they are for ("" none)
  std::string disposition;         ///< what the agent said the last call was ("" none)
};

/// A do-not-call entry: kind "phone" (an E.164 number) or "customer" (a customer id).
struct suppression_row {
  std::string kind;
  std::string value;
  std::int64_t added_ms = 0;
};

/// A pre-dial check that said no, kept for the record.
struct denial_row {
  std::int64_t time_ms = 0;
  std::string campaign;
  std::uint64_t list_id = 0;
  std::uint64_t record_id = 0;
  std::string phone;
  std::string customer_id;
  std::string reason;  ///< compliance reason name, e.g. "outside_window"
  std::string detail;  ///< human text, e.g. "22:00 local in Europe/Berlin"
};

/// One dial attempt's history: two rows. At dial, `call_result` none (0) and only
/// `started_ms` — compliance counts these for attempt caps, and a crash cannot lose them
/// once committed. At the end, the result row: `started_ms` is the same dial time, then when
/// a person answered, when an agent was connected (the call offered to `agent`) or whether
/// it was abandoned, and when it ended. The abandon rate and the 2-second rule are computed
/// from the result rows alone (attempt_audit, answer_hours).
struct attempt_row {
  std::uint64_t record_id = 0;
  std::uint64_t list_id = 0;
  std::uint64_t chain_id = 0;
  std::string customer_id;
  std::string phone;
  std::string campaign;
  std::int64_t started_ms = 0;    ///< dialed
  std::uint8_t call_result = 0;
  std::int64_t answered_ms = 0;   ///< a live person answered (0: nobody did)
  std::int64_t connected_ms = 0;  ///< offered to an agent (0: never)
  std::int64_t ended_ms = 0;      ///< the attempt ended (0 on the dial row)
  bool abandoned = false;         ///< answered, no agent within the campaign's abandon_after
  std::string agent;              ///< who took it, or was reserved for it ("" none)
};

/// What an agent's desktop did with a record (RecordUpdate, RecordReschedule,
/// RecordDoNotCall, RecordProcessed) or what the engine did for it (a processed timeout):
/// the campaign's action log, the audit of do-not-call requests among them.
struct record_action_row {
  std::int64_t time_ms = 0;
  std::string campaign;
  std::uint64_t list_id = 0;
  std::uint64_t record_id = 0;
  std::string agent;   ///< "" when the engine acted (timeout)
  std::string action;  ///< "update", "reschedule", "do_not_call", "processed", "timeout"
  std::string detail;  ///< e.g. "disposition=sale plan=gold", "2026-12-05T10:30 Europe/Paris personal"
};

/// A campaign's answered and abandoned calls that ended in one hour (ended_ms / 3,600,000),
/// from which its abandon-rate window is rebuilt at start.
struct answer_hour {
  std::int64_t hour = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;
};

/// The SELECT list of an audit over `attempts` result rows (both backends).
constexpr const char* attempt_audit_columns =
  "count(*), coalesce(sum(CASE WHEN answered_ms > 0 THEN 1 ELSE 0 END), 0), "
  "coalesce(sum(CASE WHEN answered_ms > 0 THEN abandoned ELSE 0 END), 0), "
  "coalesce(sum(CASE WHEN answered_ms > 0 AND connected_ms > 0 THEN 1 ELSE 0 END), 0), "
  "coalesce(sum(CASE WHEN answered_ms > 0 AND connected_ms > 0 AND connected_ms - answered_ms "
  "<= 2000 THEN 1 ELSE 0 END), 0)";

/// What a campaign's result rows in a time range prove (`campaign audit`).
struct attempt_audit {
  std::uint64_t attempts = 0;    ///< ended attempts
  std::uint64_t answered = 0;    ///< answered by a live person
  std::uint64_t abandoned = 0;   ///< of those, no agent in time
  std::uint64_t connected = 0;   ///< of those, offered to an agent
  std::uint64_t connected_in_2s = 0;  ///< offered to an agent within 2 s of the answer
};

/// What a list still has for a campaign (`remaining`): ready records of a dialable type not
/// waiting for their chain — one due now, or one due later.
struct list_remaining {
  bool due_now = false;
  bool later = false;
};

/// The query of `remaining` (both backends), `list` and `now` being the placeholders of the
/// list id and the time: two 0/1 columns, each an index probe (records_due).
inline std::string remaining_sql(const std::string& list, const std::string& now) {
  auto ready = "SELECT 1 FROM records WHERE list_id = " + list + " AND record_status = 1 "
               "AND record_type NOT IN (" + undialable_types + ") AND dial_sched_ms ";
  return "SELECT CASE WHEN EXISTS (" + ready + "<= " + now + ") THEN 1 ELSE 0 END, "
         "CASE WHEN EXISTS (" + ready + "> " + now + " AND dial_sched_ms < "
         + std::to_string(chain_waiting_ms) + ") THEN 1 ELSE 0 END";
}

} // namespace parley::storage
