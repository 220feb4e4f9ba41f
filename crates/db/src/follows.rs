//! Follows between actors (ActivityPub `Follow`), local or remote on either side: accounts
//! following channels, instances following instances, remote actors following ours.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A follow as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FollowRow {
    /// Numeric id.
    pub id: i64,
    /// The actor who follows.
    pub follower_id: i64,
    /// The actor followed.
    pub following_id: i64,
    /// `pending` until the followed side accepts, then `accepted`.
    pub state: String,
    /// The Follow activity's id.
    pub url: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

impl FollowRow {
    /// True once the followed side accepted.
    pub fn is_accepted(&self) -> bool {
        self.state == "accepted"
    }
}

const COLUMNS: &str = "id, follower_id, following_id, state, url, created_at, updated_at";

/// Records that `follower_id` follows (or asks to follow) `following_id`, in `state`. Following
/// again keeps the row, updating its activity id and moving it to `accepted` if asked (never back
/// to pending). Returns the follow.
pub async fn upsert(
    connection: &mut Connection,
    follower_id: i64,
    following_id: i64,
    state: &str,
    url: Option<&str>,
    now: i64,
) -> DbResult<FollowRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO actor_follows (follower_id, following_id, state, url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (follower_id, following_id) DO UPDATE SET \
         url = COALESCE(excluded.url, actor_follows.url), \
         state = CASE WHEN excluded.state = 'accepted' THEN 'accepted' ELSE actor_follows.state END, \
         updated_at = excluded.updated_at RETURNING {COLUMNS}"
    ))
    .bind(follower_id)
    .bind(following_id)
    .bind(state)
    .bind(url)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?)
}

/// Marks a follow accepted. Returns false when there is no such follow.
pub async fn accept(
    connection: &mut Connection,
    follower_id: i64,
    following_id: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE actor_follows SET state = 'accepted', updated_at = $1 \
         WHERE follower_id = $2 AND following_id = $3",
    )
    .bind(now)
    .bind(follower_id)
    .bind(following_id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Deletes a follow (rejected or undone). Returns the deleted follow, if there was one.
pub async fn delete(
    connection: &mut Connection,
    follower_id: i64,
    following_id: i64,
) -> DbResult<Option<FollowRow>> {
    Ok(sqlx::query_as(&format!(
        "DELETE FROM actor_follows WHERE follower_id = $1 AND following_id = $2 RETURNING {COLUMNS}"
    ))
    .bind(follower_id)
    .bind(following_id)
    .fetch_optional(&mut *connection)
    .await?)
}

/// Finds the follow of `following_id` by `follower_id`.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    follower_id: i64,
    following_id: i64,
) -> DbResult<Option<FollowRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actor_follows WHERE follower_id = $1 AND following_id = $2"
    ))
    .bind(follower_id)
    .bind(following_id)
    .fetch_optional(executor)
    .await?)
}

/// Finds a follow by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<FollowRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actor_follows WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// The distinct delivery inboxes (shared inbox where there is one) of the remote actors whose
/// follow of any of `following_ids` was accepted.
pub async fn remote_follower_inboxes<'e>(
    executor: impl Executor<'e, Database = Any>,
    following_ids: &[i64],
) -> DbResult<Vec<String>> {
    if following_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM actor_follows f \
         JOIN actors a ON a.id = f.follower_id \
         WHERE f.following_id IN ({}) AND f.state = 'accepted' AND a.host IS NOT NULL \
         AND COALESCE(a.shared_inbox_url, a.inbox_url) IS NOT NULL ORDER BY 1",
        crate::placeholders(following_ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in following_ids {
        query = query.bind(*id);
    }
    let rows: Vec<(String,)> = query.fetch_all(executor).await?;
    Ok(rows.into_iter().map(|(inbox,)| inbox).collect())
}

/// The follows (pending or accepted) of `following_id` by actors of this instance: accounts
/// and the instance actor.
pub async fn local_followers_of<'e>(
    executor: impl Executor<'e, Database = Any>,
    following_id: i64,
) -> DbResult<Vec<FollowRow>> {
    let columns = COLUMNS
        .split(", ")
        .map(|column| format!("f.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(&format!(
        "SELECT {columns} FROM actor_follows f JOIN actors a ON a.id = f.follower_id \
         WHERE f.following_id = $1 AND a.host IS NULL ORDER BY f.id"
    ))
    .bind(following_id)
    .fetch_all(executor)
    .await?)
}

/// Whether someone here follows (or asked to follow) the remote actor `actor_url`, or any
/// remote actor on `host` (`host[:port]`): the inbox's test, made before anything is fetched,
/// of whether an Announce could bring a video this instance takes.
pub async fn followed_actor_or_host<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_url: &str,
    host: &str,
) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT f.id FROM actor_follows f JOIN actors a ON a.id = f.following_id \
         WHERE a.host IS NOT NULL AND (a.url = $1 OR a.host = $2) LIMIT 1",
    )
    .bind(actor_url)
    .bind(host)
    .fetch_optional(executor)
    .await?;
    Ok(found.is_some())
}

