//! `GET /api/v1/video-playlists`: the public playlists (in a channel) of this instance and of
//! the remote ones it knows, newest first.

use axum::Json;
use axum::extract::{Query, State};
use serde_json::Value;

use super::PlaylistListQuery;
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_playlists(
    State(state): State<ApiState>,
    Query(query): Query<PlaylistListQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = query.filter()?;
    Ok(Json(super::answer(&state, &filter, &query).await?))
}
