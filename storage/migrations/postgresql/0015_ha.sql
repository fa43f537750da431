-- 0015: high availability (docs/ha.md). One lease row names the primary of a warm-standby
-- pair, its fencing term and where clients reach it; times are the database's, so the two
-- nodes' clocks do not matter. Every write statement on every table checks the term: a
-- connection of an HA node says its term (SET parley.term) and a statement from a term
-- that is no longer the lease's fails with SQLSTATE PF001, so a primary that lost its
-- lease (frozen, partitioned) commits nothing once the backup has taken over. Connections
-- that never set parley.term (a parleyd without [ha], tools) are not checked.
CREATE TABLE ha_lease (
  id               SMALLINT PRIMARY KEY CHECK (id = 1),
  term             BIGINT NOT NULL,
  holder           TEXT NOT NULL,            -- ha.node of the primary
  host             TEXT NOT NULL,            -- ha.advertise: where clients reach it
  interaction_port INTEGER NOT NULL DEFAULT 0,
  vq_port          INTEGER NOT NULL DEFAULT 0,
  stat_port        INTEGER NOT NULL DEFAULT 0,
  http_port        INTEGER NOT NULL DEFAULT 0,
  expires_at       TIMESTAMPTZ NOT NULL,     -- renewed every ha.renew_ms for ha.lease_ms
  since            TIMESTAMPTZ NOT NULL,     -- when this term began (the last failover)
  previous         TEXT NOT NULL DEFAULT ''  -- the holder before it
);

CREATE FUNCTION parley_fence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mine TEXT := current_setting('parley.term', true);
BEGIN
  IF mine IS NOT NULL AND mine <> ''
     AND mine::BIGINT IS DISTINCT FROM (SELECT term FROM ha_lease WHERE id = 1) THEN
    RAISE EXCEPTION 'fenced: term % is no longer the primary''s (ha_lease)', mine
      USING ERRCODE = 'PF001';
  END IF;
  RETURN NULL;
END $$;

-- Every table but the lease and the schema version; a later migration that creates a table
-- gives it the trigger too (tests/storage/conformance_test.cpp checks that none lacks it).
DO $$
DECLARE
  t TEXT;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename NOT IN ('ha_lease', 'schema_version')
  LOOP
    EXECUTE format('CREATE TRIGGER parley_fence BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE '
                   'ON %I FOR EACH STATEMENT EXECUTE FUNCTION parley_fence()', t);
  END LOOP;
END $$;

-- Term 0 held by nobody, long expired: every node's first look locks a row (FOR UPDATE), so
-- two nodes started at once take turns.
INSERT INTO ha_lease (id, term, holder, host, expires_at, since) VALUES (1, 0, '', '', 'epoch', 'epoch');
