//! `PUT /api/v1/video-channels/{name}`: the owner (or an administrator) edits a channel.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_app::channels::{self, ChannelUpdateInput};
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::local_name;
use crate::{ApiError, ApiState};

/// The body of a channel update; absent fields are kept.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateChannelRequest {
    display_name: Option<String>,
    description: Option<String>,
    support: Option<String>,
}

/// Updates the channel; answers 204.
pub async fn update_channel(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(handle): Path<String>,
    JsonOrForm(request): JsonOrForm<UpdateChannelRequest>,
) -> Result<StatusCode, ApiError> {
    let name = local_name(&state, &handle).ok_or_else(|| ApiError::not_found("Video channel"))?;
    channels::update_channel(
        &state.db,
        &caller,
        name,
        ChannelUpdateInput {
            display_name: request.display_name,
            description: request.description,
            support: request.support,
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
