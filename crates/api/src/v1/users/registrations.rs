//! `POST /api/v1/users/registrations/{id}/accept`: an administrator approves a sign-up.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_core::UserRole;

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Approves the waiting registration of user `id`; 404 when none waits.
pub async fn accept_registration(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if caller.role == UserRole::User {
        return Err(ApiError::forbidden("You cannot manage registrations."));
    }
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid_field("id", "must be a number"))?;
    if kinora_app::users::approve_registration(&state.db, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("Registration"))
    }
}
