//! Mutes ("blocklists", PeerTube's account and server blocks): accounts and servers hidden from
//! one user, or from the whole instance (which also closes the inbox and deliveries to them).
//!
//! A mute belongs to a [`MuteOwner`]: a user's account, or the instance. What lists show is
//! filtered by [`video_not_muted`] and [`comment_not_muted`], one `NOT EXISTS` condition each
//! over the indexed `account_blocks (target_account_id, …)` and `server_blocks (host, …)`, so
//! its cost per row does not grow with the number of mutes.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// Whose mute it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MuteOwner {
    /// A user's, by their account id: hidden from that user only.
    Account(i64),
    /// The instance's (set by moderators): hidden from everyone, and refused at the inbox.
    Instance,
}

impl MuteOwner {
    /// The `owner_account_id` column's value.
    fn column(self) -> Option<i64> {
        match self {
            MuteOwner::Account(id) => Some(id),
            MuteOwner::Instance => None,
        }
    }
}

/// The condition `owner_account_id` matches `owner` on, with `$1` its value when a user's.
const OWNER_IS: &str = "(($1 IS NULL AND owner_account_id IS NULL) OR owner_account_id = $1)";

/// A muted account as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountBlockRow {
    /// Numeric id.
    pub id: i64,
    /// The user's account whose mute it is; none for the instance's.
    pub owner_account_id: Option<i64>,
    /// Who added it (the user, or the moderator for the instance); none once deleted.
    pub by_account_id: Option<i64>,
    /// The muted account.
    pub target_account_id: i64,
    /// When, epoch milliseconds.
    pub created_at: i64,
}

/// A muted server as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServerBlockRow {
    /// Numeric id.
    pub id: i64,
    /// The user's account whose mute it is; none for the instance's.
    pub owner_account_id: Option<i64>,
    /// Who added it; none once deleted.
    pub by_account_id: Option<i64>,
    /// The muted host (`name` or `name:port`, lower case).
    pub host: String,
    /// When, epoch milliseconds.
    pub created_at: i64,
}

const ACCOUNT_COLUMNS: &str = "id, owner_account_id, by_account_id, target_account_id, created_at";
const SERVER_COLUMNS: &str = "id, owner_account_id, by_account_id, host, created_at";

