-- Lives (issue 20). A live is a video (`videos.is_live = 1`, state 4 waiting, 1 live, 5 ended)
-- with one `video_lives` row: its secret stream key (unique: the RTMP ingest finds the live by
-- it) and PeerTube's settings. `replay_privacy` is the privacy the replay gets (PeerTube's
-- `replaySettings.privacy`), set only while `save_replay` is 1. Each broadcast is one
-- `video_live_sessions` row; `error` is PeerTube's `LiveVideoError` id, `replay_video_id` the
-- video its replay became.
ALTER TABLE videos ADD COLUMN is_live INTEGER NOT NULL DEFAULT 0;

CREATE TABLE video_lives (
    video_id INTEGER PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    stream_key TEXT NOT NULL UNIQUE,
    save_replay INTEGER NOT NULL CHECK (save_replay IN (0, 1)),
    replay_privacy INTEGER CHECK (replay_privacy IN (1, 2, 3, 4)),
    permanent_live INTEGER NOT NULL CHECK (permanent_live IN (0, 1)),
    latency_mode INTEGER NOT NULL CHECK (latency_mode IN (1, 2, 3)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE video_live_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER REFERENCES videos (id) ON DELETE SET NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    error INTEGER,
    save_replay INTEGER NOT NULL CHECK (save_replay IN (0, 1)),
    ending_processed INTEGER NOT NULL DEFAULT 0 CHECK (ending_processed IN (0, 1)),
    replay_video_id INTEGER REFERENCES videos (id) ON DELETE SET NULL
);
CREATE INDEX video_live_sessions_video ON video_live_sessions (video_id);
CREATE INDEX video_live_sessions_replay ON video_live_sessions (replay_video_id);
