-- Open by design: personal API tokens, and the licence of each summary.
-- Same columns in the PostgreSQL file.

-- Only the SHA-256 of a token's secret is kept; revoked tokens stay listed (revoked_at set).
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The licence an author grants for new summaries (their setting).
ALTER TABLE users ADD COLUMN licence TEXT NOT NULL DEFAULT 'CC-BY-4.0'
    CHECK (licence IN ('CC-BY-4.0', 'CC-BY-SA-4.0'));

-- The licence a summary was published under. A grant is not taken back, so it is fixed
-- when the summary is first stored: '' (the default) takes the author's setting at that
-- moment; copies and restores that carry a licence keep theirs.
ALTER TABLE summaries ADD COLUMN licence TEXT NOT NULL DEFAULT ''
    CHECK (licence IN ('', 'CC-BY-4.0', 'CC-BY-SA-4.0'));
UPDATE summaries SET licence = 'CC-BY-4.0';

CREATE TRIGGER summaries_licence AFTER INSERT ON summaries WHEN new.licence = '' BEGIN
    UPDATE summaries SET licence = (SELECT licence FROM users WHERE id = new.author_id)
    WHERE id = new.id;
END;
