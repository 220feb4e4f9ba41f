//! `PUT /api/v1/video-playlists/{id}/videos/{playlistElementId}`: the owner sets an element's
//! `startTimestamp` and `stopTimestamp` (absent: none); 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateElementRequest {
    start_timestamp: Option<i64>,
    stop_timestamp: Option<i64>,
}

/// Sets the timestamps.
pub async fn update_element(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, element)): Path<(String, String)>,
    JsonOrForm(request): JsonOrForm<UpdateElementRequest>,
) -> Result<StatusCode, ApiError> {
    let element = parse_id("playlistElementId", &element)?;
    let playlist = super::find_visible(&state, &id, Some(&user)).await?;
    kinora_app::playlists::elements::update_element(
        &state.db,
        &user,
        &playlist,
        element,
        request.start_timestamp,
        request.stop_timestamp,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
