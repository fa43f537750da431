// reporting_store: the SQL of historical reporting, once for both backends (the backends
// give a sql_conn). A batch of facts is written through per-connection batch tables and
// added to the aggregates in the same transaction; a rebuild recomputes one 15-minute
// interval from the facts alone (delete its rows, insert them again, clear its dirty mark),
// with the same statements (reporting_aggregation.hpp), so both give the same rows.
#include <algorithm>
#include <limits>
#include <map>

#include "storage/outbound_rows.hpp"
#include "storage/reporting_aggregation.hpp"
#include "storage/reporting_sql.hpp"

namespace parley::storage {

namespace {

std::int64_t num(const std::string& s) {
  return s.empty() ? 0 : std::stoll(s);
}

// -- facts as rows ------------------------------------------------------------------

const std::vector<std::string> entry_columns{"entry_seq", "iid",   "tenant", "queue",
                                             "media",     "entered_ms", "left_ms", "why",
                                             "agent",     "sl_ms", "short_ms"};
std::vector<cell> cells(const queue_entry_fact& f) {
  return {static_cast<std::int64_t>(f.entry_seq), static_cast<std::int64_t>(f.iid), f.tenant, f.queue, f.media,
          f.entered_ms, f.left_ms, f.why, f.agent, f.sl_ms, f.short_ms};
}
queue_entry_fact entry_of(const std::vector<std::string>& r) {
  return {static_cast<std::uint64_t>(num(r[0])), static_cast<std::uint64_t>(num(r[1])), r[2], r[3], r[4],
          num(r[5]), num(r[6]), r[7], r[8], num(r[9]), num(r[10])};
}

const std::vector<std::string> state_columns{"end_seq", "tenant", "agent", "grp", "state", "reason",
                                             "busy", "seg_from_ms", "seg_to_ms", "interval_ms",
                                             "from_ms", "to_ms"};
std::vector<cell> cells(const agent_state_fact& f) {
  return {static_cast<std::int64_t>(f.end_seq), f.tenant, f.agent, f.group, f.state, f.reason,
          std::int64_t{f.busy ? 1 : 0}, f.seg_from_ms, f.seg_to_ms, f.interval_ms, f.from_ms, f.to_ms};
}
agent_state_fact state_of(const std::vector<std::string>& r) {
  return {static_cast<std::uint64_t>(num(r[0])), r[1], r[2], r[3], r[4], r[5], num(r[6]) != 0,
          num(r[7]), num(r[8]), num(r[9]), num(r[10]), num(r[11])};
}

const std::vector<std::string> handling_columns{"end_seq", "iid",   "tenant", "agent",   "grp",         "queue",
                                                "media",   "from_ms", "to_ms", "hold_ms", "transferred", "conferenced"};
std::vector<cell> cells(const handling_fact& f) {
  return {static_cast<std::int64_t>(f.end_seq), static_cast<std::int64_t>(f.iid), f.tenant, f.agent, f.group,
          f.queue, f.media, f.from_ms, f.to_ms, f.hold_ms, std::int64_t{f.transferred ? 1 : 0},
          std::int64_t{f.conferenced ? 1 : 0}};
}

const std::vector<std::string> offer_columns{"end_seq", "iid", "tenant", "agent", "grp",
                                             "queue", "offered_ms", "ended_ms", "result"};
std::vector<cell> cells(const offer_fact& f) {
  return {static_cast<std::int64_t>(f.end_seq), static_cast<std::int64_t>(f.iid), f.tenant, f.agent, f.group,
          f.queue, f.offered_ms, f.ended_ms, f.result};
}

const std::vector<std::string> interaction_columns{
  "iid", "tenant", "media", "created_ms", "ended_ms", "first_queue", "last_queue", "outcome",
  "wait_ms", "handle_ms", "hold_ms", "transfers", "conferences", "handlings"};
std::vector<cell> cells(const interaction_fact& f) {
  return {static_cast<std::int64_t>(f.iid), f.tenant, f.media, f.created_ms, f.ended_ms, f.first_queue,
          f.last_queue, f.outcome, f.wait_ms, f.handle_ms, f.hold_ms, f.transfers, f.conferences,
          f.handlings};
}
interaction_fact interaction_of(const std::vector<std::string>& r) {
  return {static_cast<std::uint64_t>(num(r[0])), r[1], r[2], num(r[3]), num(r[4]), r[5], r[6], r[7],
          num(r[8]), num(r[9]), num(r[10]), num(r[11]), num(r[12]), num(r[13])};
}

std::string joined(const std::vector<std::string>& columns) {
  std::string out;
  for (auto& c : columns)
    out += (out.empty() ? "" : ", ") + c;
  return out;
}

template <class Fact>
std::vector<std::vector<cell>> rows_of(const std::vector<Fact>& facts) {
  std::vector<std::vector<cell>> out;
  out.reserve(facts.size());
  for (auto& f : facts)
    out.push_back(cells(f));
  return out;
}

/// The fact tables the aggregates read, and the per-connection tables a batch of them
/// passes through (batch_<name>: the same columns, no keys; a queue entry also says whether
/// this batch writes it first).
struct batch_table {
  const char* fact;
  const char* batch;
  const std::vector<std::string>& columns;
  const char* conflict;  ///< how a fact row meets one already written
};
const batch_table entry_batch{"fact_queue_entry", "batch_queue_entry", entry_columns,
                              "ON CONFLICT (entry_seq) DO UPDATE SET left_ms = excluded.left_ms, why = excluded.why, "
                              "agent = excluded.agent"};
const batch_table state_batch{"fact_agent_state", "batch_agent_state", state_columns, ""};
const batch_table handling_batch{"fact_handling", "batch_handling", handling_columns, ""};
const batch_table offer_batch{"fact_offer", "batch_offer", offer_columns, ""};

/// " AND tenant IN (...)" and " AND <column> = ..." for a filter, parameters from ?3 on.
std::string where_of(const agg_filter& f, const std::string& object_column, std::vector<cell>& params) {
  std::string out;
  if (!f.tenants.empty()) {
    out += " AND tenant IN (";
    for (std::size_t i = 0; i < f.tenants.size(); ++i) {
      params.push_back(f.tenants[i]);
      out += (i ? ", ?" : "?") + std::to_string(params.size());
    }
    out += ")";
  }
  if (!f.object.empty()) {
    params.push_back(f.object);
    out += " AND " + object_column + " = ?" + std::to_string(params.size());
  }
  return out;
}

class reporting final : public reporting_store {
public:
  explicit reporting(std::unique_ptr<sql_conn> c) : db_(std::move(c)) {}

