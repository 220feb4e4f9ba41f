//! Relay subscriptions (FEP-ae0c) and what arrives through them: the `relays` rows (one per
//! relay the instance subscribed to, with its state), `relay_objects` (every object a relay
//! announced, once, with the state of its fetch: a relay's budget is counted on them),
//! `relay_arrivals` (which remote videos came through a relay, for the discover view) and
//! `relay_published` (our objects whose public Create went to the relays, so that their Delete
//! follows).

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A relay subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RelayRow {
    /// Numeric id.
    pub id: i64,
    /// The URL the administrator gave (the relay's inbox or its actor).
    pub url: String,
    /// `mastodon` (Follow{Public} to the inbox) or `litepub` (Follow of the relay's actor).
    pub style: String,
    /// Where our activities for the relay go.
    pub inbox_url: String,
    /// The relay's actor: known from the start for a LitePub relay, from its Accept for a
    /// Mastodon one.
    pub actor_url: Option<String>,
    /// The id of our Follow, which the relay's answer names.
    pub follow_url: String,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
    /// When it was added, epoch milliseconds.
    pub created_at: i64,
    /// When its state last changed, epoch milliseconds.
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, url, style, inbox_url, actor_url, follow_url, state, created_at, updated_at";

/// A relay to subscribe to.
#[derive(Debug, Clone, Copy)]
pub struct NewRelay<'a> {
    /// The URL the administrator gave.
    pub url: &'a str,
    /// `mastodon` or `litepub`.
    pub style: &'a str,
    /// Its inbox.
    pub inbox_url: &'a str,
    /// Its actor, when known.
    pub actor_url: Option<&'a str>,
    /// The id our Follow will have.
    pub follow_url: &'a str,
}

/// Stores a pending subscription; a relay already there (same URL) is
/// [`crate::DbError::Conflict`].
pub async fn insert(connection: &mut Connection, relay: &NewRelay<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO relays (url, style, inbox_url, actor_url, follow_url, state, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) RETURNING id",
    )
    .bind(relay.url)
    .bind(relay.style)
    .bind(relay.inbox_url)
    .bind(relay.actor_url)
    .bind(relay.follow_url)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// One page of the relays, oldest first, and their total.
pub async fn list<'e, E>(executor: E, start: i64, count: i64) -> DbResult<(Vec<RelayRow>, i64)>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let rows = sqlx::query_as::<_, RelayRow>(&format!(
        "SELECT {COLUMNS} FROM relays ORDER BY id LIMIT $1 OFFSET $2"
    ))
    .bind(count)
    .bind(start)
    .fetch_all(executor)
    .await?;
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM relays")
        .fetch_one(executor)
        .await?;
    Ok((rows, total))
}

/// The relay `id`.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<RelayRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM relays WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// The relay whose URL is `url`.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<RelayRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM relays WHERE url = $1"))
            .bind(url)
            .fetch_optional(executor)
            .await?,
    )
}

/// The relay our Follow `follow_url` subscribed to.
pub async fn find_by_follow_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    follow_url: &str,
) -> DbResult<Option<RelayRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM relays WHERE follow_url = $1"
    ))
    .bind(follow_url)
    .fetch_optional(executor)
    .await?)
}

/// The relay whose actor is `actor_url` (any state; the oldest when several).
pub async fn find_by_actor<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_url: &str,
) -> DbResult<Option<RelayRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM relays WHERE actor_url = $1 ORDER BY id LIMIT 1"
    ))
    .bind(actor_url)
    .fetch_optional(executor)
    .await?)
}

/// Records the relay's answer: its state, and its actor (who answered).
pub async fn set_state<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    state: &str,
    actor_url: &str,
    now: i64,
) -> DbResult<bool> {
    let done =
        sqlx::query("UPDATE relays SET state = $2, actor_url = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(state)
            .bind(actor_url)
            .bind(now)
            .execute(executor)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the relay `id` and answers it as it was.
pub async fn delete(connection: &mut Connection, id: i64) -> DbResult<Option<RelayRow>> {
    let found = find_by_id(&mut *connection, id).await?;
    if found.is_some() {
        sqlx::query("DELETE FROM relays WHERE id = $1")
            .bind(id)
            .execute(&mut *connection)
            .await?;
    }
    Ok(found)
}

/// The inboxes of the accepted relays, without repeats.
pub async fn accepted_inboxes<'e>(
    executor: impl Executor<'e, Database = Any>,
) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT inbox_url FROM relays WHERE state = 'accepted' ORDER BY inbox_url",
    )
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|(inbox,)| inbox).collect())
}

