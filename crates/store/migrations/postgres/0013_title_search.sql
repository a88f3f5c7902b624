-- Typeahead matches titles only. Against `papers.search` it asked for weight-A lexemes
-- (`'wan':*A`), but the GIN index holds lexemes without their weights: a prefix common
-- in author names ("wan" for Wang) returned every paper by such an author, each then
-- read and dropped: 0.5 s for one keystroke at 1,000,000 papers. The title's own
-- vector, stored so that a common prefix can still be read off the table in order
-- (computing it per row would make that walk cost more than the index), and indexed
-- for rare prefixes.
ALTER TABLE papers ADD COLUMN title_search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title)
) STORED;
CREATE INDEX papers_title_search ON papers USING GIN (title_search);
