-- Abuse reports (PeerTube's abuses, issue 15): a local user's report, or one a remote Flag
-- brought, about one video, comment or account. `object_kind` says which; the object's column
-- is cleared when the object is deleted (the report stays, a deleted video keeps its name and
-- UUID here). `predefined_reasons` holds PeerTube's reason ids as bits (1 << id). State 1 is
-- pending, 2 rejected, 3 accepted. `flag_url` is the id of the remote Flag a report came from
-- (its reporter's instance hears of state changes); NULL for reports made here.
CREATE TABLE abuses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reporter_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    flagged_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    object_kind TEXT NOT NULL CHECK (object_kind IN ('video', 'comment', 'account')),
    video_id INTEGER REFERENCES videos (id) ON DELETE SET NULL,
    comment_id INTEGER REFERENCES video_comments (id) ON DELETE SET NULL,
    video_uuid TEXT,
    video_name TEXT,
    start_at INTEGER,
    end_at INTEGER,
    reason TEXT NOT NULL,
    predefined_reasons INTEGER NOT NULL DEFAULT 0,
    state INTEGER NOT NULL DEFAULT 1 CHECK (state IN (1, 2, 3)),
    moderation_comment TEXT,
    flag_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX abuses_reporter ON abuses (reporter_account_id, created_at);
CREATE INDEX abuses_flagged ON abuses (flagged_account_id);
CREATE INDEX abuses_video ON abuses (video_id);
CREATE INDEX abuses_comment ON abuses (comment_id);
CREATE INDEX abuses_state ON abuses (state, created_at);

-- The conversation of a report between its reporter and the moderators.
CREATE TABLE abuse_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    abuse_id INTEGER NOT NULL REFERENCES abuses (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    message TEXT NOT NULL,
    by_moderator INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX abuse_messages_abuse ON abuse_messages (abuse_id, created_at);
CREATE INDEX abuse_messages_account ON abuse_messages (account_id);
