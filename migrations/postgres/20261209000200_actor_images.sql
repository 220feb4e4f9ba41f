-- Avatars and banners of accounts and channels (local and remote), one row per stored size as
-- PeerTube keeps them: kind 1 is an avatar (1500, 600, 120 and 48 px squares), kind 2 a banner
-- (1920x317 and 600x100). Every file is a JPEG the server encoded itself under a generated name
-- (`<uuid>.jpg` in storage's `avatars/`), served at /lazy-static/avatars/ or /lazy-static/banners/.
-- A remote actor's images keep the URL they were fetched from (`remote_url`, the same on each
-- size), so a new document with the same URL does not fetch them again.
CREATE TABLE actor_images (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    kind BIGINT NOT NULL CHECK (kind IN (1, 2)),
    file_name TEXT NOT NULL UNIQUE,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    location TEXT NOT NULL,
    remote_url TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX actor_images_actor ON actor_images (actor_id, kind);
-- Video list items show their account's and channel's avatars.
CREATE CONSTRAINT TRIGGER actor_images_list_version AFTER INSERT OR UPDATE OR DELETE ON actor_images
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_video_list_version();
