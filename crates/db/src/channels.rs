//! Video channels (ActivityPub Group), each owned by an account.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

pub(crate) const SELECT: &str = "SELECT c.id, c.actor_id, c.account_id, r.preferred_username AS name, r.host, r.url, \
                      c.display_name, c.description, c.support, c.created_at, c.updated_at \
                      FROM channels c JOIN actors r ON r.id = c.actor_id";

/// A channel as stored, with its actor's name and host.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChannelRow {
    /// Numeric id.
    pub id: i64,
    /// The actor behind the channel.
    pub actor_id: i64,
    /// The owning account.
    pub account_id: i64,
    /// The actor name.
    pub name: String,
    /// The actor's ActivityPub id when remote (local ones derive theirs).
    pub url: Option<String>,
    /// The actor's host; none for local channels.
    pub host: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// How to support the channel.
    pub support: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

/// What is needed to insert a channel.
#[derive(Debug, Clone)]
pub struct NewChannel<'a> {
    /// The actor created for the channel.
    pub actor_id: i64,
    /// The owning account.
    pub account_id: i64,
    /// Display name.
    pub display_name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// How to support the channel.
    pub support: Option<&'a str>,
}

/// Inserts a channel and returns its id.
pub async fn insert(
    connection: &mut Connection,
    channel: &NewChannel<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO channels (actor_id, account_id, display_name, description, support, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(channel.actor_id)
    .bind(channel.account_id)
    .bind(channel.display_name)
    .bind(channel.description)
    .bind(channel.support)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds a local channel by its name.
pub async fn find_local_by_name<'e>(
    executor: impl Executor<'e, Database = Any>,
    name: &str,
) -> DbResult<Option<ChannelRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE r.preferred_username = $1 AND r.host IS NULL"
    ))
    .bind(name)
    .fetch_optional(executor)
    .await?)
}

/// Finds a channel by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<ChannelRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?)
}

/// Finds channels by id (in no particular order; unknown ids are left out).
pub async fn find_by_ids(pool: &sqlx::AnyPool, ids: &[i64]) -> DbResult<Vec<ChannelRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SELECT} WHERE c.id IN ({})",
        crate::placeholders(ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?)
}

/// Lists an account's channels, oldest first.
pub async fn list_by_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
) -> DbResult<Vec<ChannelRow>> {
    Ok(
        sqlx::query_as(&format!("{SELECT} WHERE c.account_id = $1 ORDER BY c.id"))
            .bind(account_id)
            .fetch_all(executor)
            .await?,
    )
}

/// Local channels whose name or display name contain `search` (case-insensitive; all when
/// none): how many, and one page of them, oldest first.
pub async fn search(
    pool: &sqlx::AnyPool,
    search: Option<&str>,
    start: i64,
    count: i64,
) -> DbResult<(i64, Vec<ChannelRow>)> {
    let pattern = crate::video_lists::like_pattern(search.unwrap_or(""));
    let filter = "WHERE r.host IS NULL AND (LOWER(r.preferred_username) LIKE $1 ESCAPE '\\' \
                  OR LOWER(c.display_name) LIKE $1 ESCAPE '\\')";
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM channels c JOIN actors r ON r.id = c.actor_id {filter}"
    ))
    .bind(&pattern)
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query_as(&format!(
        "{SELECT} {filter} ORDER BY c.id LIMIT $2 OFFSET $3"
    ))
    .bind(&pattern)
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    Ok((total, rows))
}

/// Counts an account's channels.
pub async fn count_by_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM channels WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(executor)
        .await?;
    Ok(count)
}

/// The fields of a channel an owner may change.
#[derive(Debug, Clone)]
pub struct ChannelChange<'a> {
    /// Display name.
    pub display_name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// How to support the channel.
    pub support: Option<&'a str>,
}

/// Updates a channel's editable fields.
pub async fn update(
    connection: &mut Connection,
    id: i64,
    change: &ChannelChange<'_>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE channels SET display_name = $1, description = $2, support = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(change.display_name)
    .bind(change.description)
    .bind(change.support)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Finds the channel of an actor.
pub async fn find_by_actor<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<Option<ChannelRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE c.actor_id = $1"))
        .bind(actor_id)
        .fetch_optional(executor)
        .await?)
}

/// Creates the channel of a remote actor owned by `account_id`, or refreshes its fields (a
/// remote channel never changes owner). Returns its id.
pub async fn upsert_remote(
    connection: &mut Connection,
    actor_id: i64,
    account_id: i64,
    change: &ChannelChange<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO channels (actor_id, account_id, display_name, description, support, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (actor_id) \
         DO UPDATE SET display_name = excluded.display_name, description = excluded.description, \
         support = excluded.support, updated_at = excluded.updated_at RETURNING id",
    )
    .bind(actor_id)
    .bind(account_id)
    .bind(change.display_name)
    .bind(change.description)
    .bind(change.support)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}
