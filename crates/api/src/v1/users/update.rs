//! `PUT /api/v1/users/{id}`: staff change a user's role, quotas, e-mail address or password
//! (`kinora_app::user_admin`); 204.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kinora_app::user_admin::UserEdit;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// PeerTube's `UpdateUser`; absent fields are kept. Its `adminFlags` and `pluginAuth` are
/// ignored (there are no admin flags or plugins).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserRequest {
    role: Option<i64>,
    video_quota: Option<i64>,
    video_quota_daily: Option<i64>,
    email: Option<String>,
    password: Option<String>,
    email_verified: Option<bool>,
}

/// Applies the change.
pub async fn update_user(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    JsonOrForm(request): JsonOrForm<UpdateUserRequest>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id("id", &id)?;
    kinora_app::user_admin::edit_user(
        &state.db,
        &caller,
        id,
        UserEdit {
            role: request.role,
            video_quota: request.video_quota,
            video_quota_daily: request.video_quota_daily,
            email: request.email,
            password: request.password,
            email_verified: request.email_verified,
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
