-- Video playlists (PeerTube's VideoPlaylist): owned by an account, published in a channel
-- (required when public), privacy 1 public, 2 unlisted, 3 private; kind 1 regular, 2 the
-- account's "Watch later" (one per account). url is the ActivityPub id of a remote playlist
-- (NULL for ours, which derive theirs from uuid); thumbnail_file names our stored thumbnail,
-- remote_thumbnail_url a remote playlist's icon. remote_total is the totalItems a remote
-- Playlist announced (its elements here are capped). federated is 1 while followers were sent
-- our playlist (a Create), so that a later change sends an Update, or a Delete when it is
-- no longer theirs to see.
CREATE TABLE video_playlists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    short_uuid TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    channel_id INTEGER REFERENCES channels (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    description TEXT,
    privacy INTEGER NOT NULL CHECK (privacy IN (1, 2, 3)),
    kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
    thumbnail_file TEXT UNIQUE,
    url TEXT UNIQUE,
    remote_thumbnail_url TEXT,
    remote_total INTEGER,
    federated INTEGER NOT NULL DEFAULT 0 CHECK (federated IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX video_playlists_account ON video_playlists (account_id);
CREATE INDEX video_playlists_channel ON video_playlists (channel_id);
CREATE UNIQUE INDEX video_playlists_one_watch_later ON video_playlists (account_id) WHERE kind = 2;

-- The videos of a playlist, in order (position from 1). video_id becomes NULL when the video
-- is deleted (PeerTube's "deleted" element). url is the ActivityPub id of a remote element.
CREATE TABLE video_playlist_elements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    playlist_id INTEGER NOT NULL REFERENCES video_playlists (id) ON DELETE CASCADE,
    video_id INTEGER REFERENCES videos (id) ON DELETE SET NULL,
    position INTEGER NOT NULL CHECK (position >= 1),
    start_timestamp INTEGER CHECK (start_timestamp >= 0),
    stop_timestamp INTEGER CHECK (stop_timestamp >= 0),
    url TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX video_playlist_elements_position ON video_playlist_elements (playlist_id, position);
CREATE INDEX video_playlist_elements_video ON video_playlist_elements (video_id);
