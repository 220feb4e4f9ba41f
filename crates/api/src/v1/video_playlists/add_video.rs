//! `POST /api/v1/video-playlists/{id}/videos`: the owner appends a video (`videoId`: id, UUID
//! or short UUID; optional `startTimestamp`, `stopTimestamp`); 200
//! `{"videoPlaylistElement":{"id"}}`. A video the caller may not see is a 404; the 5,001st
//! element a 400.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// A video id as a number or as text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum VideoRef {
    /// A numeric id.
    Number(i64),
    /// A numeric id, a UUID or a short UUID.
    Text(String),
}

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddVideoRequest {
    video_id: VideoRef,
    start_timestamp: Option<i64>,
    stop_timestamp: Option<i64>,
}

/// Appends the video.
pub async fn add_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(request): JsonOrForm<AddVideoRequest>,
) -> Result<Json<Value>, ApiError> {
    let playlist = super::find_visible(&state, &id, Some(&user)).await?;
    let video = match request.video_id {
        VideoRef::Number(number) => number.to_string(),
        VideoRef::Text(text) => text,
    };
    let element = kinora_app::playlists::elements::add_video(
        &state.db,
        &user,
        &playlist,
        &video,
        request.start_timestamp,
        request.stop_timestamp,
    )
    .await?;
    Ok(Json(json!({ "videoPlaylistElement": { "id": element } })))
}
