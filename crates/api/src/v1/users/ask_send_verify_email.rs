//! `POST /api/v1/users/ask-send-verify-email` (and PeerTube's
//! `/api/v1/users/registrations/ask-send-verify-email`: a registration request is a user
//! waiting for approval here): e-mails a new verification link.

use axum::extract::State;
use axum::http::StatusCode;

use super::ask_reset_password::{AskByEmail, check_and_spend};
use crate::extract::{ClientAddress, JsonOrForm};
use crate::{ApiError, ApiState};

/// 204 whether or not an account waits with this address; 400 for a malformed address or when
/// the instance sends no e-mail; 429 past the login limits.
pub async fn ask_send_verify_email(
    State(state): State<ApiState>,
    ClientAddress(address): ClientAddress,
    JsonOrForm(body): JsonOrForm<AskByEmail>,
) -> Result<StatusCode, ApiError> {
    check_and_spend(&state, address, &body.email).await?;
    kinora_app::emails::ask_verify_email(&state.db, &state.email_context(), &body.email).await?;
    Ok(StatusCode::NO_CONTENT)
}
