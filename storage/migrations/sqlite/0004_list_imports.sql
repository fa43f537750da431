-- 0004: what each contact-list import brought in (the duplicate-file rule of `list import`,
-- `show lists`). `imported` grows in the same transaction as each chunk of records, so it
-- is exact even for an import the engine stopped in the middle of. A list's imports go
-- with the list (`list delete`); dial attempts and denials stay (compliance history).
--
-- Lists can be deleted from now on, so call_lists and records are built again with
-- AUTOINCREMENT: without it SQLite hands the largest deleted id out again, and the attempts
-- and denials kept with a deleted list's ids would count for a new list's records (attempt
-- caps) — PostgreSQL's identity columns never reuse ids. The rows keep their ids.
CREATE TABLE call_lists_v4 (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
);
INSERT INTO call_lists_v4 (id, name, created_ms) SELECT id, name, created_ms FROM call_lists;

CREATE TABLE records_v4 (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO records_v4 (id, list_id, phone, contact_info_type, record_type, record_status,
                        call_result, attempts, dial_sched_ms, call_time_ms, daily_from_s,
                        daily_till_s, tz, chain_id, chain_n, customer_id, custom)
  SELECT id, list_id, phone, contact_info_type, record_type, record_status, call_result,
         attempts, dial_sched_ms, call_time_ms, daily_from_s, daily_till_s, tz, chain_id,
         chain_n, customer_id, custom FROM records;
DROP TABLE records;
DROP TABLE call_lists;
ALTER TABLE call_lists_v4 RENAME TO call_lists;
ALTER TABLE records_v4 RENAME TO records;
-- The indexes of 0002 and 0003 went with the old table.
CREATE INDEX records_due ON records (list_id, record_status, dial_sched_ms, id);
CREATE INDEX records_retrieved ON records (record_status) WHERE record_status = 2;
CREATE INDEX records_fresh ON records (list_id, record_status, attempts, dial_sched_ms, id);
CREATE INDEX records_listed ON records (list_id, record_status, id);

CREATE TABLE list_imports (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  list_id     INTEGER NOT NULL REFERENCES call_lists (id),
  sha256      TEXT    NOT NULL,  -- of the file's bytes, lower-case hex
  file        TEXT    NOT NULL,  -- as the operator named it
  appended    INTEGER NOT NULL,  -- 1: --append, imported although the contents were in
  deduped     INTEGER NOT NULL,  -- 1: --dedupe, phones the list held were skipped
  rows_read   INTEGER NOT NULL,
  imported    INTEGER NOT NULL,
  rejected    INTEGER NOT NULL,
  duplicates  INTEGER NOT NULL,
  started_ms  INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,  -- 0 while it runs
  error       TEXT    NOT NULL   -- "" or why it stopped early
);
CREATE INDEX list_imports_contents ON list_imports (list_id, sha256);
