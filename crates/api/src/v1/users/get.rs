//! `GET /api/v1/users/{id}`: one user in PeerTube's `User` shape, for staff; also the shape
//! [`user_json`] the user list uses.

use axum::Json;
use axum::extract::{Path, State};
use kinora_core::UserRole;
use kinora_db::users::UserRow;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::json::{account, channel, iso_date};
use crate::v1::pagination::parse_id;
use crate::{ApiError, ApiState};

/// Refuses (403) a caller who is not staff.
pub(crate) fn ensure_staff(caller: &kinora_app::auth::AuthenticatedUser) -> Result<(), ApiError> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "User does not have the right to manage users.",
        ))
    }
}

/// A user as PeerTube's admin routes show it: with `blocked` and `blockedReason`, their
/// account and channels.
pub(crate) async fn user_json(state: &ApiState, user: &UserRow) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let role = UserRole::from_id(user.role).unwrap_or(UserRole::User);
    let owner = kinora_db::accounts::find_by_user(pool, user.id).await?;
    let (account_value, channel_values) = match &owner {
        Some(owner) => {
            let channels = kinora_db::channels::list_by_account(pool, owner.id).await?;
            let mut values = Vec::with_capacity(channels.len());
            for row in &channels {
                values.push(channel(state, row, None).await?);
            }
            (account(state, owner).await?, values)
        }
        None => (Value::Null, Vec::new()),
    };
    Ok(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "pendingEmail": user.pending_email,
        "emailVerified": user.email_verified != 0,
        "emailPublic": false,
        "role": { "id": role.id(), "label": role.label() },
        "adminFlags": 0,
        "videoQuota": user.video_quota,
        "videoQuotaDaily": user.video_quota_daily,
        "account": account_value,
        "videoChannels": channel_values,
        "blocked": user.blocked != 0,
        "blockedReason": user.blocked_reason,
        "pluginAuth": null,
        "lastLoginDate": null,
        "twoFactorEnabled": false,
        "createdAt": iso_date(user.created_at),
    }))
}

/// Answers the user (staff only); 404 when there is none.
pub async fn get_user(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    ensure_staff(&caller)?;
    let id = parse_id("id", &id)?;
    let user = kinora_db::users::find_by_id(state.db.pool(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("User"))?;
    Ok(Json(user_json(&state, &user).await?))
}
