//! `DELETE /api/v1/video-channels/{name}`: the owner (or an administrator) deletes a channel.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::local_name;
use crate::{ApiError, ApiState};

/// Deletes the channel; answers 204, or 409 for the owner's last channel.
pub async fn delete_channel(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(handle): Path<String>,
) -> Result<StatusCode, ApiError> {
    let name = local_name(&state, &handle).ok_or_else(|| ApiError::not_found("Video channel"))?;
    let images = kinora_app::channels::delete_channel(&state.db, &caller, name).await?;
    kinora_app::actor_images::delete_files(&state.storage, &images).await;
    Ok(StatusCode::NO_CONTENT)
}
