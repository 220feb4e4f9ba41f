-- Where each video's files live: 'local', 's3-private' or 's3-public' (kinora_storage::Location).
-- The original is tracked apart: it is stored in S3 by a job after the upload, and is never public.
ALTER TABLE videos ADD COLUMN media_location TEXT NOT NULL DEFAULT 'local';
ALTER TABLE videos ADD COLUMN original_location TEXT NOT NULL DEFAULT 'local';
