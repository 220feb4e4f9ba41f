//! `GET /api/v1/video-channels/{name}`: one channel by name (`name` or `name@host`), with
//! Kinora's `movedTo` once it moved to another instance.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::{ApiError, ApiState, json};

/// Answers the channel with its owner account.
pub async fn get_channel(
    State(state): State<ApiState>,
    Path(handle): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let pool = state.db.pool();
    let row = crate::v1::find_channel(&state, &handle).await?;
    let owner = kinora_db::accounts::find_by_id(pool, row.account_id).await?;
    let mut value = json::channel(&state, &row, owner.as_ref()).await?;
    json::add_moved_to(&state, &mut value, row.actor_id).await?;
    Ok(Json(value))
}
