-- The web player's peer-to-peer swarms of each video (kinora_core::swarm): one per stream, with
-- the info hash browsers announce to /tracker/socket (40 hex digits of its 20 bytes). Written
-- with the rendition files they are derived from; the private tracker admits them for
-- published public and unlisted videos.
CREATE TABLE video_swarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    stream_swarm_id TEXT NOT NULL,
    info_hash TEXT NOT NULL
);
CREATE INDEX video_swarms_video ON video_swarms (video_id);
CREATE INDEX video_swarms_info_hash ON video_swarms (info_hash);
