//! `POST /api/v1/users/registrations/request`: ask to join an instance that approves sign-ups.

use axum::Json;
use axum::extract::State;
use kinora_app::login_limits::LoginKey;
use kinora_app::users::{self, NewUserInput};
use kinora_core::{RegistrationMode, UserRole};
use serde::Deserialize;
use serde_json::Value;

use super::registration_json;
use crate::extract::{ClientAddress, JsonOrForm};
use crate::{ApiError, ApiState};

/// PeerTube's `UserRegistrationRequest` (its `channel` is not taken: the default channel is
/// made as for every user).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationRequest {
    username: String,
    email: String,
    password: String,
    display_name: Option<String>,
    registration_reason: String,
}

/// 200 with the `UserRegistration`; 400 when the instance does not approve sign-ups (it is
/// closed, or open: use `/users/register`) or a field is refused; 409 for a taken name or
/// address; 429 past the login limits.
pub async fn request_registration(
    State(state): State<ApiState>,
    ClientAddress(address): ClientAddress,
    JsonOrForm(request): JsonOrForm<RegistrationRequest>,
) -> Result<Json<Value>, ApiError> {
    let instance = state.instance.current();
    if instance.registration != RegistrationMode::Approval {
        return Err(ApiError::from(kinora_app::AppError::Unsupported {
            code: "registration_approval_disabled",
            message: "This instance does not take sign-up requests.".to_owned(),
        }));
    }
    state
        .login_limiter
        .check(&state.db, &LoginKey::unknown(&request.username), address)
        .await?
        .map_err(ApiError::too_many_requests)?;
    let created = users::register(
        &state.db,
        &instance,
        NewUserInput {
            username: request.username,
            email: request.email,
            password: request.password,
            role: UserRole::User,
            display_name: request.display_name,
        },
        Some(&request.registration_reason),
        &state.email_context(),
    )
    .await?;
    let user = kinora_db::users::find_by_id(state.db.pool(), created.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Registration"))?;
    Ok(Json(registration_json(&state, &user).await?))
}
