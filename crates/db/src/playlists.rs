//! Video playlists (PeerTube's `VideoPlaylist`) and their elements: the `video_playlists` rows
//! (ours and remote ones, each owned by an account, published in a channel or not) and
//! `video_playlist_elements` (the videos, in order, positions from 1, with optional start and
//! stop timestamps). Rows are decoded here only ([`PlaylistRow`], [`ElementRow`]).
//!
//! Writers that change a playlist's elements take the playlist's row lock first
//! ([`lock`]), so positions stay dense and the element cap is counted under the lock.

use std::collections::HashMap;

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// A playlist as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlaylistRow {
    /// Numeric id.
    pub id: i64,
    /// UUID (text).
    pub uuid: String,
    /// PeerTube's short UUID.
    pub short_uuid: String,
    /// The owning account.
    pub account_id: i64,
    /// The channel it is published in, if any.
    pub channel_id: Option<i64>,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// 1 public, 2 unlisted, 3 private.
    pub privacy: i64,
    /// 1 regular, 2 "Watch later".
    pub kind: i64,
    /// Our stored thumbnail's file name.
    pub thumbnail_file: Option<String>,
    /// The ActivityPub id of a remote playlist; none for ours.
    pub url: Option<String>,
    /// A remote playlist's icon URL.
    pub remote_thumbnail_url: Option<String>,
    /// The `totalItems` a remote playlist announced.
    pub remote_total: Option<i64>,
    /// 1 while followers were sent our playlist.
    pub federated: i64,
    /// Its place among its channel's playlists, from 1 (PeerTube's `videoChannelPosition`);
    /// none outside a channel.
    pub video_channel_position: Option<i64>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

impl PlaylistRow {
    /// Answers whether the playlist is this instance's.
    pub fn is_local(&self) -> bool {
        self.url.is_none()
    }
}

const COLUMNS: &str = "id, uuid, short_uuid, account_id, channel_id, display_name, description, \
    privacy, kind, thumbnail_file, url, remote_thumbnail_url, remote_total, federated, \
    video_channel_position, created_at, updated_at";

/// A playlist to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewPlaylist<'a> {
    /// UUID.
    pub uuid: &'a str,
    /// Short UUID.
    pub short_uuid: &'a str,
    /// Owner.
    pub account_id: i64,
    /// Channel, if any.
    pub channel_id: Option<i64>,
    /// Display name.
    pub display_name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Privacy id.
    pub privacy: i64,
    /// Kind (1 regular, 2 watch later).
    pub kind: i64,
    /// ActivityPub id of a remote playlist.
    pub url: Option<&'a str>,
    /// A remote playlist's icon.
    pub remote_thumbnail_url: Option<&'a str>,
    /// A remote playlist's `totalItems`.
    pub remote_total: Option<i64>,
}

/// Inserts a playlist; returns its id. A second "Watch later" of one account is
/// [`crate::DbError::Conflict`].
pub async fn insert(
    connection: &mut Connection,
    playlist: &NewPlaylist<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO video_playlists (uuid, short_uuid, account_id, channel_id, display_name, \
         description, privacy, kind, url, remote_thumbnail_url, remote_total, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         RETURNING id",
    )
    .bind(playlist.uuid)
    .bind(playlist.short_uuid)
    .bind(playlist.account_id)
    .bind(playlist.channel_id)
    .bind(playlist.display_name)
    .bind(playlist.description)
    .bind(playlist.privacy)
    .bind(playlist.kind)
    .bind(playlist.url)
    .bind(playlist.remote_thumbnail_url)
    .bind(playlist.remote_total)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// The fields of a playlist an update sets (all of them, as the caller computed them).
#[derive(Debug, Clone, Copy)]
pub struct PlaylistFields<'a> {
    /// Channel, if any.
    pub channel_id: Option<i64>,
    /// Display name.
    pub display_name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Privacy id.
    pub privacy: i64,
    /// A remote playlist's icon (ignored for ours: pass `None`).
    pub remote_thumbnail_url: Option<&'a str>,
    /// A remote playlist's `totalItems`.
    pub remote_total: Option<i64>,
}

/// Sets a playlist's fields.
pub async fn update<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    fields: &PlaylistFields<'_>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE video_playlists SET channel_id = $1, display_name = $2, description = $3, \
         privacy = $4, remote_thumbnail_url = $5, remote_total = $6, updated_at = $7 \
         WHERE id = $8",
    )
    .bind(fields.channel_id)
    .bind(fields.display_name)
    .bind(fields.description)
    .bind(fields.privacy)
    .bind(fields.remote_thumbnail_url)
    .bind(fields.remote_total)
    .bind(now)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a playlist's thumbnail file; returns the previous one's name.
