//! `user_exports`: the archives users asked for (PeerTube's user export), and the few reads
//! of what a user owns that only an archive needs (their ratings, comments and follows,
//! projected with the URLs an archive names them by).

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// Waiting for the job (PeerTube's `UserExportState.PENDING`).
pub const PENDING: i64 = 1;
/// Being written.
pub const PROCESSING: i64 = 2;
/// Written; downloadable until it expires.
pub const COMPLETED: i64 = 3;
/// Failed (`error` says why).
pub const ERRORED: i64 = 4;

const COLUMNS: &str = "id, user_id, state, with_video_files, file_uuid, location, size, error, \
                       download_secret, created_at, updated_at";

/// One requested archive.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserExportRow {
    /// Numeric id.
    pub id: i64,
    /// Whose data it holds.
    pub user_id: i64,
    /// [`PENDING`], [`PROCESSING`], [`COMPLETED`] or [`ERRORED`].
    pub state: i64,
    /// 1 when the videos' files are in it.
    pub with_video_files: i64,
    /// Names the stored ZIP and its download file name.
    pub file_uuid: String,
    /// Where the ZIP is stored (a storage location name), once written.
    pub location: Option<String>,
    /// The ZIP's size in bytes, once written.
    pub size: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Hex key of the HMAC that signs its download links.
    pub download_secret: String,
    /// When it was asked for, epoch milliseconds.
    pub created_at: i64,
    /// Its last change, epoch milliseconds.
    pub updated_at: i64,
}

/// Stores a new pending export; answers its id.
pub async fn insert(
    connection: &mut Connection,
    user_id: i64,
    with_video_files: bool,
    file_uuid: &str,
    download_secret: &str,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO user_exports (user_id, state, with_video_files, file_uuid, download_secret, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(PENDING)
    .bind(i64::from(with_video_files))
    .bind(file_uuid)
    .bind(download_secret)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// One export.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<UserExportRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM user_exports WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// The export whose download name carries `file_uuid`.
pub async fn find_by_file<'e>(
    executor: impl Executor<'e, Database = Any>,
    file_uuid: &str,
) -> DbResult<Option<UserExportRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM user_exports WHERE file_uuid = $1"
    ))
    .bind(file_uuid)
    .fetch_optional(executor)
    .await?)
}

/// A user's exports, newest first, and how many there are.
pub async fn list_of_user(
    connection: &mut Connection,
    user_id: i64,
    start: i64,
    count: i64,
) -> DbResult<(Vec<UserExportRow>, i64)> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM user_exports WHERE user_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(user_id)
    .bind(count)
    .bind(start)
    .fetch_all(&mut *connection)
    .await?;
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM user_exports WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *connection)
        .await?;
    Ok((rows, total))
}

/// Whether the user has an export that has not failed (PeerTube allows one at a time).
pub async fn has_live_export(connection: &mut Connection, user_id: i64) -> DbResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM user_exports WHERE user_id = $1 AND state <> $2 LIMIT 1")
            .bind(user_id)
            .bind(ERRORED)
            .fetch_optional(&mut *connection)
            .await?;
    Ok(row.is_some())
}

/// Moves a pending export to processing; answers false when it was not pending (another
/// worker took it, or it was deleted).
pub async fn start(connection: &mut Connection, id: i64, now: i64) -> DbResult<bool> {
    start_in(connection, "user_exports", id, now).await
}

/// Moves row `id` of `table` (`user_exports` or `user_imports`, which share their states) from
/// pending (or processing: a job run again) to processing.
pub(crate) async fn start_in(
    connection: &mut Connection,
    table: &'static str,
    id: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(&format!(
        "UPDATE {table} SET state = $1, updated_at = $2 WHERE id = $3 AND state IN ($4, $1)"
    ))
    .bind(PROCESSING)
    .bind(now)
    .bind(id)
    .bind(PENDING)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records a written archive.
pub async fn complete(
    connection: &mut Connection,
    id: i64,
    location: &str,
    size: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE user_exports SET state = $1, location = $2, size = $3, error = NULL, \
         updated_at = $4 WHERE id = $5 AND state = $6",
    )
    .bind(COMPLETED)
    .bind(location)
    .bind(size)
    .bind(now)
    .bind(id)
    .bind(PROCESSING)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records a failure.
pub async fn fail(connection: &mut Connection, id: i64, error: &str, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE user_exports SET state = $1, error = $2, updated_at = $3 WHERE id = $4")
        .bind(ERRORED)
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Deletes an export row (its file is the caller's to remove).
pub async fn delete<'e>(executor: impl Executor<'e, Database = Any>, id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM user_exports WHERE id = $1")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Exports asked for before `cutoff` (expired), oldest first, at most `limit`.
pub async fn list_created_before<'e>(
    executor: impl Executor<'e, Database = Any>,
    cutoff: i64,
    limit: i64,
) -> DbResult<Vec<UserExportRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM user_exports WHERE created_at < $1 ORDER BY created_at LIMIT $2"
    ))
    .bind(cutoff)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// A rating an account gave, with the rated video's URL parts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportedRating {
    /// The video's ActivityPub id when remote; `None` for a local video.
    pub video_url: Option<String>,
    /// The video's UUID (a local video's URL is built from it).
    pub video_uuid: String,
    /// `like` or `dislike`.
    pub kind: String,
    /// When it was given, epoch milliseconds.
    pub created_at: i64,
}

