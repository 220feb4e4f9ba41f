//! Users: the people who log in.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str = "id, username, email, password_hash, role, video_quota, video_quota_daily, \
                       blocked, approved, created_at, updated_at";

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    /// Numeric id.
    pub id: i64,
    /// Login name (lowercase; also the account's actor name).
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// PeerTube role id (0 admin, 1 moderator, 2 user).
    pub role: i64,
    /// Bytes of video the user may keep (-1: unlimited).
    pub video_quota: i64,
    /// Bytes of video the user may upload per day (-1: unlimited).
    pub video_quota_daily: i64,
    /// 1 when an administrator blocked the user.
    pub blocked: i64,
    /// 0 while a registration waits for approval.
    pub approved: i64,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

/// What is needed to insert a user.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name, already validated.
    pub username: &'a str,
    /// E-mail address, already validated.
    pub email: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// PeerTube role id.
    pub role: i64,
    /// Bytes of video the user may keep (-1: unlimited).
    pub video_quota: i64,
    /// Bytes of video per day (-1: unlimited).
    pub video_quota_daily: i64,
    /// False while a registration waits for approval.
    pub approved: bool,
}

/// Inserts a user and returns its id. A taken username or e-mail is a `DbError::Conflict`.
pub async fn insert(connection: &mut Connection, user: &NewUser<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, email, password_hash, role, video_quota, video_quota_daily, \
         approved, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(user.username)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.video_quota)
    .bind(user.video_quota_daily)
    .bind(i64::from(user.approved))
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds a user by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<UserRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// Finds a user by username or e-mail address, ignoring case (how logins are looked up).
pub async fn find_by_login<'e>(
    executor: impl Executor<'e, Database = Any>,
    login: &str,
) -> DbResult<Option<UserRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($1) \
         ORDER BY id LIMIT 1"
    ))
    .bind(login)
    .fetch_optional(executor)
    .await?)
}

/// Counts every user.
pub async fn count<'e>(executor: impl Executor<'e, Database = Any>) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(executor)
        .await?;
    Ok(count)
}

/// Marks a waiting registration as approved. Returns false when the user was not waiting.
pub async fn approve(connection: &mut Connection, id: i64, now: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE users SET approved = 1, updated_at = $1 WHERE id = $2 AND approved = 0",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}
