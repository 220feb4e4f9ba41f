//! `POST /api/v1/users/{id}/verify-email` (and PeerTube's
//! `/api/v1/users/registrations/{registrationId}/verify-email`): uses a verification link.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::JsonOrForm;
use crate::{ApiError, ApiState};

/// PeerTube's body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyEmailBody {
    verification_string: String,
    #[serde(default)]
    is_pending_email: Option<serde_json::Value>,
}

/// `isPendingEmail`: a boolean in JSON, `true`/`false` in a form.
fn pending(value: Option<&serde_json::Value>) -> Result<bool, ApiError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(false),
        Some(serde_json::Value::Bool(flag)) => Ok(*flag),
        Some(serde_json::Value::String(text)) if text == "true" || text == "1" => Ok(true),
        Some(serde_json::Value::String(text)) if text == "false" || text == "0" => Ok(false),
        Some(_) => Err(ApiError::invalid_field(
            "isPendingEmail",
            "must be a boolean",
        )),
    }
}

/// 204 once verified (with `isPendingEmail`, the new address replaces the old); 403 for a
/// wrong, used or expired link; 404 for an unknown user; 409 when the new address was taken
/// meanwhile.
pub async fn verify_email(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<VerifyEmailBody>,
) -> Result<StatusCode, ApiError> {
    let id = crate::v1::pagination::parse_id("id", &id)?;
    let pending = pending(body.is_pending_email.as_ref())?;
    kinora_app::emails::verify_email(&state.db, id, &body.verification_string, pending).await?;
    Ok(StatusCode::NO_CONTENT)
}
