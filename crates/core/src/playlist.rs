//! Video playlists' rules with PeerTube's numeric ids: privacy, kind, element states and limits.

/// Who may see a playlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaylistPrivacy {
    /// Listed and visible to everyone (it must be in a channel).
    Public,
    /// Visible to anyone with the link, never listed.
    Unlisted,
    /// Visible to its owner only.
    Private,
}

impl PlaylistPrivacy {
    /// Every privacy, in PeerTube's order.
    pub const ALL: [PlaylistPrivacy; 3] = [Self::Public, Self::Unlisted, Self::Private];

    /// PeerTube's id.
    pub fn id(self) -> i64 {
        match self {
            Self::Public => 1,
            Self::Unlisted => 2,
            Self::Private => 3,
        }
    }

    /// The privacy of a PeerTube id.
    pub fn from_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// PeerTube's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Unlisted => "Unlisted",
            Self::Private => "Private",
        }
    }
}

/// A regular playlist (PeerTube's `VideoPlaylistType.REGULAR`).
pub const KIND_REGULAR: i64 = 1;
/// An account's "Watch later" playlist (`VideoPlaylistType.WATCH_LATER`).
pub const KIND_WATCH_LATER: i64 = 2;

/// PeerTube's label of a playlist kind.
pub fn kind_label(kind: i64) -> &'static str {
    if kind == KIND_WATCH_LATER {
        "Watch later"
    } else {
        "Regular"
    }
}

/// The display name of every account's "Watch later" playlist.
pub const WATCH_LATER_NAME: &str = "Watch later";

/// What an element shows (PeerTube's `VideoPlaylistElementType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementType {
    /// A video the viewer may see.
    Regular,
    /// The video was deleted.
    Deleted,
    /// The video is private to someone else.
    Private,
    /// The video is hidden for another reason (blocked, muted, not published).
    Unavailable,
}

impl ElementType {
    /// PeerTube's id.
    pub fn id(self) -> i64 {
        match self {
            Self::Regular => 0,
            Self::Deleted => 1,
            Self::Private => 2,
            Self::Unavailable => 3,
        }
    }
}

/// Most elements one playlist holds (PeerTube's cap).
pub const MAX_ELEMENTS: i64 = 5_000;
/// Display name length, characters.
pub const DISPLAY_NAME_LENGTH: (usize, usize) = (1, 120);
/// Description length, characters.
pub const DESCRIPTION_LENGTH: (usize, usize) = (3, 1000);
/// Most elements of a remote playlist stored here: the first pages up to this many are
/// fetched, the rest is left (a remote `Playlist` may announce any `totalItems`).
pub const REMOTE_ELEMENTS_MAX: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacies_round_trip_peertube_ids() {
        for privacy in PlaylistPrivacy::ALL {
            assert_eq!(PlaylistPrivacy::from_id(privacy.id()), Some(privacy));
        }
        assert_eq!(PlaylistPrivacy::from_id(4), None);
        assert_eq!(kind_label(KIND_WATCH_LATER), "Watch later");
    }
}
