//! `video_lives` and `video_live_sessions`: a live's stream key and settings, and its
//! broadcasts. A live is a video with `videos.is_live = 1`; its state says whether it waits
//! (4), broadcasts (1) or ended (5).

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str = "video_id, stream_key, save_replay, replay_privacy, permanent_live, \
                       latency_mode, created_at, updated_at";

const SESSION_COLUMNS: &str =
    "id, video_id, started_at, ended_at, error, save_replay, ending_processed, replay_video_id";

/// A live's settings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LiveRow {
    /// The video that is the live.
    pub video_id: i64,
    /// The secret the broadcaster publishes to (`rtmp://…/live/<stream_key>`).
    pub stream_key: String,
    /// 1 when broadcasts are kept as a video.
    pub save_replay: i64,
    /// The privacy the replay gets; set while `save_replay` is 1.
    pub replay_privacy: Option<i64>,
    /// 1 when the live may be broadcast again and again.
    pub permanent_live: i64,
    /// PeerTube's latency mode: 1 default, 2 high, 3 small.
    pub latency_mode: i64,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

/// One broadcast of a live.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LiveSessionRow {
    /// Numeric id.
    pub id: i64,
    /// The live (none once the live was deleted).
    pub video_id: Option<i64>,
    /// When the broadcaster started, epoch milliseconds.
    pub started_at: i64,
    /// When it ended, epoch milliseconds.
    pub ended_at: Option<i64>,
    /// PeerTube's `LiveVideoError` id, when it ended by an error.
    pub error: Option<i64>,
    /// 1 when this broadcast is kept as a video.
    pub save_replay: i64,
    /// 1 once its ending (replay or clean-up) was done.
    pub ending_processed: i64,
    /// The video its replay became.
    pub replay_video_id: Option<i64>,
}

/// A live's settings as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSettings {
    /// Broadcasts are kept as a video.
    pub save_replay: bool,
    /// The replay's privacy (only with `save_replay`).
    pub replay_privacy: Option<i64>,
    /// The live may be broadcast again and again.
    pub permanent_live: bool,
    /// 1 default, 2 high, 3 small.
    pub latency_mode: i64,
}

/// Stores the live part of video `video_id` and marks the video a live.
pub async fn insert(
    connection: &mut Connection,
    video_id: i64,
    stream_key: &str,
    settings: &LiveSettings,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO video_lives (video_id, stream_key, save_replay, replay_privacy, \
         permanent_live, latency_mode, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(video_id)
    .bind(stream_key)
    .bind(i64::from(settings.save_replay))
    .bind(settings.replay_privacy)
    .bind(i64::from(settings.permanent_live))
    .bind(settings.latency_mode)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    sqlx::query("UPDATE videos SET is_live = 1 WHERE id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The live part of a video, if it is a live.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Option<LiveRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_lives WHERE video_id = $1"
    ))
    .bind(video_id)
    .fetch_optional(executor)
    .await?)
}

/// The live a stream key opens, whatever its state.
pub async fn find_by_stream_key<'e>(
    executor: impl Executor<'e, Database = Any>,
    stream_key: &str,
) -> DbResult<Option<LiveRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_lives WHERE stream_key = $1"
    ))
    .bind(stream_key)
    .fetch_optional(executor)
    .await?)
}

/// Writes a live's settings.
pub async fn update(
    connection: &mut Connection,
    video_id: i64,
    settings: &LiveSettings,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE video_lives SET save_replay = $1, replay_privacy = $2, permanent_live = $3, \
         latency_mode = $4, updated_at = $5 WHERE video_id = $6",
    )
    .bind(i64::from(settings.save_replay))
    .bind(settings.replay_privacy)
    .bind(i64::from(settings.permanent_live))
    .bind(settings.latency_mode)
    .bind(now)
    .bind(video_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Local lives that have not ended (waiting or broadcasting): what
/// `[live] max_instance_lives` counts.
pub async fn count_not_ended<'e>(executor: impl Executor<'e, Database = Any>) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM video_lives l JOIN videos v ON v.id = l.video_id \
         WHERE v.url IS NULL AND v.state <> 5",
    )
    .fetch_one(executor)
    .await?;
    Ok(count)
}

