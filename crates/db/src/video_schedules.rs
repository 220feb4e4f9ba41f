//! Scheduled privacy changes of videos (PeerTube's `scheduleUpdate`): at most one per video,
//! applied by the server once due (`kinora_app::video_schedules`).

use crate::{Connection, DbResult};

const COLUMNS: &str = "video_id, update_at, privacy, created_at";

/// A scheduled change as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduleRow {
    /// The video.
    pub video_id: i64,
    /// When, epoch milliseconds.
    pub update_at: i64,
    /// The privacy it then gets (PeerTube's id).
    pub privacy: i64,
    /// When it was scheduled, epoch milliseconds.
    pub created_at: i64,
}

/// Schedules (or moves) video `video_id`'s change to `privacy` at `update_at`.
pub async fn set(
    connection: &mut Connection,
    video_id: i64,
    update_at: i64,
    privacy: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO video_schedules (video_id, update_at, privacy, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (video_id) DO UPDATE SET \
         update_at = excluded.update_at, privacy = excluded.privacy",
    )
    .bind(video_id)
    .bind(update_at)
    .bind(privacy)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Forgets video `video_id`'s scheduled change; answers whether there was one.
pub async fn clear(connection: &mut Connection, video_id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM video_schedules WHERE video_id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// The scheduled changes of these videos.
pub async fn find_of(pool: &sqlx::AnyPool, video_ids: &[i64]) -> DbResult<Vec<ScheduleRow>> {
    if video_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = video_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_schedules WHERE video_id IN ({list})"
    ))
    .fetch_all(pool)
    .await?)
}

/// Up to `limit` changes due at `now`, oldest first.
pub async fn due(pool: &sqlx::AnyPool, now: i64, limit: i64) -> DbResult<Vec<ScheduleRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_schedules WHERE update_at <= $1 \
         ORDER BY update_at, video_id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
