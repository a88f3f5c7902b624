-- Search reads each candidate summary's tsvector twice (`@@` while filling the window,
-- then `ts_rank`). Stored EXTENDED, the tsvector (1.7 KB for a 1 KB summary) was moved
-- to the TOAST table, so every read was a TOAST index lookup: about 10 µs a row, most of
-- a common word's search. MAIN keeps it in the row (compressed if need be; moved out
-- only when the row cannot fit otherwise), and the Markdown and HTML, which only pages
-- read, go to TOAST first.
--
-- A storage setting applies to rows as they are written, so CLUSTER rewrites the table
-- (in id order, the order the search window reads them in). It locks `summaries` while it
-- runs: 14 s for 100,000 summaries on the two-core bench machine.
ALTER TABLE summaries ALTER COLUMN search SET STORAGE MAIN;
CLUSTER summaries USING summaries_pkey;
