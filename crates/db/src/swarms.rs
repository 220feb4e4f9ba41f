//! The web player's peer-to-peer swarms of each video (`video_swarms`): the stream swarm ids
//! and announced info hashes of `kinora_core::swarm`, kept so the private WebSocket tracker can
//! tell this instance's swarms from strangers' (a hash cannot be turned back into its video).

use kinora_core::swarm::VideoSwarm;
use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// One stored swarm.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SwarmRow {
    /// The video.
    pub video_id: i64,
    /// `pt-v2-<uuid>-<main|secondary>-default-<resolution>`.
    pub stream_swarm_id: String,
    /// The announced info hash, 40 lowercase hex digits of its 20 bytes.
    pub info_hash: String,
}

/// Derives a video's swarms from its rendition files ([`kinora_core::swarm::video_swarms`] of
/// their resolutions) and records them in place of the old ones; call it in the transaction
/// that records the files. Answers how many swarms the video has.
pub async fn record_from_files(
    connection: &mut Connection,
    video_id: i64,
    video_uuid: &str,
) -> DbResult<usize> {
    let resolutions: Vec<(i64,)> =
        sqlx::query_as("SELECT resolution FROM video_files WHERE video_id = $1")
            .bind(video_id)
            .fetch_all(&mut *connection)
            .await?;
    let resolutions: Vec<i64> = resolutions.into_iter().map(|(r,)| r).collect();
    record_for_resolutions(connection, video_id, video_uuid, &resolutions).await
}

/// Records the swarms of renditions of `resolutions` in place of the video's old ones, and
/// answers how many there are: a live's, from the picture its broadcaster sends, when the
/// broadcast starts (a permanent live's next broadcast may send another size).
pub async fn record_for_resolutions(
    connection: &mut Connection,
    video_id: i64,
    video_uuid: &str,
    resolutions: &[i64],
) -> DbResult<usize> {
    let swarms = kinora_core::swarm::video_swarms(video_uuid, resolutions);
    replace(connection, video_id, &swarms).await?;
    Ok(swarms.len())
}

async fn replace(
    connection: &mut Connection,
    video_id: i64,
    swarms: &[VideoSwarm],
) -> DbResult<()> {
    sqlx::query("DELETE FROM video_swarms WHERE video_id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    for swarm in swarms {
        sqlx::query(
            "INSERT INTO video_swarms (video_id, stream_swarm_id, info_hash) VALUES ($1, $2, $3)",
        )
        .bind(video_id)
        .bind(&swarm.stream_swarm_id)
        .bind(swarm.info_hash_hex())
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// A video's swarms, in the order they were recorded.
pub async fn list<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Vec<SwarmRow>> {
    Ok(sqlx::query_as(
        "SELECT video_id, stream_swarm_id, info_hash FROM video_swarms WHERE video_id = $1 \
         ORDER BY id",
    )
    .bind(video_id)
    .fetch_all(executor)
    .await?)
}

/// Whether `info_hash` (40 hex digits) is a web player swarm, or a rendition's torrent, of a
/// published public or unlisted video: what the private WebSocket tracker may track for anyone
/// (browsers join both kinds there).
pub async fn is_public(pool: &sqlx::AnyPool, info_hash: &str) -> DbResult<bool> {
    let (count,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM videos WHERE state = 1 AND privacy IN (1, 2) AND id IN \
         (SELECT video_id FROM video_swarms WHERE info_hash = $1 \
          UNION SELECT video_id FROM video_files WHERE info_hash = $1) AND {}",
        crate::video_blacklist::UNMODERATED
    ))
    .bind(info_hash)
    .fetch_one(pool)
    .await?;
    Ok(count > 0)
}

/// Up to `limit` videos after id `after` that have rendition files but no swarms (published
/// before swarms were recorded): `(id, uuid)`, by id.
pub async fn videos_missing_swarms(
    pool: &sqlx::AnyPool,
    after: i64,
    limit: i64,
) -> DbResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT v.id, v.uuid FROM videos v WHERE v.id > $1 \
         AND EXISTS (SELECT 1 FROM video_files f WHERE f.video_id = v.id) \
         AND NOT EXISTS (SELECT 1 FROM video_swarms s WHERE s.video_id = v.id) \
         ORDER BY v.id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
