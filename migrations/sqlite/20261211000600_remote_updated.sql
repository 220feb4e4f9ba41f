-- The `updated` date of the last object applied to a remote video: an Update older than it
-- (activities processed out of order) is not applied. Kept apart from updated_at, which local
-- changes (mirrors, media locations) bump too.
ALTER TABLE videos ADD COLUMN remote_updated_at INTEGER;
