// compliance: the pre-dial decision as pure functions (no CAF, no I/O): given a record, the
// campaign's rules, what suppression said, the attempt history, the campaign's abandon
// figures and "now", allow or deny with a reason. The compliance actor gathers the inputs
// (suppression lookups, attempts from storage) and counts and stores the decisions.
//
// Order of checks (the first that fails is the reason): suppression by phone, by customer;
// the calling window in the record's own IANA zone (the campaign's window intersected with
// the record's daily from/till, local seconds after midnight; a UTC instant has exactly one
// local time, so DST gaps and repeats need no special case here — the next opening does);
// attempts on the record, then on the customer, within their periods; the campaign's
// abandon rate over its window.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <string>

#include "storage/outbound_rows.hpp"

namespace parley::outbound {

enum class deny_reason : std::uint8_t {
  none = 0,
  suppressed_phone,
  suppressed_customer,
  outside_window,
  unknown_zone,
  record_attempts,
  customer_attempts,
  abandon_rate,
  no_address,  ///< an email campaign's record without a valid `email` field
};

const char* to_name(deny_reason r);

/// A daily calling window in local seconds after midnight: [from_s, till_s).
struct calling_window {
  std::int32_t from_s = 8 * 3600;
  std::int32_t till_s = 21 * 3600;

  bool operator==(const calling_window&) const = default;
};

/// A campaign's rules (defaults: 08:00–21:00, no attempt caps, abandon rate at most 3 %).
struct compliance_rules {
  calling_window window;
  std::uint32_t max_record_attempts = 0;  ///< 0: no cap
  std::chrono::hours record_period{24};
  std::uint32_t max_customer_attempts = 0;  ///< 0: no cap (per customer id, else chain)
  std::chrono::hours customer_period{24};
  double max_abandon_rate = 0.03;
  /// The campaign's media: which do-not-call kinds apply (voice: phone, customer; sms:
  /// phone, sms, customer; email: email, customer), whether the calling window does (not
  /// for email) and the abandon cap (voice only).
  std::string media = "voice";

  bool operator==(const compliance_rules&) const = default;
};

/// The campaign's answered and abandoned calls over its abandon-rate window.
struct abandon_stats {
  std::uint64_t answered = 0;   ///< live answers, abandoned ones included
  std::uint64_t abandoned = 0;  ///< answered but no agent in time

  double rate() const { return answered ? double(abandoned) / double(answered) : 0.0; }
};

/// A campaign's answered and abandoned calls per hour of domain time, for its abandon rate
/// over the compliance window (hours older than the window are dropped as it moves).
class abandon_window {
public:
  void add(std::int64_t now_ms, bool abandoned);
  /// Replaces what it holds with stored hours (oldest first), e.g. after a restart.
  void load(const std::vector<storage::answer_hour>& hours);
  abandon_stats over(std::int64_t now_ms, std::chrono::minutes window);

private:
  struct hour {
    std::int64_t index;
    std::uint64_t answered, abandoned;
  };
  std::deque<hour> hours_;
};

struct check_input {
  const storage::record_row* record = nullptr;
  /// The record's address (its phone, or for email its `email` field) is on the list, as
  /// `suppressed_kind` ("phone", "sms", "email").
  bool phone_suppressed = false;
  std::string suppressed_kind = "phone";
  std::string address;      ///< what was checked ("": the record's phone)
  bool no_address = false;  ///< an email campaign's record has no valid address
  bool customer_suppressed = false;
  std::span<const std::int64_t> record_attempts;    ///< start times (ms), any order
  std::span<const std::int64_t> customer_attempts;  ///< the same for the customer
  abandon_stats abandon;
  std::int64_t now_ms = 0;
};

struct decision {
  deny_reason reason = deny_reason::none;
  std::string detail;        ///< for operators and the stored denial
  std::int64_t retry_ms = 0; ///< outside_window: when the window next opens (UTC ms)

  bool allowed() const { return reason == deny_reason::none; }
};

decision check(const check_input& in, const compliance_rules& rules);

/// The calling-window part alone: the campaign's window intersected with the record's.
decision check_window(const storage::record_row& r, const calling_window& campaign,
                      std::int64_t now_ms);

/// Local seconds after midnight at `now_ms` in `zone`; throws std::runtime_error for an
/// unknown zone.
std::int32_t local_seconds(const std::string& zone, std::int64_t now_ms);

} // namespace parley::outbound
