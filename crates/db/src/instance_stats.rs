//! Counts that describe the instance (NodeInfo's `usage`).

use sqlx::AnyPool;

use crate::DbResult;

/// How much the instance holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InstanceCounts {
    /// Users.
    pub users: i64,
    /// Published public videos.
    pub local_videos: i64,
    /// Comments that are not deleted.
    pub local_comments: i64,
}

/// Counts users, published public videos and live comments.
pub async fn counts(pool: &AnyPool) -> DbResult<InstanceCounts> {
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await?;
    let (local_videos,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM videos WHERE state = 1 AND privacy = 1")
            .fetch_one(pool)
            .await?;
    let (local_comments,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM video_comments WHERE deleted_at IS NULL")
            .fetch_one(pool)
            .await?;
    Ok(InstanceCounts {
        users,
        local_videos,
        local_comments,
    })
}
