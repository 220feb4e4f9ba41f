//! Videos: PeerTube's state and privacy ids, short UUIDs, and the limits on what users type.

use serde::{Deserialize, Serialize};

/// A video's processing state, with PeerTube's numeric ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VideoState {
    /// Playable.
    Published,
    /// Uploaded; waiting for (or in) transcoding.
    ToTranscode,
    /// Transcoding failed for good.
    TranscodingFailed,
    /// A live that waits for its broadcaster (PeerTube's `WAITING_FOR_LIVE`).
    WaitingForLive,
    /// A live whose broadcast ended (PeerTube's `LIVE_ENDED`).
    LiveEnded,
}

impl VideoState {
    /// PeerTube's id.
    pub fn id(self) -> i64 {
        match self {
            VideoState::Published => 1,
            VideoState::ToTranscode => 2,
            VideoState::WaitingForLive => 4,
            VideoState::LiveEnded => 5,
            VideoState::TranscodingFailed => 7,
        }
    }

    /// The state of a PeerTube id, if Kinora uses it.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            1 => Some(VideoState::Published),
            2 => Some(VideoState::ToTranscode),
            4 => Some(VideoState::WaitingForLive),
            5 => Some(VideoState::LiveEnded),
            7 => Some(VideoState::TranscodingFailed),
            _ => None,
        }
    }

    /// PeerTube's label.
    pub fn label(self) -> &'static str {
        match self {
            VideoState::Published => "Published",
            VideoState::ToTranscode => "To transcode",
            VideoState::WaitingForLive => "Waiting for livestream",
            VideoState::LiveEnded => "Livestream ended",
            VideoState::TranscodingFailed => "Transcoding failed",
        }
    }
}

/// Who may see a video, with PeerTube's numeric ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Privacy {
    /// Listed and visible to everyone.
    Public,
    /// Visible to anyone with the link, never listed.
    Unlisted,
    /// Visible to its owner (and staff) only.
    Private,
    /// Visible to users of this instance.
    Internal,
}

impl Privacy {
    /// PeerTube's id.
    pub fn id(self) -> i64 {
        match self {
            Privacy::Public => 1,
            Privacy::Unlisted => 2,
            Privacy::Private => 3,
            Privacy::Internal => 4,
        }
    }

    /// The privacy of a PeerTube id (5, password-protected, is not supported).
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            1 => Some(Privacy::Public),
            2 => Some(Privacy::Unlisted),
            3 => Some(Privacy::Private),
            4 => Some(Privacy::Internal),
            _ => None,
        }
    }

    /// PeerTube's label.
    pub fn label(self) -> &'static str {
        match self {
            Privacy::Public => "Public",
            Privacy::Unlisted => "Unlisted",
            Privacy::Private => "Private",
            Privacy::Internal => "Internal",
        }
    }
}

/// Shortest video name.
pub const VIDEO_NAME_MIN: usize = 3;
/// Longest video name.
pub const VIDEO_NAME_MAX: usize = 120;
/// Longest video description.
pub const VIDEO_DESCRIPTION_MAX: usize = 10_000;
/// Most tags on a video.
pub const VIDEO_TAGS_MAX: usize = 5;
/// Shortest and longest tag.
pub const VIDEO_TAG_LENGTH: (usize, usize) = (2, 30);
/// Longest comment, in characters (PeerTube's limit).
pub const COMMENT_TEXT_MAX: usize = 10_000;
/// PeerTube's comments policy id that turns comments off.
pub const COMMENTS_POLICY_DISABLED: i64 = 2;
/// PeerTube's comments policy id that holds comments for the video owner's approval.
pub const COMMENTS_POLICY_REQUIRES_APPROVAL: i64 = 3;

const BASE58_FLICKR: &[u8; 58] = b"123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
/// Length of a short UUID.
pub const SHORT_UUID_LENGTH: usize = 22;

/// A UUID in PeerTube's short form: its 128 bits in flickr base58, padded to 22 characters.
pub fn short_uuid(uuid: &uuid::Uuid) -> String {
    let mut value = uuid.as_u128();
    let mut digits = Vec::with_capacity(SHORT_UUID_LENGTH);
    while value > 0 {
        digits.push(BASE58_FLICKR[(value % 58) as usize]);
        value /= 58;
    }
    while digits.len() < SHORT_UUID_LENGTH {
        digits.push(BASE58_FLICKR[0]);
    }
    digits.reverse();
    String::from_utf8(digits).expect("ASCII alphabet")
}

/// The UUID a short UUID stands for, if the text is one.
pub fn parse_short_uuid(text: &str) -> Option<uuid::Uuid> {
    if text.len() != SHORT_UUID_LENGTH {
        return None;
    }
    let mut value: u128 = 0;
    for byte in text.bytes() {
        let digit = BASE58_FLICKR.iter().position(|&c| c == byte)? as u128;
        value = value.checked_mul(58)?.checked_add(digit)?;
    }
    Some(uuid::Uuid::from_u128(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_uuids_round_trip_and_have_22_characters() {
        for _ in 0..200 {
            let uuid = uuid::Uuid::new_v4();
            let short = short_uuid(&uuid);
            assert_eq!(short.len(), 22);
            assert_eq!(parse_short_uuid(&short), Some(uuid));
        }
        assert_eq!(short_uuid(&uuid::Uuid::nil()), "1".repeat(22));
        assert_eq!(parse_short_uuid("0OIl"), None);
        assert_eq!(
            parse_short_uuid(&"z".repeat(22)),
            None,
            "overflows 128 bits"
        );
    }

    #[test]
    fn known_peertube_short_uuid() {
        // Computed with the npm package short-uuid 5 (what PeerTube uses), `fromUUID`.
        let uuid = uuid::Uuid::parse_str("9c9de5e8-0a1e-484a-b099-e80766180a6d").unwrap();
        assert_eq!(short_uuid(&uuid), "kkGMgK9ZtnKfYAgnEtQxbv");
        assert_eq!(
            short_uuid(&uuid::Uuid::from_u128(1)),
            "1111111111111111111112"
        );
    }

    #[test]
    fn ids_round_trip() {
        for state in [
            VideoState::Published,
            VideoState::ToTranscode,
            VideoState::TranscodingFailed,
        ] {
            assert_eq!(VideoState::from_id(state.id()), Some(state));
        }
        for privacy in [
            Privacy::Public,
            Privacy::Unlisted,
            Privacy::Private,
            Privacy::Internal,
        ] {
            assert_eq!(Privacy::from_id(privacy.id()), Some(privacy));
        }
        assert_eq!(Privacy::from_id(5), None);
    }
}
