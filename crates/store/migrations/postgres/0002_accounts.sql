-- Accounts: e-mail confirmation, suspension, approval, deletion; server-side sessions;
-- single-use account tokens (confirm, reset, change e-mail); invitation codes.
-- Secrets are stored only as SHA-256 hex digests. Same columns in the SQLite file.

ALTER TABLE users ADD COLUMN email_confirmed_at BIGINT;
ALTER TABLE users ADD COLUMN suspended_at BIGINT;
ALTER TABLE users ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    user_agent    TEXT,
    ip            TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE account_tokens (
    hash        TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset', 'email')),
    new_email   TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

CREATE TABLE invites (
    hash        TEXT PRIMARY KEY,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    used_at     BIGINT
);
