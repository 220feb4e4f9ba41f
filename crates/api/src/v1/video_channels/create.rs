//! `POST /api/v1/video-channels`: the caller creates a channel.

use axum::Json;
use axum::extract::State;
use kinora_app::channels::{self, NewChannelInput};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// The body of a channel creation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateChannelRequest {
    name: String,
    display_name: String,
    description: Option<String>,
    support: Option<String>,
}

/// Creates the channel; answers 200 `{"videoChannel":{"id":…}}` as PeerTube does.
pub async fn create_channel(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    JsonOrForm(request): JsonOrForm<CreateChannelRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = channels::create_channel(
        &state.db,
        &state.instance.current(),
        &caller,
        NewChannelInput {
            name: request.name,
            display_name: request.display_name,
            description: request.description,
            support: request.support,
        },
    )
    .await?;
    Ok(Json(json!({ "videoChannel": { "id": id } })))
}
