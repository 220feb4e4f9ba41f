//! What each user watched and where they stopped (`user_video_history`, PeerTube's
//! `UserVideoHistory`): one row per user and video.

use sqlx::{Any, AnyPool, Executor};

use crate::video_lists::like_pattern;
use crate::videos::VideoRow;
use crate::{Connection, DbResult};

/// Records that `user_id` was at `position_seconds` of `video_id` at `now` (one row per user
/// and video: a later write replaces an earlier one).
pub async fn record<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
    video_id: i64,
    position_seconds: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO user_video_history (user_id, video_id, position_seconds, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, video_id) DO UPDATE SET \
         position_seconds = excluded.position_seconds, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(video_id)
    .bind(position_seconds)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// Where `user_id` stopped in `video_id`, in seconds, if they watched it.
pub async fn position<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
    video_id: i64,
) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT position_seconds FROM user_video_history WHERE user_id = $1 AND video_id = $2",
    )
    .bind(user_id)
    .bind(video_id)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|(seconds,)| seconds))
}

/// The videos of a history that its user may still see: public, unlisted or internal ones that
/// are published and not blocked, and the user's own in any state. `$1` is the user.
const VISIBLE: &str = "(v.channel_id IN (SELECT c.id FROM channels c JOIN accounts a ON \
     a.id = c.account_id WHERE a.user_id = $1) OR (v.privacy IN (1, 2, 4) AND v.state = 1 AND \
     v.id NOT IN (SELECT video_id FROM video_blacklist)))";

/// A history entry: the video and where its user stopped.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    #[sqlx(flatten)]
    video: VideoRow,
    position_seconds: i64,
}

/// One page of `user_id`'s history, the latest watched first, with where they stopped; only
/// videos whose name contains `search` when given (case-insensitive). Answers the total too.
pub async fn page(
    pool: &AnyPool,
    user_id: i64,
    search: Option<&str>,
    start: i64,
    count: i64,
) -> DbResult<(i64, Vec<(VideoRow, i64)>)> {
    let mut filter = format!(
        "FROM user_video_history h JOIN videos v ON v.id = h.video_id \
         WHERE h.user_id = $1 AND {VISIBLE}"
    );
    let pattern = search.map(like_pattern);
    if pattern.is_some() {
        filter.push_str(" AND LOWER(v.name) LIKE $2 ESCAPE '\\'");
    }
    let next = if pattern.is_some() { 3 } else { 2 };
    let count_sql = format!("SELECT COUNT(*) {filter}");
    let mut counting = sqlx::query_as::<_, (i64,)>(&count_sql).bind(user_id);
    if let Some(pattern) = &pattern {
        counting = counting.bind(pattern.as_str());
    }
    let (total,) = counting.fetch_one(pool).await?;
    let columns: Vec<String> = crate::videos::COLUMNS
        .split(',')
        .map(|column| format!("v.{}", column.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, h.position_seconds {filter} ORDER BY h.updated_at DESC, v.id DESC \
         LIMIT ${next} OFFSET ${}",
        columns.join(", "),
        next + 1
    );
    let mut rows = sqlx::query_as::<_, HistoryRow>(&sql).bind(user_id);
    if let Some(pattern) = &pattern {
        rows = rows.bind(pattern.as_str());
    }
    let page = rows
        .bind(count)
        .bind(start)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| (row.video, row.position_seconds))
        .collect();
    Ok((total, page))
}

/// Removes `video_id` from `user_id`'s history; answers whether it was there.
pub async fn remove(connection: &mut Connection, user_id: i64, video_id: i64) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM user_video_history WHERE user_id = $1 AND video_id = $2")
        .bind(user_id)
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes the entries of `user_id`'s history written before `before` (epoch milliseconds),
/// or all of them; answers how many.
pub async fn remove_before(
    connection: &mut Connection,
    user_id: i64,
    before: Option<i64>,
) -> DbResult<u64> {
    let done = match before {
        Some(before) => {
            sqlx::query("DELETE FROM user_video_history WHERE user_id = $1 AND updated_at < $2")
                .bind(user_id)
                .bind(before)
                .execute(&mut *connection)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM user_video_history WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *connection)
                .await?
        }
    };
    Ok(done.rows_affected())
}
