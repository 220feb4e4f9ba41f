//! `POST /api/v1/users/ask-reset-password`: e-mails a password-reset link.

use axum::extract::State;
use axum::http::StatusCode;
use kinora_app::login_limits::LoginKey;
use serde::Deserialize;

use crate::extract::{ClientAddress, JsonOrForm};
use crate::{ApiError, ApiState};

/// PeerTube's body: the account's address.
#[derive(Debug, Deserialize)]
pub struct AskByEmail {
    /// The address.
    pub email: String,
}

/// 204 whether or not an account has the address (nothing tells who has one); 400 for a
/// malformed address, or when the instance sends no e-mail; 429 past the login limits (each
/// request spends the client's and the address's budget, so nobody floods a mailbox).
pub async fn ask_reset_password(
    State(state): State<ApiState>,
    ClientAddress(address): ClientAddress,
    JsonOrForm(body): JsonOrForm<AskByEmail>,
) -> Result<StatusCode, ApiError> {
    check_and_spend(&state, address, &body.email).await?;
    kinora_app::emails::ask_reset_password(&state.db, &state.email_context(), &body.email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses when the instance sends no e-mail and a malformed address, then spends one attempt
/// of the client's and the address's login budgets.
pub(crate) async fn check_and_spend(
    state: &ApiState,
    address: Option<std::net::IpAddr>,
    email: &str,
) -> Result<(), ApiError> {
    if !state.email_enabled {
        return Err(ApiError::from(kinora_app::AppError::Unsupported {
            code: "email_disabled",
            message: "This instance does not send e-mail.".to_owned(),
        }));
    }
    if !kinora_core::user::is_plausible_email(email.trim()) {
        return Err(ApiError::invalid_field(
            "email",
            "must be an e-mail address",
        ));
    }
    state
        .login_limiter
        .check(&state.db, &LoginKey::unknown(email), address)
        .await?
        .map_err(ApiError::too_many_requests)
}
