// messages: what SMS and email campaigns need beyond a call — the recipient's email address
// (a record's `email` field) and the message template filled in from the record
// (docs/outbound.md "SMS and email campaigns"). No CAF.
#pragma once

#include <string>
#include <string_view>

#include "storage/outbound_rows.hpp"

namespace parley::outbound {

/// True for the media a campaign sends messages in rather than calls ("sms", "email").
inline bool is_message_media(std::string_view media) { return media == "sms" || media == "email"; }

/// An email address, trimmed and lower-cased into `out` ("" when it is one); else why not.
/// Deliberately plain: one '@', a local part, a domain with a dot, no blanks, at most 254
/// characters — what mail gateways accept, not the whole of RFC 5322.
std::string parse_email(const std::string& text, std::string& out);

/// The record's `email` field (in its custom JSON), valid; false when it has none.
bool email_of(const storage::record_row& r, std::string& out);

/// `tmpl` with each `{name}` replaced by the record's field: `phone`, `customer_id`, `tz`,
/// `record_id` or a custom field (numbers as written in the list); an unknown name becomes
/// "" and `{{`, `}}` a brace.
std::string fill_template(const std::string& tmpl, const storage::record_row& r);

} // namespace parley::outbound
