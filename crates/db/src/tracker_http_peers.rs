//! The HTTP tracker's peers shared by every server process (`tracker_http_peers`): one row per
//! (info hash, peer id), refreshed by each announce, expired by time.

use sqlx::AnyPool;

use crate::DbResult;

/// One peer as an announce describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPeer {
    /// The peer's IP address, as text.
    pub address: String,
    /// Its listening port.
    pub port: u16,
    /// It has the whole file.
    pub seeder: bool,
}

/// Adds or refreshes a peer at `now`, unless the swarm already holds `max_peers` other peers
/// or the tracker `max_swarms` swarms (then nothing is stored).
pub async fn upsert(
    pool: &AnyPool,
    info_hash: &str,
    peer_id: &str,
    peer: &HttpPeer,
    now: i64,
    limits: (i64, i64),
) -> DbResult<()> {
    let (max_peers, max_swarms) = limits;
    let (known, in_swarm): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN peer_id = $2 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         COUNT(*) \
         FROM tracker_http_peers WHERE info_hash = $1",
    )
    .bind(info_hash)
    .bind(peer_id)
    .fetch_one(pool)
    .await?;
    if known == 0 {
        if in_swarm >= max_peers {
            return Ok(());
        }
        if in_swarm == 0 {
            let (swarms,): (i64,) =
                sqlx::query_as("SELECT COUNT(DISTINCT info_hash) FROM tracker_http_peers")
                    .fetch_one(pool)
                    .await?;
            if swarms >= max_swarms {
                return Ok(());
            }
        }
    }
    sqlx::query(
        "INSERT INTO tracker_http_peers (info_hash, peer_id, address, port, seeder, seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (info_hash, peer_id) DO UPDATE SET \
         address = excluded.address, port = excluded.port, seeder = excluded.seeder, \
         seen_at = excluded.seen_at",
    )
    .bind(info_hash)
    .bind(peer_id)
    .bind(&peer.address)
    .bind(i64::from(peer.port))
    .bind(i64::from(peer.seeder))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes a peer (`event=stopped`).
pub async fn remove(pool: &AnyPool, info_hash: &str, peer_id: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM tracker_http_peers WHERE info_hash = $1 AND peer_id = $2")
        .bind(info_hash)
        .bind(peer_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Seeders and leechers of `info_hash` seen since `cutoff`.
pub async fn counts(pool: &AnyPool, info_hash: &str, cutoff: i64) -> DbResult<(i64, i64)> {
    let (seeders, total): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(seeder), 0) AS BIGINT), COUNT(*) FROM tracker_http_peers \
         WHERE info_hash = $1 AND seen_at >= $2",
    )
    .bind(info_hash)
    .bind(cutoff)
    .fetch_one(pool)
    .await?;
    Ok((seeders, total - seeders))
}

/// Up to `limit` peers of `info_hash` seen since `cutoff`, in random order, other than
/// `peer_id`; without seeders when `seeder` (a seeder needs only leechers).
pub async fn others(
    pool: &AnyPool,
    info_hash: &str,
    peer_id: &str,
    seeder: bool,
    cutoff: i64,
    limit: i64,
) -> DbResult<Vec<HttpPeer>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT address, port, seeder FROM tracker_http_peers \
         WHERE info_hash = $1 AND peer_id <> $2 AND seen_at >= $3 AND ($4 = 0 OR seeder = 0) \
         ORDER BY random() LIMIT $5",
    )
    .bind(info_hash)
    .bind(peer_id)
    .bind(cutoff)
    .bind(i64::from(seeder))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(address, port, seeder)| {
            Some(HttpPeer {
                address,
                port: u16::try_from(port).ok()?,
                seeder: seeder != 0,
            })
        })
        .collect())
}

/// Forgets peers not seen since `cutoff`. Returns how many.
pub async fn expire(pool: &AnyPool, cutoff: i64) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM tracker_http_peers WHERE seen_at < $1")
        .bind(cutoff)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}
