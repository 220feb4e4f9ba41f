-- Caption tracks of videos, one per language. A local caption is a WebVTT file the server
-- wrote under a generated name (file_name, unique, at storage location `location`); a remote
-- video's caption is only the URL its origin gave (file_url). Exactly one of the two is set.
CREATE TABLE video_captions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    file_name TEXT UNIQUE,
    location TEXT,
    file_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (video_id, language),
    CHECK ((file_name IS NULL) <> (file_url IS NULL)),
    CHECK ((file_name IS NULL) = (location IS NULL))
);

-- Chapters a video's owner set (PUT /api/v1/videos/{id}/chapters), or a remote video's
-- origin sent; when a video has none, its description's timecodes are its chapters.
CREATE TABLE video_chapters (
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    timecode INTEGER NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (video_id, timecode)
);
