-- Video list filters (issue 18): PeerTube's `tagsOneOf` and `tagsAllOf` look a video's tags up
-- in video_tags (one row per distinct lower-cased tag, indexed by tag), which a trigger keeps
-- equal to videos.tags (a JSON array) whoever writes it; and a video's original publication date
-- (PeerTube's `originallyPublishedAt`, epoch milliseconds), shown, filtered and sorted on.
ALTER TABLE videos ADD COLUMN originally_published_at BIGINT;

CREATE TABLE video_tags (
    video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (video_id, tag)
);
CREATE INDEX video_tags_tag ON video_tags (tag, video_id);

-- The tags of a JSON array as text; none for anything else.
CREATE FUNCTION video_tag_values(tags TEXT) RETURNS SETOF TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    parsed JSON;
BEGIN
    BEGIN
        parsed := tags::json;
    EXCEPTION WHEN others THEN
        RETURN;
    END;
    IF json_typeof(parsed) = 'array' THEN
        RETURN QUERY SELECT lower(element #>> '{}') FROM json_array_elements(parsed) AS element
            WHERE json_typeof(element) = 'string';
    END IF;
END
$$;

INSERT INTO video_tags (video_id, tag)
    SELECT videos.id, tag FROM videos CROSS JOIN LATERAL video_tag_values(videos.tags) AS tag
    ON CONFLICT DO NOTHING;

CREATE FUNCTION sync_video_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.tags IS NOT DISTINCT FROM OLD.tags THEN
            RETURN NULL;
        END IF;
        DELETE FROM video_tags WHERE video_id = NEW.id;
    END IF;
    INSERT INTO video_tags (video_id, tag)
        SELECT NEW.id, tag FROM video_tag_values(NEW.tags) AS tag
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER videos_sync_tags AFTER INSERT OR UPDATE OF tags ON videos
    FOR EACH ROW EXECUTE FUNCTION sync_video_tags();

-- PeerTube's `scheduleUpdate`: a video whose privacy changes at update_at (epoch milliseconds);
-- the server's housekeeping applies the rows that are due and deletes them. Lists show it
-- (`scheduledUpdate`), so it moves the list version.
CREATE TABLE video_schedules (
    video_id BIGINT PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    update_at BIGINT NOT NULL,
    privacy BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX video_schedules_due ON video_schedules (update_at);
CREATE CONSTRAINT TRIGGER video_schedules_list_version AFTER INSERT OR UPDATE OR DELETE
    ON video_schedules DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION bump_video_list_version();
