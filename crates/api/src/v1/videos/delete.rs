//! `DELETE /api/v1/videos/{id}`: the owner (or staff) deletes a video and all its files.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Deletes the video; 204. A running transcode notices and stops.
pub async fn delete_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let video = super::get::find_visible(&state, &id, Some(&user)).await?;
    kinora_app::videos::delete_video(&state.db, &state.storage, &user, &video).await?;
    Ok(StatusCode::NO_CONTENT)
}
