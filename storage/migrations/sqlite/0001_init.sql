-- 0001: interactions (current state), the reporting event log, agent sessions.
-- Enum columns hold the wire protocol's numbers (protocol/schema/interaction.fbs).
CREATE TABLE interactions (
  id           INTEGER PRIMARY KEY,
  external_id  TEXT    NOT NULL,
  tenant       TEXT    NOT NULL,
  media        TEXT    NOT NULL,
  queue        TEXT    NOT NULL,
  priority     INTEGER NOT NULL,
  state        INTEGER NOT NULL,
  agents       TEXT    NOT NULL,  -- JSON array
  held         INTEGER NOT NULL,
  workbin      TEXT    NOT NULL,
  properties   TEXT    NOT NULL,  -- JSON array
  submitted_ms INTEGER NOT NULL,
  changed_ms   INTEGER NOT NULL,
  entered_ms   INTEGER NOT NULL,
  queue_seq    INTEGER NOT NULL
);
CREATE INDEX interactions_live ON interactions (state) WHERE state <> 5;
CREATE INDEX interactions_external ON interactions (tenant, external_id);

CREATE TABLE events (
  seq         INTEGER PRIMARY KEY,
  engine_ms   INTEGER NOT NULL,
  source_ms   INTEGER NOT NULL,
  kind        INTEGER NOT NULL,
  tenant      TEXT    NOT NULL,
  iid         INTEGER NOT NULL,
  agent       TEXT    NOT NULL,
  queue       TEXT    NOT NULL,
  media       TEXT    NOT NULL,
  from_state  INTEGER NOT NULL,  -- -1: none
  state       INTEGER NOT NULL,
  agent_state INTEGER NOT NULL,
  reason      TEXT    NOT NULL
);
CREATE INDEX events_iid ON events (iid) WHERE iid <> 0;

CREATE TABLE agent_sessions (
  id        INTEGER PRIMARY KEY,
  tenant    TEXT    NOT NULL,
  agent     TEXT    NOT NULL,
  client    TEXT    NOT NULL,
  login_ms  INTEGER NOT NULL,
  logout_ms INTEGER NOT NULL,  -- 0 while logged in
  reason    TEXT    NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent);
CREATE INDEX agent_sessions_open ON agent_sessions (logout_ms) WHERE logout_ms = 0;
