//! `POST /api/v1/video-playlists`: the caller creates a playlist (JSON, URL-encoded, or
//! multipart with a `thumbnailfile`); 200 `{"videoPlaylist":{"id","uuid","shortUUID"}}`.

use axum::Json;
use axum::extract::{Request, State};
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Creates the playlist.
pub async fn create_playlist(
    State(state): State<ApiState>,
    Auth(user): Auth,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let (input, thumbnail) = super::read_playlist_form(&state, request).await?;
    let row = kinora_app::playlists::create(
        &state.db,
        &state.storage,
        &user,
        &input,
        thumbnail.as_deref(),
    )
    .await?;
    Ok(Json(json!({
        "videoPlaylist": { "id": row.id, "uuid": row.uuid, "shortUUID": row.short_uuid }
    })))
}
