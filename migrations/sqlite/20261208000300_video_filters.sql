-- Video list filters (issue 18): PeerTube's `tagsOneOf` and `tagsAllOf` look a video's tags up
-- in video_tags (one row per distinct lower-cased tag, indexed by tag), which triggers keep equal
-- to videos.tags (a JSON array) whoever writes it; and a video's original publication date
-- (PeerTube's `originallyPublishedAt`, epoch milliseconds), shown, filtered and sorted on.
ALTER TABLE videos ADD COLUMN originally_published_at INTEGER;

CREATE TABLE video_tags (
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (video_id, tag)
);
CREATE INDEX video_tags_tag ON video_tags (tag, video_id);

INSERT OR IGNORE INTO video_tags (video_id, tag)
    SELECT videos.id, lower(tags.value) FROM videos, json_each(videos.tags) AS tags
    WHERE json_valid(videos.tags) AND tags.type = 'text';

CREATE TRIGGER videos_insert_tags AFTER INSERT ON videos
BEGIN
    INSERT OR IGNORE INTO video_tags (video_id, tag)
        SELECT NEW.id, lower(value) FROM json_each(NEW.tags)
        WHERE json_valid(NEW.tags) AND type = 'text';
END;
CREATE TRIGGER videos_update_tags AFTER UPDATE OF tags ON videos
BEGIN
    DELETE FROM video_tags WHERE video_id = NEW.id;
    INSERT OR IGNORE INTO video_tags (video_id, tag)
        SELECT NEW.id, lower(value) FROM json_each(NEW.tags)
        WHERE json_valid(NEW.tags) AND type = 'text';
END;

-- PeerTube's `scheduleUpdate`: a video whose privacy changes at update_at (epoch milliseconds);
-- the server's housekeeping applies the rows that are due and deletes them. Lists show it
-- (`scheduledUpdate`), so it moves the list version.
CREATE TABLE video_schedules (
    video_id INTEGER PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    update_at INTEGER NOT NULL,
    privacy INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX video_schedules_due ON video_schedules (update_at);
CREATE TRIGGER video_schedules_insert_list_version AFTER INSERT ON video_schedules
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_schedules_update_list_version AFTER UPDATE ON video_schedules
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_schedules_delete_list_version AFTER DELETE ON video_schedules
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
