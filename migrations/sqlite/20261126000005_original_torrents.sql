-- The torrent of the uploaded file, listed in the video's files[] until its renditions exist
-- (PeerTube's clients wait for it after an upload).
ALTER TABLE videos ADD COLUMN original_torrent_file TEXT;
ALTER TABLE videos ADD COLUMN original_info_hash TEXT;
