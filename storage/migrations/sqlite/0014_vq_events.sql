-- 0014: the virtual-queue event log (docs/protocol.md "Replay", docs/streams.md). VQ events
-- have their own gap-free sequence, apart from the reporting events; a subscriber on 7122 may
-- replay them from a seq, and the stream export appends them to <prefix><tenant>:vq.
CREATE TABLE vq_events (
  seq       INTEGER PRIMARY KEY,
  engine_ms INTEGER NOT NULL,
  kind      INTEGER NOT NULL,
  tenant    TEXT    NOT NULL,
  vq        TEXT    NOT NULL,
  iid       INTEGER NOT NULL,
  agent     TEXT    NOT NULL,
  reason    TEXT    NOT NULL
);
