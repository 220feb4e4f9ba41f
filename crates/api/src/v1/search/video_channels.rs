//! `GET /api/v1/search/video-channels?search=…`: local channels whose name or display name
//! contain the text (case-insensitive), with `start` and `count`; or, for a handle
//! (`name@host`, `@name@host`) or a channel's URL, that one channel, fetched from its origin
//! and imported when the viewer may (`[search.remote_uri]`, [`kinora_app::remote_search`]).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::Value;

use kinora_app::remote_search::SearchTarget;

use crate::{ApiError, ApiState, json as shapes};

/// The query string.
#[derive(Debug, Default, Deserialize)]
pub struct ChannelSearchQuery {
    search: Option<String>,
    start: Option<String>,
    count: Option<String>,
}

fn number(field: &str, value: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    let number = match value {
        None => default,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::invalid_field(field, format!("{text:?} is not an integer")))?,
    };
    if !(0..=max).contains(&number) {
        return Err(ApiError::invalid_field(
            field,
            format!("must be between 0 and {max}"),
        ));
    }
    Ok(number)
}

/// Answers `{total, data}` of channels, each with its owner account.
pub async fn search_channels(
    State(state): State<ApiState>,
    crate::extract::MaybeAuth(viewer): crate::extract::MaybeAuth,
    Query(query): Query<ChannelSearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let search = super::search_text(query.search.as_deref())?;
    let start = number("start", query.start.as_deref(), 0, i64::MAX)?;
    let count = number("count", query.count.as_deref(), 15, 100)?;
    let pool = state.db.pool();
    let target = match search {
        Some(text) => super::target(&state, text)?,
        None => SearchTarget::Text,
    };
    if target != SearchTarget::Text {
        let found = super::searcher(&state, viewer.as_ref())
            .channel(&target)
            .await?;
        let mut data = Vec::new();
        if let Some(row) = found.filter(|_| start == 0 && count > 0) {
            let owner = kinora_db::accounts::find_by_id(pool, row.account_id).await?;
            data.push(shapes::channel(&state, &row, owner.as_ref()).await?);
        }
        return Ok(Json(shapes::list(data.len(), data)));
    }
    let (total, rows) = kinora_db::channels::search(pool, search, start, count).await?;
    let mut data = Vec::with_capacity(rows.len());
    for row in &rows {
        let owner = kinora_db::accounts::find_by_id(pool, row.account_id).await?;
        data.push(shapes::channel(&state, row, owner.as_ref()).await?);
    }
    Ok(Json(shapes::list(
        usize::try_from(total).unwrap_or(0),
        data,
    )))
}
