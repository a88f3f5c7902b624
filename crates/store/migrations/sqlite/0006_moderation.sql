-- Profiles (bio, ORCID iD) and moderation: hidden summaries, reports, and the audit log
-- of every moderator action. Same columns in the PostgreSQL file.

ALTER TABLE users ADD COLUMN bio_markdown TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio_html TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN orcid TEXT;

-- Set by a moderator: the summary disappears for everyone but its author.
ALTER TABLE summaries ADD COLUMN hidden_at INTEGER;

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    reporter_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('summary', 'comment', 'user')),
    target_id    INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolved_by  INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX reports_open ON reports (resolved_at, id);
CREATE INDEX reports_target ON reports (kind, target_id);

-- Kept when the actor's account goes (actor_id set to NULL).
CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    INTEGER NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX moderation_log_recent ON moderation_log (id);
