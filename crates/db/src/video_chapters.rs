//! Chapters set for a video (`video_chapters`): by its owner through the API, or sent by a
//! remote video's origin. Replaced as a whole; read by timecode.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A video's chapters as `(timecode seconds, title)`, by timecode.
pub async fn list_of<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT timecode, title FROM video_chapters WHERE video_id = $1 ORDER BY timecode",
    )
    .bind(video_id)
    .fetch_all(executor)
    .await?)
}

/// Replaces a video's chapters (timecodes unique; an empty list removes them all).
pub async fn replace(
    connection: &mut Connection,
    video_id: i64,
    chapters: &[(i64, &str)],
) -> DbResult<()> {
    sqlx::query("DELETE FROM video_chapters WHERE video_id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    for (timecode, title) in chapters {
        sqlx::query("INSERT INTO video_chapters (video_id, timecode, title) VALUES ($1, $2, $3)")
            .bind(video_id)
            .bind(*timecode)
            .bind(*title)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}
