-- 0013: transfers and conferences per queue and agent (docs/reporting.md "Queue measures",
-- "Agent measures"). A handling says whether it ended in a transfer its agent made and
-- whether it began by a conference; the queue and agent rows count them. Handlings stored
-- before this migration count neither.
ALTER TABLE fact_handling ADD COLUMN transferred BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_handling ADD COLUMN conferenced BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agg_queue_15m ADD COLUMN transferred BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agg_queue_15m ADD COLUMN conferenced BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agg_agent_15m ADD COLUMN transferred BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agg_agent_15m ADD COLUMN conferenced BIGINT NOT NULL DEFAULT 0;
