//! Video blocks (PeerTube's "blacklist"): which videos staff hid, why, and whether other
//! instances were told to forget them; and the one SQL condition every list of videos uses to
//! leave out what moderation hides (blocked videos and videos of banned users).

use sqlx::{Any, Executor};

use crate::videos::VideoRow;
use crate::{Connection, DbResult};

/// The condition on a `videos` row (columns named without a table prefix) that moderation does
/// not hide it: it is not blocked, and its owner is not banned. Lists of videos add it to their
/// `WHERE` clause; [`unmoderated_as`] gives it for a table alias.
pub const UNMODERATED: &str = "id NOT IN (SELECT video_id FROM video_blacklist) \
     AND channel_id NOT IN (SELECT mc.id FROM channels mc JOIN accounts ma ON ma.id = mc.account_id \
     JOIN users mu ON mu.id = ma.user_id WHERE mu.blocked <> 0)";

/// [`UNMODERATED`] for a `videos` table named `alias` in the query (`v`).
pub fn unmoderated_as(alias: &str) -> String {
    format!(
        "{alias}.id NOT IN (SELECT video_id FROM video_blacklist) \
         AND {alias}.channel_id NOT IN (SELECT mc.id FROM channels mc JOIN accounts ma ON \
         ma.id = mc.account_id JOIN users mu ON mu.id = ma.user_id WHERE mu.blocked <> 0)"
    )
}

/// PeerTube's block types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Blocked by a moderator (1).
    Manual,
    /// Blocked on upload, waiting for a moderator's review (2).
    Automatic,
}

impl BlockKind {
    /// PeerTube's number.
    pub fn id(self) -> i64 {
        match self {
            BlockKind::Manual => 1,
            BlockKind::Automatic => 2,
        }
    }

    /// The kind PeerTube's number names.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            1 => Some(BlockKind::Manual),
            2 => Some(BlockKind::Automatic),
            _ => None,
        }
    }
}

const COLUMNS: &str = "id, video_id, reason, unfederated, kind, created_at, updated_at";

/// A block as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BlockRow {
    /// Numeric id.
    pub id: i64,
    /// The blocked video.
    pub video_id: i64,
    /// Why, as staff wrote it.
    pub reason: Option<String>,
    /// 1 when other instances were told to forget the video.
    pub unfederated: i64,
    /// PeerTube's type ([`BlockKind::id`]).
    pub kind: i64,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

/// What a new block says.
#[derive(Debug, Clone, Copy)]
pub struct NewBlock<'a> {
    /// The video.
    pub video_id: i64,
    /// Why.
    pub reason: Option<&'a str>,
    /// Whether other instances are told to forget the video.
    pub unfederated: bool,
    /// Manual or automatic.
    pub kind: BlockKind,
}

/// Blocks a video; a video already blocked is a `DbError::Conflict`.
pub async fn insert(connection: &mut Connection, block: &NewBlock<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO video_blacklist (video_id, reason, unfederated, kind, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(block.video_id)
    .bind(block.reason)
    .bind(i64::from(block.unfederated))
    .bind(block.kind.id())
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// The block of a video, if it is blocked.
pub async fn find_by_video<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Option<BlockRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_blacklist WHERE video_id = $1"
    ))
    .bind(video_id)
    .fetch_optional(executor)
    .await?)
}

/// The blocks of several videos (for a page of video JSON).
pub async fn find_by_videos(pool: &sqlx::AnyPool, video_ids: &[i64]) -> DbResult<Vec<BlockRow>> {
    if video_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = video_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_blacklist WHERE video_id IN ({list})"
    ))
    .fetch_all(pool)
    .await?)
}

