-- What serving pages fast needs.

-- One row, written after every change that a page can show: app instances compare it
-- with the value they cached pages under. Empty until the first write; the value is a
-- random token, not a counter, so a restored or copied database never repeats a value
-- an instance has already seen.
CREATE TABLE content_generation (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   BIGINT NOT NULL
);

-- Popular ranks the 500 most recently edited visible summaries by votes and age: this
-- index answers that from the index alone, without reading the (large) summary rows.
CREATE INDEX summaries_popular ON summaries (private, edited_at DESC, id DESC, up, down)
    WHERE hidden_at IS NULL;

-- Per-paper counts and lists of visible summaries (search cards, paper pages). Without
-- it SQLite's planner walked a whole home-list index for each paper: 240 ms per search
-- card at 100,000 summaries.
CREATE INDEX summaries_paper ON summaries (paper_id, private, hidden_at);
