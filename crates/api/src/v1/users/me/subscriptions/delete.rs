//! `DELETE /api/v1/users/me/subscriptions/{uri}`: stops following a channel; 204, or 404 when
//! the caller does not follow it.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::channel_handle;
use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Ends the subscription.
pub async fn unsubscribe(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(uri): Path<String>,
) -> Result<StatusCode, ApiError> {
    let handle = channel_handle(&state, &uri)?;
    kinora_app::subscriptions::unsubscribe(&state.db, &user, handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
