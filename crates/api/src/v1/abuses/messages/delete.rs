//! `DELETE /api/v1/abuses/{id}/messages/{message_id}`: its author or a moderator deletes a
//! message; 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::extract::Auth;
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// Deletes the message.
pub async fn delete_abuse_message(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path((id, message_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id("id", &id)?;
    let message_id = parse_id("messageId", &message_id)?;
    kinora_app::abuses::messages::delete(&state.db, &user, id, message_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