/// What a relay's announce of an object came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// New: its fetch is queued (the row is `pending`).
    Claimed,
    /// Announced before (by this or another relay): nothing more is done.
    Known,
}

/// Records that relay `relay_id` announced `object_url`, once per object.
pub async fn claim_object(
    connection: &mut Connection,
    relay_id: i64,
    object_url: &str,
    now: i64,
) -> DbResult<Claim> {
    let done = sqlx::query(
        "INSERT INTO relay_objects (relay_id, object_url, state, created_at) \
         VALUES ($1, $2, 'pending', $3) ON CONFLICT (object_url) DO NOTHING",
    )
    .bind(relay_id)
    .bind(object_url)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(if done.rows_affected() > 0 {
        Claim::Claimed
    } else {
        Claim::Known
    })
}

/// Whether `object_url` was announced by a relay before.
pub async fn object_known<'e>(
    executor: impl Executor<'e, Database = Any>,
    object_url: &str,
) -> DbResult<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM relay_objects WHERE object_url = $1")
        .bind(object_url)
        .fetch_optional(executor)
        .await?;
    Ok(row.is_some())
}

/// Ends the fetch of `object_url`: `stored` or `refused`.
pub async fn finish_object<'e>(
    executor: impl Executor<'e, Database = Any>,
    object_url: &str,
    state: &str,
) -> DbResult<()> {
    sqlx::query("UPDATE relay_objects SET state = $2 WHERE object_url = $1")
        .bind(object_url)
        .bind(state)
        .execute(executor)
        .await?;
    Ok(())
}

/// A relay's budget as used: (objects still being fetched, objects announced since `since`).
pub async fn usage<'e, E>(executor: E, relay_id: i64, since: i64) -> DbResult<(i64, i64)>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM relay_objects WHERE relay_id = $1 AND state = 'pending'",
    )
    .bind(relay_id)
    .fetch_one(executor)
    .await?;
    let (recent,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM relay_objects WHERE relay_id = $1 AND created_at >= $2",
    )
    .bind(relay_id)
    .bind(since)
    .fetch_one(executor)
    .await?;
    Ok((pending, recent))
}

/// The oldest announce of relay `relay_id` since `since` (when its budget frees up).
pub async fn oldest_since<'e>(
    executor: impl Executor<'e, Database = Any>,
    relay_id: i64,
    since: i64,
) -> DbResult<Option<i64>> {
    let (oldest,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(created_at) FROM relay_objects WHERE relay_id = $1 AND created_at >= $2",
    )
    .bind(relay_id)
    .bind(since)
    .fetch_one(executor)
    .await?;
    Ok(oldest)
}

/// Records that the video `video_id` arrived through the relay `relay` (first arrival kept).
pub async fn record_arrival<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
    relay: &RelayRow,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO relay_arrivals (video_id, relay_id, relay_url, arrived_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (video_id) DO NOTHING",
    )
    .bind(video_id)
    .bind(relay.id)
    .bind(&relay.url)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// The relay a video arrived through: (relay id, none once removed; relay URL).
pub async fn arrival_of<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Option<(Option<i64>, String)>> {
    Ok(
        sqlx::query_as("SELECT relay_id, relay_url FROM relay_arrivals WHERE video_id = $1")
            .bind(video_id)
            .fetch_optional(executor)
            .await?,
    )
}

/// Records that a public activity about our object `object_url` went to the relays.
pub async fn mark_published<'e>(
    executor: impl Executor<'e, Database = Any>,
    object_url: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO relay_published (object_url, created_at) VALUES ($1, $2) \
         ON CONFLICT (object_url) DO NOTHING",
    )
    .bind(object_url)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// Whether our object `object_url` went to the relays (then its Delete does too).
pub async fn was_published<'e>(
    executor: impl Executor<'e, Database = Any>,
    object_url: &str,
) -> DbResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM relay_published WHERE object_url = $1")
            .bind(object_url)
            .fetch_optional(executor)
            .await?;
    Ok(row.is_some())
}
