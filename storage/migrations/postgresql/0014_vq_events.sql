-- 0014: the virtual-queue event log (docs/protocol.md "Replay", docs/streams.md). VQ events
-- have their own gap-free sequence, apart from the reporting events; a subscriber on 7122 may
-- replay them from a seq, and the stream export appends them to <prefix><tenant>:vq.
CREATE TABLE vq_events (
  seq       bigint   PRIMARY KEY,
  engine_ms bigint   NOT NULL,
  kind      smallint NOT NULL,
  tenant    text     NOT NULL,
  vq        text     NOT NULL,
  iid       bigint   NOT NULL,
  agent     text     NOT NULL,
  reason    text     NOT NULL
);
