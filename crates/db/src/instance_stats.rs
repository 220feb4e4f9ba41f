//! Counts that describe the instance (NodeInfo's `usage`).

use sqlx::AnyPool;

use crate::DbResult;

/// How much the instance holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InstanceCounts {
    /// Users.
    pub users: i64,
    /// Published public videos of this instance (remote videos are not counted).
    pub local_videos: i64,
    /// Comments written by local accounts that are not deleted.
    pub local_comments: i64,
}

/// Counts users, this instance's published public videos and its accounts' live comments.
pub async fn counts(pool: &AnyPool) -> DbResult<InstanceCounts> {
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await?;
    let (local_videos,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM videos WHERE state = 1 AND privacy = 1 AND url IS NULL",
    )
    .fetch_one(pool)
    .await?;
    let (local_comments,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM video_comments c JOIN accounts a ON a.id = c.account_id \
         JOIN actors r ON r.id = a.actor_id WHERE c.deleted_at IS NULL AND r.host IS NULL",
    )
    .fetch_one(pool)
    .await?;
    Ok(InstanceCounts {
        users,
        local_videos,
        local_comments,
    })
}
