// record_actions: what an agent's desktop may do with the record of its call, as pure
// functions (no CAF, no I/O) — checking a request against the campaign and the record,
// gathering what the agent set, and applying it to the record written back
// (docs/outbound.md "The agent's side"). The dialer session holding the record calls them.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "actors/outbound/campaign_config.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "storage/outbound_rows.hpp"

namespace parley::outbound {

/// The action log's actions, in the order of domain_metrics::record_actions: the record_op
/// names (to_name), then "timeout" (the engine wrote a record back without RecordProcessed).
inline constexpr std::array<const char*, 5> action_names{"update", "reschedule", "do_not_call",
                                                         "processed", "timeout"};

/// What the agent set on a record until it is written back; later requests override
/// earlier ones (fields merge key by key).
struct record_edits {
  std::string disposition;                    ///< "" none
  std::map<std::string, std::string> fields;  ///< custom fields; "" removes one
  bool rescheduled = false;
  std::int64_t at_ms = 0;                     ///< rescheduled: due then (UTC)
  std::string personal_agent;                 ///< rescheduled for this agent ("" any)
  std::string do_not_call;                    ///< "", "phone" or "customer"
};

/// A request checked and taken: what to log, and for do_not_call the suppression entry.
struct taken {
  std::string error;    ///< "" taken; else why it was refused (invalid_argument)
  std::string detail;   ///< for the action log
  std::string kind;     ///< do_not_call: "phone" or "customer"
  std::string value;    ///< do_not_call: the number or the customer id
};

/// Checks `q` (update, reschedule or do_not_call) against the campaign and the record at
/// `now_ms` and, when it holds, records it in `edits`.
taken take(const campaign_config& c, const storage::record_row& r, const record_request& q,
           std::int64_t now_ms, record_edits& edits);

/// What the edits do to the rest of the record's chain.
enum class chain_effect {
  as_treated,  ///< nothing changed it: the treatment's step
  none,        ///< a reschedule: this number is called again, the chain waits
  next,        ///< do-not-call on this number: the next number of the chain is due
  close,       ///< do-not-call on the customer: the chain's other numbers are cancelled
};

/// The record as it is written back: the treated record with the agent's edits on top. A
/// reschedule replaces the treatment (ready, due then, a personal or campaign callback); a
/// do-not-call cancels the record (type no_call).
chain_effect apply(const record_edits& e, storage::record_row& r);

/// The custom fields (a JSON object as text) with `fields` merged in ("" removes a key).
std::string merge_custom(const std::string& custom, const std::map<std::string, std::string>& fields);

/// `local` ("YYYY-MM-DDTHH:MM[:SS]") in `zone` as UTC milliseconds; false when it is not
/// such a time. A local time in a DST gap is taken as the transition.
bool parse_local_time(const std::string& local, const std::string& zone, std::int64_t& out_ms);

/// A UTC instant as local "YYYY-MM-DDTHH:MM" in `zone`.
std::string local_text(std::int64_t ms, const std::string& zone);

} // namespace parley::outbound
