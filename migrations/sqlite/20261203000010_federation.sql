-- Federation: remote actors' endpoints, follows between actors, remote videos' media, the inbox,
-- the outbox with its deliveries, each remote host's delivery state, and mirrors (redundancy).

-- An actor's ActivityPub identity. Local actors' URLs derive from the public URL and their name
-- (these columns stay NULL); remote actors keep what their origin said.
ALTER TABLE actors ADD COLUMN url TEXT;
ALTER TABLE actors ADD COLUMN inbox_url TEXT;
ALTER TABLE actors ADD COLUMN shared_inbox_url TEXT;
ALTER TABLE actors ADD COLUMN outbox_url TEXT;
ALTER TABLE actors ADD COLUMN followers_url TEXT;
ALTER TABLE actors ADD COLUMN key_id TEXT;
ALTER TABLE actors ADD COLUMN avatar_url TEXT;
ALTER TABLE actors ADD COLUMN fetched_at INTEGER;
CREATE UNIQUE INDEX actors_url ON actors (url);

-- One actor following another, either side local or remote: accounts following channels,
-- instances following instances. A rejected or undone follow is deleted.
CREATE TABLE actor_follows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    follower_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    following_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
    url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (follower_id, following_id)
);
CREATE INDEX actor_follows_following ON actor_follows (following_id, state);

-- A remote video's ActivityPub id (NULL for local videos), and whether followers of a local
-- video have it (a Create went out and no Delete since).
ALTER TABLE videos ADD COLUMN url TEXT;
ALTER TABLE videos ADD COLUMN federated INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX videos_url ON videos (url);

-- Where a remote video's media lives on its origin (files: JSON list of its renditions).
CREATE TABLE remote_video_media (
    video_id INTEGER PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    playlist_url TEXT,
    segments_sha256_url TEXT,
    thumbnail_url TEXT,
    preview_url TEXT,
    files TEXT NOT NULL DEFAULT '[]',
    tracker_urls TEXT NOT NULL DEFAULT '[]',
    fetched_at INTEGER NOT NULL
);

-- Activities received, kept as they came (deduplicated by their id) until processed and a
-- while after.
CREATE TABLE inbox_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_url TEXT NOT NULL UNIQUE,
    signer_url TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX inbox_activities_received ON inbox_activities (received_at);

-- Activities this instance sent. actor_id is the signer (NULL once that actor is deleted: the
-- instance actor signs then); public ones are listed in the actor's outbox collection.
CREATE TABLE outbox_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    actor_id INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    object_url TEXT,
    public INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_activities_actor ON outbox_activities (actor_id, public, id);

-- One activity to one inbox. Delivered in id order per host.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id INTEGER NOT NULL REFERENCES outbox_activities (id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    inbox_url TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (activity_id, inbox_url)
);
CREATE INDEX deliveries_host ON deliveries (host, state, id);

-- Each remote host's delivery state (backoff and dead marking are per host, not per message),
-- its lease (one sender per host), and whether its videos are mirrored here.
CREATE TABLE remote_hosts (
    host TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    failing_since INTEGER,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    dead INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_success_at INTEGER,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    redundancy_allowed INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

-- Copies of a video's HLS files: ours of remote videos (local = 1, files in our storage under
-- redundancy/), and other instances' of our videos (local = 0, announced with Create{CacheFile}).
CREATE TABLE video_redundancies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    url TEXT NOT NULL UNIQUE,
    base_url TEXT NOT NULL,
    local INTEGER NOT NULL,
    actor_id INTEGER REFERENCES actors (id) ON DELETE CASCADE,
    size INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX video_redundancies_video ON video_redundancies (video_id);
