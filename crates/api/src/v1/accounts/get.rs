//! `GET /api/v1/accounts/{name}`: one account by name (`name` or `name@host`).

use axum::Json;
use axum::extract::{Path, State};
use kinora_db::accounts::AccountRow;
use serde_json::Value;

use crate::v1::local_name;
use crate::{ApiError, ApiState, json};

/// Finds a local account by handle, or 404.
pub(crate) async fn find_account(state: &ApiState, handle: &str) -> Result<AccountRow, ApiError> {
    let name = local_name(state, handle).ok_or_else(|| ApiError::not_found("Account"))?;
    kinora_db::accounts::find_local_by_name(state.db.pool(), name)
        .await?
        .ok_or_else(|| ApiError::not_found("Account"))
}

/// Answers the account.
pub async fn get_account(
    State(state): State<ApiState>,
    Path(handle): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = find_account(&state, &handle).await?;
    Ok(Json(json::account(&state, &row)))
}
