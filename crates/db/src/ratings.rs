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

/// An actor who rated a video, as a likes or dislikes collection lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RaterRow {
    /// The actor's id.
    pub actor_id: i64,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub preferred_username: String,
}

/// A page of the local actors who gave a video `rating` (`like` or `dislike`), oldest first,
/// and how many accounts, local or remote, gave it.
pub async fn list_local_raters(
    pool: &sqlx::AnyPool,
    video_id: i64,
    rating: &str,
    start: i64,
    count: i64,
) -> DbResult<(Vec<RaterRow>, i64)> {
    let rows = sqlx::query_as(
        "SELECT a.id AS actor_id, a.kind, a.preferred_username FROM video_ratings r \
         JOIN accounts ac ON ac.id = r.account_id JOIN actors a ON a.id = ac.actor_id \
         WHERE r.video_id = $1 AND r.rating = $2 AND a.host IS NULL ORDER BY r.id \
         LIMIT $3 OFFSET $4",
    )
    .bind(video_id)
    .bind(rating)
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM video_ratings WHERE video_id = $1 AND rating = $2")
            .bind(video_id)
            .bind(rating)
            .fetch_one(pool)
            .await?;
    Ok((rows, total))
}
