-- The order of a channel's playlists (PeerTube's videoChannelPosition, from 1; none outside a
-- channel). Existing playlists are numbered by creation, oldest first.
ALTER TABLE video_playlists ADD COLUMN video_channel_position BIGINT;

UPDATE video_playlists SET video_channel_position = (
    SELECT COUNT(*) FROM video_playlists AS earlier
    WHERE earlier.channel_id = video_playlists.channel_id
      AND (earlier.created_at < video_playlists.created_at
           OR (earlier.created_at = video_playlists.created_at AND earlier.id <= video_playlists.id))
)
WHERE channel_id IS NOT NULL;
