-- 0005: personal callbacks name their agent, and a dial attempt's result row carries its
-- times, so the rules can be proven from stored rows alone (`campaign audit`) and a
-- campaign's abandon-rate window is rebuilt from them when it starts after a restart.
--
-- records.agent: the agent a personal_callback / personal_rescheduled record is for.
-- attempts (result rows; the dial row keeps 0 / ''): answered_ms (a live person answered),
-- connected_ms (offered to an agent), ended_ms, abandoned (answered, no agent in time),
-- agent. started_ms is the dial time on both rows. Rows written before this migration
-- have no times: they do not count in the rebuilt window or the audit.
ALTER TABLE records ADD COLUMN agent text NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN answered_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN connected_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN ended_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN abandoned smallint NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN agent text NOT NULL DEFAULT '';
-- answer_hours() and attempt_audit(): a campaign's result rows by end time.
CREATE INDEX attempts_campaign_end ON attempts (campaign, ended_ms) WHERE ended_ms > 0;
