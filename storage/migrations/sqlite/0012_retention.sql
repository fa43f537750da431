-- 0012: retention (docs/reporting.md "Retention"). The job deletes attempt rows by the time
-- they were dialed, dial and result rows alike, so it needs every row's start time indexed;
-- the partial index of 0011 (result rows only) is covered by this one.
CREATE INDEX attempts_started ON attempts (started_ms);
DROP INDEX attempts_result_start;
