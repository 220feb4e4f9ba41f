//! The `[instance]` and `[auth]` configuration sections.

use kinora_core::RegistrationMode;
use serde::{Deserialize, Serialize};

/// The `[instance]` configuration section: what the instance is and who may join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstanceConfig {
    /// The instance's name, shown to visitors and clients (`/api/v1/config` `instance.name`).
    pub name: String,
    /// One line saying what the instance is about.
    pub short_description: String,
    /// `closed` (administrators create users), `open` or `approval`.
    pub registration: RegistrationMode,
    /// Bytes of video a new user may keep (-1: unlimited).
    pub default_video_quota: i64,
    /// Bytes of video a new user may upload per day (-1: unlimited).
    pub default_video_quota_daily: i64,
    /// Most channels one user may own.
    pub max_channels_per_user: i64,
    /// E-mail address of the `root` administrator created on first start.
    pub admin_email: String,
}

impl Default for InstanceConfig {
    fn default() -> Self {
        Self {
            name: "Kinora".to_owned(),
            short_description: "A federated video platform".to_owned(),
            registration: RegistrationMode::Closed,
            default_video_quota: 10 * 1024 * 1024 * 1024,
            default_video_quota_daily: -1,
            max_channels_per_user: 20,
            admin_email: "admin@localhost.localdomain".to_owned(),
        }
    }
}

/// The `[auth]` configuration section: token lifetimes and login limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Seconds an access token works (PeerTube: one day).
    pub access_token_lifetime_secs: i64,
    /// Seconds a refresh token works (PeerTube: two weeks).
    pub refresh_token_lifetime_secs: i64,
    /// Failed or attempted logins allowed per account per `login_window_secs`.
    pub login_attempts_per_account: u32,
    /// Logins allowed per client address per `login_window_secs`.
    pub login_attempts_per_address: u32,
    /// The window of the two login limits, seconds.
    pub login_window_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_lifetime_secs: 24 * 3600,
            refresh_token_lifetime_secs: 14 * 24 * 3600,
            login_attempts_per_account: 10,
            login_attempts_per_address: 30,
            login_window_secs: 300,
        }
    }
}
