//! Users: the people who log in.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str = "id, username, email, password_hash, role, video_quota, video_quota_daily, \
                       blocked, approved, created_at, updated_at, blocked_reason, email_verified, \
                       pending_email, registration_reason";

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
    /// Why the user was banned, as staff wrote it.
    pub blocked_reason: Option<String>,
    /// 0 while the address waits for its verification (when the instance requires it).
    pub email_verified: i64,
    /// A new address waiting for its verification.
    pub pending_email: Option<String>,
    /// Why they asked to join (a sign-up waiting for approval).
    pub registration_reason: Option<String>,
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
    /// False when the address must be verified before the user may log in.
    pub email_verified: bool,
}

/// Inserts a user and returns its id. A taken username or e-mail is a `DbError::Conflict`.
pub async fn insert(connection: &mut Connection, user: &NewUser<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, email, password_hash, role, video_quota, video_quota_daily, \
         approved, email_verified, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(user.username)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.video_quota)
    .bind(user.video_quota_daily)
    .bind(i64::from(user.approved))
    .bind(i64::from(user.email_verified))
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

/// Replaces a user's password hash. Returns false when no such user exists.
pub async fn set_password_hash(
    connection: &mut Connection,
    id: i64,
    password_hash: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Replaces a user's e-mail address; one another user has is a `DbError::Conflict`. Returns
/// false when no such user exists.
pub async fn set_email(
    connection: &mut Connection,
    id: i64,
    email: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// What staff change of a user (`PUT /api/v1/users/{id}`).
#[derive(Debug, Clone, Copy)]
pub struct StaffChange {
    /// PeerTube role id.
    pub role: i64,
    /// Bytes of video the user may keep (-1: unlimited).
    pub video_quota: i64,
    /// Bytes of video per day (-1: unlimited).
    pub video_quota_daily: i64,
}

/// Sets a user's role and quotas. Returns false when no such user exists.
pub async fn set_role_and_quotas(
    connection: &mut Connection,
    id: i64,
    change: StaffChange,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE users SET role = $1, video_quota = $2, video_quota_daily = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(change.role)
    .bind(change.video_quota)
    .bind(change.video_quota_daily)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Bans (`blocked`) or lets back in a user, with the reason of a ban. Returns false when no
/// such user exists.
pub async fn set_blocked(
    connection: &mut Connection,
    id: i64,
    blocked: bool,
    reason: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE users SET blocked = $1, blocked_reason = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(i64::from(blocked))
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Which users a page of the user list holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserQuery<'a> {
    /// Only banned (`Some(true)`) or only not banned users.
    pub blocked: Option<bool>,
    /// Only users whose name or e-mail address contains this (case-insensitive).
    pub search: Option<&'a str>,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

/// How many users match `query`, and one page of them by id.
pub async fn list(pool: &sqlx::AnyPool, query: &UserQuery<'_>) -> DbResult<(i64, Vec<UserRow>)> {
    let blocked = match query.blocked {
        None => -1,
        Some(false) => 0,
        Some(true) => 1,
    };
    let pattern = query
        .search
        .map_or_else(|| "%".to_owned(), crate::video_lists::like_pattern);
    const FILTER: &str = "FROM users WHERE ($1 < 0 OR (blocked <> 0) = ($1 = 1)) \
        AND (LOWER(username) LIKE $2 ESCAPE '\\' OR LOWER(email) LIKE $2 ESCAPE '\\')";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {FILTER}"))
        .bind(blocked)
        .bind(pattern.as_str())
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FILTER} ORDER BY id LIMIT $3 OFFSET $4"
    ))
    .bind(blocked)
    .bind(pattern.as_str())
    .bind(query.count)
    .bind(query.start)
    .fetch_all(pool)
    .await?;
    Ok((total, rows))
}

/// Deletes a user; their account goes with them (the foreign key cascades). Returns false when
/// no such user exists.
pub async fn delete(connection: &mut Connection, id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Records why a user asked to join.
pub async fn set_registration_reason(
    connection: &mut Connection,
    id: i64,
    reason: &str,
) -> DbResult<()> {
    sqlx::query("UPDATE users SET registration_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// How many sign-ups wait for approval (matching `search` in the name or address, when given),
/// and one page of them, oldest first unless `newest_first`.
pub async fn waiting_registrations(
    pool: &sqlx::AnyPool,
    search: Option<&str>,
    newest_first: bool,
    start: i64,
    count: i64,
) -> DbResult<(i64, Vec<UserRow>)> {
    let pattern = search.map_or_else(|| "%".to_owned(), crate::video_lists::like_pattern);
    const FILTER: &str = "FROM users WHERE approved = 0 \
        AND (LOWER(username) LIKE $1 ESCAPE '\\' OR LOWER(email) LIKE $1 ESCAPE '\\')";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {FILTER}"))
        .bind(pattern.as_str())
        .fetch_one(pool)
        .await?;
    let direction = if newest_first { "DESC" } else { "ASC" };
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FILTER} ORDER BY id {direction} LIMIT $2 OFFSET $3"
    ))
    .bind(pattern.as_str())
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    Ok((total, rows))
}
