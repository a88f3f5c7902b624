-- Merges that came from a dump (`shortscience restore`): a dump keeps only the two ids and
-- when, enough for the old address to redirect but not for an exact undo, so undo refuses
-- these rows (1).
ALTER TABLE paper_merges ADD COLUMN restored INTEGER NOT NULL DEFAULT 0 CHECK (restored IN (0, 1));
