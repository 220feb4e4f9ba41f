//! `POST /api/v1/abuses/{id}/messages`: `{message}` (2 to 3,000 characters) →
//! `{abuseMessage:{id}}`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// The body.
#[derive(Debug, Deserialize)]
pub struct AbuseMessageBody {
    message: String,
}

/// Adds the message.
pub async fn add_abuse_message(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<AbuseMessageBody>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id("id", &id)?;
    let message_id = kinora_app::abuses::messages::add(&state.db, &user, id, &body.message).await?;
    Ok(Json(json!({ "abuseMessage": { "id": message_id } })))
}
