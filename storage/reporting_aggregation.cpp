// reporting_aggregation: the SQL of the 15-minute aggregates (storage/reporting_aggregation.hpp).
#include "storage/reporting_aggregation.hpp"

#include <utility>
#include <vector>

#include "storage/reporting_store.hpp"

namespace parley::storage {

namespace {

// -- aggregation --------------------------------------------------------------------
// One statement per aggregate table, run two ways. A rebuild recomputes one interval from
// all of its facts (?1 = its start, ?2 = its end) after deleting its rows. The fact writer
// runs the same statement over one batch of new facts (the batch_* tables, every interval
// they touch) in the transaction that writes them, and adds the result to the rows: sums
// add, maxima keep the larger. Only the source and the range differ between the two, so an
// incremental run equals a rebuild by construction (tested), and the writer's cost follows
// the new facts, not how many the interval they land in already holds.
// Disposition measures count where the outcome happened (as the statistics do) except
// distributed_of_entered (where the wait began); agent time is already split into pieces per
// interval by the fact writer. A batch's wait counts as entered in the batch that first
// writes it ({first}: 1 in a rebuild, first_write in a batch).

// Rows key on (interval, queue, media): the tenant is the queue's, from its waits (a
// handling carries its agent's; that one only when the interval has no wait of the queue).
const char* const queue_sql = R"(
INSERT INTO agg_queue_15m (interval_ms, tenant, queue, media, entered, distributed,
  distributed_within, distributed_of_entered, abandoned, abandoned_within, short_abandoned,
  overflowed, cleared, wait_distributed_ms, wait_abandoned_ms, max_wait_ms, transferred, conferenced)
SELECT iv, COALESCE(MAX(CASE WHEN k = 0 THEN tenant END), MAX(tenant)), queue, media, SUM(e), SUM(d),
  SUM(dw), SUM(de), SUM(a), SUM(aw), SUM(sa), SUM(o), SUM(c), SUM(wd), SUM(wa), MAX(mw), SUM(tr), SUM(cf)
FROM (
  SELECT entered_ms - entered_ms % {q} AS iv, 0 AS k, tenant, queue, media, {first} AS e, 0 AS d, 0 AS dw,
    CASE WHEN why = 'distributed' THEN 1 ELSE 0 END AS de, 0 AS a, 0 AS aw, 0 AS sa, 0 AS o,
    0 AS c, 0 AS wd, 0 AS wa, 0 AS mw, 0 AS tr, 0 AS cf
  FROM {entries} WHERE entered_ms >= ?1 AND entered_ms < ?2
  UNION ALL
  SELECT left_ms - left_ms % {q}, 0, tenant, queue, media, 0,
    CASE WHEN why = 'distributed' THEN 1 ELSE 0 END,
    CASE WHEN why = 'distributed' AND left_ms - entered_ms < sl_ms THEN 1 ELSE 0 END,
    0,
    CASE WHEN why = 'abandoned' THEN 1 ELSE 0 END,
    CASE WHEN why = 'abandoned' AND left_ms - entered_ms < sl_ms THEN 1 ELSE 0 END,
    CASE WHEN why = 'abandoned' AND left_ms - entered_ms < short_ms THEN 1 ELSE 0 END,
    CASE WHEN why = 'overflowed' THEN 1 ELSE 0 END,
    CASE WHEN why = 'cleared' THEN 1 ELSE 0 END,
    CASE WHEN why = 'distributed' THEN left_ms - entered_ms ELSE 0 END,
    CASE WHEN why = 'abandoned' THEN left_ms - entered_ms ELSE 0 END,
    CASE WHEN why IN ('distributed', 'abandoned') THEN left_ms - entered_ms ELSE 0 END, 0, 0
  FROM {entries} WHERE left_ms >= ?1 AND left_ms < ?2 AND why <> ''
  UNION ALL
  SELECT to_ms - to_ms % {q}, 1, tenant, queue, media, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, transferred,
    conferenced
  FROM {handlings} WHERE to_ms >= ?1 AND to_ms < ?2 AND queue <> '' AND (transferred <> 0 OR conferenced <> 0)
) x GROUP BY iv, queue, media)";

// A row that has counted waits keeps its tenant; one that has not takes the waits' (the
// rebuild's COALESCE above); between two of the same kind the larger, as MAX does.
const char* const queue_adding = R"(
ON CONFLICT (interval_ms, queue, media) DO UPDATE SET tenant = CASE
  WHEN {waits:agg_queue_15m} > 0 AND {waits:excluded} = 0 THEN agg_queue_15m.tenant
  WHEN {waits:agg_queue_15m} = 0 AND {waits:excluded} > 0 THEN excluded.tenant
  WHEN excluded.tenant > agg_queue_15m.tenant THEN excluded.tenant ELSE agg_queue_15m.tenant END,
  max_wait_ms = CASE WHEN excluded.max_wait_ms > agg_queue_15m.max_wait_ms THEN excluded.max_wait_ms
    ELSE agg_queue_15m.max_wait_ms END, )";

