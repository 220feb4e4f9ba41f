//! Notifications (PeerTube's `UserNotificationType` and `UserNotificationSetting`): what a user
//! is told of, and the settings that decide whether each kind reaches them on the web, by
//! e-mail, both or neither.

/// The setting bit for notifications shown in the web front end (PeerTube's `WEB`).
pub const WEB: i64 = 1;
/// The setting bit for notifications sent by e-mail (PeerTube's `EMAIL`).
pub const EMAIL: i64 = 2;

/// The kinds of notification Kinora sends, with PeerTube's type numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// A channel the user subscribes to published a video (1).
    NewVideoFromSubscription,
    /// Someone commented on the user's video (2).
    NewCommentOnMyVideo,
    /// A new report, for moderators (3).
    NewAbuseForModerators,
    /// The user's video was blocked (4).
    BlacklistOnMyVideo,
    /// The user's video was unblocked (5).
    UnblacklistOnMyVideo,
    /// The user's video was published (6).
    MyVideoPublished,
    /// Someone signed up, for moderators (9).
    NewUserRegistration,
    /// Someone follows the user's account or channel (10).
    NewFollow,
    /// Someone answered or named the user in a comment (11).
    CommentMention,
    /// Another instance follows this one, for administrators (13).
    NewInstanceFollower,
    /// A report of the user's changed state (15).
    AbuseStateChange,
    /// A new message on a report (16).
    AbuseNewMessage,
    /// Someone asked to sign up, for moderators (20).
    NewUserRegistrationRequest,
}

impl NotificationKind {
    /// Every kind, in PeerTube's order.
    pub const ALL: [NotificationKind; 13] = [
        NotificationKind::NewVideoFromSubscription,
        NotificationKind::NewCommentOnMyVideo,
        NotificationKind::NewAbuseForModerators,
        NotificationKind::BlacklistOnMyVideo,
        NotificationKind::UnblacklistOnMyVideo,
        NotificationKind::MyVideoPublished,
        NotificationKind::NewUserRegistration,
        NotificationKind::NewFollow,
        NotificationKind::CommentMention,
        NotificationKind::NewInstanceFollower,
        NotificationKind::AbuseStateChange,
        NotificationKind::AbuseNewMessage,
        NotificationKind::NewUserRegistrationRequest,
    ];

    /// PeerTube's type number.
    pub fn id(self) -> i64 {
        match self {
            NotificationKind::NewVideoFromSubscription => 1,
            NotificationKind::NewCommentOnMyVideo => 2,
            NotificationKind::NewAbuseForModerators => 3,
            NotificationKind::BlacklistOnMyVideo => 4,
            NotificationKind::UnblacklistOnMyVideo => 5,
            NotificationKind::MyVideoPublished => 6,
            NotificationKind::NewUserRegistration => 9,
            NotificationKind::NewFollow => 10,
            NotificationKind::CommentMention => 11,
            NotificationKind::NewInstanceFollower => 13,
            NotificationKind::AbuseStateChange => 15,
            NotificationKind::AbuseNewMessage => 16,
            NotificationKind::NewUserRegistrationRequest => 20,
        }
    }

    /// The kind of PeerTube's type number `id`, when Kinora sends it.
    pub fn from_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == id)
    }

    /// The setting that decides whether the user gets it ([`SETTINGS`]).
    pub fn setting(self) -> &'static str {
        match self {
            NotificationKind::NewVideoFromSubscription => "newVideoFromSubscription",
            NotificationKind::NewCommentOnMyVideo => "newCommentOnMyVideo",
            NotificationKind::NewAbuseForModerators => "abuseAsModerator",
            NotificationKind::BlacklistOnMyVideo | NotificationKind::UnblacklistOnMyVideo => {
                "blacklistOnMyVideo"
            }
            NotificationKind::MyVideoPublished => "myVideoPublished",
            NotificationKind::NewUserRegistration
            | NotificationKind::NewUserRegistrationRequest => "newUserRegistration",
            NotificationKind::NewFollow => "newFollow",
            NotificationKind::CommentMention => "commentMention",
            NotificationKind::NewInstanceFollower => "newInstanceFollower",
            NotificationKind::AbuseStateChange => "abuseStateChange",
            NotificationKind::AbuseNewMessage => "abuseNewMessage",
        }
    }
}

/// PeerTube's notification settings with their defaults (a sum of [`WEB`] and [`EMAIL`]), in
/// the order of its `UserNotificationSetting`. Some name kinds Kinora never sends (imports,
/// plugins, studio editions, transcriptions); they are kept and shown as PeerTube clients
/// expect them.
pub const SETTINGS: [(&str, i64); 18] = [
    ("abuseAsModerator", WEB | EMAIL),
    ("videoAutoBlacklistAsModerator", WEB | EMAIL),
    ("newUserRegistration", WEB),
    ("newVideoFromSubscription", WEB),
    ("blacklistOnMyVideo", WEB | EMAIL),
    ("myVideoPublished", WEB),
    ("myVideoImportFinished", WEB),
    ("commentMention", WEB),
    ("newCommentOnMyVideo", WEB),
    ("newFollow", WEB),
    ("newInstanceFollower", WEB),
    ("autoInstanceFollowing", WEB),
    ("abuseStateChange", WEB),
    ("abuseNewMessage", WEB),
    ("newPeerTubeVersion", WEB | EMAIL),
    ("newPluginVersion", WEB),
    ("myVideoStudioEditionFinished", WEB),
    ("myVideoTranscriptionGenerated", WEB),
];

/// The default value of setting `name`, when it is one of [`SETTINGS`].
pub fn default_setting(name: &str) -> Option<i64> {
    SETTINGS
        .iter()
        .find(|(setting, _)| *setting == name)
        .map(|(_, value)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_each_has_a_setting() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::from_id(kind.id()), Some(kind));
            assert!(default_setting(kind.setting()).is_some(), "{kind:?}");
        }
        assert_eq!(NotificationKind::from_id(7), None);
        assert_eq!(default_setting("newFollow"), Some(WEB));
        assert_eq!(default_setting("nothing"), None);
    }
}
