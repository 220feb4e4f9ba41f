//! What a user's videos weigh against their quotas: bytes of the uploaded originals of all
//! their channels' videos, in all or since a time (the daily quota counts the last 24 hours).
//! Bytes reserved by unfinished uploads are in [`crate::uploads::reserved_by_user`].

use sqlx::{Any, Executor};

use crate::DbResult;

/// Bytes of uploaded video a user keeps, of videos created at or after `since` (epoch
/// milliseconds; `None`: all).
pub async fn used_by_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
    since: Option<i64>,
) -> DbResult<i64> {
    let (total,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(v.original_size), 0) AS BIGINT) FROM videos v \
         JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id \
         WHERE a.user_id = $1 AND v.created_at >= $2",
    )
    .bind(user_id)
    .bind(since.unwrap_or(i64::MIN))
    .fetch_one(executor)
    .await?;
    Ok(total)
}
