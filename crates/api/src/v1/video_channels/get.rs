//! `GET /api/v1/video-channels/{name}`: one channel by name (`name` or `name@host`).

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::v1::local_name;
use crate::{ApiError, ApiState, json};

/// Answers the channel with its owner account.
pub async fn get_channel(
    State(state): State<ApiState>,
    Path(handle): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let name = local_name(&state, &handle).ok_or_else(|| ApiError::not_found("Video channel"))?;
    let pool = state.db.pool();
    let row = kinora_db::channels::find_local_by_name(pool, name)
        .await?
        .ok_or_else(|| ApiError::not_found("Video channel"))?;
    let owner = kinora_db::accounts::find_by_id(pool, row.account_id).await?;
    Ok(Json(json::channel(&state, &row, owner.as_ref())))
}
