-- 0001: interactions (current state), the reporting event log, agent sessions.
-- Enum columns hold the wire protocol's numbers (protocol/schema/interaction.fbs).
CREATE TABLE interactions (
  id           bigint   PRIMARY KEY,
  external_id  text     NOT NULL,
  tenant       text     NOT NULL,
  media        text     NOT NULL,
  queue        text     NOT NULL,
  priority     integer  NOT NULL,
  state        smallint NOT NULL,
  agents       jsonb    NOT NULL,
  held         boolean  NOT NULL,
  workbin      text     NOT NULL,
  properties   jsonb    NOT NULL,
  submitted_ms bigint   NOT NULL,
  changed_ms   bigint   NOT NULL,
  entered_ms   bigint   NOT NULL,
  queue_seq    bigint   NOT NULL
);
CREATE INDEX interactions_live ON interactions (state) WHERE state <> 5;
CREATE INDEX interactions_external ON interactions (tenant, external_id);

CREATE TABLE events (
  seq         bigint   PRIMARY KEY,
  engine_ms   bigint   NOT NULL,
  source_ms   bigint   NOT NULL,
  kind        smallint NOT NULL,
  tenant      text     NOT NULL,
  iid         bigint   NOT NULL,
  agent       text     NOT NULL,
  queue       text     NOT NULL,
  media       text     NOT NULL,
  from_state  smallint NOT NULL,  -- -1: none
  state       smallint NOT NULL,
  agent_state smallint NOT NULL,
  reason      text     NOT NULL
);
CREATE INDEX events_iid ON events (iid) WHERE iid <> 0;

CREATE TABLE agent_sessions (
  id        bigint PRIMARY KEY,
  tenant    text   NOT NULL,
  agent     text   NOT NULL,
  client    text   NOT NULL,
  login_ms  bigint NOT NULL,
  logout_ms bigint NOT NULL,  -- 0 while logged in
  reason    text   NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent);
CREATE INDEX agent_sessions_open ON agent_sessions (logout_ms) WHERE logout_ms = 0;
