//! Resumable upload sessions: how many bytes of which declared size arrived, for whom.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str = "id, upload_id, user_id, channel_id, declared_size, received_size, \
                       content_type, filename, metadata, video_id, created_at, updated_at, expires_at, \
                       purpose";

/// An upload session as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UploadRow {
    /// Numeric id.
    pub id: i64,
    /// The public id (a server-generated UUID).
    pub upload_id: String,
    /// Who uploads.
    pub user_id: i64,
    /// Target channel.
    pub channel_id: i64,
    /// Total bytes announced at init.
    pub declared_size: i64,
    /// Bytes durably received so far.
    pub received_size: i64,
    /// Announced MIME type.
    pub content_type: String,
    /// The client's file name (shown only, never a path).
    pub filename: String,
    /// The video fields sent at init, JSON.
    pub metadata: String,
    /// The video created when the last byte arrived.
    pub video_id: Option<i64>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last chunk time, epoch milliseconds.
    pub updated_at: i64,
    /// When an idle session is purged, epoch milliseconds.
    pub expires_at: i64,
    /// What the file is for: `None` for a video, [`USER_IMPORT`] for a user's archive.
    pub purpose: Option<String>,
}

/// [`UploadRow::purpose`] of the upload of a user archive to import.
pub const USER_IMPORT: &str = "user-import";

/// What is needed to open a session.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    /// Public id.
    pub upload_id: &'a str,
    /// Who uploads.
    pub user_id: i64,
    /// Target channel.
    pub channel_id: i64,
    /// Announced size.
    pub declared_size: i64,
    /// Announced MIME type.
    pub content_type: &'a str,
    /// Client file name.
    pub filename: &'a str,
    /// Video fields, JSON.
    pub metadata: &'a str,
    /// Expiry, epoch milliseconds.
    pub expires_at: i64,
    /// What the file is for (`None`: a video).
    pub purpose: Option<&'a str>,
}

/// Opens a session.
pub async fn insert(
    connection: &mut Connection,
    upload: &NewUpload<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO upload_sessions (upload_id, user_id, channel_id, declared_size, content_type, \
         filename, metadata, created_at, updated_at, expires_at, purpose) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) RETURNING id",
    )
    .bind(upload.upload_id)
    .bind(upload.user_id)
    .bind(upload.channel_id)
    .bind(upload.declared_size)
    .bind(upload.content_type)
    .bind(upload.filename)
    .bind(upload.metadata)
    .bind(now)
    .bind(upload.expires_at)
    .bind(upload.purpose)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds a session by public id, only for its owner.
pub async fn find_for_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    upload_id: &str,
    user_id: i64,
) -> DbResult<Option<UploadRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM upload_sessions WHERE upload_id = $1 AND user_id = $2"
    ))
    .bind(upload_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await?)
}

/// Moves the received offset from `from` to `to`, only if it still is `from` and `writer`
/// still holds the session's claim (one writer wins).
pub async fn advance<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    writer: &str,
    from: i64,
    to: i64,
    expires_at: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE upload_sessions SET received_size = $1, updated_at = $2, expires_at = $3 \
         WHERE id = $4 AND received_size = $5 AND writer = $6",
    )
    .bind(to)
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .bind(from)
    .bind(writer)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Claims an unfinished session for `writer` until `until` (epoch milliseconds), only at
/// offset `at` and only when no other writer's claim is live at `now`. One statement, so two
/// processes claiming at once cannot both win.
pub async fn claim_writer<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    writer: &str,
    at: i64,
    until: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE upload_sessions SET writer = $1, writer_until = $2 \
         WHERE id = $3 AND received_size = $4 AND video_id IS NULL \
         AND (writer IS NULL OR writer_until < $5)",
    )
    .bind(writer)
    .bind(until)
    .bind(id)
    .bind(at)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// When the claim another writer holds on session `id` ends (epoch milliseconds), if any.
pub async fn writer_until<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<i64>> {
    let until: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT writer_until FROM upload_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(executor)
            .await?;
    Ok(until.and_then(|(until,)| until))
}

/// Extends `writer`'s claim to `until`, only while it still holds it (`now` before its end).
pub async fn renew_writer<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    writer: &str,
    until: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE upload_sessions SET writer_until = $1 \
         WHERE id = $2 AND writer = $3 AND writer_until >= $4",
    )
    .bind(until)
    .bind(id)
    .bind(writer)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Ends `writer`'s claim (nothing happens when it no longer holds it).
pub async fn release_writer<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    writer: &str,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE upload_sessions SET writer = NULL, writer_until = NULL \
         WHERE id = $1 AND writer = $2",
    )
    .bind(id)
    .bind(writer)
    .execute(executor)
    .await?;
    Ok(())
}

/// Records the video made from a finished session.
pub async fn set_video(connection: &mut Connection, id: i64, video_id: i64) -> DbResult<()> {
    sqlx::query("UPDATE upload_sessions SET video_id = $1 WHERE id = $2")
        .bind(video_id)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Deletes a session.
pub async fn delete<'e>(executor: impl Executor<'e, Database = Any>, id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM upload_sessions WHERE id = $1")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Bytes reserved by a user's unfinished sessions (they count against the quota).
pub async fn reserved_by_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<i64> {
    let (total,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(declared_size), 0) AS BIGINT) FROM upload_sessions \
         WHERE user_id = $1 AND video_id IS NULL",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await?;
    Ok(total)
}

/// Sessions idle past their expiry.
pub async fn list_expired<'e>(
    executor: impl Executor<'e, Database = Any>,
    now: i64,
) -> DbResult<Vec<UploadRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM upload_sessions WHERE expires_at < $1 ORDER BY id LIMIT 500"
    ))
    .bind(now)
    .fetch_all(executor)
    .await?)
}

/// How many unfinished sessions a user has.
pub async fn count_open_by_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM upload_sessions WHERE user_id = $1 AND video_id IS NULL",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await?;
    Ok(count)
}