  std::pair<std::uint64_t, std::int64_t> watermark() override {
    auto r = db_->select("SELECT seq, engine_ms FROM report_watermark WHERE name = 'events'", {});
    if (r.empty())
      return {0, 0};
    return {static_cast<std::uint64_t>(num(r[0][0])), num(r[0][1])};
  }

  std::vector<std::uint64_t> runs() override {
    std::vector<std::uint64_t> out;
    for (auto& r : db_->select("SELECT first_seq FROM report_runs ORDER BY first_seq", {}))
      out.push_back(static_cast<std::uint64_t>(num(r[0])));
    return out;
  }

  void add_run(std::uint64_t first_seq) override {
    db_->exec("INSERT INTO report_runs (first_seq) VALUES (?1) ON CONFLICT (first_seq) DO NOTHING",
              {static_cast<std::int64_t>(first_seq)});
  }

  std::vector<open_row> open_rows() override {
    std::vector<open_row> out;
    for (auto& r : db_->select("SELECT kind, key, body FROM report_open ORDER BY kind, key", {}))
      out.push_back({r[0], r[1], r[2]});
    return out;
  }

  void write(const fact_batch& b) override {
    db_->transaction([&] {
      // The facts the aggregates read pass through their batch tables: into the facts from
      // there, and added from there to every interval they touch.
      std::vector<std::vector<cell>> entries;
      for (auto& e : b.entries) {
        entries.push_back(cells(e));
        entries.back().push_back(std::int64_t{e.first_write ? 1 : 0});
      }
      stage(entry_batch, entries);
      stage(state_batch, rows_of(b.states));
      stage(handling_batch, rows_of(b.handlings));
      stage(offer_batch, rows_of(b.offers));
      std::vector<cell> all{std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
      if (!b.entries.empty() || !b.handlings.empty())
        db_->exec(batch_statements().queue, all);
      if (!b.states.empty() || !b.offers.empty() || !b.handlings.empty())
        db_->exec(batch_statements().agent, all);
      if (!b.states.empty())
        db_->exec(batch_statements().reason, all);
      if (!b.interactions.empty())
        db_->insert("fact_interaction", interaction_columns, rows_of(b.interactions), "");
      std::vector<std::vector<cell>> puts;
      std::map<std::string, std::vector<std::string>> gone;  // kind -> keys
      for (auto& o : b.open) {
        if (o.body.empty())
          gone[o.kind].push_back(o.key);
        else
          puts.push_back({o.kind, o.key, o.body});
      }
      for (auto& [kind, keys] : gone)
        for (std::size_t at = 0; at < keys.size(); at += 500) {
          std::vector<cell> p{kind};
          std::string in;
          for (auto i = at; i < std::min(keys.size(), at + 500); ++i) {
            p.push_back(keys[i]);
            in += (in.empty() ? "?" : ", ?") + std::to_string(p.size());
          }
          db_->exec("DELETE FROM report_open WHERE kind = ?1 AND key IN (" + in + ")", p);
        }
      if (!puts.empty())
        db_->insert("report_open", {"kind", "key", "body"}, puts,
                    "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body");
      db_->exec("INSERT INTO report_watermark (name, seq, engine_ms) VALUES ('events', ?1, ?2) "
                "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, engine_ms = excluded.engine_ms",
                {static_cast<std::int64_t>(b.watermark), b.watermark_ms});
    });
  }

  std::vector<std::int64_t> dirty(std::size_t limit) override {
    std::vector<std::int64_t> out;
    for (auto& r : db_->select("SELECT interval_ms FROM agg_dirty ORDER BY interval_ms LIMIT ?1",
                               {static_cast<std::int64_t>(limit)}))
      out.push_back(num(r[0]));
    return out;
  }

  void aggregate(std::int64_t start) override {
    std::vector<cell> p{start, start + interval_ms};
    try {
      db_->transaction([&] {
        if (is_final(start))
          throw final_interval{};
        for (auto* table : aggregate_tables)
          db_->exec(std::string{"DELETE FROM "} + table + " WHERE interval_ms = ?1", {start});
        for (auto* sql : {&rebuild_statements().queue, &rebuild_statements().agent, &rebuild_statements().reason, &rebuild_statements().campaign,
                          &rebuild_statements().campaign_result, &rebuild_statements().campaign_denial})
          db_->exec(*sql, p);
        // Again after the inserts: on PostgreSQL a retention run may commit between two
        // statements, and a snapshot that misses some facts also sees the new final_before.
        if (is_final(start))
          throw final_interval{};
        db_->exec("DELETE FROM agg_dirty WHERE interval_ms = ?1", {start});
      });
    } catch (const final_interval&) {  // rolled back: its rows stay as they were
      db_->exec("DELETE FROM agg_dirty WHERE interval_ms = ?1", {start});
    }
  }

  std::size_t mark_dirty(std::int64_t from_ms, std::int64_t to_ms) override {
    std::vector<std::vector<cell>> rows;
    auto final = final_before();
    for (auto t = interval_of(from_ms); t < to_ms; t += interval_ms)
      if (final == 0 || t >= final)
        rows.push_back({t});
    if (!rows.empty())
      db_->transaction(
        [&] { db_->insert("agg_dirty", {"interval_ms"}, rows, "ON CONFLICT (interval_ms) DO NOTHING"); });
    return rows.size();
  }

  std::int64_t final_before() override {
    auto r = db_->select("SELECT engine_ms FROM report_watermark WHERE name = 'final'", {});
    return r.empty() ? 0 : num(r[0][0]);
  }

  std::size_t purge(retention_family family, const retention_cut& cut, std::size_t limit) override {
    std::size_t n = 0;
    db_->transaction([&] {
      switch (family) {
        case retention_family::events: n = purge_log("events", cut.events_ms, cut.events_seq, limit); break;
        case retention_family::vq_events: n = purge_log("vq_events", cut.events_ms, cut.vq_seq, limit); break;
        case retention_family::facts: n = purge_facts(cut.facts_ms, limit); break;
        case retention_family::outbound:
          n = purge_tables({{"attempts", "started_ms < ?1"}, {"denials", "time_ms < ?1"}}, cut.outbound_ms, limit);
          break;
        case retention_family::aggregates: {
          std::vector<std::pair<const char*, const char*>> tables;
          for (auto* t : aggregate_tables)
            tables.push_back({t, "interval_ms < ?1"});
          n = purge_tables(tables, cut.aggregates_ms, limit);
          break;
        }
      }
    });
    return n;
  }

  std::size_t fold_outbound(std::size_t limit) override {
    std::size_t seen = 0;
    db_->transaction([&] {
      for (auto* table : {"attempts", "denials"}) {
        std::string name = table;
        auto w = db_->select("SELECT seq FROM report_watermark WHERE name = ?1", {name});
        std::int64_t from = w.empty() ? 0 : num(w[0][0]);
        auto r = db_->select("SELECT COUNT(*), MAX(id) FROM (SELECT id FROM " + name
                               + " WHERE id > ?1 ORDER BY id LIMIT ?2) x",
                             {from, static_cast<std::int64_t>(limit)});
        auto n = num(r[0][0]);
        if (n == 0)
          continue;
        auto to = num(r[0][1]);
        seen += static_cast<std::size_t>(n);
        if (name == "attempts") {
          db_->exec(batch_statements().campaign, {from, to});
          db_->exec(batch_statements().campaign_result, {from, to});
        } else {
          db_->exec(batch_statements().campaign_denial, {from, to});
        }
        db_->exec("INSERT INTO report_watermark (name, seq, engine_ms) VALUES (?1, ?2, 0) "
                  "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
                  {name, to});
      }
    });
    return seen;
  }

  std::vector<campaign_agg> campaign_aggs(const agg_filter& f) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT interval_ms, campaign, dialed, answered, abandoned, connected, connected_in_2s, "
               "connect_ms, talk_ms FROM agg_campaign_15m WHERE interval_ms >= ?1 AND interval_ms < ?2"
               + campaign_where(f, p) + " ORDER BY interval_ms, campaign";
    std::vector<campaign_agg> out;
    for (auto& r : db_->select(sql, p))
      out.push_back({num(r[0]), r[1], num(r[2]), num(r[3]), num(r[4]), num(r[5]), num(r[6]), num(r[7]),
                     num(r[8])});
    return out;
  }

