//! Actors (the ActivityPub identities) with their accounts and channels.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// Inserts a local actor of `kind` (`Person`, `Group` or `Application`) and returns its id.
/// A name already used by another local actor is a `DbError::Conflict`.
pub async fn insert_local_actor(
    connection: &mut Connection,
    kind: &str,
    preferred_username: &str,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO actors (kind, preferred_username, host, created_at, updated_at) \
         VALUES ($1, $2, NULL, $3, $3) RETURNING id",
    )
    .bind(kind)
    .bind(preferred_username)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Stores an actor's RSA key pair (PEM).
pub async fn set_keys(
    connection: &mut Connection,
    actor_id: i64,
    public_key_pem: &str,
    private_key_pem: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE actors SET public_key_pem = $1, private_key_pem = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(public_key_pem)
    .bind(private_key_pem)
    .bind(now)
    .bind(actor_id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The public key (PEM) of an actor, if it has one yet.
pub async fn find_public_key<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT public_key_pem FROM actors WHERE id = $1")
            .bind(actor_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.and_then(|(key,)| key))
}

/// Deletes an actor; its account or channel goes with it.
pub async fn delete(connection: &mut Connection, actor_id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM actors WHERE id = $1")
        .bind(actor_id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}
