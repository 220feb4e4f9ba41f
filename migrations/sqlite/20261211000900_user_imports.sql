-- Importing user archives (issue 17): the archive arrives through the resumable upload protocol
-- (`upload_sessions.purpose` = 'user-import'; NULL is a video), then one `user_imports` row per
-- archive: PeerTube's states (1 pending, 2 processing, 3 completed, 4 errored), the stored ZIP
-- (`user-imports/<file_uuid>.zip`, removed once read), and what was brought in (`summary`, JSON).
ALTER TABLE upload_sessions ADD COLUMN purpose TEXT;
CREATE TABLE user_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state INTEGER NOT NULL CHECK (state IN (1, 2, 3, 4)),
    file_uuid TEXT NOT NULL UNIQUE,
    summary TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX user_imports_user ON user_imports (user_id, created_at);
