-- 0010: historical reporting (docs/reporting.md) — facts from the event log, the fact
-- writer's watermark and open state (one transaction with the facts: kill -9 safe), the
-- dirty 15-minute intervals and their aggregates. Times are UTC milliseconds, domain clock.
CREATE TABLE report_watermark (
  name      TEXT PRIMARY KEY,  -- 'events'
  seq       INTEGER NOT NULL,   -- the last event folded into the facts
  engine_ms INTEGER NOT NULL    -- its engine time
);
CREATE TABLE report_runs (
  first_seq INTEGER PRIMARY KEY  -- the first seq an engine run gave out
);
CREATE TABLE report_open (
  kind TEXT NOT NULL,  -- 'i' interaction, 'a' agent
  key  TEXT NOT NULL,
  body TEXT NOT NULL,  -- JSON, read back by the fact writer alone
  PRIMARY KEY (kind, key)
);
CREATE TABLE fact_queue_entry (
  entry_seq  INTEGER PRIMARY KEY,  -- the event the wait began at
  iid        INTEGER NOT NULL,
  tenant     TEXT NOT NULL,
  queue      TEXT NOT NULL,
  media      TEXT NOT NULL,
  entered_ms INTEGER NOT NULL,
  left_ms    INTEGER NOT NULL,     -- 0 while it waits
  why        TEXT NOT NULL,       -- distributed, abandoned, overflowed, cleared; '' while it waits
  agent      TEXT NOT NULL,       -- distributed to
  sl_ms      INTEGER NOT NULL,     -- the queue's service-level threshold then
  short_ms   INTEGER NOT NULL      -- the short-abandon threshold then
);
CREATE INDEX fact_queue_entry_entered ON fact_queue_entry (entered_ms);
CREATE INDEX fact_queue_entry_left ON fact_queue_entry (left_ms);
CREATE TABLE fact_agent_state (  -- a state segment's piece within one 15-minute interval
  end_seq     INTEGER NOT NULL,
  tenant      TEXT NOT NULL,
  agent       TEXT NOT NULL,
  grp         TEXT NOT NULL,
  state       TEXT NOT NULL,     -- ready, not_ready, acw
  reason      TEXT NOT NULL,
  busy        INTEGER NOT NULL,  -- 1: handling at least one interaction
  seg_from_ms INTEGER NOT NULL,
  seg_to_ms   INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  from_ms     INTEGER NOT NULL,
  to_ms       INTEGER NOT NULL,
  PRIMARY KEY (agent, seg_from_ms, interval_ms)
);
CREATE INDEX fact_agent_state_interval ON fact_agent_state (interval_ms);
CREATE TABLE fact_handling (
  end_seq INTEGER NOT NULL,
  iid     INTEGER NOT NULL,
  tenant  TEXT NOT NULL,
  agent   TEXT NOT NULL,
  grp     TEXT NOT NULL,
  queue   TEXT NOT NULL,
  media   TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms   INTEGER NOT NULL,
  hold_ms INTEGER NOT NULL,
  PRIMARY KEY (iid, agent, from_ms)
);
CREATE INDEX fact_handling_to ON fact_handling (to_ms);
CREATE TABLE fact_offer (
  end_seq    INTEGER NOT NULL,
  iid        INTEGER NOT NULL,
  tenant     TEXT NOT NULL,
  agent      TEXT NOT NULL,
  grp        TEXT NOT NULL,
  queue      TEXT NOT NULL,
  offered_ms INTEGER NOT NULL,
  ended_ms   INTEGER NOT NULL,
  result     TEXT NOT NULL,  -- accepted, rejected, timed_out, revoked
  PRIMARY KEY (iid, agent, offered_ms)
);
CREATE INDEX fact_offer_ended ON fact_offer (ended_ms);
CREATE TABLE fact_interaction (
  iid         INTEGER PRIMARY KEY,
  tenant      TEXT NOT NULL,
  media       TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  ended_ms    INTEGER NOT NULL,
  first_queue TEXT NOT NULL,
  last_queue  TEXT NOT NULL,
  outcome     TEXT NOT NULL,  -- handled, transferred, abandoned, stopped
  wait_ms     INTEGER NOT NULL,
  handle_ms   INTEGER NOT NULL,
  hold_ms     INTEGER NOT NULL,
  transfers   INTEGER NOT NULL,
  conferences INTEGER NOT NULL,
  handlings   INTEGER NOT NULL
);
CREATE INDEX fact_interaction_ended ON fact_interaction (ended_ms);
CREATE TABLE agg_dirty (
  interval_ms INTEGER PRIMARY KEY
);
CREATE TABLE agg_queue_15m (
  interval_ms            INTEGER NOT NULL,
  tenant                 TEXT NOT NULL,
  queue                  TEXT NOT NULL,
  media                  TEXT NOT NULL,
  entered                INTEGER NOT NULL,
  distributed            INTEGER NOT NULL,
  distributed_within     INTEGER NOT NULL,
  distributed_of_entered INTEGER NOT NULL,
  abandoned              INTEGER NOT NULL,
  abandoned_within       INTEGER NOT NULL,
  short_abandoned        INTEGER NOT NULL,
  overflowed             INTEGER NOT NULL,
  cleared                INTEGER NOT NULL,
  wait_distributed_ms    INTEGER NOT NULL,
  wait_abandoned_ms      INTEGER NOT NULL,
  max_wait_ms            INTEGER NOT NULL,
  PRIMARY KEY (interval_ms, queue, media)
);
CREATE INDEX agg_queue_15m_queue ON agg_queue_15m (queue, interval_ms);
CREATE TABLE agg_agent_15m (
  interval_ms   INTEGER NOT NULL,
  tenant        TEXT NOT NULL,
  agent         TEXT NOT NULL,
  grp           TEXT NOT NULL,
  login_ms      INTEGER NOT NULL,
  ready_ms      INTEGER NOT NULL,
  not_ready_ms  INTEGER NOT NULL,
  acw_ms        INTEGER NOT NULL,
  busy_ms       INTEGER NOT NULL,
  idle_ready_ms INTEGER NOT NULL,
  idle_acw_ms   INTEGER NOT NULL,
  offered       INTEGER NOT NULL,
  accepted      INTEGER NOT NULL,
  rejected      INTEGER NOT NULL,
  timed_out     INTEGER NOT NULL,
  revoked       INTEGER NOT NULL,
  accept_ms     INTEGER NOT NULL,
  handled       INTEGER NOT NULL,
  handle_ms     INTEGER NOT NULL,
  hold_ms       INTEGER NOT NULL,
  PRIMARY KEY (interval_ms, agent, grp)
);
CREATE INDEX agg_agent_15m_agent ON agg_agent_15m (agent, interval_ms);
CREATE TABLE agg_agent_reason_15m (
  interval_ms INTEGER NOT NULL,
  tenant      TEXT NOT NULL,
  agent       TEXT NOT NULL,
  grp         TEXT NOT NULL,
  reason      TEXT NOT NULL,
  ms          INTEGER NOT NULL,
  PRIMARY KEY (interval_ms, agent, grp, reason)
);
