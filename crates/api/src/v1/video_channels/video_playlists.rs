//! `GET /api/v1/video-channels/{name}/video-playlists`: a channel's public playlists; the
//! channel's owner sees all of them.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::Value;

use crate::extract::MaybeAuth;
use crate::v1::find_channel;
use crate::v1::video_playlists::PlaylistListQuery;
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_channel_playlists(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(handle): Path<String>,
    Query(query): Query<PlaylistListQuery>,
) -> Result<Json<Value>, ApiError> {
    let channel = find_channel(&state, &handle).await?;
    let mut filter = query.filter()?;
    filter.channel_id = Some(channel.id);
    if let Some(viewer) = &viewer {
        let owner = kinora_db::accounts::find_by_id(state.db.pool(), channel.account_id).await?;
        filter.all_privacies = owner.and_then(|o| o.user_id) == Some(viewer.user_id);
    }
    Ok(Json(
        crate::v1::video_playlists::answer(&state, &filter, &query).await?,
    ))
}
