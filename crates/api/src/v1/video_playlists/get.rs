//! `GET /api/v1/video-playlists/{id}`: one playlist (`{id}` a numeric id, a UUID or a short
//! UUID); a private one only for its owner (404 for anyone else).

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::extract::MaybeAuth;
use crate::{ApiError, ApiState};

/// Answers the `VideoPlaylist`.
pub async fn get_playlist(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = super::find_visible(&state, &id, viewer.as_ref()).await?;
    Ok(Json(crate::json::playlists::playlist(&state, &row).await?))
}
