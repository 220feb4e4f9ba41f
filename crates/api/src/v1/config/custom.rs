//! `GET`/`PUT`/`DELETE /api/v1/config/custom` (administrators): the instance configuration in
//! PeerTube's `CustomConfig` shape. `PUT` changes what may change at run time — the instance's
//! texts, languages and categories (`instance.*`), registration (`signup.enabled`,
//! `signup.requiresApproval`), the default quotas (`user.videoQuota`, `user.videoQuotaDaily`),
//! `videoChannels.maxPerUser` and the resolutions new uploads are transcoded to
//! (`transcoding.resolutions`) — stored and in force at once; every other section describes
//! what Kinora does and is read-only (PeerTube's clients send the whole document back: those
//! sections are accepted and left as they are). `DELETE` goes back to the configuration file.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use kinora_app::InstanceConfig;
use kinora_app::instance_settings::{self, SettingsChange};
use kinora_core::RegistrationMode;
use kinora_core::transcoding::STANDARD_RESOLUTIONS;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// Answers the configuration in force.
pub async fn get_custom_config(
    State(state): State<ApiState>,
    Auth(user): Auth,
) -> Result<Json<Value>, ApiError> {
    user.ensure_admin("see and change the instance's configuration")?;
    Ok(Json(custom_config(&state, &state.instance.current())))
}

/// Changes the run-time settings; answers the configuration now in force.
pub async fn update_custom_config(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<CustomConfigBody>,
) -> Result<Json<Value>, ApiError> {
    // `instance_settings::update` refuses anyone but an administrator.
    let current = state.instance.current();
    let change = body.into_change(&current)?;
    let next = instance_settings::update(&state.db, &state.instance, &user, change).await?;
    Ok(Json(custom_config(&state, &next)))
}

/// Forgets the run-time changes; answers the configuration file's values.
pub async fn reset_custom_config(
    State(state): State<ApiState>,
    Auth(user): Auth,
) -> Result<Json<Value>, ApiError> {
    let next = instance_settings::reset(&state.db, &state.instance, &user).await?;
    Ok(Json(custom_config(&state, &next)))
}

