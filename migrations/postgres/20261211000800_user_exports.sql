-- PeerTube-compatible user archives (issue 17): one row per requested export. `state` is
-- PeerTube's (1 pending, 2 processing, 3 completed, 4 errored); `file_uuid` names the stored
-- ZIP (`user-exports/<uuid>.zip`) and its download name; `download_secret` keys the HMAC of its
-- short-lived download links.
CREATE TABLE user_exports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state BIGINT NOT NULL CHECK (state IN (1, 2, 3, 4)),
    with_video_files BIGINT NOT NULL,
    file_uuid TEXT NOT NULL UNIQUE,
    location TEXT,
    size BIGINT,
    error TEXT,
    download_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX user_exports_user ON user_exports (user_id);
