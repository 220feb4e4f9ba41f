//! The inbox: activities received, stored as they came before they are acted on, and
//! deduplicated by their id.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A received activity as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxActivityRow {
    /// Numeric id.
    pub id: i64,
    /// The activity's id.
    pub activity_url: String,
    /// The actor whose key signed the request that brought it.
    pub signer_url: String,
    /// The JSON received.
    pub body: String,
    /// When it came, epoch milliseconds.
    pub received_at: i64,
}

/// Stores a received activity. Returns its id, or none when an activity with the same id was
/// already received (a duplicate to ignore).
pub async fn insert(
    connection: &mut Connection,
    activity_url: &str,
    signer_url: &str,
    body: &str,
    now: i64,
) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO inbox_activities (activity_url, signer_url, body, received_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (activity_url) DO NOTHING RETURNING id",
    )
    .bind(activity_url)
    .bind(signer_url)
    .bind(body)
    .bind(now)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Finds a received activity.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<InboxActivityRow>> {
    Ok(sqlx::query_as(
        "SELECT id, activity_url, signer_url, body, received_at FROM inbox_activities WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// Whether an activity with this id was received.
pub async fn exists<'e>(
    executor: impl Executor<'e, Database = Any>,
    activity_url: &str,
) -> DbResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM inbox_activities WHERE activity_url = $1")
            .bind(activity_url)
            .fetch_optional(executor)
            .await?;
    Ok(row.is_some())
}

/// Deletes activities received before `before` (their ids are no longer remembered).
pub async fn delete_before(pool: &sqlx::AnyPool, before: i64) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM inbox_activities WHERE received_at < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}
