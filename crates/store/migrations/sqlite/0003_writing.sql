-- Writing: every saved version of a summary, threaded comments, and share links for
-- private summaries. All three go with their summary when it is deleted, so a summary
-- written again later starts clean. Same columns in the PostgreSQL file.

CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    summary_id  INTEGER NOT NULL REFERENCES summaries (id) ON DELETE CASCADE,
    markdown    TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    private     INTEGER NOT NULL CHECK (private IN (0, 1)),
    anonymous   INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    created_at  INTEGER NOT NULL,
    editor      INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX revisions_summary ON revisions (summary_id, id);

-- Summaries saved before this migration start their history with their current text.
INSERT INTO revisions (summary_id, markdown, bytes, private, anonymous, created_at, editor)
SELECT id, markdown, length(CAST(markdown AS BLOB)), private, anonymous, edited_at, author_id
FROM summaries ORDER BY id;

-- Deleting a comment leaves its row (deleted_at set, text cleared) so replies keep their
-- place; hidden_at is set by moderators.
CREATE TABLE comments (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    summary_id        INTEGER NOT NULL REFERENCES summaries (id) ON DELETE CASCADE,
    parent_id         INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_id         INTEGER NOT NULL REFERENCES users (id),
    markdown          TEXT NOT NULL,
    html              TEXT NOT NULL,
    renderer_version  INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    edited_at         INTEGER,
    deleted_at        INTEGER,
    hidden_at         INTEGER
);
CREATE INDEX comments_summary ON comments (summary_id, id);
CREATE INDEX comments_author ON comments (author_id);

-- At most one live share link per summary; only the SHA-256 of its secret is kept.
CREATE TABLE summary_shares (
    summary_id  INTEGER PRIMARY KEY REFERENCES summaries (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
