-- Moderation of videos and users (issue 15): video blocks ("blacklist", PeerTube's name) and the
-- reason a user was banned.
--
-- A blocked video is hidden from everyone but staff and its owner (kinora_app::visibility and
-- kinora_db::video_blacklist::UNMODERATED). `kind` is PeerTube's type: 1 manual, 2 automatic
-- (a new upload held for review). `unfederated` = 1: other instances were told to forget it
-- and it is not federated while blocked.
CREATE TABLE video_blacklist (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER NOT NULL UNIQUE REFERENCES videos (id) ON DELETE CASCADE,
    reason TEXT,
    unfederated INTEGER NOT NULL DEFAULT 0,
    kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
ALTER TABLE users ADD COLUMN blocked_reason TEXT;
-- Blocks and bans change what video lists show: they move the list version too.
CREATE TRIGGER video_blacklist_insert_list_version AFTER INSERT ON video_blacklist
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_blacklist_update_list_version AFTER UPDATE ON video_blacklist
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_blacklist_delete_list_version AFTER DELETE ON video_blacklist
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER users_blocked_list_version AFTER UPDATE OF blocked ON users
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER users_delete_list_version AFTER DELETE ON users
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
