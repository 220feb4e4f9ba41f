//! `DELETE /api/v1/video-playlists/{id}/videos/{playlistElementId}`: the owner removes an
//! element (the ones after it move up); 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// Removes the element.
pub async fn remove_element(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, element)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let element = parse_id("playlistElementId", &element)?;
    let playlist = super::find_visible(&state, &id, Some(&user)).await?;
    kinora_app::playlists::elements::remove_element(&state.db, &user, &playlist, element).await?;
    Ok(StatusCode::NO_CONTENT)
}
