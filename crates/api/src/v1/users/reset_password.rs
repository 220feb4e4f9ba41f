//! `POST /api/v1/users/{id}/reset-password`: sets a new password with the link's secret.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::extract::JsonOrForm;
use crate::{ApiError, ApiState};

/// PeerTube's body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordBody {
    verification_string: String,
    password: String,
}

/// 204 once the password is changed (every session of the user ends); 403 for a wrong, used
/// or expired link; 400 for a password that breaks the rules; 404 for an unknown user.
pub async fn reset_password(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    JsonOrForm(body): JsonOrForm<ResetPasswordBody>,
) -> Result<StatusCode, ApiError> {
    let id = crate::v1::pagination::parse_id("id", &id)?;
    kinora_app::emails::reset_password(&state.db, id, &body.verification_string, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
