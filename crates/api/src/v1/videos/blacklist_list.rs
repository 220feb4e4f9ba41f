//! `GET /api/v1/videos/blacklist`: the blocked videos, for staff, `{total, data}` of PeerTube's
//! `VideoBlacklist` (`{id, video, reason, unfederated, type, createdAt, updatedAt}`, as its server
//! sends it; the `videoId` of its OpenAPI document is not sent),
//! filtered by `type` and `search`, with `start`, `count` and `sort`.

use axum::Json;
use axum::extract::{Query, State};
use kinora_db::video_blacklist::{BlockKind, BlockOrder, BlockQuery};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::json::iso_date;
use crate::{ApiError, ApiState};

/// The query string, read as text so bad values get a clear 400.
#[derive(Debug, Default, Deserialize)]
pub struct BlockListQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    search: Option<String>,
    start: Option<String>,
    count: Option<String>,
    sort: Option<String>,
}

fn parse_sort(sort: Option<&str>) -> Result<(BlockOrder, bool), ApiError> {
    let sort = sort.unwrap_or("-id");
    let (descending, name) = match sort.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, sort),
    };
    BlockOrder::parse(name)
        .map(|order| (order, descending))
        .ok_or_else(|| ApiError::invalid_field("sort", format!("{sort:?} is not a sort of blocks")))
}

/// Lists the blocks (staff only).
pub async fn list_blocks(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Query(query): Query<BlockListQuery>,
) -> Result<Json<Value>, ApiError> {
    kinora_app::moderation::ensure_staff(&user)?;
    let kind = match query.kind.as_deref() {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<i64>()
                .ok()
                .and_then(BlockKind::from_id)
                .ok_or_else(|| ApiError::invalid_field("type", "must be 1 or 2"))?,
        ),
    };
    if query.search.as_deref() == Some("") {
        return Err(ApiError::invalid_field("search", "must not be empty"));
    }
    let (start, count) =
        super::super::pagination::parse_page(query.start.as_deref(), query.count.as_deref())?;
    let (order, descending) = parse_sort(query.sort.as_deref())?;
    let (total, page) = kinora_db::video_blacklist::list(
        state.db.pool(),
        &BlockQuery {
            kind,
            search: query.search.as_deref(),
            order,
            descending,
            start,
            count,
        },
    )
    .await?;
    let videos: Vec<_> = page.iter().map(|(_, video)| video.clone()).collect();
    let shaped = super::get::details_of_many(&state, &videos).await?;
    let data: Vec<Value> = page
        .iter()
        .zip(shaped)
        .map(|((block, _), video)| {
            json!({
                "id": block.id,
                "reason": block.reason,
                "unfederated": block.unfederated != 0,
                "type": block.kind,
                "createdAt": iso_date(block.created_at),
                "updatedAt": iso_date(block.updated_at),
                "video": crate::json::video_of_details(video),
            })
        })
        .collect();
    Ok(Json(json!({ "total": total, "data": data })))
}
