//! A user's own settings (PeerTube's `UserUpdateMe` fields): how NSFW videos are shown, the
//! player's habits, the languages they watch, the theme, and whether history is kept.

use serde::{Deserialize, Serialize};

/// How a user sees videos marked NSFW (PeerTube's `NSFWPolicyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NsfwPolicy {
    /// Shown like any other.
    Display,
    /// Shown with a blurred thumbnail.
    Blur,
    /// Shown behind a warning.
    Warn,
    /// Left out of lists.
    DoNotList,
}

impl NsfwPolicy {
    /// Every policy, in PeerTube's order.
    pub const ALL: [NsfwPolicy; 4] = [
        NsfwPolicy::Display,
        NsfwPolicy::Blur,
        NsfwPolicy::Warn,
        NsfwPolicy::DoNotList,
    ];

    /// PeerTube's name (`do_not_list`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            NsfwPolicy::Display => "display",
            NsfwPolicy::Blur => "blur",
            NsfwPolicy::Warn => "warn",
            NsfwPolicy::DoNotList => "do_not_list",
        }
    }

    /// The policy PeerTube calls `name`; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|policy| policy.as_str() == name)
    }

    /// The policy of PeerTube's older `displayNSFW` value (`true`, `false`, `both`).
    pub fn from_display_nsfw(value: &str) -> Option<Self> {
        match value {
            "true" => Some(NsfwPolicy::Display),
            "both" => Some(NsfwPolicy::Blur),
            "false" => Some(NsfwPolicy::DoNotList),
            _ => None,
        }
    }
}

/// Longest theme name accepted.
pub const THEME_MAX: usize = 100;
/// Most languages a user may list in `videoLanguages` (PeerTube's limit).
pub const VIDEO_LANGUAGES_MAX: usize = 20;
/// The theme name that means "whatever the instance uses".
pub const INSTANCE_DEFAULT_THEME: &str = "instance-default";

/// A user's settings as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPreferences {
    /// How NSFW videos are shown.
    pub nsfw_policy: NsfwPolicy,
    /// Whether the player shares segments with other viewers.
    pub p2p_enabled: bool,
    /// Whether videos start playing when their page opens.
    pub auto_play_video: bool,
    /// Whether the next suggested video follows when one ends.
    pub auto_play_next_video: bool,
    /// Whether the next video of a playlist follows when one ends.
    pub auto_play_next_video_playlist: bool,
    /// Whether the videos watched and where they stopped are kept.
    pub videos_history_enabled: bool,
    /// The languages of the videos wanted (`None`: every language).
    pub video_languages: Option<Vec<String>>,
    /// The interface language (`None`: the browser's).
    pub language: Option<String>,
    /// The theme's name, or [`INSTANCE_DEFAULT_THEME`].
    pub theme: String,
    /// Whether other users may see the e-mail address.
    pub email_public: bool,
    /// The administrator dismissed the configuration warning.
    pub no_instance_config_warning_modal: bool,
    /// The welcome dialog was dismissed.
    pub no_welcome_modal: bool,
    /// The account setup warning was dismissed.
    pub no_account_setup_warning_modal: bool,
}

impl UserPreferences {
    /// The settings of a user who never changed any, on an instance whose default NSFW policy
    /// is `nsfw_policy`.
    pub fn defaults(nsfw_policy: NsfwPolicy) -> Self {
        UserPreferences {
            nsfw_policy,
            p2p_enabled: true,
            auto_play_video: true,
            auto_play_next_video: false,
            auto_play_next_video_playlist: true,
            videos_history_enabled: true,
            video_languages: None,
            language: None,
            theme: INSTANCE_DEFAULT_THEME.to_owned(),
            email_public: false,
            no_instance_config_warning_modal: false,
            no_welcome_modal: false,
            no_account_setup_warning_modal: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip_through_peertube_names() {
        for policy in NsfwPolicy::ALL {
            assert_eq!(NsfwPolicy::parse(policy.as_str()), Some(policy));
        }
        assert_eq!(NsfwPolicy::parse("hide"), None);
        assert_eq!(
            NsfwPolicy::from_display_nsfw("false"),
            Some(NsfwPolicy::DoNotList)
        );
        assert_eq!(NsfwPolicy::from_display_nsfw("maybe"), None);
    }
}