  std::vector<campaign_count> campaign_results(const agg_filter& f) override {
    return counts("agg_campaign_result_15m", "result", f);
  }

  std::vector<campaign_count> campaign_denials(const agg_filter& f) override {
    return counts("agg_campaign_denial_15m", "reason", f);
  }

  std::vector<campaign_window> campaign_windows(const agg_filter& f) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = std::string{"SELECT campaign, "} + attempt_audit_columns
               + " FROM attempts WHERE ended_ms >= ?1 AND ended_ms < ?2 AND ended_ms > 0" + campaign_where(f, p)
               + " GROUP BY campaign ORDER BY campaign";
    std::vector<campaign_window> out;
    for (auto& r : db_->select(sql, p))
      out.push_back({r[0], num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5])});
    return out;
  }

  std::vector<queue_agg> queue_aggs(const agg_filter& f) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT interval_ms, tenant, queue, media, entered, distributed, distributed_within, "
               "distributed_of_entered, abandoned, abandoned_within, short_abandoned, overflowed, cleared, "
               "wait_distributed_ms, wait_abandoned_ms, max_wait_ms, transferred, conferenced FROM agg_queue_15m "
               "WHERE interval_ms >= ?1 AND interval_ms < ?2"
               + where_of(f, "queue", p) + " ORDER BY interval_ms, queue, media";
    std::vector<queue_agg> out;
    for (auto& r : db_->select(sql, p))
      out.push_back({num(r[0]), r[1], r[2], r[3], num(r[4]), num(r[5]), num(r[6]), num(r[7]), num(r[8]),
                     num(r[9]), num(r[10]), num(r[11]), num(r[12]), num(r[13]), num(r[14]), num(r[15]),
                     num(r[16]), num(r[17])});
    return out;
  }

  std::vector<agent_agg> agent_aggs(const agg_filter& f) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT interval_ms, tenant, agent, grp, login_ms, ready_ms, not_ready_ms, acw_ms, busy_ms, "
               "idle_ready_ms, idle_acw_ms, offered, accepted, rejected, timed_out, revoked, accept_ms, "
               "handled, handle_ms, hold_ms, transferred, conferenced FROM agg_agent_15m "
               "WHERE interval_ms >= ?1 AND interval_ms < ?2"
               + where_of(f, "agent", p) + " ORDER BY interval_ms, agent, grp";
    std::vector<agent_agg> out;
    for (auto& r : db_->select(sql, p))
      out.push_back({num(r[0]), r[1], r[2], r[3], num(r[4]), num(r[5]), num(r[6]), num(r[7]), num(r[8]),
                     num(r[9]), num(r[10]), num(r[11]), num(r[12]), num(r[13]), num(r[14]), num(r[15]),
                     num(r[16]), num(r[17]), num(r[18]), num(r[19]), num(r[20]), num(r[21])});
    return out;
  }

  std::vector<reason_agg> reason_aggs(const agg_filter& f) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT interval_ms, tenant, agent, grp, reason, ms FROM agg_agent_reason_15m "
               "WHERE interval_ms >= ?1 AND interval_ms < ?2"
               + where_of(f, "agent", p) + " ORDER BY interval_ms, agent, grp, reason";
    std::vector<reason_agg> out;
    for (auto& r : db_->select(sql, p))
      out.push_back({num(r[0]), r[1], r[2], r[3], r[4], num(r[5])});
    return out;
  }

  std::vector<agent_state_fact> agent_states(const agg_filter& f, std::size_t limit) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT " + joined(state_columns)
               + " FROM fact_agent_state WHERE interval_ms >= ?1 AND interval_ms < ?2" + where_of(f, "agent", p)
               + " ORDER BY agent, from_ms LIMIT " + std::to_string(limit);
    std::vector<agent_state_fact> out;
    for (auto& r : db_->select(sql, p))
      out.push_back(state_of(r));
    return out;
  }

  std::vector<queue_entry_fact> queue_entries(const agg_filter& f, std::size_t limit) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT " + joined(entry_columns)
               + " FROM fact_queue_entry WHERE ((left_ms >= ?1 AND left_ms < ?2 AND why <> '') OR (why = '' AND "
                 "entered_ms >= ?1 AND entered_ms < ?2))" + where_of(f, "queue", p)
               + " ORDER BY left_ms, entry_seq LIMIT " + std::to_string(limit);
    std::vector<queue_entry_fact> out;
    for (auto& r : db_->select(sql, p))
      out.push_back(entry_of(r));
    return out;
  }

  std::vector<interaction_fact> interactions(const agg_filter& f, std::size_t limit) override {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT " + joined(interaction_columns)
               + " FROM fact_interaction WHERE created_ms >= ?1 AND created_ms < ?2"
               + where_of(f, "first_queue", p) + " ORDER BY created_ms, iid LIMIT " + std::to_string(limit);
    std::vector<interaction_fact> out;
    for (auto& r : db_->select(sql, p))
      out.push_back(interaction_of(r));
    return out;
  }

