-- UP-04: one writer at a time per resumable upload session, across every `kinora serve` process
-- on the database. A writer claims the session at the offset it writes at (`writer`, a random
-- token, until `writer_until`, epoch milliseconds), renews the claim while it writes, and only
-- writes to the session's file while its claim is live; others are refused.
ALTER TABLE upload_sessions ADD COLUMN writer TEXT;
ALTER TABLE upload_sessions ADD COLUMN writer_until INTEGER;
