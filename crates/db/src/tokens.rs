//! OAuth access and refresh tokens, stored only as SHA-256 hashes.
//!
//! A *family* is one login and every refresh that followed it: when a refresh token is used a
//! second time the whole family is revoked, so a stolen refresh token dies with its first reuse.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str = "id, user_id, family, access_expires_at, refresh_expires_at, refreshed_at, \
                       revoked_at";

/// A token pair as stored (without its hashes).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    /// Numeric id.
    pub id: i64,
    /// The user it authenticates.
    pub user_id: i64,
    /// The login this pair descends from.
    pub family: String,
    /// When the access token stops working, epoch milliseconds.
    pub access_expires_at: i64,
    /// When the refresh token stops working, epoch milliseconds.
    pub refresh_expires_at: i64,
    /// When the refresh token was exchanged (it works once).
    pub refreshed_at: Option<i64>,
    /// When the pair was revoked.
    pub revoked_at: Option<i64>,
}

/// What is needed to store a token pair.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// The user it authenticates.
    pub user_id: i64,
    /// The login this pair descends from.
    pub family: &'a str,
    /// SHA-256 of the access token, hex.
    pub access_token_hash: &'a str,
    /// SHA-256 of the refresh token, hex.
    pub refresh_token_hash: &'a str,
    /// Access expiry, epoch milliseconds.
    pub access_expires_at: i64,
    /// Refresh expiry, epoch milliseconds.
    pub refresh_expires_at: i64,
}

/// Stores a token pair.
pub async fn insert(connection: &mut Connection, token: &NewToken<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO oauth_tokens (user_id, family, access_token_hash, refresh_token_hash, \
         access_expires_at, refresh_expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id",
    )
    .bind(token.user_id)
    .bind(token.family)
    .bind(token.access_token_hash)
    .bind(token.refresh_token_hash)
    .bind(token.access_expires_at)
    .bind(token.refresh_expires_at)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds the pair an access token hash belongs to.
pub async fn find_by_access_hash<'e>(
    executor: impl Executor<'e, Database = Any>,
    access_token_hash: &str,
) -> DbResult<Option<TokenRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM oauth_tokens WHERE access_token_hash = $1"
    ))
    .bind(access_token_hash)
    .fetch_optional(executor)
    .await?)
}

/// Finds the pair a refresh token hash belongs to.
pub async fn find_by_refresh_hash<'e>(
    executor: impl Executor<'e, Database = Any>,
    refresh_token_hash: &str,
) -> DbResult<Option<TokenRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM oauth_tokens WHERE refresh_token_hash = $1"
    ))
    .bind(refresh_token_hash)
    .fetch_optional(executor)
    .await?)
}

/// Marks a pair's refresh token as exchanged and revokes the pair (the new pair replaces it).
/// Returns false when it was already exchanged or
/// revoked: the caller must then treat the request as a reuse.
pub async fn mark_refreshed(connection: &mut Connection, id: i64, now: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE oauth_tokens SET refreshed_at = $1, revoked_at = $1 \
         WHERE id = $2 AND refreshed_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Revokes every pair of a family; returns how many were still live.
pub async fn revoke_family<'e>(
    executor: impl Executor<'e, Database = Any>,
    family: &str,
    now: i64,
) -> DbResult<u64> {
    let result = sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(family)
    .execute(executor)
    .await?;
    Ok(result.rows_affected())
}

/// Revokes every pair of a user (after a password change, a block or a deletion).
pub async fn revoke_all_of_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
    now: i64,
) -> DbResult<u64> {
    let result = sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(result.rows_affected())
}

/// Deletes pairs whose refresh token expired before `cutoff`.
pub async fn delete_expired<'e>(
    executor: impl Executor<'e, Database = Any>,
    cutoff: i64,
) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM oauth_tokens WHERE refresh_expires_at < $1")
        .bind(cutoff)
        .execute(executor)
        .await?;
    Ok(result.rows_affected())
}
