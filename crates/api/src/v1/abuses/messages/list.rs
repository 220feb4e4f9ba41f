//! `GET /api/v1/abuses/{id}/messages`: `{total, data:[AbuseMessage]}`, oldest first.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::json::abuses::messages;
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// Answers the messages.
pub async fn list_abuse_messages(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id("id", &id)?;
    let rows = kinora_app::abuses::messages::list(&state.db, &user, id).await?;
    let data = messages(&state, &rows).await?;
    Ok(Json(json!({ "total": data.len(), "data": data })))
}