const char* const agent_sql = R"(
INSERT INTO agg_agent_15m (interval_ms, tenant, agent, grp, login_ms, ready_ms, not_ready_ms,
  acw_ms, busy_ms, idle_ready_ms, idle_acw_ms, offered, accepted, rejected, timed_out, revoked,
  accept_ms, handled, handle_ms, hold_ms, transferred, conferenced)
SELECT iv, tenant, agent, grp, SUM(li), SUM(r), SUM(nr), SUM(acw), SUM(b), SUM(ir), SUM(ia),
  SUM(o), SUM(ac), SUM(rj), SUM(t), SUM(rv), SUM(am), SUM(h), SUM(hm), SUM(ho), SUM(tr), SUM(cf)
FROM (
  SELECT interval_ms AS iv, tenant, agent, grp, to_ms - from_ms AS li,
    CASE WHEN state = 'ready' THEN to_ms - from_ms ELSE 0 END AS r,
    CASE WHEN state = 'not_ready' THEN to_ms - from_ms ELSE 0 END AS nr,
    CASE WHEN state = 'acw' THEN to_ms - from_ms ELSE 0 END AS acw,
    CASE WHEN busy = 1 THEN to_ms - from_ms ELSE 0 END AS b,
    CASE WHEN busy = 0 AND state = 'ready' THEN to_ms - from_ms ELSE 0 END AS ir,
    CASE WHEN busy = 0 AND state = 'acw' THEN to_ms - from_ms ELSE 0 END AS ia,
    0 AS o, 0 AS ac, 0 AS rj, 0 AS t, 0 AS rv, 0 AS am, 0 AS h, 0 AS hm, 0 AS ho, 0 AS tr, 0 AS cf
  FROM {states} WHERE interval_ms >= ?1 AND interval_ms < ?2
  UNION ALL
  SELECT ended_ms - ended_ms % {q}, tenant, agent, grp, 0, 0, 0, 0, 0, 0, 0, 1,
    CASE WHEN result = 'accepted' THEN 1 ELSE 0 END,
    CASE WHEN result = 'rejected' THEN 1 ELSE 0 END,
    CASE WHEN result = 'timed_out' THEN 1 ELSE 0 END,
    CASE WHEN result = 'revoked' THEN 1 ELSE 0 END,
    CASE WHEN result = 'accepted' THEN ended_ms - offered_ms ELSE 0 END, 0, 0, 0, 0, 0
  FROM {offers} WHERE ended_ms >= ?1 AND ended_ms < ?2
  UNION ALL
  SELECT to_ms - to_ms % {q}, tenant, agent, grp, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, to_ms - from_ms,
    hold_ms, transferred, conferenced
  FROM {handlings} WHERE to_ms >= ?1 AND to_ms < ?2
) x GROUP BY iv, tenant, agent, grp)";

const char* const reason_sql = R"(
INSERT INTO agg_agent_reason_15m (interval_ms, tenant, agent, grp, reason, ms)
SELECT interval_ms, tenant, agent, grp, reason, SUM(to_ms - from_ms) FROM {states}
WHERE interval_ms >= ?1 AND interval_ms < ?2 AND state = 'not_ready'
GROUP BY interval_ms, tenant, agent, grp, reason)";

// Campaigns: the attempt log's result rows by dial time, denials by their time. A batch is
// a range of their ids ({attempts} and {denials}: the rows of the interval or of the range).
const char* const campaign_sql = R"(
INSERT INTO agg_campaign_15m (interval_ms, campaign, dialed, answered, abandoned, connected,
  connected_in_2s, connect_ms, talk_ms)
SELECT started_ms - started_ms % {q}, campaign, COUNT(*),
  SUM(CASE WHEN answered_ms > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN answered_ms > 0 AND abandoned <> 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN answered_ms > 0 AND connected_ms > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN answered_ms > 0 AND connected_ms > 0 AND connected_ms - answered_ms <= 2000
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN answered_ms > 0 AND connected_ms > 0 THEN connected_ms - answered_ms ELSE 0 END),
  SUM(CASE WHEN connected_ms > 0 THEN ended_ms - connected_ms ELSE 0 END)
FROM attempts WHERE {attempts} AND ended_ms > 0 GROUP BY started_ms - started_ms % {q}, campaign)";

