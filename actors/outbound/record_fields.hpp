// record_fields: the text forms of a record's fields, as CSV files and operators write them
// (no CAF). Each parser returns "" and stores the value, or returns why the text is bad —
// the importer turns that into "line N: phone: ..." and goes on with the next row.
#pragma once

#include <cstdint>
#include <string>

#include "storage/outbound_rows.hpp"

namespace parley::outbound {

/// Normalizes a phone number to E.164 ("+" then 8..15 digits). Blanks, dashes, dots and
/// parentheses are dropped; "00" becomes "+"; a number without either gets
/// `default_prefix` (e.g. "+49", national leading zeros dropped) when one is configured.
std::string parse_phone(const std::string& text, const std::string& default_prefix,
                        std::string& out);

/// An IANA zone the tz database knows ("Europe/Berlin"); "" is refused.
std::string parse_zone(const std::string& text, std::string& out);

/// Seconds after local midnight, 0..86400: "HH:MM", "HH:MM:SS" or a plain number of seconds.
std::string parse_day_seconds(const std::string& text, std::int32_t& out);

/// A non-negative integer that fits `max`.
std::string parse_uint(const std::string& text, std::uint64_t max, std::uint64_t& out);

/// Enum values by name or number ("general" or "1"); names as in to_name below.
std::string parse_record_type(const std::string& text, std::uint8_t& out);
std::string parse_record_status(const std::string& text, std::uint8_t& out);
std::string parse_call_result(const std::string& text, std::uint8_t& out);
std::string parse_contact_info_type(const std::string& text, std::uint8_t& out);

const char* to_name(storage::record_type v);
const char* to_name(storage::record_status v);
const char* to_name(storage::call_result v);
const char* to_name(storage::contact_info_type v);

/// "HH:MM:SS" for seconds after midnight.
std::string day_time(std::int32_t seconds);

/// RFC 3339 UTC to the second ("2026-12-03T15:04:05Z") for milliseconds since the epoch.
std::string utc_time(std::int64_t ms);

/// A JSON string literal (quotes included) for `v`.
std::string json_string(const std::string& v);

} // namespace parley::outbound
