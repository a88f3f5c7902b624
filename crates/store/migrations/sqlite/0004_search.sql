-- Full-text search (FTS5) over papers and public summaries, and indexes for venue pages.
--
-- Both indexes are external-content FTS5 tables kept in sync by triggers, so every write
-- path (upserts, bulk imports, edits, later merges and deletes) updates them without the
-- Rust code having to remember. Only public summaries are indexed: a summary enters the
-- index when it is (or becomes) public and leaves it when it becomes private or is deleted,
-- so a private summary can never match a search. Summaries index their Markdown only,
-- never their author, so anonymous ones are findable without revealing who wrote them.
-- Tokenizer: Porter stemming over unicode61 with diacritics folded ("réseaux" = "reseaux").

CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, authors, abstract,
    content = 'papers', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');

CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, authors, abstract)
    VALUES (new.id, new.title, new.authors, new.abstract);
END;
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, authors, abstract)
    VALUES ('delete', old.id, old.title, old.authors, old.abstract);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, authors, abstract ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, authors, abstract)
    VALUES ('delete', old.id, old.title, old.authors, old.abstract);
    INSERT INTO papers_fts (rowid, title, authors, abstract)
    VALUES (new.id, new.title, new.authors, new.abstract);
END;

CREATE VIRTUAL TABLE summaries_fts USING fts5 (
    markdown,
    content = 'summaries', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Not 'rebuild': that would index private summaries too.
INSERT INTO summaries_fts (rowid, markdown) SELECT id, markdown FROM summaries WHERE private = 0;

CREATE TRIGGER summaries_fts_insert AFTER INSERT ON summaries WHEN new.private = 0 BEGIN
    INSERT INTO summaries_fts (rowid, markdown) VALUES (new.id, new.markdown);
END;
CREATE TRIGGER summaries_fts_delete AFTER DELETE ON summaries WHEN old.private = 0 BEGIN
    INSERT INTO summaries_fts (summaries_fts, rowid, markdown) VALUES ('delete', old.id, old.markdown);
END;
-- One trigger with both steps, so the old entry always leaves before the new one enters.
CREATE TRIGGER summaries_fts_update AFTER UPDATE OF markdown, private ON summaries BEGIN
    INSERT INTO summaries_fts (summaries_fts, rowid, markdown)
    SELECT 'delete', old.id, old.markdown WHERE old.private = 0;
    INSERT INTO summaries_fts (rowid, markdown)
    SELECT new.id, new.markdown WHERE new.private = 0;
END;

-- Venue pages (a venue's years, a year's papers) and the venue filter.
CREATE INDEX papers_venue_year ON papers (venue, year);
