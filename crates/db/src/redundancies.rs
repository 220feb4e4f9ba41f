//! Mirrors of videos' HLS files (PeerTube's redundancy): ours of remote videos, and other
//! instances' of ours.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A mirror as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RedundancyRow {
    /// Numeric id.
    pub id: i64,
    /// The video mirrored.
    pub video_id: i64,
    /// The `CacheFile`'s ActivityPub id.
    pub url: String,
    /// Where the mirrored HLS files are served (the directory of the master playlist).
    pub base_url: String,
    /// 1: our copy (its files in our storage); 0: another instance's.
    pub local: i64,
    /// The mirroring instance's actor (remote mirrors).
    pub actor_id: Option<i64>,
    /// Bytes copied (our copies).
    pub size: i64,
    /// When the mirror ends, epoch milliseconds (none: no end set).
    pub expires_at: Option<i64>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "id, video_id, url, base_url, local, actor_id, size, expires_at, created_at";

/// What is needed to record a mirror.
#[derive(Debug, Clone)]
pub struct NewRedundancy<'a> {
    /// The video.
    pub video_id: i64,
    /// The `CacheFile` id.
    pub url: &'a str,
    /// Where the files are served.
    pub base_url: &'a str,
    /// Our copy.
    pub local: bool,
    /// The mirroring instance's actor (remote mirrors).
    pub actor_id: Option<i64>,
    /// Bytes copied.
    pub size: i64,
    /// When it ends.
    pub expires_at: Option<i64>,
}

/// Records a mirror, or refreshes the one with the same `CacheFile` id. Returns it.
pub async fn upsert(
    connection: &mut Connection,
    mirror: &NewRedundancy<'_>,
    now: i64,
) -> DbResult<RedundancyRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO video_redundancies (video_id, url, base_url, local, actor_id, size, \
         expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         ON CONFLICT (url) DO UPDATE SET base_url = excluded.base_url, size = excluded.size, \
         expires_at = excluded.expires_at, updated_at = excluded.updated_at RETURNING {COLUMNS}"
    ))
    .bind(mirror.video_id)
    .bind(mirror.url)
    .bind(mirror.base_url)
    .bind(i64::from(mirror.local))
    .bind(mirror.actor_id)
    .bind(mirror.size)
    .bind(mirror.expires_at)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?)
}

/// Finds a mirror by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<RedundancyRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_redundancies WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// Finds a mirror by its `CacheFile` id.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<RedundancyRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_redundancies WHERE url = $1"
    ))
    .bind(url)
    .fetch_optional(executor)
    .await?)
}

/// The mirrors of several videos.
pub async fn list_of(pool: &sqlx::AnyPool, video_ids: &[i64]) -> DbResult<Vec<RedundancyRow>> {
    if video_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM video_redundancies WHERE video_id IN ({}) ORDER BY id",
        crate::placeholders(video_ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in video_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?)
}

/// Deletes a mirror. Returns it, if there was one.
pub async fn delete(connection: &mut Connection, id: i64) -> DbResult<Option<RedundancyRow>> {
    Ok(sqlx::query_as(&format!(
        "DELETE FROM video_redundancies WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(&mut *connection)
    .await?)
}

/// Our mirrors (local ones) whose announcement ends before `before` (epoch ms), soonest first,
/// at most `limit`.
pub async fn list_local_expiring<'e>(
    executor: impl Executor<'e, Database = Any>,
    before: i64,
    limit: i64,
) -> DbResult<Vec<RedundancyRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_redundancies WHERE local = 1 AND expires_at IS NOT NULL \
         AND expires_at < $1 ORDER BY expires_at LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// Sets when a mirror's announcement ends.
pub async fn set_expiry(
    connection: &mut Connection,
    id: i64,
    expires_at: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE video_redundancies SET expires_at = $1, updated_at = $2 WHERE id = $3")
        .bind(expires_at)
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
