-- 0010: historical reporting (docs/reporting.md) — facts from the event log, the fact
-- writer's watermark and open state (one transaction with the facts: kill -9 safe), the
-- dirty 15-minute intervals and their aggregates. Times are UTC milliseconds, domain clock.
CREATE TABLE report_watermark (
  name      TEXT PRIMARY KEY,  -- 'events'
  seq       BIGINT NOT NULL,   -- the last event folded into the facts
  engine_ms BIGINT NOT NULL    -- its engine time
);
CREATE TABLE report_runs (
  first_seq BIGINT PRIMARY KEY  -- the first seq an engine run gave out
);
CREATE TABLE report_open (
  kind TEXT NOT NULL,  -- 'i' interaction, 'a' agent
  key  TEXT NOT NULL,
  body TEXT NOT NULL,  -- JSON, read back by the fact writer alone
  PRIMARY KEY (kind, key)
);
CREATE TABLE fact_queue_entry (
  entry_seq  BIGINT PRIMARY KEY,  -- the event the wait began at
  iid        BIGINT NOT NULL,
  tenant     TEXT NOT NULL,
  queue      TEXT NOT NULL,
  media      TEXT NOT NULL,
  entered_ms BIGINT NOT NULL,
  left_ms    BIGINT NOT NULL,     -- 0 while it waits
  why        TEXT NOT NULL,       -- distributed, abandoned, overflowed, cleared; '' while it waits
  agent      TEXT NOT NULL,       -- distributed to
  sl_ms      BIGINT NOT NULL,     -- the queue's service-level threshold then
  short_ms   BIGINT NOT NULL      -- the short-abandon threshold then
);
CREATE INDEX fact_queue_entry_entered ON fact_queue_entry (entered_ms);
CREATE INDEX fact_queue_entry_left ON fact_queue_entry (left_ms);
CREATE TABLE fact_agent_state (  -- a state segment's piece within one 15-minute interval
  end_seq     BIGINT NOT NULL,
  tenant      TEXT NOT NULL,
  agent       TEXT NOT NULL,
  grp         TEXT NOT NULL,
  state       TEXT NOT NULL,     -- ready, not_ready, acw
  reason      TEXT NOT NULL,
  busy        INTEGER NOT NULL,  -- 1: handling at least one interaction
  seg_from_ms BIGINT NOT NULL,
  seg_to_ms   BIGINT NOT NULL,
  interval_ms BIGINT NOT NULL,
  from_ms     BIGINT NOT NULL,
  to_ms       BIGINT NOT NULL,
  PRIMARY KEY (agent, seg_from_ms, interval_ms)
);
CREATE INDEX fact_agent_state_interval ON fact_agent_state (interval_ms);
CREATE TABLE fact_handling (
  end_seq BIGINT NOT NULL,
  iid     BIGINT NOT NULL,
  tenant  TEXT NOT NULL,
  agent   TEXT NOT NULL,
  grp     TEXT NOT NULL,
  queue   TEXT NOT NULL,
  media   TEXT NOT NULL,
  from_ms BIGINT NOT NULL,
  to_ms   BIGINT NOT NULL,
  hold_ms BIGINT NOT NULL,
  PRIMARY KEY (iid, agent, from_ms)
);
CREATE INDEX fact_handling_to ON fact_handling (to_ms);
CREATE TABLE fact_offer (
  end_seq    BIGINT NOT NULL,
  iid        BIGINT NOT NULL,
  tenant     TEXT NOT NULL,
  agent      TEXT NOT NULL,
  grp        TEXT NOT NULL,
  queue      TEXT NOT NULL,
  offered_ms BIGINT NOT NULL,
  ended_ms   BIGINT NOT NULL,
  result     TEXT NOT NULL,  -- accepted, rejected, timed_out, revoked
  PRIMARY KEY (iid, agent, offered_ms)
);
CREATE INDEX fact_offer_ended ON fact_offer (ended_ms);
CREATE TABLE fact_interaction (
  iid         BIGINT PRIMARY KEY,
  tenant      TEXT NOT NULL,
  media       TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  ended_ms    BIGINT NOT NULL,
  first_queue TEXT NOT NULL,
  last_queue  TEXT NOT NULL,
  outcome     TEXT NOT NULL,  -- handled, transferred, abandoned, stopped
  wait_ms     BIGINT NOT NULL,
  handle_ms   BIGINT NOT NULL,
  hold_ms     BIGINT NOT NULL,
  transfers   BIGINT NOT NULL,
  conferences BIGINT NOT NULL,
  handlings   BIGINT NOT NULL
);
CREATE INDEX fact_interaction_ended ON fact_interaction (ended_ms);
CREATE TABLE agg_dirty (
  interval_ms BIGINT PRIMARY KEY
);
CREATE TABLE agg_queue_15m (
  interval_ms            BIGINT NOT NULL,
  tenant                 TEXT NOT NULL,
  queue                  TEXT NOT NULL,
  media                  TEXT NOT NULL,
  entered                BIGINT NOT NULL,
  distributed            BIGINT NOT NULL,
  distributed_within     BIGINT NOT NULL,
  distributed_of_entered BIGINT NOT NULL,
  abandoned              BIGINT NOT NULL,
  abandoned_within       BIGINT NOT NULL,
  short_abandoned        BIGINT NOT NULL,
  overflowed             BIGINT NOT NULL,
  cleared                BIGINT NOT NULL,
  wait_distributed_ms    BIGINT NOT NULL,
  wait_abandoned_ms      BIGINT NOT NULL,
  max_wait_ms            BIGINT NOT NULL,
  PRIMARY KEY (interval_ms, queue, media)
);
CREATE INDEX agg_queue_15m_queue ON agg_queue_15m (queue, interval_ms);
CREATE TABLE agg_agent_15m (
  interval_ms   BIGINT NOT NULL,
  tenant        TEXT NOT NULL,
  agent         TEXT NOT NULL,
  grp           TEXT NOT NULL,
  login_ms      BIGINT NOT NULL,
  ready_ms      BIGINT NOT NULL,
  not_ready_ms  BIGINT NOT NULL,
  acw_ms        BIGINT NOT NULL,
  busy_ms       BIGINT NOT NULL,
  idle_ready_ms BIGINT NOT NULL,
  idle_acw_ms   BIGINT NOT NULL,
  offered       BIGINT NOT NULL,
  accepted      BIGINT NOT NULL,
  rejected      BIGINT NOT NULL,
  timed_out     BIGINT NOT NULL,
  revoked       BIGINT NOT NULL,
  accept_ms     BIGINT NOT NULL,
  handled       BIGINT NOT NULL,
  handle_ms     BIGINT NOT NULL,
  hold_ms       BIGINT NOT NULL,
  PRIMARY KEY (interval_ms, agent, grp)
);
CREATE INDEX agg_agent_15m_agent ON agg_agent_15m (agent, interval_ms);
CREATE TABLE agg_agent_reason_15m (
  interval_ms BIGINT NOT NULL,
  tenant      TEXT NOT NULL,
  agent       TEXT NOT NULL,
  grp         TEXT NOT NULL,
  reason      TEXT NOT NULL,
  ms          BIGINT NOT NULL,
  PRIMARY KEY (interval_ms, agent, grp, reason)
);
