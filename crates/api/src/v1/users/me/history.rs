//! The caller's watch history (`kinora_app::history`):
//! - `GET /api/v1/users/me/history/videos`: the videos watched, the latest first, in the shape of
//!   `GET /api/v1/videos`, each with `userHistory.currentTime`; `start`, `count`, `search`;
//! - `DELETE /api/v1/users/me/history/videos/{videoId}`: forgets one video;
//! - `POST /api/v1/users/me/history/videos/remove`: forgets all, or what was watched before
//!   `beforeDate` (JSON, URL-encoded or multipart, as PeerTube documents it).
//!
//! The positions come from the player (`POST /api/v1/videos/{id}/views` with `currentTime`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, TextFields};
use crate::json::list;
use crate::v1::pagination::{parse_id, parse_page};
use crate::{ApiError, ApiState};

/// The query of the list, read as text so bad values get a clear 400.
#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    start: Option<String>,
    count: Option<String>,
    search: Option<String>,
}

/// Answers one page of the history.
pub async fn list_history(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let (start, count) = parse_page(query.start.as_deref(), query.count.as_deref())?;
    let search = crate::v1::search::search_text(query.search.as_deref())?;
    let (total, page) =
        kinora_db::user_history::page(state.db.pool(), caller.user_id, search, start, count)
            .await?;
    let (videos, positions): (Vec<_>, Vec<_>) = page.into_iter().unzip();
    let items = crate::v1::videos::many::list_items(&state, &videos).await?;
    let mut data = Vec::with_capacity(items.len());
    for ((mut item, stored), video) in items.into_iter().zip(positions).zip(&videos) {
        // A report held back in memory is newer than the stored position.
        let position = state
            .history
            .pending(caller.user_id, video.id)
            .unwrap_or(stored);
        item["userHistory"] = json!({ "currentTime": position });
        data.push(item);
    }
    Ok(Json(list(usize::try_from(total).unwrap_or(0), data)))
}

/// Forgets one video of the history; 204 whether it was there or not, as PeerTube.
pub async fn remove_history_video(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(video_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let video_id = parse_id("videoId", &video_id)?;
    kinora_app::history::remove(&state.db, &state.history, caller.user_id, video_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of `…/remove`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveHistoryRequest {
    before_date: Option<String>,
}

/// Forgets the history, or what of it was watched before `beforeDate`; 204.
pub async fn clear_history(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    TextFields(request): TextFields<RemoveHistoryRequest>,
) -> Result<StatusCode, ApiError> {
    let before = match request
        .before_date
        .as_deref()
        .filter(|text| !text.is_empty())
    {
        Some(text) => Some(kinora_core::dates::parse_iso_date(text).ok_or_else(|| {
            ApiError::invalid_field("beforeDate", format!("{text:?} is not an ISO 8601 date"))
        })?),
        None => None,
    };
    kinora_app::history::clear(&state.db, &state.history, caller.user_id, before).await?;
    Ok(StatusCode::NO_CONTENT)
}
