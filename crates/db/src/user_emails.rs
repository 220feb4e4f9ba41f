//! Users' e-mail state: the one-time links sent by e-mail (`user_email_tokens`: verification
//! and password reset, stored as SHA-256 hashes), addresses waiting for verification, and the
//! secret of each user's unsubscribe links (`user_unsubscribe_tokens`).

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Proves the recipient reads the address (`/verify-account/email`).
    VerifyEmail,
    /// Lets the recipient choose a new password (`/reset-password`).
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify-email",
            TokenPurpose::ResetPassword => "reset-password",
        }
    }
}

/// Stores the link of `user_id` for `purpose`, replacing the one sent before.
pub async fn replace_token(
    connection: &mut Connection,
    user_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    email: &str,
    expires_at: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO user_email_tokens (user_id, purpose, token_hash, email, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, purpose) DO UPDATE SET \
         token_hash = excluded.token_hash, email = excluded.email, \
         expires_at = excluded.expires_at",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(token_hash)
    .bind(email)
    .bind(expires_at)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Uses up the link of `user_id` for `purpose` when its hash is `token_hash` and it has not
/// expired at `now`: deletes it and answers the address it was sent for. A wrong or expired
/// link changes nothing and answers `None`.
pub async fn take_token(
    connection: &mut Connection,
    user_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    now: i64,
) -> DbResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "DELETE FROM user_email_tokens WHERE user_id = $1 AND purpose = $2 AND token_hash = $3 \
         AND expires_at > $4 RETURNING email",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row.map(|(email,)| email))
}

/// Forgets every link of `user_id` for `purpose` (a password changed: older reset links stop
/// working).
pub async fn delete_tokens(
    connection: &mut Connection,
    user_id: i64,
    purpose: TokenPurpose,
) -> DbResult<()> {
    sqlx::query("DELETE FROM user_email_tokens WHERE user_id = $1 AND purpose = $2")
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Deletes links that expired before `now`; answers how many.
pub async fn delete_expired_tokens<'e>(
    executor: impl Executor<'e, Database = Any>,
    now: i64,
) -> DbResult<u64> {
    let done = sqlx::query("DELETE FROM user_email_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// Marks the address of `user_id` verified (`verified`) or waiting for its verification.
pub async fn set_verified(
    connection: &mut Connection,
    user_id: i64,
    verified: bool,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query("UPDATE users SET email_verified = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(verified))
        .bind(now)
        .bind(user_id)
        .execute(&mut *connection)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets (or clears) the new address of `user_id` that waits for its verification.
pub async fn set_pending(
    connection: &mut Connection,
    user_id: i64,
    pending: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query("UPDATE users SET pending_email = $1, updated_at = $2 WHERE id = $3")
        .bind(pending)
        .bind(now)
        .bind(user_id)
        .execute(&mut *connection)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The secret of `user_id`'s unsubscribe links: the stored one, or `fresh` stored now.
pub async fn unsubscribe_token(
    connection: &mut Connection,
    user_id: i64,
    fresh: &str,
) -> DbResult<String> {
    sqlx::query(
        "INSERT INTO user_unsubscribe_tokens (user_id, token) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(fresh)
    .execute(&mut *connection)
    .await?;
    let (token,): (String,) =
        sqlx::query_as("SELECT token FROM user_unsubscribe_tokens WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut *connection)
            .await?;
    Ok(token)
}

/// The user whose unsubscribe links carry `token`.
pub async fn user_of_unsubscribe_token<'e>(
    executor: impl Executor<'e, Database = Any>,
    token: &str,
) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT user_id FROM user_unsubscribe_tokens WHERE token = $1")
            .bind(token)
            .fetch_optional(executor)
            .await?;
    Ok(row.map(|(id,)| id))
}