pub async fn set_thumbnail(
    connection: &mut Connection,
    id: i64,
    file: Option<&str>,
    now: i64,
) -> DbResult<Option<String>> {
    let previous: Option<(Option<String>,)> =
        sqlx::query_as("SELECT thumbnail_file FROM video_playlists WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *connection)
            .await?;
    sqlx::query("UPDATE video_playlists SET thumbnail_file = $1, updated_at = $2 WHERE id = $3")
        .bind(file)
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(previous.and_then(|(file,)| file))
}

/// Records whether followers were sent the playlist.
pub async fn set_federated(connection: &mut Connection, id: i64, federated: bool) -> DbResult<()> {
    sqlx::query("UPDATE video_playlists SET federated = $1 WHERE id = $2")
        .bind(i64::from(federated))
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Takes the playlist's row lock for the rest of the transaction (and marks it changed):
/// element writers call it first.
pub async fn lock(connection: &mut Connection, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query("UPDATE video_playlists SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a playlist (its elements go with it); returns its thumbnail's file name.
pub async fn delete(connection: &mut Connection, id: i64) -> DbResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("DELETE FROM video_playlists WHERE id = $1 RETURNING thumbnail_file")
            .bind(id)
            .fetch_optional(&mut *connection)
            .await?;
    Ok(row.and_then(|(file,)| file))
}

async fn find_where<'e>(
    executor: impl Executor<'e, Database = Any>,
    condition: &str,
    value: Value<'_>,
) -> DbResult<Option<PlaylistRow>> {
    let sql = format!("SELECT {COLUMNS} FROM video_playlists WHERE {condition} = $1");
    let query = sqlx::query_as(&sql);
    let query = match value {
        Value::Int(v) => query.bind(v),
        Value::Text(v) => query.bind(v),
    };
    Ok(query.fetch_optional(executor).await?)
}

enum Value<'a> {
    Int(i64),
    Text(&'a str),
}

/// The playlist `id`.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<PlaylistRow>> {
    find_where(executor, "id", Value::Int(id)).await
}

/// The playlist whose UUID is `uuid`.
pub async fn find_by_uuid<'e>(
    executor: impl Executor<'e, Database = Any>,
    uuid: &str,
) -> DbResult<Option<PlaylistRow>> {
    find_where(executor, "uuid", Value::Text(uuid)).await
}

/// The remote playlist whose ActivityPub id is `url`.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<PlaylistRow>> {
    find_where(executor, "url", Value::Text(url)).await
}

/// The playlist whose thumbnail file is `file`.
pub async fn find_by_thumbnail<'e>(
    executor: impl Executor<'e, Database = Any>,
    file: &str,
) -> DbResult<Option<PlaylistRow>> {
    find_where(executor, "thumbnail_file", Value::Text(file)).await
}

/// The account's "Watch later" playlist.
pub async fn find_watch_later<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
) -> DbResult<Option<PlaylistRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_playlists WHERE account_id = $1 AND kind = 2"
    ))
    .bind(account_id)
    .fetch_optional(executor)
    .await?)
}

/// Which playlists a list shows.
#[derive(Debug, Clone, Default)]
pub struct PlaylistFilter {
    /// Only this account's.
    pub account_id: Option<i64>,
    /// Only this channel's.
    pub channel_id: Option<i64>,
    /// Only this kind.
    pub kind: Option<i64>,
    /// Every privacy (the owner's own lists); otherwise public ones in a channel only.
    pub all_privacies: bool,
    /// Display names containing this text (any case).
    pub search: Option<String>,
    /// Only remote ones from this host (`Some(None)`: only ours).
    pub host: Option<Option<String>>,
}

/// How a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaylistOrder {
    /// `createdAt` / `-createdAt`.
    CreatedAt(bool),
    /// `updatedAt` / `-updatedAt`.
    UpdatedAt(bool),
    /// `displayName` / `-displayName`.
    DisplayName(bool),
    /// `videoChannelPosition` / `-videoChannelPosition`: the channel's own order.
    VideoChannelPosition(bool),
}

impl PlaylistOrder {
    /// PeerTube's `sort` value, or `None` when it is not one of them.
    pub fn parse(sort: &str) -> Option<Self> {
        let (descending, name) = match sort.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, sort),
        };
        match name {
            "createdAt" => Some(Self::CreatedAt(descending)),
            "updatedAt" => Some(Self::UpdatedAt(descending)),
            "displayName" => Some(Self::DisplayName(descending)),
            "videoChannelPosition" => Some(Self::VideoChannelPosition(descending)),
            _ => None,
        }
    }

    fn sql(self) -> String {
        let (column, descending) = match self {
            Self::CreatedAt(d) => ("p.created_at", d),
            Self::UpdatedAt(d) => ("p.updated_at", d),
            Self::DisplayName(d) => ("LOWER(p.display_name)", d),
            Self::VideoChannelPosition(d) => ("p.video_channel_position", d),
        };
        let direction = if descending { "DESC" } else { "ASC" };
        format!("{column} {direction}, p.id {direction}")
    }
}

