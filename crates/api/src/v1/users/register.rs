//! `POST /api/v1/users/register`: self-service sign-up, when the instance allows it.

use axum::extract::State;
use axum::http::StatusCode;
use kinora_app::users::{self, NewUserInput};
use kinora_core::UserRole;
use serde::Deserialize;

use crate::extract::{ClientAddress, JsonOrForm};
use crate::login_limiter::LoginKey;
use crate::{ApiError, ApiState};

/// The body of a registration.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRequest {
    username: String,
    email: String,
    password: String,
    display_name: Option<String>,
}

/// Registers a user: 204 when done; in `approval` mode the user may log in once approved;
/// 403 when registration is closed.
pub async fn register(
    State(state): State<ApiState>,
    ClientAddress(address): ClientAddress,
    JsonOrForm(request): JsonOrForm<RegisterRequest>,
) -> Result<StatusCode, ApiError> {
    // Sign-ups share the per-address login budget, so they cannot be used to spray accounts.
    state
        .login_limiter
        .check(&state.db, &LoginKey::unknown(&request.username), address)
        .await?
        .map_err(ApiError::too_many_requests)?;
    users::register(
        &state.db,
        &state.instance.current(),
        NewUserInput {
            username: request.username,
            email: request.email,
            password: request.password,
            role: UserRole::User,
            display_name: request.display_name,
        },
        None,
        &state.email_context(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
