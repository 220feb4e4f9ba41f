-- Moderation of videos and users (issue 15): video blocks ("blacklist", PeerTube's name) and the
-- reason a user was banned.
--
-- A blocked video is hidden from everyone but staff and its owner (kinora_app::visibility and
-- kinora_db::video_blacklist::UNMODERATED). `kind` is PeerTube's type: 1 manual, 2 automatic
-- (a new upload held for review). `unfederated` = 1: other instances were told to forget it
-- and it is not federated while blocked.
CREATE TABLE video_blacklist (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    video_id BIGINT NOT NULL UNIQUE REFERENCES videos (id) ON DELETE CASCADE,
    reason TEXT,
    unfederated BIGINT NOT NULL DEFAULT 0,
    kind BIGINT NOT NULL CHECK (kind IN (1, 2)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN blocked_reason TEXT;
-- Blocks and bans change what video lists show: they move the list version too (at commit, as
-- the other list tables' triggers do).
CREATE CONSTRAINT TRIGGER video_blacklist_list_version
    AFTER INSERT OR UPDATE OR DELETE ON video_blacklist
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_video_list_version();
CREATE CONSTRAINT TRIGGER users_list_version
    AFTER UPDATE OF blocked OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_video_list_version();
