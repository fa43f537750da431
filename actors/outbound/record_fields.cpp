#include "actors/outbound/record_fields.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include <date/tz.h>

namespace parley::outbound {

namespace {

template <std::size_t N>
std::string parse_enum(const std::string& text, const std::array<const char*, N>& names,
                       std::uint8_t first, std::uint8_t& out, const char* what) {
  for (std::size_t i = 0; i < N; ++i)
    if (text == names[i]) {
      out = static_cast<std::uint8_t>(first + i);
      return {};
    }
  std::uint64_t n = 0;
  if (parse_uint(text, first + N - 1, n).empty() && n >= first) {
    out = static_cast<std::uint8_t>(n);
    return {};
  }
  std::string all;
  for (auto* n : names)
    all += (all.empty() ? "" : ", ") + std::string{n};
  return "\"" + text + "\" is not a " + what + " (" + all + ")";
}

constexpr std::array<const char*, 9> contact_names{"none",     "home",  "business",
                                                   "business_ext", "mobile", "vacation",
                                                   "pager",    "voice_mail", "other"};
// By stored number from 1 (storage::record_type).
constexpr std::array<const char*, 7> type_names{
  "general", "campaign_callback", "personal_callback", "campaign_rescheduled", "no_call",
  "personal_rescheduled", "unknown"};
constexpr std::array<const char*, 7> status_names{"ready",     "retrieved",   "updated",
                                                  "stale",     "cancelled",   "agent_error",
                                                  "missed_callback"};
constexpr std::array<const char*, 14> result_names{
  "none", "answer", "busy", "no_answer", "answering_machine", "fax", "sit", "dropped",
  "cancelled", "wrong_party", "error", "delivered", "undeliverable", "opted_out"};

} // namespace

std::string parse_phone(const std::string& text, const std::string& default_prefix,
                        std::string& out) {
  std::string digits;
  bool plus = false;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c == '+' && digits.empty() && !plus)
      plus = true;
    else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
      return "\"" + text + "\" is not a phone number (unexpected '" + std::string(1, c) + "')";
  }
  if (digits.empty())
    return "empty";
  if (!plus && digits.rfind("00", 0) == 0) {
    digits.erase(0, 2);
    plus = true;
  }
  if (!plus) {
    if (default_prefix.empty())
      return "\"" + text + "\" is not in E.164 form (+ and country code) and no default "
             "country prefix is configured";
    auto national = digits.find_first_not_of('0');
    digits = default_prefix.substr(default_prefix[0] == '+' ? 1 : 0)
             + (national == std::string::npos ? "" : digits.substr(national));
  }
  if (digits.size() < 8 || digits.size() > 15)
    return "\"" + text + "\" has " + std::to_string(digits.size())
           + " digits; E.164 numbers have 8 to 15";
  if (digits[0] == '0')
    return "\"" + text + "\": a country code never starts with 0";
  out = "+" + digits;
  return {};
}

std::string parse_zone(const std::string& text, std::string& out) {
  if (text.empty())
    return "empty (an IANA time zone such as Europe/Berlin is required)";
  try {
    date::locate_zone(text);
  } catch (const std::exception&) {
    return "\"" + text + "\" is not a time zone the tz database knows";
  }
  out = text;
  return {};
}

std::string parse_uint(const std::string& text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty() || text.size() > 20)
    return "\"" + text + "\" is not a number";
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return "\"" + text + "\" is not a number";
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (digit > max || v > (max - digit) / 10)  // v * 10 + digit > max, without overflow
      return "\"" + text + "\" is larger than " + std::to_string(max);
    v = v * 10 + digit;
  }
  out = v;
  return {};
}

std::string parse_day_seconds(const std::string& text, std::int32_t& out) {
  std::uint64_t v = 0;
  if (text.find(':') == std::string::npos) {
    if (auto why = parse_uint(text, 86400, v); !why.empty())
      return why + " (seconds 0..86400 or HH:MM)";
    out = static_cast<std::int32_t>(v);
    return {};
  }
  unsigned h = 0, m = 0, s = 0;
  char tail = 0;
  int n = std::sscanf(text.c_str(), "%2u:%2u:%2u%c", &h, &m, &s, &tail);
  bool shape = (n == 2 && text.size() <= 5) || n == 3;
  if (!shape || m > 59 || s > 59 || h > 24 || (h == 24 && (m || s)))
    return "\"" + text + "\" is not a time of day (HH:MM or HH:MM:SS, 00:00..24:00)";
  out = static_cast<std::int32_t>(h * 3600 + m * 60 + s);
  return {};
}

std::string parse_record_type(const std::string& t, std::uint8_t& out) {
  if (t == "rescheduled") {  // what exports before campaign_rescheduled/personal_rescheduled said
    out = static_cast<std::uint8_t>(storage::record_type::campaign_rescheduled);
    return {};
  }
  return parse_enum(t, type_names, 1, out, "record type");
}
std::string parse_record_status(const std::string& t, std::uint8_t& out) {
  return parse_enum(t, status_names, 1, out, "record status");
}
std::string parse_call_result(const std::string& t, std::uint8_t& out) {
  return parse_enum(t, result_names, 0, out, "call result");
}
std::string parse_contact_info_type(const std::string& t, std::uint8_t& out) {
  return parse_enum(t, contact_names, 0, out, "contact info type");
}

const char* to_name(storage::record_type v) {
  auto i = static_cast<std::size_t>(v);
  return i >= 1 && i <= type_names.size() ? type_names[i - 1] : "unknown";
}
const char* to_name(storage::record_status v) {
  auto i = static_cast<std::size_t>(v);
  return i >= 1 && i <= status_names.size() ? status_names[i - 1] : "unknown";
}
const char* to_name(storage::call_result v) {
  auto i = static_cast<std::size_t>(v);
  return i < result_names.size() ? result_names[i] : "unknown";
}
const char* to_name(storage::contact_info_type v) {
  auto i = static_cast<std::size_t>(v);
  return i < contact_names.size() ? contact_names[i] : "unknown";
}

std::string day_time(std::int32_t seconds) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return buf;
}

std::string utc_time(std::int64_t ms) {
  using namespace std::chrono;
  return date::format("%Y-%m-%dT%H:%M:%SZ", floor<seconds>(sys_time<milliseconds>{milliseconds{ms}}));
}

std::string json_string(const std::string& v) {
  std::string out = "\"";
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + '"';
}

} // namespace parley::outbound
