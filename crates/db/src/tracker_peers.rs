//! The WebSocket tracker across server processes. Each process keeps its own sockets; these
//! tables say which live process (`tracker_processes`, a heartbeat) holds the socket of each
//! peer of each swarm (`tracker_peers`, hex info hash and peer id), and carry the offers and
//! answers for a peer on another process (`tracker_relays`, read and deleted by that process,
//! woken by PostgreSQL's `NOTIFY` on [`CHANNEL`]).

use sqlx::AnyPool;

use crate::DbResult;

/// The PostgreSQL notification channel a process is woken on; the payload is the id of the
/// process that has relayed messages waiting.
pub const CHANNEL: &str = "kinora_tracker_relays";

/// Records that `process_id` is alive at `now`.
pub async fn heartbeat(pool: &AnyPool, process_id: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO tracker_processes (process_id, seen_at) VALUES ($1, $2) \
         ON CONFLICT (process_id) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind(process_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets a process and everything it held (its clean shutdown).
pub async fn forget_process(pool: &AnyPool, process_id: &str) -> DbResult<()> {
    for sql in [
        "DELETE FROM tracker_peers WHERE process_id = $1",
        "DELETE FROM tracker_relays WHERE process_id = $1",
        "DELETE FROM tracker_processes WHERE process_id = $1",
    ] {
        sqlx::query(sql).bind(process_id).execute(pool).await?;
    }
    Ok(())
}

/// Forgets the processes not seen since `cutoff` (they died) with their peers and relays, and
/// relayed messages older than `cutoff`. Returns how many processes.
pub async fn forget_dead(pool: &AnyPool, cutoff: i64) -> DbResult<u64> {
    sqlx::query(
        "DELETE FROM tracker_peers WHERE process_id NOT IN \
         (SELECT process_id FROM tracker_processes WHERE seen_at >= $1)",
    )
    .bind(cutoff)
    .execute(pool)
    .await?;
    sqlx::query("DELETE FROM tracker_relays WHERE created_at < $1")
        .bind(cutoff)
        .execute(pool)
        .await?;
    let result = sqlx::query("DELETE FROM tracker_processes WHERE seen_at < $1")
        .bind(cutoff)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}

/// Records that `peer_id` of swarm `info_hash` has its socket on `process_id`.
pub async fn join(
    pool: &AnyPool,
    info_hash: &str,
    peer_id: &str,
    process_id: &str,
    complete: bool,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO tracker_peers (info_hash, peer_id, process_id, complete) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (info_hash, peer_id) DO UPDATE SET \
         process_id = excluded.process_id, complete = excluded.complete",
    )
    .bind(info_hash)
    .bind(peer_id)
    .bind(process_id)
    .bind(i64::from(complete))
    .execute(pool)
    .await?;
    Ok(())
}

/// `peer_id` left swarm `info_hash` (when its socket is on `process_id`).
pub async fn leave(
    pool: &AnyPool,
    info_hash: &str,
    peer_id: &str,
    process_id: &str,
) -> DbResult<()> {
    sqlx::query(
        "DELETE FROM tracker_peers WHERE info_hash = $1 AND peer_id = $2 AND process_id = $3",
    )
    .bind(info_hash)
    .bind(peer_id)
    .bind(process_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A peer whose socket is on another live process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePeer {
    /// Hex peer id.
    pub peer_id: String,
    /// The process holding its socket.
    pub process_id: String,
    /// It has the whole file.
    pub complete: bool,
}

/// Up to `limit` peers of `info_hash`, in random order, on live processes (seen since
/// `cutoff`) other than `process_id`.
pub async fn remote_peers(
    pool: &AnyPool,
    info_hash: &str,
    process_id: &str,
    cutoff: i64,
    limit: i64,
) -> DbResult<Vec<RemotePeer>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT p.peer_id, p.process_id, p.complete FROM tracker_peers p \
         JOIN tracker_processes q ON q.process_id = p.process_id \
         WHERE p.info_hash = $1 AND p.process_id <> $2 AND q.seen_at >= $3 \
         ORDER BY random() LIMIT $4",
    )
    .bind(info_hash)
    .bind(process_id)
    .bind(cutoff)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(peer_id, process_id, complete)| RemotePeer {
            peer_id,
            process_id,
            complete: complete != 0,
        })
        .collect())
}

