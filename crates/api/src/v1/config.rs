//! `GET /api/v1/config`: the instance's public configuration, in PeerTube's shape (the web
//! client and apps read nested fields without checks, so every section is present), and its
//! neighbours [`about`] and [`custom`].

pub mod about;
pub mod custom;

use axum::Json;
use axum::extract::State;
use kinora_core::RegistrationMode;
use kinora_core::user::{PASSWORD_MAX, PASSWORD_MIN};
use serde_json::{Value, json};

use crate::ApiState;

/// The PeerTube API level Kinora speaks; clients compare it.
pub const PEERTUBE_API_VERSION: &str = "7.0.0";

/// Answers the instance configuration.
pub async fn get_config(State(state): State<ApiState>) -> Json<Value> {
    let instance = state.instance.current();
    let registration = instance.registration;
    let p2p = &state.p2p;
    Json(json!({
        "serverVersion": PEERTUBE_API_VERSION,
        "serverCommit": null,
        "software": { "name": "kinora", "version": env!("CARGO_PKG_VERSION") },
        "instance": {
            "name": instance.name,
            "shortDescription": instance.short_description,
            "isNSFW": false,
            "defaultNSFWPolicy": "do_not_list",
            "serverCountry": "",
            "defaultClientRoute": "/videos/browse",
            "support": { "text": "" },
            "social": { "externalLink": "", "mastodonLink": "", "blueskyLink": "" },
            "customizations": { "javascript": "", "css": "" },
            "avatars": [],
            "banners": []
        },
        "signup": {
            "allowed": registration != RegistrationMode::Closed,
            "allowedForCurrentIP": registration != RegistrationMode::Closed,
            "requiresEmailVerification": state.email_enabled
                && instance.signup_requires_email_verification,
            "requiresApproval": registration == RegistrationMode::Approval,
            "minimumAge": 16
        },
        "email": { "enabled": state.email_enabled },
        "contactForm": { "enabled": false },
        "user": {
            "videoQuota": instance.default_video_quota,
            "videoQuotaDaily": instance.default_video_quota_daily
        },
        "videoChannels": { "maxPerUser": instance.max_channels_per_user },
        "fieldsConstraints": {
            "users": { "password": { "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX } }
        },
        "plugin": { "registered": [], "registeredExternalAuths": [], "registeredIdAndPassAuths": [] },
        "theme": { "registered": [], "builtIn": [], "default": "default" },
        "search": {
            "remoteUri": {
                "users": state.search.remote_uri.users,
                "anonymous": state.search.remote_uri.anonymous
            },
            // Kinora has no search index client: searches are always answered here.
            "searchIndex": { "enabled": false, "url": "", "disableLocalSearch": false, "isDefaultSearch": false }
        },
        "client": {
            "videos": { "miniature": { "preferAuthorDisplayName": false }, "resumableUpload": { "maxChunkSize": null } },
            "menu": { "login": { "redirectOnSingleExternalAuth": false } }
        },
        "defaults": {
            "publish": { "downloadEnabled": true, "commentsPolicy": 1, "privacy": 1, "licence": null },
            "p2p": {
                "webapp": { "enabled": p2p.webapp_enabled && state.tracker_enabled },
                "embed": { "enabled": p2p.embed_enabled && state.tracker_enabled }
            },
            "player": { "autoPlay": instance.player_auto_play }
        },
        "federation": { "enabled": true },
        "tracker": { "enabled": state.tracker_enabled },
        "webrtc": { "stunServers": p2p.stun_servers },
        "broadcastMessage": { "enabled": false, "message": "", "level": "info", "dismissable": false },
        "homepage": { "enabled": false },
        "live": live_config(&state.live),
        "transcoding": {
            "hls": { "enabled": true },
            "web_videos": { "enabled": false },
            "enabledResolutions": instance.transcoding_resolutions,
            "profile": "default",
            "availableProfiles": ["default"],
            "remoteRunners": { "enabled": false }
        },
        "import": { "videos": { "http": { "enabled": false }, "torrent": { "enabled": false } } },
        "export": { "users": {
            "enabled": state.exports.enabled,
            "exportExpiration": state.exports.expiration_ms(),
            "maxUserVideoQuota": state.exports.max_user_video_bytes,
        } },
        "avatar": { "file": actor_image_constraints(&state) },
        "banner": { "file": actor_image_constraints(&state) }
    }))
}

/// PeerTube's `ServerConfig.live`: what the `[live]` section allows. Lives are broadcast as
/// they come in (no live transcoding yet) and have no DVR window.
fn live_config(live: &kinora_app::lives::LiveConfig) -> Value {
    json!({
        "enabled": live.enabled,
        "allowReplay": live.allow_replay,
        "latencySetting": { "enabled": live.latency_setting_enabled },
        "maxDuration": live.max_duration_ms(),
        "maxInstanceLives": live.max_instance_lives,
        "maxUserLives": live.max_user_lives,
        "transcoding": {
            "enabled": false,
            "remoteRunners": { "enabled": false },
            "enabledResolutions": [],
            "profile": "default",
            "availableProfiles": ["default"]
        },
        "rtmp": { "port": live.rtmp_listen.port() },
        "dvr": { "maxWindow": 0 }
    })
}

/// PeerTube's `FileConstraints` of avatars and banners: the size limit in force and the
/// extensions of the formats read.
fn actor_image_constraints(state: &ApiState) -> Value {
    json!({
        "size": { "max": state.upload_limits.max_image_size.min(super::users::me::avatar::MAX_CONFIGURABLE_IMAGE) },
        "extensions": [".png", ".jpeg", ".jpg", ".gif", ".webp"]
    })
}
