//! Lists of videos: the public, published videos of the instance in one of PeerTube's orders.

use sqlx::AnyPool;

use crate::DbResult;
use crate::videos::VideoRow;

/// What a list of videos is ordered by (PeerTube's `sort` values, without the `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoOrder {
    /// `publishedAt`.
    PublishedAt,
    /// `createdAt`.
    CreatedAt,
    /// `views` (also `trending` until views are counted per day).
    Views,
    /// `likes`.
    Likes,
    /// `name`.
    Name,
    /// `duration`.
    Duration,
}

impl VideoOrder {
    /// The column; a fixed string, never built from input.
    fn column(self) -> &'static str {
        match self {
            VideoOrder::PublishedAt => "published_at",
            VideoOrder::CreatedAt => "created_at",
            VideoOrder::Views => "views",
            VideoOrder::Likes => "likes",
            VideoOrder::Name => "name",
            VideoOrder::Duration => "duration",
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoPage {
    /// The order.
    pub order: VideoOrder,
    /// Largest first.
    pub descending: bool,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

/// Published public videos (never unlisted, private or internal ones, nor those still
/// processing): how many there are, and one page of them.
pub async fn list_public(pool: &AnyPool, page: VideoPage) -> DbResult<(i64, Vec<VideoRow>)> {
    const FILTER: &str = "FROM videos WHERE state = 1 AND privacy = 1";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {FILTER}"))
        .fetch_one(pool)
        .await?;
    let direction = if page.descending { "DESC" } else { "ASC" };
    let rows = sqlx::query_as(&format!(
        "SELECT {} {FILTER} ORDER BY {} {direction}, id {direction} LIMIT $1 OFFSET $2",
        crate::videos::COLUMNS,
        page.order.column()
    ))
    .bind(page.count)
    .bind(page.start)
    .fetch_all(pool)
    .await?;
    Ok((total, rows))
}
