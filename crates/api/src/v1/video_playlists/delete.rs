//! `DELETE /api/v1/video-playlists/{id}`: the owner (or staff) deletes a playlist; a
//! "Watch later" stays. 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Deletes it.
pub async fn delete_playlist(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let playlist = super::find_visible(&state, &id, Some(&user)).await?;
    kinora_app::playlists::delete(&state.db, &state.storage, &user, &playlist).await?;
    Ok(StatusCode::NO_CONTENT)
}