/// Changes a block's reason; false when the video is not blocked.
pub async fn set_reason(
    connection: &mut Connection,
    video_id: i64,
    reason: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let result =
        sqlx::query("UPDATE video_blacklist SET reason = $1, updated_at = $2 WHERE video_id = $3")
            .bind(reason)
            .bind(now)
            .bind(video_id)
            .execute(&mut *connection)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// Unblocks a video and answers the block it had (`None`: it was not blocked).
pub async fn delete(connection: &mut Connection, video_id: i64) -> DbResult<Option<BlockRow>> {
    Ok(sqlx::query_as(&format!(
        "DELETE FROM video_blacklist WHERE video_id = $1 RETURNING {COLUMNS}"
    ))
    .bind(video_id)
    .fetch_optional(&mut *connection)
    .await?)
}

/// Whether moderation hides a video: it is blocked or its owner is banned.
pub async fn is_hidden<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<bool> {
    let (hidden,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM videos WHERE id = $1 AND NOT ({UNMODERATED})"
    ))
    .bind(video_id)
    .fetch_one(executor)
    .await?;
    Ok(hidden > 0)
}

/// What the block list is ordered by (PeerTube's `sort` values, without the `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockOrder {
    /// `id` (the block's).
    Id,
    /// `createdAt` (the block's).
    CreatedAt,
    /// `name` (the video's).
    Name,
    /// `duration`.
    Duration,
    /// `views`.
    Views,
    /// `likes`.
    Likes,
    /// `dislikes`.
    Dislikes,
    /// `uuid`.
    Uuid,
}

impl BlockOrder {
    /// The order PeerTube's `sort` value (without `-`) names.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "id" => BlockOrder::Id,
            "createdAt" => BlockOrder::CreatedAt,
            "name" => BlockOrder::Name,
            "duration" => BlockOrder::Duration,
            "views" => BlockOrder::Views,
            "likes" => BlockOrder::Likes,
            "dislikes" => BlockOrder::Dislikes,
            "uuid" => BlockOrder::Uuid,
            _ => return None,
        })
    }

    /// The column; a fixed string, never built from input.
    fn column(self) -> &'static str {
        match self {
            BlockOrder::Id => "b.id",
            BlockOrder::CreatedAt => "b.created_at",
            BlockOrder::Name => "v.name",
            BlockOrder::Duration => "v.duration",
            BlockOrder::Views => "v.views",
            BlockOrder::Likes => "v.likes",
            BlockOrder::Dislikes => "v.dislikes",
            BlockOrder::Uuid => "v.uuid",
        }
    }
}

/// Which blocks a page of the block list holds, and in which order.
#[derive(Debug, Clone, Copy)]
pub struct BlockQuery<'a> {
    /// Only blocks of this kind.
    pub kind: Option<BlockKind>,
    /// Only blocks of videos whose name contains this (case-insensitive).
    pub search: Option<&'a str>,
    /// The order.
    pub order: BlockOrder,
    /// Largest first.
    pub descending: bool,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

/// How many blocks match `query`, and one page of them with their videos.
pub async fn list(
    pool: &sqlx::AnyPool,
    query: &BlockQuery<'_>,
) -> DbResult<(i64, Vec<(BlockRow, VideoRow)>)> {
    let kind = query.kind.map_or(0, BlockKind::id);
    let pattern = query
        .search
        .map_or_else(|| "%".to_owned(), crate::video_lists::like_pattern);
    const FILTER: &str = "FROM video_blacklist b JOIN videos v ON v.id = b.video_id \
        WHERE ($1 = 0 OR b.kind = $1) AND LOWER(v.name) LIKE $2 ESCAPE '\\'";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {FILTER}"))
        .bind(kind)
        .bind(pattern.as_str())
        .fetch_one(pool)
        .await?;
    let direction = if query.descending { "DESC" } else { "ASC" };
    let ids: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT b.id, v.id {FILTER} ORDER BY {} {direction}, b.id {direction} LIMIT $3 OFFSET $4",
        query.order.column()
    ))
    .bind(kind)
    .bind(pattern.as_str())
    .bind(query.count)
    .bind(query.start)
    .fetch_all(pool)
    .await?;
    let mut page = Vec::with_capacity(ids.len());
    for (_, video_id) in ids {
        let block = find_by_video(pool, video_id).await?;
        let video = crate::videos::find_by_id(pool, video_id).await?;
        if let (Some(block), Some(video)) = (block, video) {
            page.push((block, video));
        }
    }
    Ok((total, page))
}
