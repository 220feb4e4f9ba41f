//! `GET /api/v1/users/me`: the caller, with its account and channels; what is below it in
//! [`subscriptions`], [`video_rating`] and [`video_quota_used`].

pub mod abuses;
pub mod avatar;
pub mod subscriptions;
pub mod video_playlists_exist;
pub mod video_quota_used;
pub mod video_rating;
pub mod videos_comments;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::extract::Auth;
use crate::json::{account, channel, iso_date};
use crate::{ApiError, ApiState};

/// Answers the caller's user in PeerTube's `MyUser` shape.
pub async fn get_me(
    State(state): State<ApiState>,
    Auth(caller): Auth,
) -> Result<Json<Value>, ApiError> {
    let db = state.db.pool();
    let user = kinora_db::users::find_by_id(db, caller.user_id)
        .await?
        .ok_or_else(ApiError::invalid_token)?;
    let owner = kinora_db::accounts::find_by_user(db, user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let channels = kinora_db::channels::list_by_account(db, owner.id).await?;
    let mut channel_values: Vec<Value> = Vec::with_capacity(channels.len());
    for row in &channels {
        channel_values.push(channel(&state, row, None).await?);
    }
    let account_value = account(&state, &owner).await?;
    let quota_used = kinora_app::quotas::used(&state.db, user.id).await?;
    Ok(Json(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "pendingEmail": null,
        "emailVerified": true,
        "emailPublic": false,
        "nsfwPolicy": "do_not_list",
        "adminFlags": 0,
        "autoPlayVideo": true,
        "autoPlayNextVideo": false,
        "autoPlayNextVideoPlaylist": true,
        "p2pEnabled": true,
        "videosHistoryEnabled": true,
        "videoLanguages": null,
        "language": null,
        "role": { "id": caller.role.id(), "label": caller.role.label() },
        "videoQuota": user.video_quota,
        "videoQuotaDaily": user.video_quota_daily,
        "videoQuotaUsed": quota_used.total,
        "videoQuotaUsedDaily": quota_used.daily,
        "theme": "instance-default",
        "account": account_value,
        "videoChannels": channel_values,
        "blocked": user.blocked != 0,
        "blockedReason": user.blocked_reason,
        "noInstanceConfigWarningModal": true,
        "noWelcomeModal": true,
        "noAccountSetupWarningModal": true,
        "createdAt": iso_date(user.created_at),
        "pluginAuth": null,
        "lastLoginDate": null,
        "twoFactorEnabled": false,
        "specialPlaylists": []
    })))
}