/// Mutes `target` for `owner`; a mute already there is [`crate::DbError::Conflict`].
pub async fn insert_account(
    connection: &mut Connection,
    owner: MuteOwner,
    by_account_id: i64,
    target_account_id: i64,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO account_blocks (owner_account_id, by_account_id, target_account_id, \
         created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(owner.column())
    .bind(by_account_id)
    .bind(target_account_id)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Mutes `host` for `owner`; a mute already there is [`crate::DbError::Conflict`].
pub async fn insert_server(
    connection: &mut Connection,
    owner: MuteOwner,
    by_account_id: i64,
    host: &str,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO server_blocks (owner_account_id, by_account_id, host, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(owner.column())
    .bind(by_account_id)
    .bind(host)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Unmutes `target` for `owner`; false when it was not muted.
pub async fn delete_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    owner: MuteOwner,
    target_account_id: i64,
) -> DbResult<bool> {
    let done = sqlx::query(&format!(
        "DELETE FROM account_blocks WHERE {OWNER_IS} AND target_account_id = $2"
    ))
    .bind(owner.column())
    .bind(target_account_id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Unmutes `host` for `owner`; false when it was not muted.
pub async fn delete_server<'e>(
    executor: impl Executor<'e, Database = Any>,
    owner: MuteOwner,
    host: &str,
) -> DbResult<bool> {
    let done = sqlx::query(&format!(
        "DELETE FROM server_blocks WHERE {OWNER_IS} AND host = $2"
    ))
    .bind(owner.column())
    .bind(host)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One page of `owner`'s muted accounts (newest first when `descending`) and how many there are.
pub async fn list_accounts(
    pool: &sqlx::AnyPool,
    owner: MuteOwner,
    descending: bool,
    start: i64,
    count: i64,
) -> DbResult<(i64, Vec<AccountBlockRow>)> {
    list_page(
        pool,
        "account_blocks",
        ACCOUNT_COLUMNS,
        owner,
        descending,
        (start, count),
    )
    .await
}

/// One page of `owner`'s muted servers (newest first when `descending`) and how many there are.
pub async fn list_servers(
    pool: &sqlx::AnyPool,
    owner: MuteOwner,
    descending: bool,
    start: i64,
    count: i64,
) -> DbResult<(i64, Vec<ServerBlockRow>)> {
    list_page(
        pool,
        "server_blocks",
        SERVER_COLUMNS,
        owner,
        descending,
        (start, count),
    )
    .await
}

/// One page (`start`, `count`) of `owner`'s rows of the mute table `table` by creation time,
/// and how many there are.
async fn list_page<R>(
    pool: &sqlx::AnyPool,
    table: &str,
    columns: &str,
    owner: MuteOwner,
    descending: bool,
    (start, count): (i64, i64),
) -> DbResult<(i64, Vec<R>)>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {OWNER_IS}"))
            .bind(owner.column())
            .fetch_one(pool)
            .await?;
    let direction = if descending { "DESC" } else { "ASC" };
    let rows = sqlx::query_as(&format!(
        "SELECT {columns} FROM {table} WHERE {OWNER_IS} \
         ORDER BY created_at {direction}, id {direction} LIMIT $2 OFFSET $3"
    ))
    .bind(owner.column())
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    Ok((total, rows))
}

/// Whether `owner` mutes `target_account_id`.
pub async fn mutes_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    owner: MuteOwner,
    target_account_id: i64,
) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT id FROM account_blocks WHERE {OWNER_IS} AND target_account_id = $2"
    ))
    .bind(owner.column())
    .bind(target_account_id)
    .fetch_optional(executor)
    .await?;
    Ok(found.is_some())
}

/// Whether `owner` mutes `host`.
pub async fn mutes_server<'e>(
    executor: impl Executor<'e, Database = Any>,
    owner: MuteOwner,
    host: &str,
) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT id FROM server_blocks WHERE {OWNER_IS} AND host = $2"
    ))
    .bind(owner.column())
    .bind(host)
    .fetch_optional(executor)
    .await?;
    Ok(found.is_some())
}

/// The account of user `user_id` when it mutes anything (lists then filter and cache for it
/// alone); `None` when the user mutes nothing.
pub async fn muting_account_of_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<Option<i64>> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT a.id FROM accounts a WHERE a.user_id = $1 AND (\
         EXISTS (SELECT 1 FROM account_blocks b WHERE b.owner_account_id = a.id) \
         OR EXISTS (SELECT 1 FROM server_blocks s WHERE s.owner_account_id = a.id))",
    )
    .bind(user_id)
    .fetch_optional(executor)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// Whether the instance mutes the remote actor at `actor_url` (its host, or the account it is
/// or whose channel it is). An actor not stored here is judged by its host alone.
pub async fn instance_mutes_actor<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_url: &str,
    host: &str,
) -> DbResult<bool> {
    let (found,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM server_blocks WHERE owner_account_id IS NULL \
         AND host = $2) + (SELECT COUNT(*) FROM actors r \
         LEFT JOIN accounts a ON a.actor_id = r.id LEFT JOIN channels c ON c.actor_id = r.id \
         JOIN account_blocks b ON b.owner_account_id IS NULL \
         AND b.target_account_id = COALESCE(a.id, c.account_id) WHERE r.url = $1)",
    )
    .bind(actor_url)
    .bind(host)
    .fetch_one(executor)
    .await?;
    Ok(found > 0)
}

/// Removes the follows of the instance's actors by `target_account_id`'s actor and its
/// channels' actors (a muted account follows nothing here any more); how many went.
pub async fn remove_follows_by_account(
    connection: &mut Connection,
    target_account_id: i64,
) -> DbResult<u64> {
    let done = sqlx::query(
        "DELETE FROM actor_follows WHERE follower_id IN (\
         SELECT actor_id FROM accounts WHERE id = $1 \
         UNION SELECT actor_id FROM channels WHERE account_id = $1)",
    )
    .bind(target_account_id)
    .execute(&mut *connection)
    .await?;
    Ok(done.rows_affected())
}