/// Complete and incomplete peers of `info_hash` on live processes other than `process_id`.
pub async fn remote_counts(
    pool: &AnyPool,
    info_hash: &str,
    process_id: &str,
    cutoff: i64,
) -> DbResult<(i64, i64)> {
    let (complete, total): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(p.complete), 0) AS BIGINT), COUNT(*) FROM tracker_peers p \
         JOIN tracker_processes q ON q.process_id = p.process_id \
         WHERE p.info_hash = $1 AND p.process_id <> $2 AND q.seen_at >= $3",
    )
    .bind(info_hash)
    .bind(process_id)
    .bind(cutoff)
    .fetch_one(pool)
    .await?;
    Ok((complete, total - complete))
}

/// The live process other than `process_id` holding `peer_id` of `info_hash`, if any.
pub async fn process_of(
    pool: &AnyPool,
    info_hash: &str,
    peer_id: &str,
    process_id: &str,
    cutoff: i64,
) -> DbResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT p.process_id FROM tracker_peers p \
         JOIN tracker_processes q ON q.process_id = p.process_id \
         WHERE p.info_hash = $1 AND p.peer_id = $2 AND p.process_id <> $3 AND q.seen_at >= $4",
    )
    .bind(info_hash)
    .bind(peer_id)
    .bind(process_id)
    .bind(cutoff)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(process,)| process))
}

/// Queues `message` for `peer_id` of `info_hash`, whose socket is on `process_id`.
pub async fn relay(
    pool: &AnyPool,
    process_id: &str,
    info_hash: &str,
    peer_id: &str,
    message: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO tracker_relays (process_id, info_hash, peer_id, message, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(process_id)
    .bind(info_hash)
    .bind(peer_id)
    .bind(message)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Wakes `process_id` (PostgreSQL only; SQLite processes poll).
pub async fn notify(pool: &AnyPool, process_id: &str) -> DbResult<()> {
    sqlx::query("SELECT CAST(1 AS BIGINT) FROM (SELECT pg_notify($1, $2)) AS sent")
        .bind(CHANNEL)
        .bind(process_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A message relayed to a peer of this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// Hex info hash.
    pub info_hash: String,
    /// Hex peer id of the receiving peer.
    pub peer_id: String,
    /// The JSON text to send it.
    pub message: String,
}

/// Takes (reads and deletes) the messages relayed to `process_id`, oldest first.
pub async fn take_relays(pool: &AnyPool, process_id: &str) -> DbResult<Vec<Relayed>> {
    let mut rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "DELETE FROM tracker_relays WHERE process_id = $1 \
         RETURNING id, info_hash, peer_id, message",
    )
    .bind(process_id)
    .fetch_all(pool)
    .await?;
    rows.sort_by_key(|row| row.0);
    Ok(rows
        .into_iter()
        .map(|(_, info_hash, peer_id, message)| Relayed {
            info_hash,
            peer_id,
            message,
        })
        .collect())
}

/// Wakes a process when messages are relayed to it: PostgreSQL's `LISTEN` on [`CHANNEL`]
/// (reconnecting by itself after a lost connection).
pub struct RelayListener(sqlx::postgres::PgListener);

impl RelayListener {
    /// Listens on the database at `url` (a `postgres://` URL).
    pub async fn connect(url: &str) -> DbResult<Self> {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Self(listener))
    }

    /// Waits for the next notification and answers its payload (the woken process's id).
    pub async fn recv(&mut self) -> DbResult<String> {
        Ok(self.0.recv().await?.payload().to_owned())
    }
}
