//! `POST|PUT|DELETE /api/v1/videos/{id}/blacklist`: staff block a video (PeerTube's "blacklist",
//! `{reason, unfederate}`), change the reason, and unblock it. Each answers 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_app::moderation::{self, BlockRequest};
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// The body of a block (`VideoBlacklistCreate`); both fields may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockBody {
    reason: Option<String>,
    #[serde(default)]
    unfederate: bool,
}

/// The body of a block's update (`VideoBlacklistUpdate`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    reason: Option<String>,
}

/// Blocks the video: 204; already blocked 409; `unfederate` on a remote video 409.
pub async fn block_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<BlockBody>,
) -> Result<StatusCode, ApiError> {
    moderation::ensure_staff(&user)?;
    let video = super::find_video(&state, &id).await?;
    let request = BlockRequest {
        reason: body.reason,
        unfederate: body.unfederate,
    };
    moderation::block_video(&state.db, &user, &video, &request).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the reason of a block: 204; a video not blocked 404.
pub async fn update_block(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<UpdateBody>,
) -> Result<StatusCode, ApiError> {
    moderation::ensure_staff(&user)?;
    let video = super::find_video(&state, &id).await?;
    moderation::update_block(&state.db, &user, &video, body.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unblocks the video: 204; a video not blocked 404.
pub async fn unblock_video(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    moderation::ensure_staff(&user)?;
    let video = super::find_video(&state, &id).await?;
    moderation::unblock_video(&state.db, &user, &video).await?;
    Ok(StatusCode::NO_CONTENT)
}
