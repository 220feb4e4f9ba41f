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

/// What `/api/v1/server/stats` shows (PeerTube's `ServerStats`, the counters Kinora keeps).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Users.
    pub users: i64,
    /// Users who logged in or refreshed a token in the last day, week and month.
    pub active_users: [i64; 3],
    /// Moderators.
    pub moderators: i64,
    /// Administrators.
    pub admins: i64,
    /// Published public videos of this instance.
    pub local_videos: i64,
    /// Views of those videos.
    pub local_video_views: i64,
    /// Live comments of local accounts.
    pub local_comments: i64,
    /// Bytes of this instance's rendition files.
    pub local_files_size: i64,
    /// Published public videos, local and remote.
    pub videos: i64,
    /// Live comments, local and remote.
    pub comments: i64,
    /// Channels of this instance.
    pub local_channels: i64,
    /// Accepted followers of the instance actor.
    pub instance_followers: i64,
    /// Actors the instance actor follows (accepted).
    pub instance_following: i64,
    /// Activities received in the inbox (kept rows).
    pub inbox_activities: i64,
    /// Abuse reports, and those no longer pending.
    pub abuses: i64,
    /// Abuse reports accepted or rejected.
    pub abuses_processed: i64,
}

/// Counts [`ServerStats`]; `now_ms` is the current time in epoch milliseconds.
pub async fn server_stats(pool: &AnyPool, now_ms: i64) -> DbResult<ServerStats> {
    async fn count(pool: &AnyPool, sql: &str, bind: Option<i64>) -> DbResult<i64> {
        let mut query = sqlx::query_as::<_, (i64,)>(sql);
        if let Some(value) = bind {
            query = query.bind(value);
        }
        Ok(query.fetch_one(pool).await?.0)
    }
    let base = counts(pool).await?;
    let day = 24 * 3600 * 1000;
    let active = "SELECT COUNT(DISTINCT user_id) FROM oauth_tokens WHERE COALESCE(refreshed_at, created_at) >= $1";
    let local_public = "v.state = 1 AND v.privacy = 1 AND v.url IS NULL";
    Ok(ServerStats {
        users: base.users,
        active_users: [
            count(pool, active, Some(now_ms - day)).await?,
            count(pool, active, Some(now_ms - 7 * day)).await?,
            count(pool, active, Some(now_ms - 30 * day)).await?,
        ],
        moderators: count(pool, "SELECT COUNT(*) FROM users WHERE role = 1", None).await?,
        admins: count(pool, "SELECT COUNT(*) FROM users WHERE role = 0", None).await?,
        local_videos: base.local_videos,
        local_video_views: count(
            pool,
            &format!("SELECT CAST(COALESCE(SUM(v.views), 0) AS BIGINT) FROM videos v WHERE {local_public}"),
            None,
        )
        .await?,
        local_comments: base.local_comments,
        local_files_size: count(
            pool,
            "SELECT CAST(COALESCE(SUM(f.size), 0) AS BIGINT) FROM video_files f \
             JOIN videos v ON v.id = f.video_id WHERE v.url IS NULL",
            None,
        )
        .await?,
        videos: count(
            pool,
            "SELECT COUNT(*) FROM videos WHERE state = 1 AND privacy = 1",
            None,
        )
        .await?,
        comments: count(
            pool,
            "SELECT COUNT(*) FROM video_comments WHERE deleted_at IS NULL",
            None,
        )
        .await?,
        local_channels: count(
            pool,
            "SELECT COUNT(*) FROM channels c JOIN actors a ON a.id = c.actor_id WHERE a.host IS NULL",
            None,
        )
        .await?,
        instance_followers: count(
            pool,
            "SELECT COUNT(*) FROM actor_follows f JOIN actors a ON a.id = f.following_id \
             WHERE a.host IS NULL AND a.preferred_username = 'peertube' AND a.kind = 'Application' \
             AND f.state = 'accepted'",
            None,
        )
        .await?,
        instance_following: count(
            pool,
            "SELECT COUNT(*) FROM actor_follows f JOIN actors a ON a.id = f.follower_id \
             WHERE a.host IS NULL AND a.preferred_username = 'peertube' AND a.kind = 'Application' \
             AND f.state = 'accepted'",
            None,
        )
        .await?,
        inbox_activities: count(pool, "SELECT COUNT(*) FROM inbox_activities", None).await?,
        abuses: count(pool, "SELECT COUNT(*) FROM abuses", None).await?,
        abuses_processed: count(pool, "SELECT COUNT(*) FROM abuses WHERE state <> 1", None)
            .await?,
    })
}