/// Every rating the account gave, oldest first, at most `limit`.
pub async fn ratings_of(
    connection: &mut Connection,
    account_id: i64,
    limit: i64,
) -> DbResult<Vec<ExportedRating>> {
    Ok(sqlx::query_as(
        "SELECT v.url AS video_url, v.uuid AS video_uuid, r.rating AS kind, r.created_at \
         FROM video_ratings r JOIN videos v ON v.id = r.video_id \
         WHERE r.account_id = $1 ORDER BY r.created_at, r.video_id LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?)
}

/// A comment an account wrote, with the URLs of what it answers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportedComment {
    /// The comment's id (a local comment's URL is built from it).
    pub id: i64,
    /// Its text (Markdown).
    pub text: String,
    /// When it was written, epoch milliseconds.
    pub created_at: i64,
    /// The video's ActivityPub id when remote.
    pub video_url: Option<String>,
    /// The video's UUID.
    pub video_uuid: String,
    /// The comment it answers: its ActivityPub id when remote.
    pub parent_url: Option<String>,
    /// The comment it answers: its id.
    pub parent_id: Option<i64>,
}

/// Every comment the account wrote that is not deleted, oldest first, at most `limit`.
pub async fn comments_of(
    connection: &mut Connection,
    account_id: i64,
    limit: i64,
) -> DbResult<Vec<ExportedComment>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.text, c.created_at, v.url AS video_url, v.uuid AS video_uuid, \
         p.url AS parent_url, p.id AS parent_id \
         FROM video_comments c JOIN videos v ON v.id = c.video_id \
         LEFT JOIN video_comments p ON p.id = c.in_reply_to_id \
         WHERE c.account_id = $1 AND c.deleted_at IS NULL \
         ORDER BY c.created_at, c.id LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?)
}

/// One follow between an actor of the user and another actor, with both ends' names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportedFollow {
    /// The other actor's name.
    pub name: String,
    /// The other actor's host; `None` when it is local.
    pub host: Option<String>,
    /// The other actor's ActivityPub id when remote.
    pub url: Option<String>,
    /// The other actor's kind (`Person`, `Group`, …), for a local actor's URL.
    pub kind: String,
    /// The user's actor's name (the followed one, for followers; the account, for following).
    pub own_name: String,
    /// When the follow was made, epoch milliseconds.
    pub created_at: i64,
}

/// Who follows the local actor `actor_id`: remote actors whose follow it accepted, and, for a
/// channel, the local accounts subscribed to it; oldest first, at most `limit`.
pub async fn followers_of(
    connection: &mut Connection,
    actor_id: i64,
    limit: i64,
) -> DbResult<Vec<ExportedFollow>> {
    let mut rows: Vec<ExportedFollow> = sqlx::query_as(
        "SELECT o.preferred_username AS name, o.host, o.url, o.kind, \
         s.preferred_username AS own_name, f.created_at \
         FROM actor_follows f JOIN actors o ON o.id = f.follower_id \
         JOIN actors s ON s.id = f.following_id \
         WHERE f.following_id = $1 AND f.state = 'accepted' AND o.host IS NOT NULL \
         ORDER BY f.created_at, f.id LIMIT $2",
    )
    .bind(actor_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?;
    let local: Vec<ExportedFollow> = sqlx::query_as(
        "SELECT o.preferred_username AS name, o.host, o.url, o.kind, \
         s.preferred_username AS own_name, sub.created_at \
         FROM subscriptions sub JOIN channels c ON c.id = sub.channel_id \
         JOIN actors s ON s.id = c.actor_id \
         JOIN accounts a ON a.id = sub.account_id JOIN actors o ON o.id = a.actor_id \
         WHERE c.actor_id = $1 AND o.host IS NULL ORDER BY sub.created_at, sub.id LIMIT $2",
    )
    .bind(actor_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?;
    rows.extend(local);
    rows.sort_by_key(|row| row.created_at);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(rows)
}

/// The channels the account subscribed to (local and remote), oldest first, at most `limit`.
pub async fn following_of(
    connection: &mut Connection,
    account_id: i64,
    limit: i64,
) -> DbResult<Vec<ExportedFollow>> {
    Ok(sqlx::query_as(
        "SELECT o.preferred_username AS name, o.host, o.url, o.kind, \
         s.preferred_username AS own_name, sub.created_at \
         FROM subscriptions sub JOIN channels c ON c.id = sub.channel_id \
         JOIN actors o ON o.id = c.actor_id \
         JOIN accounts a ON a.id = sub.account_id JOIN actors s ON s.id = a.actor_id \
         WHERE sub.account_id = $1 ORDER BY sub.created_at, sub.id LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?)
}

/// A video the user watched, with where they stopped.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportedWatch {
    /// The video's ActivityPub id when remote.
    pub video_url: Option<String>,
    /// The video's UUID.
    pub video_uuid: String,
    /// The last player position, in seconds.
    pub current_time: i64,
    /// When it was written, epoch milliseconds.
    pub updated_at: i64,
}

/// The user's watch history, most recent first, at most `limit`.
pub async fn history_of(
    connection: &mut Connection,
    user_id: i64,
    limit: i64,
) -> DbResult<Vec<ExportedWatch>> {
    Ok(sqlx::query_as(
        "SELECT v.url AS video_url, v.uuid AS video_uuid, h.position_seconds AS current_time, \
         h.updated_at FROM user_video_history h JOIN videos v ON v.id = h.video_id \
         WHERE h.user_id = $1 ORDER BY h.updated_at DESC, h.video_id LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?)
}

/// The ids of the videos of a channel, oldest first, at most `limit`.
pub async fn video_ids_of_channel(
    connection: &mut Connection,
    channel_id: i64,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM videos WHERE channel_id = $1 AND url IS NULL ORDER BY created_at, id \
         LIMIT $2",
    )
    .bind(channel_id)
    .bind(limit)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
