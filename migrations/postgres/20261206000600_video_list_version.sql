-- The version of what video lists show (kinora_db::video_lists::version): one row whose number
-- moves with every change to a table a list item is made of (videos, their files, channels,
-- accounts and their actors, follows and subscriptions behind followersCount, mirrors, remote
-- media). The API keeps list pages and totals in memory under the version they were computed at
-- and computes them again once it has moved, so a new, deleted or hidden video shows at once,
-- whoever wrote it (this server, another process, plain SQL).
-- Here the row is bumped by deferred constraint triggers, at commit: a writer takes its lock
-- last, after every other row it locks, so two writers never wait on each other in a cycle.
CREATE TABLE video_list_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO video_list_version (id, version) VALUES (1, 0);
CREATE FUNCTION bump_video_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE video_list_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
DO $$
DECLARE
    listed TEXT;
BEGIN
    FOREACH listed IN ARRAY ARRAY['videos', 'video_files', 'channels', 'accounts', 'actors',
        'actor_follows', 'subscriptions', 'video_redundancies', 'remote_video_media']
    LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_video_list_version()',
            listed || '_list_version', listed);
    END LOOP;
END
$$;
