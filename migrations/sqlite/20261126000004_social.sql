-- Comments, ratings, counted views and subscriptions. The videos.likes, dislikes and views
-- counters are kept in step with these rows in the same transaction.

-- A comment on a video. Roots of threads have no thread_id; a reply's thread_id is its root.
-- Deleting makes a tombstone (text emptied, account_id cleared, deleted_at set) so replies stay.
-- url is the ActivityPub id of a remote comment; local comments' URLs are derived from their id.
CREATE TABLE video_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT UNIQUE,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    thread_id INTEGER REFERENCES video_comments (id) ON DELETE CASCADE,
    in_reply_to_id INTEGER REFERENCES video_comments (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX video_comments_video ON video_comments (video_id, created_at);
CREATE INDEX video_comments_thread ON video_comments (thread_id);
CREATE INDEX video_comments_reply ON video_comments (in_reply_to_id);
CREATE INDEX video_comments_account ON video_comments (account_id);

-- One like or dislike per account and video.
CREATE TABLE video_ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    rating TEXT NOT NULL CHECK (rating IN ('like', 'dislike')),
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, video_id)
);
CREATE INDEX video_ratings_video ON video_ratings (video_id);

-- Views already counted in the current window: one per viewer (a hashed key) and video.
CREATE TABLE video_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    viewer_hash TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    UNIQUE (video_id, viewer_hash, window_start)
);
CREATE INDEX video_views_window ON video_views (window_start);

-- An account following a channel.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, channel_id)
);
CREATE INDEX subscriptions_channel ON subscriptions (channel_id);
