-- Avatars and banners of accounts and channels (local and remote), one row per stored size as
-- PeerTube keeps them: kind 1 is an avatar (1500, 600, 120 and 48 px squares), kind 2 a banner
-- (1920x317 and 600x100). Every file is a JPEG the server encoded itself under a generated name
-- (`<uuid>.jpg` in storage's `avatars/`), served at /lazy-static/avatars/ or /lazy-static/banners/.
-- A remote actor's images keep the URL they were fetched from (`remote_url`, the same on each
-- size), so a new document with the same URL does not fetch them again.
CREATE TABLE actor_images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
    file_name TEXT NOT NULL UNIQUE,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    location TEXT NOT NULL,
    remote_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX actor_images_actor ON actor_images (actor_id, kind);
-- Video list items show their account's and channel's avatars.
CREATE TRIGGER actor_images_insert_list_version AFTER INSERT ON actor_images
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actor_images_update_list_version AFTER UPDATE ON actor_images
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actor_images_delete_list_version AFTER DELETE ON actor_images
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