/// Counts of an actor's accepted followers and of the actors it follows (accepted).
pub async fn counts<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<(i64, i64)> {
    let (followers, following): (i64, i64) = sqlx::query_as(
        "SELECT \
         (SELECT COUNT(*) FROM actor_follows WHERE following_id = $1 AND state = 'accepted'), \
         (SELECT COUNT(*) FROM actor_follows WHERE follower_id = $1 AND state = 'accepted')",
    )
    .bind(actor_id)
    .fetch_one(executor)
    .await?;
    Ok((followers, following))
}

/// Accounts' and channels' followers as PeerTube's REST API counts them (`followersCount`),
/// by actor id, in two queries: the remote actors whose follow of the actor was accepted, plus,
/// for a channel (`(actor_id, Some(channel_id))`), the accounts here subscribed to it (a local
/// subscriber of a remote channel also has a follow row, which is not counted twice).
pub async fn followers_counts(
    pool: &sqlx::AnyPool,
    actors: &[(i64, Option<i64>)],
) -> DbResult<std::collections::HashMap<i64, i64>> {
    let mut counts: std::collections::HashMap<i64, i64> =
        actors.iter().map(|(actor_id, _)| (*actor_id, 0)).collect();
    if actors.is_empty() {
        return Ok(counts);
    }
    let sql = format!(
        "SELECT f.following_id, COUNT(*) FROM actor_follows f JOIN actors a ON a.id = f.follower_id \
         WHERE f.following_id IN ({}) AND f.state = 'accepted' AND a.host IS NOT NULL \
         GROUP BY f.following_id",
        crate::placeholders(actors.len())
    );
    let mut query = sqlx::query_as(&sql);
    for (actor_id, _) in actors {
        query = query.bind(*actor_id);
    }
    let remote: Vec<(i64, i64)> = query.fetch_all(pool).await?;
    let channels: Vec<(i64, i64)> = actors
        .iter()
        .filter_map(|(actor_id, channel_id)| channel_id.map(|c| (c, *actor_id)))
        .collect();
    let mut local: Vec<(i64, i64)> = Vec::new();
    if !channels.is_empty() {
        let sql = format!(
            "SELECT channel_id, COUNT(*) FROM subscriptions WHERE channel_id IN ({}) \
             GROUP BY channel_id",
            crate::placeholders(channels.len())
        );
        let mut query = sqlx::query_as(&sql);
        for (channel_id, _) in &channels {
            query = query.bind(*channel_id);
        }
        local = query.fetch_all(pool).await?;
    }
    let actor_of_channel: std::collections::HashMap<i64, i64> = channels.into_iter().collect();
    let local = local
        .into_iter()
        .filter_map(|(channel_id, n)| actor_of_channel.get(&channel_id).map(|a| (*a, n)));
    for (actor_id, n) in remote.into_iter().chain(local) {
        *counts.entry(actor_id).or_default() += n;
    }
    Ok(counts)
}

/// Which side of a follow a listing walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The actors following the given one.
    Followers,
    /// The actors the given one follows.
    Following,
}

/// One entry of a followers or following listing: the follow and the other actor.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FollowEntry {
    /// The follow.
    pub follow_id: i64,
    /// `pending` or `accepted`.
    pub state: String,
    /// When the follow began, epoch milliseconds.
    pub created_at: i64,
    /// The other actor's id.
    pub actor_id: i64,
    /// The other actor's kind.
    pub kind: String,
    /// The other actor's name.
    pub preferred_username: String,
    /// The other actor's host (none: local).
    pub host: Option<String>,
    /// The other actor's ActivityPub id (none: local, derived).
    pub url: Option<String>,
}

/// A page of an actor's followers or followings (newest first), with accepted ones only unless
/// `include_pending`, and the total.
pub async fn list(
    pool: &sqlx::AnyPool,
    actor_id: i64,
    side: Side,
    include_pending: bool,
    start: i64,
    count: i64,
) -> DbResult<(Vec<FollowEntry>, i64)> {
    let (mine, other) = match side {
        Side::Followers => ("following_id", "follower_id"),
        Side::Following => ("follower_id", "following_id"),
    };
    let state = if include_pending {
        ""
    } else {
        " AND f.state = 'accepted'"
    };
    let entries: Vec<FollowEntry> = sqlx::query_as(&format!(
        "SELECT f.id AS follow_id, f.state, f.created_at, a.id AS actor_id, a.kind, \
         a.preferred_username, a.host, a.url FROM actor_follows f JOIN actors a ON a.id = f.{other} \
         WHERE f.{mine} = $1{state} ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(actor_id)
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM actor_follows f WHERE f.{mine} = $1{state}"
    ))
    .bind(actor_id)
    .fetch_one(pool)
    .await?;
    Ok((entries, total))
}

/// Records the id of the Follow activity sent for a follow.
pub async fn set_url(connection: &mut Connection, id: i64, url: &str) -> DbResult<()> {
    sqlx::query("UPDATE actor_follows SET url = $1 WHERE id = $2")
        .bind(url)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
