-- Videos, their files (renditions), and resumable upload sessions.
CREATE TABLE videos (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    short_uuid TEXT NOT NULL UNIQUE,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    support TEXT,
    privacy BIGINT NOT NULL,
    category BIGINT,
    licence BIGINT,
    language TEXT,
    nsfw BIGINT NOT NULL DEFAULT 0,
    comments_policy BIGINT NOT NULL DEFAULT 1,
    download_enabled BIGINT NOT NULL DEFAULT 1,
    wait_transcoding BIGINT NOT NULL DEFAULT 1,
    tags TEXT NOT NULL DEFAULT '[]',
    state BIGINT NOT NULL,
    transcoding_progress BIGINT,
    failure_reason TEXT,
    duration BIGINT NOT NULL DEFAULT 0,
    original_filename TEXT NOT NULL,
    original_size BIGINT NOT NULL,
    hls_master_file TEXT,
    hls_segments_file TEXT,
    thumbnail_file TEXT,
    preview_file TEXT,
    storyboard_file TEXT,
    storyboard_json TEXT,
    views BIGINT NOT NULL DEFAULT 0,
    likes BIGINT NOT NULL DEFAULT 0,
    dislikes BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX videos_channel ON videos (channel_id);
CREATE INDEX videos_published ON videos (state, privacy, published_at);

-- One row per HLS rendition file.
CREATE TABLE video_files (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    resolution BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    fps DOUBLE PRECISION NOT NULL,
    size BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    playlist_name TEXT NOT NULL,
    has_audio BIGINT NOT NULL,
    has_video BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX video_files_video ON video_files (video_id);

CREATE TABLE upload_sessions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upload_id TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    declared_size BIGINT NOT NULL,
    received_size BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    metadata TEXT NOT NULL,
    video_id BIGINT REFERENCES videos (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX upload_sessions_user ON upload_sessions (user_id);
CREATE INDEX upload_sessions_expiry ON upload_sessions (expires_at);
