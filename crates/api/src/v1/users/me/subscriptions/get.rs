//! `GET /api/v1/users/me/subscriptions/{uri}`: a channel the caller follows, as a
//! `VideoChannel`; 404 when the caller does not follow it.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use super::channel_handle;
use crate::extract::Auth;
use crate::json::channel;
use crate::{ApiError, ApiState};

/// Answers the channel.
pub async fn get_subscription(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(uri): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let handle = channel_handle(&state, &uri)?;
    let row = kinora_app::subscriptions::find(&state.db, &user, handle).await?;
    let owner = kinora_db::accounts::find_by_id(state.db.pool(), row.account_id).await?;
    Ok(Json(channel(&state, &row, owner.as_ref()).await?))
}