private:
  /// Empties the batch table of `t` (made on first use: it lives as long as the
  /// connection), puts `rows` in it and writes them into the facts.
  void stage(const batch_table& t, const std::vector<std::vector<cell>>& rows) {
    auto columns = joined(t.columns);
    bool entries = &t == &entry_batch;
    db_->scratch(t.batch, "SELECT " + columns + (entries ? ", 0 AS first_write" : "") + " FROM " + t.fact);
    if (rows.empty())
      return;
    auto batch_columns = t.columns;
    if (entries)
      batch_columns.push_back("first_write");
    db_->insert(t.batch, batch_columns, rows, "");
    db_->exec(std::string{"INSERT INTO "} + t.fact + " (" + columns + ") SELECT " + columns + " FROM " + t.batch
                + " WHERE true " + t.conflict,
              {});
  }

  /// Thrown to roll back an aggregation that met a retention run (aggregate()).
  struct final_interval {};

  /// Retention took the facts of interval `start` (final_before() 0: none were taken).
  bool is_final(std::int64_t start) {
    auto before = final_before();
    return before != 0 && start < before;
  }

  /// One chunk of an event log (`events`, `vq_events`): the oldest rows, up to `upto_seq` and
  /// never the last one, that are older than `before` (a newer one among them ends the run:
  /// seq order rules).
  std::size_t purge_log(const std::string& table, std::int64_t before, std::uint64_t upto_seq, std::size_t limit) {
    if (before <= 0)
      return 0;
    auto last = num(db_->select("SELECT coalesce(max(seq), 0) FROM " + table, {})[0][0]);
    auto upto = std::min<std::int64_t>(
      last - 1, static_cast<std::int64_t>(std::min<std::uint64_t>(upto_seq, std::numeric_limits<std::int64_t>::max())));
    // The oldest `limit` by seq (the primary key): all of them go, up to the first that is
    // not older than the cut.
    auto r = db_->select("SELECT max(seq), min(CASE WHEN engine_ms >= ?3 THEN seq END) FROM (SELECT seq, engine_ms "
                         "FROM " + table + " WHERE seq <= ?1 ORDER BY seq LIMIT ?2) x",
                         {upto, static_cast<std::int64_t>(limit), before});
    if (r.empty() || r[0][0].empty())
      return 0;
    auto below = r[0][1].empty() ? num(r[0][0]) + 1 : num(r[0][1]);
    return db_->delete_some(table, "seq < ?1", {below}, limit);
  }

  /// One chunk of facts.
  std::size_t purge_facts(std::int64_t before, std::size_t limit) {
    if (before <= 0)
      return 0;
    db_->exec("INSERT INTO report_watermark (name, seq, engine_ms) VALUES ('final', 0, ?1) ON CONFLICT (name) "
              "DO UPDATE SET engine_ms = CASE WHEN excluded.engine_ms > report_watermark.engine_ms "
              "THEN excluded.engine_ms ELSE report_watermark.engine_ms END",
              {before});
    db_->exec("DELETE FROM agg_dirty WHERE interval_ms < ?1", {before});
    return purge_tables({{"fact_queue_entry", "left_ms > 0 AND left_ms < ?1"},
                         {"fact_agent_state", "interval_ms < ?1"},
                         {"fact_handling", "to_ms < ?1"},
                         {"fact_offer", "ended_ms < ?1"},
                         {"fact_interaction", "ended_ms < ?1"}},
                        before, limit);
  }

  /// One chunk of `limit` rows from `tables` (name, condition on ?1), in their order.
  std::size_t purge_tables(const std::vector<std::pair<const char*, const char*>>& tables, std::int64_t before,
                           std::size_t limit) {
    std::size_t n = 0;
    for (auto [table, where] : tables)
      if (before > 0 && n < limit)
        n += db_->delete_some(table, where, {before}, limit - n);
    return n;
  }

  /// " AND campaign = ..." for a campaign filter (tenants are the caller's to apply).
  static std::string campaign_where(const agg_filter& f, std::vector<cell>& p) {
    return where_of({f.from_ms, f.to_ms, {}, f.object}, "campaign", p);
  }

  std::vector<campaign_count> counts(const std::string& table, const std::string& key, const agg_filter& f) {
    std::vector<cell> p{f.from_ms, f.to_ms};
    auto sql = "SELECT interval_ms, campaign, " + key + ", n FROM " + table
               + " WHERE interval_ms >= ?1 AND interval_ms < ?2" + campaign_where(f, p)
               + " ORDER BY interval_ms, campaign, " + key;
    std::vector<campaign_count> out;
    for (auto& r : db_->select(sql, p))
      out.push_back({num(r[0]), r[1], r[2], num(r[3])});
    return out;
  }

  std::unique_ptr<sql_conn> db_;
};

} // namespace

std::unique_ptr<reporting_store> make_reporting(std::unique_ptr<sql_conn> conn) {
  return std::make_unique<reporting>(std::move(conn));
}

} // namespace parley::storage
