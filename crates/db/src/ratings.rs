//! Likes and dislikes: one rating per account and video, with the video's counters kept in step.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// Finds the rating (`like` or `dislike`) an account gave a video.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
    video_id: i64,
) -> DbResult<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT rating FROM video_ratings WHERE account_id = $1 AND video_id = $2")
            .bind(account_id)
            .bind(video_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.map(|(rating,)| rating))
}

/// Records `rating` (`like` or `dislike`), replacing an earlier one.
pub async fn upsert(
    connection: &mut Connection,
    account_id: i64,
    video_id: i64,
    rating: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO video_ratings (account_id, video_id, rating, created_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, video_id) DO UPDATE SET rating = excluded.rating",
    )
    .bind(account_id)
    .bind(video_id)
    .bind(rating)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Removes an account's rating of a video.
pub async fn delete(connection: &mut Connection, account_id: i64, video_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM video_ratings WHERE account_id = $1 AND video_id = $2")
        .bind(account_id)
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Adds `likes` and `dislikes` (each -1, 0 or 1) to a video's counters.
pub async fn add_to_counters(
    connection: &mut Connection,
    video_id: i64,
    likes: i64,
    dislikes: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE videos SET likes = likes + $1, dislikes = dislikes + $2 WHERE id = $3")
        .bind(likes)
        .bind(dislikes)
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Locks a video's row until the transaction ends, so concurrent ratings of it run one after
/// the other and its counters stay exact. Returns false when the video is gone.
pub async fn lock_counters(connection: &mut Connection, video_id: i64) -> DbResult<bool> {
    let result = sqlx::query("UPDATE videos SET likes = likes WHERE id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}
