#include "storage/pg_copy.hpp"

#include <type_traits>

namespace parley::storage {

namespace {

/// COPY text format: backslash, tab, newline and carriage return are escaped.
void copy_text(std::string& out, const std::string& v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

template <class... Ts>
void copy_line(std::string& out, const Ts&... vs) {
  bool first = true;
  auto one = [&](const auto& v) {
    if (!first)
      out += '\t';
    first = false;
    if constexpr (std::is_convertible_v<decltype(v), const std::string&>)
      copy_text(out, v);
    else
      out += std::to_string(v);
  };
  (one(vs), ...);
  out += '\n';
}

const std::string& json_or_empty(const std::string& v) {
  static const std::string empty = "[]";
  return v.empty() ? empty : v;
}

} // namespace

void copy_events(std::string& out, const std::vector<event_row>& rows) {
  for (auto& e : rows)
    copy_line(out, e.seq, e.engine_ms, e.source_ms, int{e.kind}, e.tenant, e.iid, e.agent, e.queue,
              e.media, int{e.from_state}, int{e.state}, int{e.agent_state}, e.reason);
}

void copy_vq_events(std::string& out, const std::vector<vq_event_row>& rows) {
  for (auto& e : rows)
    copy_line(out, e.seq, e.engine_ms, int{e.kind}, e.tenant, e.vq, e.iid, e.agent, e.reason);
}

void copy_interactions(std::string& out, const std::vector<interaction_row>& rows) {
  for (auto& r : rows)
    copy_line(out, r.id, r.external_id, r.tenant, r.media, r.queue, r.priority, int{r.state},
              json_or_empty(r.agents), std::string{r.held ? "t" : "f"}, r.workbin,
              json_or_empty(r.properties), r.submitted_ms, r.changed_ms, r.entered_ms, r.queue_seq);
}

void copy_sessions(std::string& out, const std::vector<agent_session_row>& rows) {
  for (auto& s : rows)
    copy_line(out, s.id, s.tenant, s.agent, s.client, s.login_ms, s.logout_ms, s.reason);
}

} // namespace parley::storage

namespace parley::storage {

const char* const record_copy_columns =
  "list_id, phone, contact_info_type, record_type, record_status, call_result, attempts, "
  "dial_sched_ms, call_time_ms, daily_from_s, daily_till_s, tz, chain_id, chain_n, "
  "customer_id, custom, agent, disposition";

void copy_records(std::string& out, std::uint64_t list_id, const std::vector<record_row>& rows) {
  static const std::string empty_object = "{}";
  for (auto& r : rows)
    copy_line(out, list_id, r.phone, int{r.contact_info_type}, int{r.record_type},
              int{r.record_status}, int{r.call_result}, r.attempts, r.dial_sched_ms,
              r.call_time_ms, r.daily_from_s, r.daily_till_s, r.tz, r.chain_id, r.chain_n,
              r.customer_id, r.custom.empty() ? empty_object : r.custom, r.agent, r.disposition);
}

} // namespace parley::storage

namespace parley::storage {

const char* const attempt_copy_columns =
  "record_id, list_id, chain_id, customer_id, phone, campaign, started_ms, call_result, "
  "answered_ms, connected_ms, ended_ms, abandoned, agent";

void copy_attempts(std::string& out, const std::vector<attempt_row>& rows) {
  for (auto& a : rows)
    copy_line(out, a.record_id, a.list_id, a.chain_id, a.customer_id, a.phone, a.campaign,
              a.started_ms, int{a.call_result}, a.answered_ms, a.connected_ms, a.ended_ms,
              int{a.abandoned}, a.agent);
}

const char* const denial_copy_columns =
  "time_ms, campaign, list_id, record_id, phone, customer_id, reason, detail";

void copy_denials(std::string& out, const std::vector<denial_row>& rows) {
  for (auto& d : rows)
    copy_line(out, d.time_ms, d.campaign, d.list_id, d.record_id, d.phone, d.customer_id,
              d.reason, d.detail);
}

} // namespace parley::storage