/// Lives of the account that owns `account_id`'s channels, whatever their state: what
/// `[live] max_user_lives` counts (PeerTube's `countLivesOfAccount`).
pub async fn count_of_account<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM video_lives l JOIN videos v ON v.id = l.video_id \
         JOIN channels c ON c.id = v.channel_id WHERE c.account_id = $1",
    )
    .bind(account_id)
    .fetch_one(executor)
    .await?;
    Ok(count)
}

/// The broadcasts of a live, newest first (at most `limit`).
pub async fn sessions_of<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
    limit: i64,
) -> DbResult<Vec<LiveSessionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SESSION_COLUMNS} FROM video_live_sessions WHERE video_id = $1 \
         ORDER BY started_at DESC, id DESC LIMIT $2"
    ))
    .bind(video_id)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// One broadcast, by id.
pub async fn session<'e>(
    executor: impl Executor<'e, Database = Any>,
    session_id: i64,
) -> DbResult<Option<LiveSessionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SESSION_COLUMNS} FROM video_live_sessions WHERE id = $1"
    ))
    .bind(session_id)
    .fetch_optional(executor)
    .await?)
}

/// The broadcast whose replay is video `replay_video_id`.
pub async fn session_of_replay<'e>(
    executor: impl Executor<'e, Database = Any>,
    replay_video_id: i64,
) -> DbResult<Option<LiveSessionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SESSION_COLUMNS} FROM video_live_sessions WHERE replay_video_id = $1"
    ))
    .bind(replay_video_id)
    .fetch_optional(executor)
    .await?)
}

