-- Papers, their identifiers, users, summaries and votes.
-- Times are Unix seconds, flags 0/1; the same columns exist in the PostgreSQL file.

CREATE TABLE papers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    authors     TEXT NOT NULL DEFAULT '[]',
    year        INTEGER,
    venue       TEXT,
    abstract    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE paper_aliases (
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    paper_id  INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, value)
);
CREATE INDEX paper_aliases_paper ON paper_aliases (paper_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    email          TEXT,
    password_hash  TEXT,
    role           TEXT NOT NULL DEFAULT 'user',
    created_at     INTEGER NOT NULL
);

CREATE TABLE summaries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id          INTEGER NOT NULL REFERENCES papers (id),
    author_id         INTEGER NOT NULL REFERENCES users (id),
    markdown          TEXT NOT NULL,
    html              TEXT NOT NULL,
    excerpt           TEXT NOT NULL,
    paper_refs        TEXT NOT NULL DEFAULT '[]',
    renderer_version  INTEGER NOT NULL,
    private           INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    anonymous         INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    up                INTEGER NOT NULL DEFAULT 0,
    down              INTEGER NOT NULL DEFAULT 0,
    score             REAL NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    edited_at         INTEGER NOT NULL,
    UNIQUE (paper_id, author_id)
);
-- Home lists (Recent, Top, Popular candidates); per paper is covered by the UNIQUE index.
CREATE INDEX summaries_recent ON summaries (private, edited_at DESC);
CREATE INDEX summaries_top ON summaries (private, score DESC, up DESC, edited_at DESC);
CREATE INDEX summaries_author ON summaries (author_id, edited_at DESC);

CREATE TABLE votes (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    summary_id  INTEGER NOT NULL REFERENCES summaries (id) ON DELETE CASCADE,
    value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, summary_id)
);
CREATE INDEX votes_summary ON votes (summary_id);
