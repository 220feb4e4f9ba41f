//! Counted views: at most one per viewer (a hashed key) and video in each time window.

use crate::{Connection, DbResult};

/// Records a view of `video_id` by `viewer_hash` in the window starting at `window_start`, and
/// adds it to the video's `views` when it is the viewer's first in that window. Rows of earlier
/// windows are deleted on the way. Returns whether the view was counted.
pub async fn record(
    connection: &mut Connection,
    video_id: i64,
    viewer_hash: &str,
    window_start: i64,
) -> DbResult<bool> {
    sqlx::query("DELETE FROM video_views WHERE window_start < $1")
        .bind(window_start)
        .execute(&mut *connection)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO video_views (video_id, viewer_hash, window_start) VALUES ($1, $2, $3) \
         ON CONFLICT (video_id, viewer_hash, window_start) DO NOTHING",
    )
    .bind(video_id)
    .bind(viewer_hash)
    .bind(window_start)
    .execute(&mut *connection)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE videos SET views = views + 1 WHERE id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(true)
}