/// The parts of PeerTube's `CustomConfig` Kinora changes at run time; a field left out (or
/// null) keeps its value, other sections are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CustomConfigBody {
    instance: InstanceBody,
    signup: SignupBody,
    user: UserBody,
    video_channels: ChannelsBody,
    transcoding: TranscodingBody,
    defaults: DefaultsBody,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DefaultsBody {
    player: PlayerBody,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PlayerBody {
    auto_play: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct InstanceBody {
    name: Option<String>,
    short_description: Option<String>,
    description: Option<String>,
    terms: Option<String>,
    code_of_conduct: Option<String>,
    moderation_information: Option<String>,
    administrator: Option<String>,
    creation_reason: Option<String>,
    maintenance_lifetime: Option<String>,
    business_model: Option<String>,
    hardware_information: Option<String>,
    languages: Option<Vec<String>>,
    categories: Option<Vec<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SignupBody {
    enabled: Option<bool>,
    requires_approval: Option<bool>,
    requires_email_verification: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct UserBody {
    video_quota: Option<i64>,
    video_quota_daily: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ChannelsBody {
    max_per_user: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TranscodingBody {
    /// `"240p": true`, …; a resolution left out keeps its state.
    resolutions: Option<BTreeMap<String, bool>>,
}

/// The `transcoding.resolutions` key of each standard resolution.
fn resolution_key(resolution: u32) -> String {
    format!("{resolution}p")
}

/// The resolutions in force once `asked` is applied to `current`, smallest first. `0p`
/// (PeerTube's separate audio-only rendition, which Kinora does not make) is accepted and
/// ignored; any other key that is not a standard resolution is refused.
fn chosen_resolutions(
    current: &[u32],
    asked: &BTreeMap<String, bool>,
) -> Result<Vec<u32>, ApiError> {
    if let Some(unknown) = asked.keys().find(|key| {
        key.as_str() != "0p"
            && !STANDARD_RESOLUTIONS
                .iter()
                .any(|r| resolution_key(*r) == **key)
    }) {
        return Err(ApiError::invalid_field(
            "transcoding.resolutions",
            format!("{unknown:?} is not a resolution (144p, 240p, … 2160p)"),
        ));
    }
    Ok(STANDARD_RESOLUTIONS
        .into_iter()
        .filter(|r| {
            asked
                .get(&resolution_key(*r))
                .copied()
                .unwrap_or_else(|| current.contains(r))
        })
        .collect())
}

impl CustomConfigBody {
    /// The change asked for; registration is worked out from `signup` and the current mode.
    fn into_change(self, current: &InstanceConfig) -> Result<SettingsChange, ApiError> {
        let registration = current.registration;
        let transcoding_resolutions = match &self.transcoding.resolutions {
            Some(asked) => Some(chosen_resolutions(&current.transcoding_resolutions, asked)?),
            None => None,
        };
        let enabled = self
            .signup
            .enabled
            .unwrap_or(registration != RegistrationMode::Closed);
        let approval = self
            .signup
            .requires_approval
            .unwrap_or(registration == RegistrationMode::Approval);
        let next_registration = match (enabled, approval) {
            (false, _) => RegistrationMode::Closed,
            (true, true) => RegistrationMode::Approval,
            (true, false) => RegistrationMode::Open,
        };
        let i = self.instance;
        Ok(SettingsChange {
            name: i.name,
            short_description: i.short_description,
            description: i.description,
            terms: i.terms,
            code_of_conduct: i.code_of_conduct,
            moderation_information: i.moderation_information,
            administrator: i.administrator,
            creation_reason: i.creation_reason,
            maintenance_lifetime: i.maintenance_lifetime,
            business_model: i.business_model,
            hardware_information: i.hardware_information,
            languages: i.languages,
            categories: i.categories,
            registration: Some(next_registration),
            signup_requires_email_verification: self.signup.requires_email_verification,
            default_video_quota: self.user.video_quota,
            default_video_quota_daily: self.user.video_quota_daily,
            max_channels_per_user: self.video_channels.max_per_user,
            transcoding_resolutions,
            player_auto_play: self.defaults.player.auto_play,
        })
    }
}

/// PeerTube's map of transcoding resolutions: those in `enabled` on, the others (and `0p`,
/// the separate audio-only rendition Kinora does not make) off.
fn resolutions(enabled: &[u32]) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("0p".to_owned(), Value::Bool(false));
    for resolution in STANDARD_RESOLUTIONS {
        map.insert(
            resolution_key(resolution),
            Value::Bool(enabled.contains(&resolution)),
        );
    }
    Value::Object(map)
}

/// The whole `CustomConfig` document for `instance`.
fn custom_config(state: &ApiState, instance: &InstanceConfig) -> Value {
    let registration = instance.registration;
    let p2p = &state.p2p;
    json!({
        "instance": {
            "name": instance.name,
            "shortDescription": instance.short_description,
            "description": instance.description,
            "terms": instance.terms,
            "codeOfConduct": instance.code_of_conduct,
            "creationReason": instance.creation_reason,
            "moderationInformation": instance.moderation_information,
            "administrator": instance.administrator,
            "maintenanceLifetime": instance.maintenance_lifetime,
            "businessModel": instance.business_model,
            "hardwareInformation": instance.hardware_information,
            "defaultLanguage": "en",
            "languages": instance.languages,
            "categories": instance.categories,
            "isNSFW": false,
            "defaultNSFWPolicy": "do_not_list",
            "serverCountry": "",
            "support": { "text": "" },
            "social": { "externalLink": "", "mastodonLink": "", "blueskyLink": "", "xLink": "" },
            "defaultClientRoute": "/videos/browse",
            "customizations": { "javascript": "", "css": "" }
        },
        "theme": {
            "default": "default",
            "customization": {
                "primaryColor": "", "onPrimaryColor": "", "foregroundColor": "",
                "backgroundColor": "", "backgroundSecondaryColor": "", "menuForegroundColor": "",
                "menuBackgroundColor": "", "menuBorderRadius": "", "headerForegroundColor": "",
                "headerBackgroundColor": "", "inputBorderRadius": ""
            }
        },
        "services": { "twitter": { "username": "" } },
        "client": {
            "header": { "hideInstanceName": false },
            "videos": { "miniature": { "preferAuthorDisplayName": false } },
            "browseVideos": { "defaultSort": "-publishedAt", "defaultScope": "federated" },
            "menu": { "login": { "redirectOnSingleExternalAuth": false } }
        },
        "signup": {
            "enabled": registration != RegistrationMode::Closed,
            "limit": -1,
            "requiresApproval": registration == RegistrationMode::Approval,
            "requiresEmailVerification": instance.signup_requires_email_verification,
            "minimumAge": 16
        },
        "admin": { "email": instance.admin_email },
        "email": { "body": { "signature": "" }, "subject": { "prefix": format!("[{}]", instance.name) } },
        "contactForm": { "enabled": false },
        "user": {
            "history": { "videos": { "enabled": false } },
            "videoQuota": instance.default_video_quota,
            "videoQuotaDaily": instance.default_video_quota_daily,
            "defaultChannelName": "Main $1 channel"
        },
        "videoChannels": { "maxPerUser": instance.max_channels_per_user },
        "transcoding": {
            "enabled": true,
            "originalFile": { "keep": true },
            "allowAdditionalExtensions": false,
            "allowAudioFiles": true,
            "remoteRunners": { "enabled": false },
            "threads": 0,
            "concurrency": 1,
            "profile": "default",
            "resolutions": resolutions(&instance.transcoding_resolutions),
            "alwaysTranscodeOriginalResolution": true,
            "alwaysTranscodePodcastOptimizedAudio": false,
            "fps": { "max": 60 },
            "webVideos": { "enabled": false },
            "hls": { "enabled": true, "splitAudioAndVideo": false }
        },
        "live": {
            "enabled": state.live.enabled,
            "allowReplay": state.live.allow_replay,
            "latencySetting": { "enabled": state.live.latency_setting_enabled },
            "maxDuration": state.live.max_duration_ms(),
            "maxInstanceLives": state.live.max_instance_lives,
            "maxUserLives": state.live.max_user_lives,
            "transcoding": {
                "enabled": false,
                "remoteRunners": { "enabled": false },
                "threads": 0,
                "profile": "default",
                "resolutions": resolutions(&[]),
                "alwaysTranscodeOriginalResolution": false,
                "fps": { "max": 30 }
            },
            "dvr": { "maxWindow": 0 }
        },
        "videoStudio": { "enabled": false, "remoteRunners": { "enabled": false } },
        "videoTranscription": { "enabled": false, "remoteRunners": { "enabled": false } },
        "videoFile": { "update": { "enabled": false } },
        "import": {
            "videos": { "concurrency": 1, "http": { "enabled": false }, "torrent": { "enabled": false } },
            "videoChannelSynchronization": { "enabled": false, "maxPerUser": 0 },
            "users": { "enabled": false }
        },
        "export": { "users": {
            "enabled": state.exports.enabled,
            "maxUserVideoQuota": state.exports.max_user_video_bytes,
            "exportExpiration": state.exports.expiration_ms(),
        } },
        "trending": { "videos": { "algorithms": { "enabled": ["most-viewed"], "default": "most-viewed" } } },
        "autoBlacklist": { "videos": { "ofUsers": { "enabled": state.moderation.auto_block_new_videos } } },
        "followers": {
            "instance": { "enabled": true, "manualApproval": false },
            "channels": { "enabled": true }
        },
        "followings": {
            "instance": {
                "autoFollowBack": { "enabled": false },
                "autoFollowIndex": { "enabled": false, "indexUrl": "" }
            }
        },
        "broadcastMessage": { "enabled": false, "message": "", "level": "info", "dismissable": false },
        "search": {
            "remoteUri": { "users": true, "anonymous": false },
            "searchIndex": { "enabled": false, "url": "", "disableLocalSearch": false, "isDefaultSearch": false }
        },
        "storyboards": { "enabled": true, "remoteRunners": { "enabled": false } },
        "defaults": {
            "publish": { "downloadEnabled": true, "commentsPolicy": 1, "privacy": 1, "licence": null },
            "live": { "saveReplay": false },
            "p2p": {
                "webapp": { "enabled": p2p.webapp_enabled && state.tracker_enabled },
                "embed": { "enabled": p2p.embed_enabled && state.tracker_enabled }
            },
            "player": { "theme": "galaxy", "autoPlay": instance.player_auto_play }
        },
        "videoComments": { "acceptRemoteComments": true }
    })
}