const char* const campaign_result_sql = R"(
INSERT INTO agg_campaign_result_15m (interval_ms, campaign, result, n)
SELECT started_ms - started_ms % {q}, campaign, call_result, COUNT(*) FROM attempts
WHERE {attempts} AND ended_ms > 0 GROUP BY started_ms - started_ms % {q}, campaign, call_result)";

const char* const campaign_denial_sql = R"(
INSERT INTO agg_campaign_denial_15m (interval_ms, campaign, reason, n)
SELECT time_ms - time_ms % {q}, campaign, reason, COUNT(*) FROM denials
WHERE {denials} GROUP BY time_ms - time_ms % {q}, campaign, reason)";

/// `sql` with each {name} of `with` replaced by its text.
std::string fill(std::string sql, const std::vector<std::pair<std::string, std::string>>& with) {
  for (auto& [name, text] : with)
    for (auto at = sql.find(name); at != std::string::npos; at = sql.find(name, at + text.size()))
      sql.replace(at, name.size(), text);
  return sql;
}

/// " ON CONFLICT (keys) DO UPDATE SET c = table.c + excluded.c, ..." (after `head`, which
/// opens the clause itself when given).
std::string adding(const std::string& table, const std::string& keys, const std::vector<std::string>& sums,
                   const std::string& head = "") {
  auto out = head.empty() ? "\nON CONFLICT (" + keys + ") DO UPDATE SET " : head;
  for (std::size_t i = 0; i < sums.size(); ++i)
    out += (i ? ", " : "") + sums[i] + " = " + table + "." + sums[i] + " + excluded." + sums[i];
  return out;
}

} // namespace

agg_statements::agg_statements(bool batch) {
  std::vector<std::pair<std::string, std::string>> with{
    {"{q}", std::to_string(interval_ms)},
    {"{first}", batch ? "first_write" : "1"},
    {"{entries}", batch ? "batch_queue_entry" : "fact_queue_entry"},
    {"{states}", batch ? "batch_agent_state" : "fact_agent_state"},
    {"{handlings}", batch ? "batch_handling" : "fact_handling"},
    {"{offers}", batch ? "batch_offer" : "fact_offer"},
    {"{attempts}", batch ? "id > ?1 AND id <= ?2" : "started_ms >= ?1 AND started_ms < ?2"},
    {"{denials}", batch ? "id > ?1 AND id <= ?2" : "time_ms >= ?1 AND time_ms < ?2"},
  };
  queue = fill(queue_sql, with);
  agent = fill(agent_sql, with);
  reason = fill(reason_sql, with);
  campaign = fill(campaign_sql, with);
  campaign_result = fill(campaign_result_sql, with);
  campaign_denial = fill(campaign_denial_sql, with);
  if (!batch)
    return;
  auto waits = [](const std::string& t) {
    return "(" + t + ".entered + " + t + ".distributed + " + t + ".abandoned + " + t + ".overflowed + " + t
           + ".cleared)";
  };
  queue += adding("agg_queue_15m", "",
                  {"entered", "distributed", "distributed_within", "distributed_of_entered", "abandoned",
                   "abandoned_within", "short_abandoned", "overflowed", "cleared", "wait_distributed_ms",
                   "wait_abandoned_ms", "transferred", "conferenced"},
                  fill(queue_adding, {{"{waits:agg_queue_15m}", waits("agg_queue_15m")},
                                      {"{waits:excluded}", waits("excluded")}}));
  agent += adding("agg_agent_15m", "interval_ms, agent, grp",
                  {"login_ms", "ready_ms", "not_ready_ms", "acw_ms", "busy_ms", "idle_ready_ms", "idle_acw_ms",
                   "offered", "accepted", "rejected", "timed_out", "revoked", "accept_ms", "handled",
                   "handle_ms", "hold_ms", "transferred", "conferenced"});
  reason += adding("agg_agent_reason_15m", "interval_ms, agent, grp, reason", {"ms"});
  campaign += adding("agg_campaign_15m", "interval_ms, campaign",
                     {"dialed", "answered", "abandoned", "connected", "connected_in_2s", "connect_ms", "talk_ms"});
  campaign_result += adding("agg_campaign_result_15m", "interval_ms, campaign, result", {"n"});
  campaign_denial += adding("agg_campaign_denial_15m", "interval_ms, campaign, reason", {"n"});
}

const agg_statements& rebuild_statements() {
  static const agg_statements s{false};
  return s;
}

const agg_statements& batch_statements() {
  static const agg_statements s{true};
  return s;
}

} // namespace parley::storage
