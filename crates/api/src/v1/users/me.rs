//! `GET /api/v1/users/me`: the caller, with its account, channels and settings; `PUT` changes
//! them (`kinora_app::user_settings`); what is below it in [`subscriptions`], [`history`],
//! [`video_rating`] and [`video_quota_used`].

pub mod abuses;
pub mod avatar;
pub mod history;
pub mod notifications;
pub mod subscriptions;
pub mod video_playlists_exist;
pub mod video_quota_used;
pub mod video_rating;
pub mod videos_comments;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kinora_app::login_limits::LoginKey;
use kinora_app::user_settings::SettingsChange;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, ClientAddress, JsonOrForm};
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
    // `MyUser` holds PeerTube's `UserVideoChannel`s: channels with their owner's id.
    let mut channel_values: Vec<Value> = Vec::with_capacity(channels.len());
    for row in &channels {
        let mut value = channel(&state, row, None).await?;
        value["ownerAccountId"] = json!(owner.id);
        channel_values.push(value);
    }
    let account_value = account(&state, &owner).await?;
    let quota_used = kinora_app::quotas::used(&state.db, user.id).await?;
    let settings =
        kinora_app::user_settings::find(&state.db, user.id, &state.instance.current()).await?;
    let notification_settings = notifications::settings_json(&state, user.id).await?;
    Ok(Json(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "pendingEmail": user.pending_email,
        "emailVerified": user.email_verified != 0,
        "emailPublic": settings.email_public,
        "nsfwPolicy": settings.nsfw_policy.as_str(),
        "nsfwFlagsDisplayed": 0,
        "nsfwFlagsHidden": 0,
        "nsfwFlagsWarned": 0,
        "nsfwFlagsBlurred": 0,
        "adminFlags": 0,
        "autoPlayVideo": settings.auto_play_video,
        "autoPlayNextVideo": settings.auto_play_next_video,
        "autoPlayNextVideoPlaylist": settings.auto_play_next_video_playlist,
        "p2pEnabled": settings.p2p_enabled,
        "videosHistoryEnabled": settings.videos_history_enabled,
        "videoLanguages": settings.video_languages,
        "language": settings.language,
        "role": { "id": caller.role.id(), "label": caller.role.label() },
        "videoQuota": user.video_quota,
        "videoQuotaDaily": user.video_quota_daily,
        "videoQuotaUsed": quota_used.total,
        "videoQuotaUsedDaily": quota_used.daily,
        "theme": settings.theme,
        "notificationSettings": notification_settings,
        "account": account_value,
        "videoChannels": channel_values,
        "blocked": user.blocked != 0,
        "blockedReason": user.blocked_reason,
        "noInstanceConfigWarningModal": settings.no_instance_config_warning_modal,
        "noWelcomeModal": settings.no_welcome_modal,
        "noAccountSetupWarningModal": settings.no_account_setup_warning_modal,
        "createdAt": iso_date(user.created_at),
        "pluginAuth": null,
        "lastLoginDate": null,
        "twoFactorEnabled": false,
        "specialPlaylists": []
    })))
}

/// The body of `PUT /api/v1/users/me` (PeerTube's `UserUpdateMe`); absent fields are kept.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMeRequest {
    display_name: Option<String>,
    description: Option<String>,
    nsfw_policy: Option<String>,
    #[serde(rename = "displayNSFW")]
    display_nsfw: Option<String>,
    p2p_enabled: Option<bool>,
    auto_play_video: Option<bool>,
    auto_play_next_video: Option<bool>,
    auto_play_next_video_playlist: Option<bool>,
    videos_history_enabled: Option<bool>,
    video_languages: Option<Vec<String>>,
    language: Option<String>,
    theme: Option<String>,
    email_public: Option<bool>,
    no_instance_config_warning_modal: Option<bool>,
    no_welcome_modal: Option<bool>,
    no_account_setup_warning_modal: Option<bool>,
    password: Option<String>,
    email: Option<String>,
    current_password: Option<String>,
}

/// Changes the caller's settings, profile, password or e-mail address; answers 204. A wrong
/// current password counts as a failed login (the same limits apply).
pub async fn update_me(
    State(state): State<ApiState>,
    Auth(caller): Auth,
    ClientAddress(address): ClientAddress,
    JsonOrForm(request): JsonOrForm<UpdateMeRequest>,
) -> Result<StatusCode, ApiError> {
    let change = SettingsChange {
        display_name: request.display_name,
        description: request.description,
        nsfw_policy: request.nsfw_policy.or(request.display_nsfw),
        p2p_enabled: request.p2p_enabled,
        auto_play_video: request.auto_play_video,
        auto_play_next_video: request.auto_play_next_video,
        auto_play_next_video_playlist: request.auto_play_next_video_playlist,
        videos_history_enabled: request.videos_history_enabled,
        video_languages: request.video_languages,
        language: request.language,
        theme: request.theme,
        email_public: request.email_public,
        no_instance_config_warning_modal: request.no_instance_config_warning_modal,
        no_welcome_modal: request.no_welcome_modal,
        no_account_setup_warning_modal: request.no_account_setup_warning_modal,
        password: request.password,
        email: request.email,
        current_password: request.current_password,
    };
    if change.needs_current_password() && change.current_password.is_some() {
        state
            .login_limiter
            .check(&state.db, &LoginKey::Account(caller.user_id), address)
            .await?
            .map_err(ApiError::too_many_requests)?;
    }
    let email = state.email_context();
    let instance = state.instance.current();
    let verify_new_email =
        (email.enabled && instance.signup_requires_email_verification).then_some(&email);
    let updated =
        kinora_app::user_settings::update(&state.db, &instance, &caller, change, verify_new_email)
            .await?;
    if updated.history_turned_off {
        state.history.forget(caller.user_id, None);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the caller's own user with their account, channels, videos and comments; other
/// instances are told the actors are gone. 204; `root` cannot (400).
pub async fn delete_me(
    State(state): State<ApiState>,
    Auth(caller): Auth,
) -> Result<StatusCode, ApiError> {
    kinora_app::user_bans::delete_own_account(&state.db, &state.storage, &caller).await?;
    state.history.forget(caller.user_id, None);
    Ok(StatusCode::NO_CONTENT)
}
