//! The ending of a broadcast (PeerTube's `video-live-ending` job), once `[live]
//! ending_delay_secs` passed without the broadcaster coming back: claiming it, and the
//! database side of a replay — a normal live becomes the replay video itself, a permanent
//! live's broadcast becomes a new video (the caller inserts it with [`crate::videos::insert`]).

use crate::video_lives::LiveSessionRow;
use crate::{Connection, DbResult};

/// Claims the ending of session `session_id`: answers the session when it ended no later than
/// `ended_by` and its ending had not been claimed. A compare-and-set, so the ending runs once,
/// and not when the broadcast resumed meanwhile (a resumed session is open again, and its
/// next end queues its own ending).
pub async fn claim_in(
    connection: &mut Connection,
    session_id: i64,
    ended_by: i64,
) -> DbResult<Option<LiveSessionRow>> {
    let claimed = sqlx::query(
        "UPDATE video_live_sessions SET ending_processed = 1 \
         WHERE id = $1 AND ending_processed = 0 AND ended_at IS NOT NULL AND ended_at <= $2",
    )
    .bind(session_id)
    .bind(ended_by)
    .execute(&mut *connection)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    crate::video_lives::session(&mut *connection, session_id).await
}

/// The original a replay's recording became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayOriginal<'a> {
    /// The name shown as the original's.
    pub filename: &'a str,
    /// Its size in bytes.
    pub size: i64,
    /// Where it is stored (`local`, or an S3 location).
    pub location: &'a str,
}

/// A normal live's replay: the live becomes a regular video waiting for its transcode (state
/// 2) with the replay's privacy and the recording as its original; its live part is removed
/// (as PeerTube does), its broadcasts stay, the ended one naming the video as its replay.
pub async fn live_becomes_replay_in(
    connection: &mut Connection,
    session: &LiveSessionRow,
    video_id: i64,
    privacy: i64,
    original: &ReplayOriginal<'_>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE videos SET is_live = 0, state = 2, privacy = $1, wait_transcoding = 1, \
         original_filename = $2, original_size = $3, original_location = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(privacy)
    .bind(original.filename)
    .bind(original.size)
    .bind(original.location)
    .bind(now)
    .bind(video_id)
    .execute(&mut *connection)
    .await?;
    sqlx::query("DELETE FROM video_lives WHERE video_id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    set_replay_video_in(connection, session.id, video_id).await
}

/// Records that session `session_id`'s replay is video `replay_video_id`.
pub async fn set_replay_video_in(
    connection: &mut Connection,
    session_id: i64,
    replay_video_id: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE video_live_sessions SET replay_video_id = $1 WHERE id = $2")
        .bind(replay_video_id)
        .bind(session_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
