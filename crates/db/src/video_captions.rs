//! Caption tracks (`video_captions`): per video and language, either a WebVTT file this server
//! wrote (a generated `file_name` at a storage `location`) or, for a remote video, the URL its
//! origin gave. Rows are decoded here only ([`CaptionRow`]).

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A caption as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaptionRow {
    /// Numeric id.
    pub id: i64,
    /// The video.
    pub video_id: i64,
    /// Language code (one of PeerTube's languages).
    pub language: String,
    /// The stored WebVTT file's generated name (local captions).
    pub file_name: Option<String>,
    /// Where that file is (`local`, `s3-private`, `s3-public`).
    pub location: Option<String>,
    /// The caption's URL at its origin (remote videos).
    pub file_url: Option<String>,
    /// Added, epoch milliseconds.
    pub created_at: i64,
    /// Last replaced, epoch milliseconds.
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, video_id, language, file_name, location, file_url, created_at, updated_at";

/// A video's captions, by language.
pub async fn list_of<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Vec<CaptionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_captions WHERE video_id = $1 ORDER BY language"
    ))
    .bind(video_id)
    .fetch_all(executor)
    .await?)
}

/// The local caption stored as `file_name`.
pub async fn find_by_file_name<'e>(
    executor: impl Executor<'e, Database = Any>,
    file_name: &str,
) -> DbResult<Option<CaptionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_captions WHERE file_name = $1"
    ))
    .bind(file_name)
    .fetch_optional(executor)
    .await?)
}

/// Sets a video's local caption in `language` to the file `file_name` at `location`; returns
/// the row it replaced (whose file the caller deletes after the commit).
pub async fn put_local(
    connection: &mut Connection,
    video_id: i64,
    language: &str,
    file_name: &str,
    location: &str,
    now: i64,
) -> DbResult<Option<CaptionRow>> {
    let previous = remove(&mut *connection, video_id, language).await?;
    let created_at = previous.as_ref().map_or(now, |p| p.created_at);
    sqlx::query(
        "INSERT INTO video_captions (video_id, language, file_name, location, file_url, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
    )
    .bind(video_id)
    .bind(language)
    .bind(file_name)
    .bind(location)
    .bind(created_at)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(previous)
}

/// Deletes a video's caption in `language`; returns it, when there was one.
pub async fn remove(
    connection: &mut Connection,
    video_id: i64,
    language: &str,
) -> DbResult<Option<CaptionRow>> {
    Ok(sqlx::query_as(&format!(
        "DELETE FROM video_captions WHERE video_id = $1 AND language = $2 RETURNING {COLUMNS}"
    ))
    .bind(video_id)
    .bind(language)
    .fetch_optional(&mut *connection)
    .await?)
}

/// Replaces a remote video's captions with `captions` (`(language, url)`, languages unique);
/// rows whose URL did not change keep their dates.
pub async fn replace_remote(
    connection: &mut Connection,
    video_id: i64,
    captions: &[(&str, &str)],
    now: i64,
) -> DbResult<()> {
    let existing = list_of(&mut *connection, video_id).await?;
    for row in &existing {
        let kept = captions.iter().any(|(language, url)| {
            row.language == *language && row.file_url.as_deref() == Some(url)
        });
        if !kept {
            remove(&mut *connection, video_id, &row.language).await?;
        }
    }
    for (language, url) in captions {
        let known = existing
            .iter()
            .any(|row| row.language == *language && row.file_url.as_deref() == Some(url));
        if known {
            continue;
        }
        sqlx::query(
            "INSERT INTO video_captions (video_id, language, file_name, location, file_url, \
             created_at, updated_at) VALUES ($1, $2, NULL, NULL, $3, $4, $4)",
        )
        .bind(video_id)
        .bind(*language)
        .bind(*url)
        .bind(now)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// Captions with a stored file, by id, after `after_id` (at most `limit`): the walk of
/// `kinora storage migrate`.
pub async fn list_stored_after<'e>(
    executor: impl Executor<'e, Database = Any>,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<CaptionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_captions WHERE id > $1 AND file_name IS NOT NULL \
         ORDER BY id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// Records that caption `id`'s file moved from `from` to `to`, if it is still that file at
/// `from` (a caption replaced meanwhile keeps its new row). Returns whether it switched.
pub async fn move_file<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    file_name: &str,
    from: &str,
    to: &str,
) -> DbResult<bool> {
    crate::switch_file_location(executor, "video_captions", id, file_name, from, to).await
}
