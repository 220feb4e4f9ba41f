//! Accounts: the public identity (ActivityPub Person) of a user.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const SELECT: &str = "SELECT a.id, a.actor_id, a.user_id, r.preferred_username AS name, r.host, r.url, \
                      a.display_name, a.description, a.created_at, a.updated_at \
                      FROM accounts a JOIN actors r ON r.id = a.actor_id";

/// An account as stored, with its actor's name and host.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    /// Numeric id.
    pub id: i64,
    /// The actor behind the account.
    pub actor_id: i64,
    /// The local user owning it; none for remote accounts.
    pub user_id: Option<i64>,
    /// The actor name.
    pub name: String,
    /// The actor's ActivityPub id when remote (local ones derive theirs).
    pub url: Option<String>,
    /// The actor's host; none for local accounts.
    pub host: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

/// Inserts an account for an actor and returns its id.
pub async fn insert(
    connection: &mut Connection,
    actor_id: i64,
    user_id: Option<i64>,
    display_name: &str,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO accounts (actor_id, user_id, display_name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(actor_id)
    .bind(user_id)
    .bind(display_name)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds a local account by its name.
pub async fn find_local_by_name<'e>(
    executor: impl Executor<'e, Database = Any>,
    name: &str,
) -> DbResult<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE r.preferred_username = $1 AND r.host IS NULL"
    ))
    .bind(name)
    .fetch_optional(executor)
    .await?)
}

/// Finds the account of a local user.
pub async fn find_by_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE a.user_id = $1"))
        .bind(user_id)
        .fetch_optional(executor)
        .await?)
}

/// Finds an account by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?)
}

/// Finds accounts by id (in no particular order; unknown ids are left out).
pub async fn find_by_ids(pool: &sqlx::AnyPool, ids: &[i64]) -> DbResult<Vec<AccountRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SELECT} WHERE a.id IN ({})",
        crate::placeholders(ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?)
}

/// Finds the account of an actor.
pub async fn find_by_actor<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE a.actor_id = $1"))
        .bind(actor_id)
        .fetch_optional(executor)
        .await?)
}

/// Creates the account of a remote actor, or refreshes its display name and description.
/// Returns its id.
pub async fn upsert_remote(
    connection: &mut Connection,
    actor_id: i64,
    display_name: &str,
    description: Option<&str>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO accounts (actor_id, user_id, display_name, description, created_at, \
         updated_at) VALUES ($1, NULL, $2, $3, $4, $4) ON CONFLICT (actor_id) DO UPDATE SET \
         display_name = excluded.display_name, description = excluded.description, \
         updated_at = excluded.updated_at RETURNING id",
    )
    .bind(actor_id)
    .bind(display_name)
    .bind(description)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Sets a local account's display name and description. Returns false when no such account
/// exists.
pub async fn update_profile(
    connection: &mut Connection,
    id: i64,
    display_name: &str,
    description: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE accounts SET display_name = $1, description = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(display_name)
    .bind(description)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}
