-- 0006: the agent's side of a campaign call (docs/outbound.md "The agent's side").
--
-- records.disposition: what the agent said the last call was (one of the campaign's
-- configured dispositions; '' none).
-- record_actions: every action an agent's desktop took on a record (update, reschedule,
-- do_not_call, processed) and the engine's own (timeout: the agent never said processed),
-- newest last; `campaign actions NAME` reads it. The audit of do-not-call requests.
ALTER TABLE records ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
CREATE TABLE record_actions (
  id        INTEGER PRIMARY KEY,
  time_ms   INTEGER NOT NULL,
  campaign  TEXT    NOT NULL,
  list_id   INTEGER NOT NULL,
  record_id INTEGER NOT NULL,
  agent     TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  detail    TEXT    NOT NULL
);
CREATE INDEX record_actions_campaign ON record_actions (campaign, id);
