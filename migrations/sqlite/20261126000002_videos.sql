-- Videos, their files (renditions), and resumable upload sessions.
CREATE TABLE videos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    short_uuid TEXT NOT NULL UNIQUE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    support TEXT,
    privacy INTEGER NOT NULL,
    category INTEGER,
    licence INTEGER,
    language TEXT,
    nsfw INTEGER NOT NULL DEFAULT 0,
    comments_policy INTEGER NOT NULL DEFAULT 1,
    download_enabled INTEGER NOT NULL DEFAULT 1,
    wait_transcoding INTEGER NOT NULL DEFAULT 1,
    tags TEXT NOT NULL DEFAULT '[]',
    state INTEGER NOT NULL,
    transcoding_progress INTEGER,
    failure_reason TEXT,
    duration INTEGER NOT NULL DEFAULT 0,
    original_filename TEXT NOT NULL,
    original_size INTEGER NOT NULL,
    hls_master_file TEXT,
    hls_segments_file TEXT,
    thumbnail_file TEXT,
    preview_file TEXT,
    storyboard_file TEXT,
    storyboard_json TEXT,
    views INTEGER NOT NULL DEFAULT 0,
    likes INTEGER NOT NULL DEFAULT 0,
    dislikes INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER
);
CREATE INDEX videos_channel ON videos (channel_id);
CREATE INDEX videos_published ON videos (state, privacy, published_at);

-- One row per HLS rendition file.
CREATE TABLE video_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    resolution INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    fps REAL NOT NULL,
    size INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    playlist_name TEXT NOT NULL,
    has_audio INTEGER NOT NULL,
    has_video INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX video_files_video ON video_files (video_id);

CREATE TABLE upload_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    upload_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    declared_size INTEGER NOT NULL,
    received_size INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    metadata TEXT NOT NULL,
    video_id INTEGER REFERENCES videos (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX upload_sessions_user ON upload_sessions (user_id);
CREATE INDEX upload_sessions_expiry ON upload_sessions (expires_at);
