// The agent's actions on the record of its call (record_actions.hpp).
#include "actors/outbound/record_actions.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "actors/outbound/compliance.hpp"
#include "actors/outbound/list_import.hpp"

namespace parley::outbound {

namespace {

using ms = std::chrono::milliseconds;

constexpr std::size_t max_key = 64, max_value = 1024, max_fields = 64;
constexpr std::int64_t max_ahead_ms = 366LL * 24 * 3600 * 1000;

/// Keys a desktop may not write: the record's own columns (as a CSV maps them) and the
/// interaction properties the dialer session sets.
bool reserved_key(const std::string& k) {
  static const std::vector<std::string> more{"id", "record_id", "list_id", "campaign",
                                             "customer_id", "chain_id", "disposition",
                                             "answered_by", "custom", "attempt"};
  auto& cols = mappable_fields();
  return std::find(cols.begin(), cols.end(), k) != cols.end()
         || std::find(more.begin(), more.end(), k) != more.end();
}

taken refuse(std::string why) {
  taken t;
  t.error = std::move(why);
  return t;
}

taken update(const campaign_config& c, const record_request& q, record_edits& e) {
  if (q.disposition.empty() && q.fields.empty())
    return refuse("nothing to update: give a disposition or fields");
  if (!q.disposition.empty()
      && std::find(c.dispositions.begin(), c.dispositions.end(), q.disposition) == c.dispositions.end()) {
    if (c.dispositions.empty())
      return refuse("campaign " + c.name + " has no dispositions configured");
    std::string list;
    for (auto& d : c.dispositions)
      list += (list.empty() ? "" : ", ") + d;
    return refuse("\"" + q.disposition + "\" is not a disposition of campaign " + c.name + " ("
                  + list + ")");
  }
  if (q.fields.size() > max_fields)
    return refuse("at most " + std::to_string(max_fields) + " fields at a time");
  for (auto& [k, v] : q.fields) {
    if (k.empty() || k.size() > max_key)
      return refuse("a field name is 1 to " + std::to_string(max_key) + " characters");
    if (reserved_key(k))
      return refuse("\"" + k + "\" is a record column, not a custom field");
    if (v.size() > max_value)
      return refuse("field " + k + ": at most " + std::to_string(max_value) + " characters");
  }
  taken t;
  if (!q.disposition.empty()) {
    e.disposition = q.disposition;
    t.detail = "disposition=" + q.disposition;
  }
  for (auto& [k, v] : q.fields) {
    e.fields[k] = v;
    t.detail += (t.detail.empty() ? "" : " ") + k + "=" + v;
  }
  return t;
}

taken reschedule(const campaign_config& c, const storage::record_row& r, const record_request& q,
                 std::int64_t now_ms, record_edits& e) {
  if (!e.do_not_call.empty())
    return refuse("the record is marked do-not-call");
  if (r.tz.empty())
    return refuse("the record has no time zone");
  std::int64_t at = 0;
  try {
    if (!parse_local_time(q.local_time, r.tz, at))
      return refuse("local_time \"" + q.local_time + "\" is not YYYY-MM-DDTHH:MM[:SS]");
  } catch (const std::exception&) {
    return refuse("the record's zone \"" + r.tz + "\" is not one the tz database knows");
  }
  if (at <= now_ms)
    return refuse(q.local_time + " " + r.tz + " has passed (now " + local_text(now_ms, r.tz) + ")");
  if (at - now_ms > max_ahead_ms)
    return refuse(q.local_time + " is more than 366 days ahead");
  // The callback must be dialable when due: inside the campaign's calling window and the
  // record's own hours, in the record's zone.
  if (auto d = check_window(r, c.rules.window, at); !d.allowed()) {
    std::string why = "outside calling hours: " + d.detail;
    if (d.retry_ms > 0)
      why += "; next allowed " + local_text(d.retry_ms, r.tz) + " " + r.tz;
    return refuse(why);
  }
  e.rescheduled = true;
  e.at_ms = at;
  e.personal_agent = q.personal ? q.agent : std::string{};
  taken t;
  t.detail = local_text(at, r.tz) + " " + r.tz + (q.personal ? " personal" : " campaign");
  return t;
}

taken do_not_call(const storage::record_row& r, const record_request& q, record_edits& e) {
  auto kind = q.kind.empty() ? std::string{"phone"} : q.kind;
  if (kind != "phone" && kind != "customer")
    return refuse("kind must be \"phone\" or \"customer\", not \"" + kind + "\"");
  if (q.reason.size() > max_value)
    return refuse("reason: at most " + std::to_string(max_value) + " characters");
  taken t;
  t.kind = kind;
  t.value = kind == "phone" ? r.phone : r.customer_id;
  if (t.value.empty())
    return refuse("the record has no customer id");
  e.do_not_call = kind;
  e.rescheduled = false;
  t.detail = kind + " " + t.value + (q.reason.empty() ? "" : ": " + q.reason);
  return t;
}

} // namespace

const char* to_name(record_op op) {
  auto i = static_cast<std::size_t>(op);
  return i < action_names.size() - 1 ? action_names[i] : "unknown";
}

taken take(const campaign_config& c, const storage::record_row& r, const record_request& q,
           std::int64_t now_ms, record_edits& edits) {
  switch (q.what()) {
    case record_op::update: return update(c, q, edits);
    case record_op::reschedule: return reschedule(c, r, q, now_ms, edits);
    case record_op::do_not_call: return do_not_call(r, q, edits);
    case record_op::processed: return {};
  }
  return refuse("unknown record operation");
}

chain_effect apply(const record_edits& e, storage::record_row& r) {
  if (!e.disposition.empty())
    r.disposition = e.disposition;
  if (!e.fields.empty())
    r.custom = merge_custom(r.custom, e.fields);
  if (!e.do_not_call.empty()) {
    r.record_status = static_cast<std::uint8_t>(storage::record_status::cancelled);
    r.record_type = static_cast<std::uint8_t>(storage::record_type::no_call);
    if (r.chain_id == 0)
      return chain_effect::none;
    return e.do_not_call == "customer" ? chain_effect::close : chain_effect::next;
  }
  if (!e.rescheduled)
    return chain_effect::as_treated;
  r.record_status = static_cast<std::uint8_t>(storage::record_status::ready);
  r.dial_sched_ms = e.at_ms;
  r.agent = e.personal_agent;
  r.record_type = static_cast<std::uint8_t>(e.personal_agent.empty()
                                              ? storage::record_type::campaign_callback
                                              : storage::record_type::personal_callback);
  return chain_effect::none;
}

std::string merge_custom(const std::string& custom, const std::map<std::string, std::string>& fields) {
  auto j = nlohmann::json::parse(custom.empty() ? "{}" : custom, nullptr, false);
  if (!j.is_object())  // never stored that way; keep what the agent set rather than fail
    j = nlohmann::json::object();
  for (auto& [k, v] : fields)
    if (v.empty())
      j.erase(k);
    else
      j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool parse_local_time(const std::string& local, const std::string& zone, std::int64_t& out_ms) {
  date::local_seconds t;
  bool ok = false;
  for (auto* fmt : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"}) {
    std::istringstream in{local};
    in >> date::parse(fmt, t);
    if (in && in.peek() == std::char_traits<char>::eof()) {
      ok = true;
      break;
    }
  }
  if (!ok)
    return false;
  auto* z = date::locate_zone(zone);  // throws for an unknown zone
  auto sys = date::zoned_time<std::chrono::seconds>(z, t, date::choose::earliest).get_sys_time();
  out_ms = std::chrono::duration_cast<ms>(sys.time_since_epoch()).count();
  return true;
}

std::string local_text(std::int64_t at_ms, const std::string& zone) {
  try {
    auto z = date::make_zoned(zone, date::sys_time<ms>{ms{at_ms}});
    return date::format("%Y-%m-%dT%H:%M", date::floor<std::chrono::minutes>(z.get_local_time()));
  } catch (const std::exception&) {
    return date::format("%Y-%m-%dT%H:%MZ", date::floor<std::chrono::minutes>(date::sys_time<ms>{ms{at_ms}}));
  }
}

} // namespace parley::outbound
