//! `POST /api/v1/video-playlists/{id}/videos/reorder`: the owner moves `reorderLength`
//! elements (default 1) from `startPosition` to after `insertAfterPosition` (0: the front);
//! 204. `POST /api/v1/video-channels/{name}/video-playlists/reorder` does the same with a
//! channel's playlists (its `videoChannelPosition`), for the channel's manager.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReorderRequest {
    start_position: i64,
    insert_after_position: i64,
    reorder_length: Option<i64>,
}

/// Moves the elements.
pub async fn reorder_playlist(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(request): JsonOrForm<ReorderRequest>,
) -> Result<StatusCode, ApiError> {
    let playlist = super::find_visible(&state, &id, Some(&user)).await?;
    kinora_app::playlists::elements::reorder(
        &state.db,
        &user,
        &playlist,
        request.start_position,
        request.insert_after_position,
        request.reorder_length,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves the playlists of a channel.
pub async fn reorder_channel_playlists(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(name): Path<String>,
    JsonOrForm(request): JsonOrForm<ReorderRequest>,
) -> Result<StatusCode, ApiError> {
    kinora_app::playlists::channel_order::reorder(
        &state.db,
        &user,
        &name,
        request.start_position,
        request.insert_after_position,
        request.reorder_length,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
