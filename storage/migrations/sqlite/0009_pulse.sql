-- 0009: Pulse (docs/pulse.md) — dashboard templates (seven seeded, editable), dashboards,
-- their widgets (each a JSON document, so a display option needs no migration), each
-- user's open tabs, the samples trend widgets draw when no Redis is configured, and the
-- wallboard flag on users (a wallboard's browser session does not expire).
CREATE TABLE pulse_templates (
  name       TEXT PRIMARY KEY,
  title      TEXT NOT NULL,
  widget     TEXT NOT NULL,  -- the widget document, objects empty
  built_in   INTEGER NOT NULL,  -- 1: seeded here; may be edited, not deleted
  changed_ms INTEGER NOT NULL,
  changed_by TEXT NOT NULL
);
CREATE TABLE pulse_dashboards (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  owner      TEXT NOT NULL,  -- the user who made it
  shared     INTEGER NOT NULL,  -- 1: every user of its tenant may open it
  tenant     TEXT NOT NULL,  -- the tenant it belongs to ("" = the owner's alone)
  layout     TEXT NOT NULL,  -- JSON: widget order and sizes
  created_ms INTEGER NOT NULL,
  changed_ms INTEGER NOT NULL
);
CREATE INDEX pulse_dashboards_owner ON pulse_dashboards (owner);
CREATE TABLE pulse_widgets (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  dashboard_id INTEGER NOT NULL REFERENCES pulse_dashboards (id) ON DELETE CASCADE,
  template     TEXT NOT NULL,  -- the template it was made from ("" = none), informative
  widget       TEXT NOT NULL,  -- the widget document
  changed_ms   INTEGER NOT NULL
);
CREATE INDEX pulse_widgets_dashboard ON pulse_widgets (dashboard_id);
CREATE TABLE pulse_tabs (
  user_name  TEXT PRIMARY KEY,
  tabs       TEXT NOT NULL  -- JSON array of dashboard ids, in the order the user keeps them
);
CREATE TABLE pulse_samples (
  stat_key TEXT NOT NULL,  -- the statistic (its OpenStat fields, as text)
  t_ms     INTEGER NOT NULL,
  value    REAL NOT NULL,
  PRIMARY KEY (stat_key, t_ms)
);
CREATE INDEX pulse_samples_time ON pulse_samples (t_ms);
ALTER TABLE users ADD COLUMN wallboard INTEGER NOT NULL DEFAULT 0;
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Queue KPIs', 'Queue KPIs', '{"kind":"kpi","objects":[],"statistics":[{"alias":"Waiting","metric":"current_in_queue","interval":"growing_reset","format":"integer","thresholds":{"warning":5,"alarm":10}},{"alias":"Longest waiting","metric":"longest_waiting","interval":"growing_reset","format":"time","thresholds":{"warning":60,"alarm":120}},{"alias":"Entered","metric":"entered","interval":"growing_reset","format":"integer"},{"alias":"Distributed","metric":"distributed","interval":"growing_reset","format":"integer"},{"alias":"Abandoned","metric":"abandoned","interval":"growing_reset","format":"integer"},{"alias":"Service level","metric":"service_level","interval":"growing_reset","format":"percent","range_to_s":20,"thresholds":{"warning":85,"alarm":80,"lower_is_worse":true}},{"alias":"ASA","metric":"average_speed_of_answer","interval":"growing_reset","format":"time"}],"refresh":{"mode":"on_change","sensitivity":0}}', 1, 0, 'migration');
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Agent KPIs', 'Agent KPIs', '{"kind":"grid","objects":[],"statistics":[{"alias":"Handled","metric":"handled","interval":"growing_reset","format":"integer"},{"alias":"AHT","metric":"average_handle_time","interval":"growing_reset","format":"time"},{"alias":"Occupancy","metric":"occupancy","interval":"growing_reset","format":"percent","thresholds":{"warning":90,"alarm":95}},{"alias":"Ready","metric":"ready_time","interval":"growing_reset","format":"time"},{"alias":"Not ready","metric":"not_ready_time","interval":"growing_reset","format":"time"},{"alias":"ACW","metric":"acw_time","interval":"growing_reset","format":"time"}],"refresh":{"mode":"periodic","every_s":10}}', 1, 0, 'migration');
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Agent Group Status', 'Agent Group Status', '{"kind":"grid","objects":[],"statistics":[{"alias":"Logged in","metric":"agents_logged_in","interval":"growing_reset","format":"integer"},{"alias":"Ready","metric":"agents_ready","interval":"growing_reset","format":"integer"},{"alias":"Not ready","metric":"agents_not_ready","interval":"growing_reset","format":"integer"},{"alias":"ACW","metric":"agents_acw","interval":"growing_reset","format":"integer"},{"alias":"Busy","metric":"agents_busy","interval":"growing_reset","format":"integer"}],"refresh":{"mode":"on_change","sensitivity":0}}', 1, 0, 'migration');
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Agent Login', 'Agent Login', '{"kind":"list","objects":[],"statistics":[{"alias":"State","metric":"agent_state","interval":"growing_reset","format":"agent_status"}],"refresh":{"mode":"periodic","every_s":1}}', 1, 0, 'migration');
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Service Level', 'Service Level', '{"kind":"trend","objects":[],"statistics":[{"alias":"Service level","metric":"service_level","interval":"growing_reset","format":"percent","range_to_s":20,"thresholds":{"warning":85,"alarm":80,"lower_is_worse":true}}],"refresh":{"mode":"on_change","sensitivity":0}}', 1, 0, 'migration');
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Campaign Activity', 'Campaign Activity', '{"kind":"kpi","objects":[],"statistics":[{"alias":"Attempts","metric":"dial_attempts","interval":"growing_reset","format":"integer"},{"alias":"Answers","metric":"dial_answers","interval":"growing_reset","format":"integer"},{"alias":"Abandon rate","metric":"abandon_rate","interval":"growing_reset","format":"percent","thresholds":{"warning":2.5,"alarm":3}}],"refresh":{"mode":"on_change","sensitivity":0}}', 1, 0, 'migration');
INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) VALUES
  ('Billboard', 'Billboard', '{"kind":"billboard","objects":[],"statistics":[{"alias":"Waiting","metric":"current_in_queue","interval":"growing_reset","format":"integer","thresholds":{"warning":5,"alarm":10}}],"refresh":{"mode":"on_change","sensitivity":0}}', 1, 0, 'migration');
