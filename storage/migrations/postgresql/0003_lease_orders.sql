-- Indexes for the campaign record orders other than by schedule (lease_order):
-- fewest attempts first, and list (import) order.
CREATE INDEX records_fresh ON records (list_id, record_status, attempts, dial_sched_ms, id);
CREATE INDEX records_listed ON records (list_id, record_status, id);
