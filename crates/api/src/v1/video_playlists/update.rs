//! `PUT /api/v1/video-playlists/{id}`: the owner edits a playlist (the same fields as the
//! creation, each optional; `thumbnailfile` replaces the thumbnail); 204.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Applies the changes.
pub async fn update_playlist(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    request: Request,
) -> Result<StatusCode, ApiError> {
    let playlist = super::find_visible(&state, &id, Some(&user)).await?;
    let (input, thumbnail) = super::read_playlist_form(&state, request).await?;
    kinora_app::playlists::update(
        &state.db,
        &state.storage,
        &user,
        &playlist,
        &input,
        thumbnail.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
