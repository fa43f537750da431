-- 0004: what each contact-list import brought in (the duplicate-file rule of `list import`,
-- `show lists`). `imported` grows in the same transaction as each chunk of records, so it
-- is exact even for an import the engine stopped in the middle of. A list's imports go
-- with the list (`list delete`); dial attempts and denials stay (compliance history).
--
-- Lists can be deleted from now on, and SQLite hands the largest id of a table out again
-- once its row is gone: the attempts and denials kept with a deleted list's ids would then
-- count for a new list's records (attempt caps). delete_list notes the largest list and
-- record ids in id_floor, and new lists and records are numbered above it (PostgreSQL's
-- identity columns never reuse ids). Not AUTOINCREMENT: its per-row bookkeeping made
-- imports about 20 % slower.
CREATE TABLE id_floor (
  tbl    TEXT    PRIMARY KEY,  -- "call_lists" or "records"
  max_id INTEGER NOT NULL      -- ids up to this one were used
);

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