/// One page of playlists and their total.
pub async fn list<'e, E>(
    executor: E,
    filter: &PlaylistFilter,
    order: PlaylistOrder,
    start: i64,
    count: i64,
) -> DbResult<(Vec<PlaylistRow>, i64)>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut binds: Vec<Value<'_>> = Vec::new();
    if let Some(account) = filter.account_id {
        conditions.push(format!("p.account_id = ${}", binds.len() + 1));
        binds.push(Value::Int(account));
    }
    if let Some(channel) = filter.channel_id {
        conditions.push(format!("p.channel_id = ${}", binds.len() + 1));
        binds.push(Value::Int(channel));
    }
    if let Some(kind) = filter.kind {
        conditions.push(format!("p.kind = ${}", binds.len() + 1));
        binds.push(Value::Int(kind));
    }
    if !filter.all_privacies {
        conditions.push("p.privacy = 1 AND p.channel_id IS NOT NULL".to_owned());
    }
    let pattern = filter
        .search
        .as_deref()
        .map(crate::video_lists::like_pattern);
    if let Some(pattern) = &pattern {
        conditions.push(format!(
            "LOWER(p.display_name) LIKE ${} ESCAPE '\\'",
            binds.len() + 1
        ));
        binds.push(Value::Text(pattern));
    }
    match &filter.host {
        None => {}
        Some(None) => conditions.push("p.url IS NULL".to_owned()),
        Some(Some(host)) => {
            conditions.push(format!(
                "p.account_id IN (SELECT a.id FROM accounts a JOIN actors r ON r.id = a.actor_id \
                 WHERE r.host = ${})",
                binds.len() + 1
            ));
            binds.push(Value::Text(host));
        }
    }
    let condition = conditions.join(" AND ");
    let page_sql = format!(
        "SELECT {} FROM video_playlists p WHERE {condition} ORDER BY {} LIMIT ${} OFFSET ${}",
        prefixed_columns(),
        order.sql(),
        binds.len() + 1,
        binds.len() + 2
    );
    let mut query = sqlx::query_as::<_, PlaylistRow>(&page_sql);
    for bind in &binds {
        query = match bind {
            Value::Int(v) => query.bind(*v),
            Value::Text(v) => query.bind(*v),
        };
    }
    let rows = query.bind(count).bind(start).fetch_all(executor).await?;
    let total_sql = format!("SELECT COUNT(*) FROM video_playlists p WHERE {condition}");
    let mut total = sqlx::query_as::<_, (i64,)>(&total_sql);
    for bind in &binds {
        total = match bind {
            Value::Int(v) => total.bind(*v),
            Value::Text(v) => total.bind(*v),
        };
    }
    let (total,) = total.fetch_one(executor).await?;
    Ok((rows, total))
}

fn prefixed_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("p.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many elements each playlist has (PeerTube's `videosLength`), by playlist id.
pub async fn element_counts(pool: &sqlx::AnyPool, ids: &[i64]) -> DbResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT playlist_id, COUNT(*) FROM video_playlist_elements WHERE playlist_id IN ({}) \
         GROUP BY playlist_id",
        crate::placeholders(ids.len())
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?.into_iter().collect())
}

/// An element of a playlist as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ElementRow {
    /// Numeric id.
    pub id: i64,
    /// Its playlist.
    pub playlist_id: i64,
    /// The video; none once it was deleted.
    pub video_id: Option<i64>,
    /// Position from 1.
    pub position: i64,
    /// Start at this second.
    pub start_timestamp: Option<i64>,
    /// Stop at this second.
    pub stop_timestamp: Option<i64>,
    /// The ActivityPub id of a remote element.
    pub url: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

const ELEMENT_COLUMNS: &str = "id, playlist_id, video_id, position, start_timestamp, \
    stop_timestamp, url, created_at, updated_at";

/// How many elements the playlist has.
pub async fn count_elements<'e>(
    executor: impl Executor<'e, Database = Any>,
    playlist_id: i64,
) -> DbResult<i64> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM video_playlist_elements WHERE playlist_id = $1")
            .bind(playlist_id)
            .fetch_one(executor)
            .await?;
    Ok(count)
}

/// An element to append.
#[derive(Debug, Clone, Copy)]
pub struct NewElement<'a> {
    /// The video.
    pub video_id: i64,
    /// Start at this second.
    pub start_timestamp: Option<i64>,
    /// Stop at this second.
    pub stop_timestamp: Option<i64>,
    /// ActivityPub id of a remote element.
    pub url: Option<&'a str>,
}

