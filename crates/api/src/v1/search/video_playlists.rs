//! `GET /api/v1/search/video-playlists`: public playlists whose display name contains the
//! `search` text (any case), here and of the remote instances this one knows; `host` keeps
//! those of one instance.

use axum::Json;
use axum::extract::{Query, State};
use serde_json::Value;

use crate::v1::video_playlists::PlaylistListQuery;
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn search_playlists(
    State(state): State<ApiState>,
    Query(query): Query<PlaylistListQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut filter = query.filter()?;
    filter.host = query.host(&state)?;
    Ok(Json(
        crate::v1::video_playlists::answer(&state, &filter, &query).await?,
    ))
}
