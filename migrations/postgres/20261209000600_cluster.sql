-- Several `kinora serve` processes on one database (issue 21): the state they must share.

-- Login attempt limits (kinora_db::login_limits): one row per limited key, the generic cell
-- rate algorithm's "theoretical arrival time" in epoch milliseconds. A row whose time has
-- passed is a fully recovered key; housekeeping deletes those.
CREATE TABLE login_limits (
    scope TEXT NOT NULL,
    limit_key TEXT NOT NULL,
    tat_ms BIGINT NOT NULL,
    last_allowed BIGINT NOT NULL,
    PRIMARY KEY (scope, limit_key)
);
CREATE INDEX login_limits_tat ON login_limits (tat_ms);

-- Work done by one process of the cluster at a time (the seeder, housekeeping): the holder
-- renews its row before it expires; another process takes a row whose time has passed.
CREATE TABLE cluster_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The WebSocket tracker across processes (kinora_db::tracker): the live server processes,
-- which process holds the socket of each peer of each swarm (hex info hash and peer id), and
-- the offers and answers waiting for the process of their peer. Lost on a crash, rebuilt by
-- the next announces: unlogged.
CREATE UNLOGGED TABLE tracker_processes (
    process_id TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
CREATE UNLOGGED TABLE tracker_peers (
    info_hash TEXT NOT NULL,
    peer_id TEXT NOT NULL,
    process_id TEXT NOT NULL,
    complete BIGINT NOT NULL,
    PRIMARY KEY (info_hash, peer_id)
);
CREATE INDEX tracker_peers_process ON tracker_peers (process_id);
CREATE UNLOGGED TABLE tracker_relays (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    process_id TEXT NOT NULL,
    info_hash TEXT NOT NULL,
    peer_id TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX tracker_relays_process ON tracker_relays (process_id, id);

-- The HTTP tracker's peers, shared by every process.
CREATE UNLOGGED TABLE tracker_http_peers (
    info_hash TEXT NOT NULL,
    peer_id TEXT NOT NULL,
    address TEXT NOT NULL,
    port BIGINT NOT NULL,
    seeder BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (info_hash, peer_id)
);
CREATE INDEX tracker_http_peers_seen ON tracker_http_peers (seen_at);