/// Starts a broadcast; answers its id.
pub async fn start_session(
    connection: &mut Connection,
    video_id: i64,
    save_replay: bool,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO video_live_sessions (video_id, started_at, save_replay) \
         VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(video_id)
    .bind(now)
    .bind(i64::from(save_replay))
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Ends a broadcast (with PeerTube's error id when it ended by one); answers whether it was
/// still running.
pub async fn end_session(
    connection: &mut Connection,
    session_id: i64,
    error: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE video_live_sessions SET ended_at = $1, error = $2 \
         WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(error)
    .bind(session_id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A broadcast the RTMP ingest admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    /// The live.
    pub video_id: i64,
    /// Its UUID (names its files).
    pub video_uuid: String,
    /// The session row of this broadcast.
    pub session_id: i64,
    /// The live may be broadcast again: it waits again when this broadcast ends.
    pub permanent_live: bool,
    /// The broadcast is kept as a video.
    pub save_replay: bool,
    /// PeerTube's latency mode.
    pub latency_mode: i64,
    /// The broadcast goes on with an earlier session that ended less than the ending delay
    /// ago (its directory, segment numbers and replay recording continue).
    pub resumed: bool,
}

/// Puts `live` on the air, on the caller's transaction (which may add to it, e.g. the
/// federation of the change): the video moves to on the air (1; published when first
/// broadcast) from waiting (4) or, for a broadcast that resumes, from ended (5). A broadcast
/// resumes when the live's latest session ended less than `ending_delay_ms` ago, because its
/// broadcaster stopped or dropped (no error, or PeerTube's bad-socket error 1: not a refused
/// stream, a failure or the longest duration reached), and its ending has not run: that
/// session is reopened (its replay goes on), otherwise a new one starts. `None` when the live can take no broadcast: the state change and the reopening
/// are compare-and-sets, so of two broadcasters on one key only one is admitted, and an
/// ending that runs first wins over a late resume (the caller then drops its transaction).
/// The caller checks the key and that the live is not blocked first.
pub async fn begin_broadcast_in(
    connection: &mut Connection,
    live: &LiveRow,
    ending_delay_ms: i64,
    now: i64,
) -> DbResult<Option<Broadcast>> {
    let latest = sessions_of(&mut *connection, live.video_id, 1)
        .await?
        .into_iter()
        .next();
    let resumable = latest.filter(|session| {
        session.ending_processed == 0
            && session.error.is_none_or(|error| error == 1)
            && session
                .ended_at
                .is_some_and(|ended| ended > now.saturating_sub(ending_delay_ms))
    });
    let permanent = live.permanent_live == 1;
    let from_state = if resumable.is_some() && !permanent {
        5
    } else {
        4
    };
    let on_air = sqlx::query(
        "UPDATE videos SET state = 1, published_at = COALESCE(published_at, $1), \
         updated_at = $1 WHERE id = $2 AND state = $3 AND is_live = 1 AND url IS NULL",
    )
    .bind(now)
    .bind(live.video_id)
    .bind(from_state)
    .execute(&mut *connection)
    .await?;
    if on_air.rows_affected() != 1 {
        return Ok(None);
    }
    let (session_id, resumed) = match resumable {
        Some(session) => {
            let reopened = sqlx::query(
                "UPDATE video_live_sessions SET ended_at = NULL, error = NULL \
                 WHERE id = $1 AND ending_processed = 0 AND ended_at IS NOT NULL",
            )
            .bind(session.id)
            .execute(&mut *connection)
            .await?;
            if reopened.rows_affected() != 1 {
                return Ok(None);
            }
            (session.id, true)
        }
        None => (
            start_session(&mut *connection, live.video_id, live.save_replay == 1, now).await?,
            false,
        ),
    };
    let (video_uuid, save_replay): (String, i64) = sqlx::query_as(
        "SELECT v.uuid, s.save_replay FROM videos v JOIN video_live_sessions s \
         ON s.video_id = v.id WHERE v.id = $1 AND s.id = $2",
    )
    .bind(live.video_id)
    .bind(session_id)
    .fetch_one(&mut *connection)
    .await?;
    Ok(Some(Broadcast {
        video_id: live.video_id,
        video_uuid,
        session_id,
        permanent_live: permanent,
        save_replay: save_replay == 1,
        latency_mode: live.latency_mode,
        resumed,
    }))
}

/// Ends a broadcast on the caller's transaction (with PeerTube's `LiveVideoError` id when an
/// error ended it): its session ends and the live waits again (a permanent live) or has ended
/// (state 5). Ending twice changes nothing.
pub async fn end_broadcast_in(
    connection: &mut Connection,
    broadcast: &Broadcast,
    error: Option<i64>,
    now: i64,
) -> DbResult<()> {
    end_session(&mut *connection, broadcast.session_id, error, now).await?;
    let next_state = if broadcast.permanent_live { 4 } else { 5 };
    sqlx::query("UPDATE videos SET state = $1, updated_at = $2 WHERE id = $3 AND state = 1")
        .bind(next_state)
        .bind(now)
        .bind(broadcast.video_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The broadcasts still open (no end): at the ingest's start, those a stopped ingest left.
pub async fn open_broadcasts(db: &crate::Db) -> DbResult<Vec<Broadcast>> {
    let rows: Vec<(i64, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.video_id, v.uuid, s.id, l.permanent_live, s.save_replay, l.latency_mode \
         FROM video_live_sessions s JOIN videos v ON v.id = s.video_id \
         JOIN video_lives l ON l.video_id = s.video_id WHERE s.ended_at IS NULL",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(video_id, video_uuid, session_id, permanent, save_replay, latency_mode)| Broadcast {
                video_id,
                video_uuid,
                session_id,
                permanent_live: permanent == 1,
                save_replay: save_replay == 1,
                latency_mode,
                resumed: false,
            },
        )
        .collect())
}
