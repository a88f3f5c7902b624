-- Paper merges: a moderator folds one paper (`from`) into another (`into`). The `from`
-- row is deleted, so it leaves every list, search index (the papers_fts triggers), the
-- sitemap and the API without those queries knowing about merges; its aliases and
-- summaries move to `into`. Each merge keeps what an exact undo needs: `from`'s whole
-- row, `into`'s fields before the merge filled them, and which aliases and summaries
-- moved. Same columns in the PostgreSQL file.

CREATE TABLE paper_merges (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No foreign keys to papers: `from` is gone while the merge stands, and `into` may
    -- be merged away itself after this merge is undone.
    from_id          INTEGER NOT NULL,
    into_id          INTEGER NOT NULL,
    actor_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason           TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    undone_at        INTEGER,
    undone_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    from_title       TEXT NOT NULL,
    from_authors     TEXT NOT NULL,
    from_year        INTEGER,
    from_venue       TEXT,
    from_abstract    TEXT,
    from_created_at  INTEGER NOT NULL,
    from_updated_at  INTEGER NOT NULL,
    -- `into` before the merge; only the fields the merge filled are put back.
    into_title       TEXT NOT NULL,
    into_authors     TEXT NOT NULL,
    into_year        INTEGER,
    into_venue       TEXT,
    into_abstract    TEXT,
    into_updated_at  INTEGER NOT NULL,
    -- `into`'s updated_at as the merge left it (equal to into_updated_at when nothing was filled).
    filled_at        INTEGER NOT NULL
);
-- A paper is merged away at most once at a time; redirects look it up by from_id.
CREATE UNIQUE INDEX paper_merges_from_live ON paper_merges (from_id) WHERE undone_at IS NULL;
CREATE INDEX paper_merges_into_live ON paper_merges (into_id) WHERE undone_at IS NULL;

CREATE TABLE paper_merge_aliases (
    merge_id  INTEGER NOT NULL REFERENCES paper_merges (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (merge_id, kind, value)
);

-- No foreign key on summary_id: a moved summary may be deleted later; undo skips it.
CREATE TABLE paper_merge_summaries (
    merge_id    INTEGER NOT NULL REFERENCES paper_merges (id) ON DELETE CASCADE,
    summary_id  INTEGER NOT NULL,
    PRIMARY KEY (merge_id, summary_id)
);