/// Appends an element at the end of the playlist (call [`lock`] first in the same
/// transaction); returns its id.
pub async fn append(
    connection: &mut Connection,
    playlist_id: i64,
    element: &NewElement<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO video_playlist_elements (playlist_id, video_id, position, start_timestamp, \
         stop_timestamp, url, created_at, updated_at) VALUES ($1, $2, \
         (SELECT COALESCE(MAX(position), 0) + 1 FROM video_playlist_elements \
          WHERE playlist_id = $1), $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(playlist_id)
    .bind(element.video_id)
    .bind(element.start_timestamp)
    .bind(element.stop_timestamp)
    .bind(element.url)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Removes every element of a playlist (a remote playlist's elements are replaced whole).
pub async fn clear_elements(connection: &mut Connection, playlist_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM video_playlist_elements WHERE playlist_id = $1")
        .bind(playlist_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// One page of a playlist's elements, by position, and their total.
pub async fn list_elements<'e, E>(
    executor: E,
    playlist_id: i64,
    start: i64,
    count: i64,
) -> DbResult<(Vec<ElementRow>, i64)>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let rows = sqlx::query_as(&format!(
        "SELECT {ELEMENT_COLUMNS} FROM video_playlist_elements WHERE playlist_id = $1 \
         ORDER BY position, id LIMIT $2 OFFSET $3"
    ))
    .bind(playlist_id)
    .bind(count)
    .bind(start)
    .fetch_all(executor)
    .await?;
    Ok((rows, count_elements(executor, playlist_id).await?))
}

/// The element `id` of the playlist.
pub async fn find_element<'e>(
    executor: impl Executor<'e, Database = Any>,
    playlist_id: i64,
    id: i64,
) -> DbResult<Option<ElementRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ELEMENT_COLUMNS} FROM video_playlist_elements WHERE playlist_id = $1 AND id = $2"
    ))
    .bind(playlist_id)
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// Sets an element's timestamps.
pub async fn set_timestamps<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    start: Option<i64>,
    stop: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE video_playlist_elements SET start_timestamp = $1, stop_timestamp = $2, \
         updated_at = $3 WHERE id = $4",
    )
    .bind(start)
    .bind(stop)
    .bind(now)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes an element and closes the gap behind it (call [`lock`] first).
pub async fn remove_element(connection: &mut Connection, element: &ElementRow) -> DbResult<()> {
    sqlx::query("DELETE FROM video_playlist_elements WHERE id = $1")
        .bind(element.id)
        .execute(&mut *connection)
        .await?;
    sqlx::query(
        "UPDATE video_playlist_elements SET position = position - 1 \
         WHERE playlist_id = $1 AND position > $2",
    )
    .bind(element.playlist_id)
    .bind(element.position)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Moves the `length` elements from position `start` to just after position `after` (0: to
/// the front), as PeerTube's reorder does (call [`lock`] first; the caller checked the
/// positions lie within the playlist).
pub async fn reorder(
    connection: &mut Connection,
    playlist_id: i64,
    start: i64,
    after: i64,
    length: i64,
    now: i64,
) -> DbResult<()> {
    crate::positions::move_block(
        connection,
        crate::positions::Order {
            table: "video_playlist_elements",
            owner: "playlist_id",
            position: "position",
        },
        playlist_id,
        start,
        after,
        length,
        now,
    )
    .await
}

/// Where a video is in one of an account's playlists (`videos-exist`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VideoInPlaylist {
    /// The video.
    pub video_id: i64,
    /// The element.
    pub element_id: i64,
    /// The playlist.
    pub playlist_id: i64,
    /// The playlist's display name.
    pub display_name: String,
    /// The playlist's short UUID.
    pub short_uuid: String,
    /// Start at this second.
    pub start_timestamp: Option<i64>,
    /// Stop at this second.
    pub stop_timestamp: Option<i64>,
}

/// Every element of the account's playlists holding one of `video_ids`.
pub async fn videos_in_playlists_of(
    pool: &sqlx::AnyPool,
    account_id: i64,
    video_ids: &[i64],
) -> DbResult<Vec<VideoInPlaylist>> {
    if video_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT e.video_id, e.id AS element_id, p.id AS playlist_id, p.display_name, \
         p.short_uuid, e.start_timestamp, e.stop_timestamp FROM video_playlist_elements e \
         JOIN video_playlists p ON p.id = e.playlist_id \
         WHERE p.account_id = $1 AND e.video_id IN ({}) ORDER BY e.id",
        (2..2 + video_ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(account_id);
    for id in video_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?)
}
