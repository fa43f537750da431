-- 0002: outbound — contact lists and records, suppression (do-not-call) entries,
-- compliance denials, dial attempts. Enum columns hold storage/outbound_rows.hpp's numbers.
CREATE TABLE call_lists (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
);

CREATE TABLE records (
  id                INTEGER PRIMARY KEY,
  list_id           INTEGER NOT NULL REFERENCES call_lists (id),
  phone             TEXT    NOT NULL,
  contact_info_type INTEGER NOT NULL,
  record_type       INTEGER NOT NULL,
  record_status     INTEGER NOT NULL,
  call_result       INTEGER NOT NULL,
  attempts          INTEGER NOT NULL,
  dial_sched_ms     INTEGER NOT NULL,  -- 0: any time
  call_time_ms      INTEGER NOT NULL,  -- 0: never called
  daily_from_s      INTEGER NOT NULL,
  daily_till_s      INTEGER NOT NULL,
  tz                TEXT    NOT NULL,
  chain_id          INTEGER NOT NULL,
  chain_n           INTEGER NOT NULL,
  customer_id       TEXT    NOT NULL,
  custom            TEXT    NOT NULL   -- JSON object
);
-- lease(): the ready records of a list in scheduled-time order.
CREATE INDEX records_due ON records (list_id, record_status, dial_sched_ms, id);
CREATE INDEX records_retrieved ON records (record_status) WHERE record_status = 2;

CREATE TABLE suppression (
  kind     TEXT    NOT NULL,  -- "phone" or "customer"
  value    TEXT    NOT NULL,
  added_ms INTEGER NOT NULL,
  PRIMARY KEY (kind, value)
);

CREATE TABLE denials (
  id          INTEGER PRIMARY KEY,
  time_ms     INTEGER NOT NULL,
  campaign    TEXT    NOT NULL,
  list_id     INTEGER NOT NULL,
  record_id   INTEGER NOT NULL,
  phone       TEXT    NOT NULL,
  customer_id TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  detail      TEXT    NOT NULL
);

CREATE TABLE attempts (
  id          INTEGER PRIMARY KEY,
  record_id   INTEGER NOT NULL,
  list_id     INTEGER NOT NULL,
  chain_id    INTEGER NOT NULL,
  customer_id TEXT    NOT NULL,
  phone       TEXT    NOT NULL,
  campaign    TEXT    NOT NULL,
  started_ms  INTEGER NOT NULL,
  call_result INTEGER NOT NULL
);
CREATE INDEX attempts_record ON attempts (record_id, started_ms);
CREATE INDEX attempts_customer ON attempts (customer_id, started_ms);
