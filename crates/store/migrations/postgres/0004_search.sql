-- Full-text search over papers and public summaries, and indexes for venue pages.
--
-- Stored generated tsvector columns keep themselves in sync on every write path. The
-- 'english' configuration stems words like the SQLite side's Porter tokenizer (it does not
-- fold diacritics). Papers weigh title (A) over authors (B) over abstract (C).
-- Summaries index their Markdown only, never their author; the GIN index covers public
-- summaries only, and every search query repeats `private = 0`, so a private summary
-- can never match.

ALTER TABLE papers ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', authors), 'B')
    || setweight(to_tsvector('english', COALESCE(abstract, '')), 'C')
) STORED;
CREATE INDEX papers_search ON papers USING GIN (search);

ALTER TABLE summaries ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', markdown)
) STORED;
CREATE INDEX summaries_search ON summaries USING GIN (search) WHERE private = 0;

-- Venue pages (a venue's years, a year's papers) and the venue filter.
CREATE INDEX papers_venue_year ON papers (venue, year);
