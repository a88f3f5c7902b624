-- Paper pages and permalinks count each summary's live comments in the same query that
-- reads the summaries. This index answers the count without reading comment rows.
CREATE INDEX comments_visible ON comments (summary_id)
    WHERE deleted_at IS NULL AND hidden_at IS NULL;
