-- The version of what video lists show (kinora_db::video_lists::version): one row whose number
-- moves with every change to a table a list item is made of (videos, their files, channels,
-- accounts and their actors, follows and subscriptions behind followersCount, mirrors, remote
-- media). The API keeps list pages and totals in memory under the version they were computed at
-- and computes them again once it has moved, so a new, deleted or hidden video shows at once,
-- whoever wrote it (this server, another process, plain SQL).
CREATE TABLE video_list_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO video_list_version (id, version) VALUES (1, 0);
CREATE TRIGGER videos_insert_list_version AFTER INSERT ON videos
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER videos_update_list_version AFTER UPDATE ON videos
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER videos_delete_list_version AFTER DELETE ON videos
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_files_insert_list_version AFTER INSERT ON video_files
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_files_update_list_version AFTER UPDATE ON video_files
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_files_delete_list_version AFTER DELETE ON video_files
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER channels_insert_list_version AFTER INSERT ON channels
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER channels_update_list_version AFTER UPDATE ON channels
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER channels_delete_list_version AFTER DELETE ON channels
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER accounts_insert_list_version AFTER INSERT ON accounts
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER accounts_update_list_version AFTER UPDATE ON accounts
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER accounts_delete_list_version AFTER DELETE ON accounts
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actors_insert_list_version AFTER INSERT ON actors
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actors_update_list_version AFTER UPDATE ON actors
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actors_delete_list_version AFTER DELETE ON actors
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actor_follows_insert_list_version AFTER INSERT ON actor_follows
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actor_follows_update_list_version AFTER UPDATE ON actor_follows
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER actor_follows_delete_list_version AFTER DELETE ON actor_follows
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER subscriptions_insert_list_version AFTER INSERT ON subscriptions
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER subscriptions_update_list_version AFTER UPDATE ON subscriptions
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER subscriptions_delete_list_version AFTER DELETE ON subscriptions
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_redundancies_insert_list_version AFTER INSERT ON video_redundancies
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_redundancies_update_list_version AFTER UPDATE ON video_redundancies
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER video_redundancies_delete_list_version AFTER DELETE ON video_redundancies
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER remote_video_media_insert_list_version AFTER INSERT ON remote_video_media
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER remote_video_media_update_list_version AFTER UPDATE ON remote_video_media
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER remote_video_media_delete_list_version AFTER DELETE ON remote_video_media
BEGIN UPDATE video_list_version SET version = version + 1 WHERE id = 1; END;
