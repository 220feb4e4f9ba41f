//! `POST /api/v1/users`: an administrator creates a user.

use axum::Json;
use axum::extract::State;
use kinora_app::users::{self, NewUserInput, UserOrigin};
use kinora_core::UserRole;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// The body of a user creation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserRequest {
    username: String,
    email: String,
    password: String,
    /// PeerTube role id; 2 (user) by default.
    #[serde(default = "default_role")]
    role: i64,
}

fn default_role() -> i64 {
    UserRole::User.id()
}

/// Creates the user with its account and default channel; answers
/// `{"user":{"id":…,"account":{"id":…}}}`.
pub async fn create_user(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    JsonOrForm(request): JsonOrForm<CreateUserRequest>,
) -> Result<Json<Value>, ApiError> {
    let role = UserRole::from_id(request.role)
        .ok_or_else(|| ApiError::invalid_field("role", "must be 0, 1 or 2"))?;
    match caller.role {
        UserRole::Admin => {}
        UserRole::Moderator if role == UserRole::User => {}
        UserRole::Moderator => {
            return Err(ApiError::forbidden(
                "You can only create users (and not administrators or moderators)",
            ));
        }
        UserRole::User => return Err(ApiError::forbidden("You cannot manage users.")),
    }
    let created = users::create_user(
        &state.db,
        &state.instance.current(),
        NewUserInput {
            username: request.username,
            email: request.email,
            password: request.password,
            role,
            display_name: None,
        },
        UserOrigin::Admin,
    )
    .await?;
    Ok(Json(json!({
        "user": { "id": created.user_id, "account": { "id": created.account_id } }
    })))
}
