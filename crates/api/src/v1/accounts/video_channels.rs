//! `GET /api/v1/accounts/{name}/video-channels`: an account's channels.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::v1::find_account;
use crate::{ApiError, ApiState, json};

/// Answers `{total, data}` with the account's channels, oldest first.
pub async fn list_account_channels(
    State(state): State<ApiState>,
    Path(handle): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let owner = find_account(&state, &handle).await?;
    let rows = kinora_db::channels::list_by_account(state.db.pool(), owner.id).await?;
    let mut data: Vec<Value> = Vec::with_capacity(rows.len());
    for row in &rows {
        data.push(json::channel(&state, row, Some(&owner)).await?);
    }
    Ok(Json(json::list(data.len(), data)))
}
