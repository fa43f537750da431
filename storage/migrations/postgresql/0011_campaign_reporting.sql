-- 0011: campaign reporting (docs/reporting.md "Campaign measures"). The outbound facts are
-- the attempt log's result rows (attempts with ended_ms > 0: dial, answer, agent-connect and
-- end times, the result, abandoned) and the compliance denials — both append-only, so the
-- history actor follows them by id (report_watermark 'attempts' and 'denials') and marks the
-- 15-minute intervals they touch dirty. A campaign's aggregates count an attempt in the
-- interval it was dialed, a denial in the interval it was made.
CREATE INDEX attempts_result_start ON attempts (started_ms) WHERE ended_ms > 0;
CREATE INDEX attempts_result_end ON attempts (ended_ms) WHERE ended_ms > 0;
CREATE INDEX denials_time ON denials (time_ms);
CREATE TABLE agg_campaign_15m (
  interval_ms     BIGINT NOT NULL,
  campaign        TEXT NOT NULL,
  dialed          BIGINT NOT NULL,  -- attempts with a result
  answered        BIGINT NOT NULL,  -- by a live person
  abandoned       BIGINT NOT NULL,  -- answered, no agent within abandon_after_ms
  connected       BIGINT NOT NULL,  -- answered and offered to an agent
  connected_in_2s BIGINT NOT NULL,  -- offered within 2 s of the answer
  connect_ms      BIGINT NOT NULL,  -- sum of answer -> offer over the connected ones
  talk_ms         BIGINT NOT NULL,  -- sum of offer -> end over the connected ones
  PRIMARY KEY (interval_ms, campaign)
);
CREATE TABLE agg_campaign_result_15m (
  interval_ms BIGINT NOT NULL,
  campaign    TEXT NOT NULL,
  result      INTEGER NOT NULL,  -- call_result
  n           BIGINT NOT NULL,
  PRIMARY KEY (interval_ms, campaign, result)
);
CREATE TABLE agg_campaign_denial_15m (
  interval_ms BIGINT NOT NULL,
  campaign    TEXT NOT NULL,
  reason      TEXT NOT NULL,
  n           BIGINT NOT NULL,
  PRIMARY KEY (interval_ms, campaign, reason)
);
