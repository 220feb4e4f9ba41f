//! `POST /api/v1/users/me/subscriptions`: follows a local channel by handle, `{uri}`; 204.
//! Following a channel again changes nothing.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::channel_handle;
use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
pub struct SubscribeBody {
    /// `name` or `name@host` of a channel.
    pub uri: String,
}

/// Follows the channel.
pub async fn subscribe(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<SubscribeBody>,
) -> Result<StatusCode, ApiError> {
    let handle = channel_handle(&state, &body.uri)?;
    kinora_app::subscriptions::subscribe(&state.db, &*state.remote, &user, handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
