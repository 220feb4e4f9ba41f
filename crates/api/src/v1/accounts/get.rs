//! `GET /api/v1/accounts/{name}`: one account by name (`name` or `name@host`), with Kinora's
//! `movedTo` once it moved to another instance.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::{ApiError, ApiState, json};

/// Answers the account.
pub async fn get_account(
    State(state): State<ApiState>,
    Path(handle): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = crate::v1::find_account(&state, &handle).await?;
    let mut value = json::account(&state, &row).await?;
    json::add_moved_to(&state, &mut value, row.actor_id).await?;
    Ok(Json(value))
}
