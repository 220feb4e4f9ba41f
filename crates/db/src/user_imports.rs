//! `user_imports`: the user archives uploaded to be imported (PeerTube's user import), each
//! with its state and, once done, what it brought in.

use sqlx::{Any, Executor};

use crate::user_exports::{COMPLETED, ERRORED, PENDING, PROCESSING};
use crate::{Connection, DbResult};

const COLUMNS: &str = "id, user_id, state, file_uuid, summary, error, created_at, updated_at";

/// One import.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserImportRow {
    /// Numeric id.
    pub id: i64,
    /// Into whose account.
    pub user_id: i64,
    /// PeerTube's states: 1 pending, 2 processing, 3 completed, 4 errored.
    pub state: i64,
    /// Names the stored ZIP.
    pub file_uuid: String,
    /// What was brought in, JSON, once done.
    pub summary: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// When the archive arrived, epoch milliseconds.
    pub created_at: i64,
    /// Its last change, epoch milliseconds.
    pub updated_at: i64,
}

/// Stores a new pending import; answers its id.
pub async fn insert(
    connection: &mut Connection,
    user_id: i64,
    file_uuid: &str,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO user_imports (user_id, state, file_uuid, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(PENDING)
    .bind(file_uuid)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// One import.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<UserImportRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM user_imports WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// The user's latest import.
pub async fn latest_of_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<Option<UserImportRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM user_imports WHERE user_id = $1 ORDER BY created_at DESC, id DESC \
         LIMIT 1"
    ))
    .bind(user_id)
    .fetch_optional(executor)
    .await?)
}

/// Whether the user has an import waiting or running (one at a time).
pub async fn has_running(connection: &mut Connection, user_id: i64) -> DbResult<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM user_imports WHERE user_id = $1 AND state IN ($2, $3) LIMIT 1",
    )
    .bind(user_id)
    .bind(PENDING)
    .bind(PROCESSING)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row.is_some())
}

/// Moves a pending import to processing; false when it was not pending.
pub async fn start(connection: &mut Connection, id: i64, now: i64) -> DbResult<bool> {
    crate::user_exports::start_in(connection, "user_imports", id, now).await
}

/// Records the end of an import: completed with its summary, or errored with the reason.
pub async fn finish(
    connection: &mut Connection,
    id: i64,
    outcome: Result<&str, &str>,
    now: i64,
) -> DbResult<()> {
    let (state, summary, error) = match outcome {
        Ok(summary) => (COMPLETED, Some(summary), None),
        Err(error) => (ERRORED, None, Some(error)),
    };
    sqlx::query(
        "UPDATE user_imports SET state = $1, summary = $2, error = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(state)
    .bind(summary)
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}
