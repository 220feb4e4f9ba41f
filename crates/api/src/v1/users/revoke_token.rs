//! `POST /api/v1/users/revoke-token`: logs out.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Revokes the caller's token (and every token of the same login); answers `{"success":true}`.
pub async fn revoke_token(
    State(state): State<ApiState>,
    Auth(user): Auth,
) -> Result<Json<Value>, ApiError> {
    kinora_app::auth::revoke(&state.db, &user).await?;
    Ok(Json(json!({ "success": true })))
}