/// Removes the follows by every actor of `host`; how many went.
pub async fn remove_follows_by_host(connection: &mut Connection, host: &str) -> DbResult<u64> {
    let done = sqlx::query(
        "DELETE FROM actor_follows WHERE follower_id IN (SELECT id FROM actors WHERE host = $1)",
    )
    .bind(host)
    .execute(&mut *connection)
    .await?;
    Ok(done.rows_affected())
}

/// Ends every delivery still waiting for `host` as failed with `reason` (a muted host gets
/// nothing); how many there were.
pub async fn drop_deliveries_to_host<'e>(
    executor: impl Executor<'e, Database = Any>,
    host: &str,
    reason: &str,
    now: i64,
) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE deliveries SET state = 'failed', last_error = $1, updated_at = $2 \
         WHERE host = $3 AND state = 'pending'",
    )
    .bind(reason)
    .bind(now)
    .bind(host)
    .execute(executor)
    .await?;
    Ok(done.rows_affected())
}

/// The condition, on the accounts whose `accounts.id` is `account_id` (an SQL expression) and
/// whose actor is `actor_alias`, that it is muted by the account in placeholder `viewer` or by
/// the instance.
fn muted_account(account_id: &str, host: &str, viewer: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM account_blocks mute_b WHERE mute_b.target_account_id = \
         {account_id} AND (mute_b.owner_account_id IS NULL OR mute_b.owner_account_id = {viewer})) \
         OR ({host} IS NOT NULL AND EXISTS (SELECT 1 FROM server_blocks mute_s WHERE \
         mute_s.host = {host} AND (mute_s.owner_account_id IS NULL \
         OR mute_s.owner_account_id = {viewer}))))"
    )
}

/// The condition on a `videos` row (the table named `videos`) that its channel's account and
/// server are muted neither by the account bound to placeholder `viewer` (bind 0 for nobody)
/// nor by the instance.
pub fn video_not_muted(viewer: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM channels mute_c JOIN actors mute_r ON mute_r.id = \
         mute_c.actor_id WHERE mute_c.id = videos.channel_id AND {})",
        muted_account("mute_c.account_id", "mute_r.host", viewer)
    )
}

/// The condition on a comment whose author's account id is the SQL expression `account_id`
/// that its author and server are muted neither by the account bound to placeholder `viewer`
/// (bind 0 for nobody) nor by the instance. Tombstones (no author) are never muted.
pub fn comment_not_muted(account_id: &str, viewer: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM accounts mute_a JOIN actors mute_r ON mute_r.id = \
         mute_a.actor_id WHERE mute_a.id = {account_id} AND {})",
        muted_account("mute_a.id", "mute_r.host", viewer)
    )
}

/// Whether `account_id` (or its server) is muted by the account `viewer_account_id` (0 for
/// nobody) or by the instance.
pub async fn hides_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
    viewer_account_id: i64,
) -> DbResult<bool> {
    let (hidden,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM accounts mute_a JOIN actors mute_r ON mute_r.id = mute_a.actor_id \
         WHERE mute_a.id = $1 AND {}",
        muted_account("mute_a.id", "mute_r.host", "$2")
    ))
    .bind(account_id)
    .bind(viewer_account_id)
    .fetch_one(executor)
    .await?;
    Ok(hidden > 0)
}

/// Whether the instance mutes the account or the server of the channel of video `video_id`:
/// such a video has left the catalogue (every route's visibility rule asks this for remote
/// videos).
pub async fn instance_hides_video<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<bool> {
    // Account 0 is nobody: only the instance's mutes count.
    let (hidden,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM videos WHERE videos.id = $1 AND NOT {}",
        video_not_muted("0")
    ))
    .bind(video_id)
    .fetch_one(executor)
    .await?;
    Ok(hidden > 0)
}
