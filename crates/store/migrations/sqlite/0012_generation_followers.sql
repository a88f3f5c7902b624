-- App instances on PostgreSQL follow the content generation by LISTEN/NOTIFY instead of
-- reading it for every guest request. A write waits until every instance holding a live
-- lease has acknowledged its change (see store::followers). SQLite keeps the same
-- schema and does not use it.

-- Counts bumps, so an acknowledgement can say "this one and every one before it".
ALTER TABLE content_generation ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE generation_followers (
    id          TEXT PRIMARY KEY,
    -- The highest `seq` this instance has applied.
    acked       BIGINT NOT NULL,
    -- Milliseconds since the epoch, by the database's clock; past it the instance no
    -- longer serves from its followed value, and writers stop waiting for it.
    lease_until BIGINT NOT NULL
);
