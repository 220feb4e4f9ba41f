//! The `[instance]`, `[auth]`, `[p2p]` and `[moderation]` configuration sections.

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
    /// What the instance is, at length (Markdown; the About page).
    pub description: String,
    /// The rules users agree to (Markdown).
    pub terms: String,
    /// The code of conduct (Markdown).
    pub code_of_conduct: String,
    /// How moderation works here (Markdown).
    pub moderation_information: String,
    /// Who runs the instance (Markdown).
    pub administrator: String,
    /// Why the instance was made (Markdown).
    pub creation_reason: String,
    /// How long the administrators mean to keep it running.
    pub maintenance_lifetime: String,
    /// How it is paid for.
    pub business_model: String,
    /// The machine it runs on.
    pub hardware_information: String,
    /// Languages spoken here (codes of `/api/v1/videos/languages`).
    pub languages: Vec<String>,
    /// Subjects the instance is about (ids of `/api/v1/videos/categories`).
    pub categories: Vec<i64>,
    /// `closed` (administrators create users), `open` or `approval`.
    pub registration: RegistrationMode,
    /// New users verify their e-mail address (a link sent to it) before they may log in;
    /// applies only while e-mail is on (`[smtp]`).
    pub signup_requires_email_verification: bool,
    /// Bytes of video a new user may keep (-1: unlimited).
    pub default_video_quota: i64,
    /// Bytes of video a new user may upload per day (-1: unlimited).
    pub default_video_quota_daily: i64,
    /// Most channels one user may own.
    pub max_channels_per_user: i64,
    /// The standard resolutions (144, 240, 360, 480, 720, 1080, 1440, 2160) an upload is
    /// transcoded to below its own size; the upload's own size is always made. Takes effect
    /// for uploads queued after a change (PeerTube's `transcoding.resolutions`).
    pub transcoding_resolutions: Vec<u32>,
    /// Whether the watch page starts a video by itself for visitors and for users who never
    /// saved their own choice (PeerTube's `defaults.player.autoPlay`).
    pub player_auto_play: bool,
    /// E-mail address of the `root` administrator created on first start.
    pub admin_email: String,
}

impl Default for InstanceConfig {
    fn default() -> Self {
        Self {
            name: "Kinora".to_owned(),
            short_description: "A federated video platform".to_owned(),
            description: String::new(),
            terms: String::new(),
            code_of_conduct: String::new(),
            moderation_information: String::new(),
            administrator: String::new(),
            creation_reason: String::new(),
            maintenance_lifetime: String::new(),
            business_model: String::new(),
            hardware_information: String::new(),
            languages: Vec::new(),
            categories: Vec::new(),
            registration: RegistrationMode::Closed,
            signup_requires_email_verification: false,
            default_video_quota: 10 * 1024 * 1024 * 1024,
            default_video_quota_daily: -1,
            max_channels_per_user: 20,
            transcoding_resolutions: kinora_core::transcoding::STANDARD_RESOLUTIONS.to_vec(),
            player_auto_play: true,
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

/// The `[p2p]` configuration section: peer-to-peer sharing between viewers in the web player
/// (p2p-media-loader over the instance's WebSocket tracker), published in `/api/v1/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct P2pConfig {
    /// Whether the web app's player shares by default (each viewer may switch it either way).
    pub webapp_enabled: bool,
    /// Whether embedded players share by default (`?p2p=0` or `?p2p=1` decides per embed).
    pub embed_enabled: bool,
    /// STUN servers (`stun:` or `stuns:` URLs) browsers ask for their public address; empty:
    /// none, so no third party learns who watches, and only directly reachable peers connect.
    pub stun_servers: Vec<String>,
}

/// Most STUN servers accepted.
pub const MAX_STUN_SERVERS: usize = 16;

impl Default for P2pConfig {
    fn default() -> Self {
        Self {
            webapp_enabled: true,
            embed_enabled: true,
            stun_servers: Vec::new(),
        }
    }
}

impl P2pConfig {
    /// Checks the STUN server URLs; the error says which one is wrong and why.
    pub fn validate(&self) -> Result<(), String> {
        if self.stun_servers.len() > MAX_STUN_SERVERS {
            return Err(format!("at most {MAX_STUN_SERVERS} servers"));
        }
        for server in &self.stun_servers {
            let scheme_ok = server.starts_with("stun:") || server.starts_with("stuns:");
            let host = server.split_once(':').map_or("", |(_, rest)| rest);
            if !scheme_ok
                || host.is_empty()
                || host.starts_with('/')
                || server.len() > 256
                || server.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(format!(
                    "{server:?} must be a stun:host[:port] or stuns:host[:port] URL"
                ));
            }
        }
        Ok(())
    }
}

/// The `[moderation]` configuration section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModerationConfig {
    /// Whether new uploads of users who are not staff are blocked (PeerTube's automatic
    /// blacklist: hidden and not federated) until a moderator unblocks them.
    pub auto_block_new_videos: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(list: &[&str]) -> P2pConfig {
        P2pConfig {
            stun_servers: list.iter().map(|s| (*s).to_owned()).collect(),
            ..P2pConfig::default()
        }
    }

    #[test]
    fn stun_urls_are_checked() {
        assert!(P2pConfig::default().validate().is_ok());
        assert!(
            servers(&["stun:stun.example.org:3478", "stuns:[2001:db8::1]:5349"])
                .validate()
                .is_ok()
        );
        for bad in [
            "https://stun.example.org",
            "stun:",
            "stun://stun.example.org",
            "stun:stun.example.org 3478",
            "turn:turn.example.org",
            "",
        ] {
            let error = servers(&[bad]).validate().unwrap_err();
            assert!(error.contains("stun:host"), "{bad:?}: {error}");
        }
        let many = vec!["stun:a.example"; MAX_STUN_SERVERS + 1];
        assert!(servers(&many).validate().is_err());
        let long = format!("stun:{}", "a".repeat(300));
        assert!(servers(&[&long]).validate().is_err());
    }
}
