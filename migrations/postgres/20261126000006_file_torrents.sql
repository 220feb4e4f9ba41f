-- Each rendition file's torrent (web seed = the file's URL), made by the server after publication.
ALTER TABLE video_files ADD COLUMN torrent_file TEXT;
ALTER TABLE video_files ADD COLUMN info_hash TEXT;
CREATE INDEX video_files_info_hash ON video_files (info_hash);
