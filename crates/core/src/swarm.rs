//! The swarms of the web player's peer-to-peer sharing (p2p-media-loader over the WebSocket
//! tracker), named as current PeerTube names them so that viewers on Kinora and on PeerTube
//! instances watching the same video meet in the same swarm.
//!
//! One swarm per stream of a video: each rendition is a `main` stream, named by its resolution;
//! an audio-only rendition (resolution 0) is also the `secondary` (separate audio) stream. The
//! stream swarm id is PeerTube's `generateSwarmId()`:
//! `pt-<peer protocol>-<video uuid>-<main|secondary>-default-<resolution, or "default" for audio>`,
//! and the info hash announced to the tracker is p2p-media-loader's (and PeerTube's
//! `generateP2PMediaLoaderHash()`): the standard Base64 of the first 15 bytes of the SHA-1 of
//! that id, i.e. 20 ASCII characters sent as the 20-byte `info_hash`.
//!
//! Everything here is derived from the video's UUID and its resolutions, which never change
//! for a publication, so the server can store the hashes its private tracker admits and the
//! browser computes the same ids without asking.

use base64::Engine as _;
use sha1::{Digest, Sha1};

/// p2p-media-loader's peer protocol version (`PEER_PROTOCOL_VERSION` of
/// p2p-media-loader-core 2.x; PeerTube's `P2P_MEDIA_LOADER_PEER_VERSION` 2). Peers of other
/// protocol versions cannot talk to each other, so it is part of every swarm id.
pub const PEER_PROTOCOL_VERSION: &str = "v2";

/// A stream of a video in p2p-media-loader's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamType {
    /// A variant of the master playlist (video with its audio, or audio alone).
    Main,
    /// A separate audio track (`#EXT-X-MEDIA:TYPE=AUDIO`).
    Secondary,
}

impl StreamType {
    /// The word in the swarm id.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamType::Main => "main",
            StreamType::Secondary => "secondary",
        }
    }
}

/// The swarm id of one stream of a video: `pt-v2-<uuid>-<main|secondary>-default-<resolution>`,
/// with `default` in place of the resolution for audio alone (resolution 0). `video_uuid` is
/// the lowercase hyphenated UUID, as the video JSON writes it.
pub fn stream_swarm_id(video_uuid: &str, stream: StreamType, resolution: i64) -> String {
    // PeerTube keeps "default" slots for a codec name (and, for audio, a language).
    let last = if resolution > 0 {
        resolution.to_string()
    } else {
        "default".to_owned()
    };
    format!(
        "pt-{PEER_PROTOCOL_VERSION}-{video_uuid}-{}-default-{last}",
        stream.as_str()
    )
}

/// The 20-byte info hash a browser announces for a stream swarm id: the 20 ASCII characters
/// of the standard Base64 (no padding is needed) of the first 15 bytes of its SHA-1.
pub fn swarm_info_hash(stream_swarm_id: &str) -> [u8; 20] {
    let digest = Sha1::digest(stream_swarm_id.as_bytes());
    let text = base64::engine::general_purpose::STANDARD.encode(&digest[..15]);
    let mut hash = [0u8; 20];
    hash.copy_from_slice(text.as_bytes());
    hash
}

/// One swarm of a video: its stream swarm id and the info hash announced for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSwarm {
    /// The stream swarm id ([`stream_swarm_id`]).
    pub stream_swarm_id: String,
    /// Its announced info hash ([`swarm_info_hash`]).
    pub info_hash: [u8; 20],
}

impl VideoSwarm {
    /// The swarm of one stream.
    pub fn new(video_uuid: &str, stream: StreamType, resolution: i64) -> Self {
        let stream_swarm_id = stream_swarm_id(video_uuid, stream, resolution);
        let info_hash = swarm_info_hash(&stream_swarm_id);
        Self {
            stream_swarm_id,
            info_hash,
        }
    }

    /// The info hash as 40 lowercase hex digits (how trackers and the database write it).
    pub fn info_hash_hex(&self) -> String {
        self.info_hash.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The info hash as its 20 ASCII characters (what the browser sends).
    pub fn info_hash_text(&self) -> &str {
        // Base64 output is ASCII.
        std::str::from_utf8(&self.info_hash).unwrap_or_default()
    }
}

/// Every swarm of a video with renditions of these resolutions: one `main` swarm per distinct
/// resolution and, when there is an audio-only rendition (0), its `secondary` swarm too (as
/// PeerTube's `buildP2PMediaLoaderInfoHashes`).
pub fn video_swarms(video_uuid: &str, resolutions: &[i64]) -> Vec<VideoSwarm> {
    let mut distinct: Vec<i64> = resolutions.iter().copied().filter(|r| *r >= 0).collect();
    distinct.sort_unstable_by(|a, b| b.cmp(a));
    distinct.dedup();
    let mut swarms: Vec<VideoSwarm> = distinct
        .iter()
        .map(|resolution| VideoSwarm::new(video_uuid, StreamType::Main, *resolution))
        .collect();
    if distinct.contains(&0) {
        swarms.push(VideoSwarm::new(video_uuid, StreamType::Secondary, 0));
    }
    swarms
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "04af977f-4201-4697-be67-a8d8cae6fa7a";

    #[test]
    fn swarm_ids_are_peertubes() {
        assert_eq!(
            stream_swarm_id(UUID, StreamType::Main, 720),
            "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-720"
        );
        assert_eq!(
            stream_swarm_id(UUID, StreamType::Main, 0),
            "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-default"
        );
        assert_eq!(
            stream_swarm_id(UUID, StreamType::Secondary, 0),
            "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-secondary-default-default"
        );
    }

    // Expected values: p2p-media-loader-core 2.3.1's own `getStreamHash` (its dist bundle, run
    // in Node), which is what the browser announces.
    #[test]
    fn info_hashes_equal_p2p_media_loaders() {
        let cases = [
            (
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-720",
                "DxX3TzcpC9wdp5E9x8TZ",
            ),
            (
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-240",
                "C0tHHuEqZASOfRekE7LJ",
            ),
            (
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-default",
                "jY5V9FIdKIU2eYxRQy2k",
            ),
            (
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-secondary-default-default",
                "Pnkz+GKIrYdLLj5x3XRR",
            ),
            ("", "2jmj7l5rSw0yVb/vlWAY"),
            // Non-ASCII ids are hashed as UTF-8, as the browser does.
            ("é", "vxW+cXrBsIC08cRWaSgl"),
        ];
        for (id, expected) in cases {
            assert_eq!(&swarm_info_hash(id), expected.as_bytes(), "{id:?}");
        }
    }

    #[test]
    fn hex_and_text_forms() {
        let swarm = VideoSwarm::new(UUID, StreamType::Main, 720);
        assert_eq!(swarm.info_hash_text(), "DxX3TzcpC9wdp5E9x8TZ");
        assert_eq!(
            swarm.info_hash_hex(),
            "44785833547a637043397764703545397838545a"
        );
    }

    #[test]
    fn a_video_has_one_swarm_per_resolution_and_audio_has_two() {
        let swarms = video_swarms(UUID, &[240, 720, 480, 720]);
        let ids: Vec<&str> = swarms.iter().map(|s| s.stream_swarm_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-720",
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-480",
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-240",
            ]
        );
        let with_audio = video_swarms(UUID, &[480, 0]);
        let ids: Vec<&str> = with_audio
            .iter()
            .map(|s| s.stream_swarm_id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-480",
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-main-default-default",
                "pt-v2-04af977f-4201-4697-be67-a8d8cae6fa7a-secondary-default-default",
            ]
        );
        assert!(video_swarms(UUID, &[]).is_empty());
        assert!(video_swarms(UUID, &[-1]).is_empty());
    }

    #[test]
    fn different_videos_have_different_hashes() {
        let a = VideoSwarm::new(UUID, StreamType::Main, 720);
        let b = VideoSwarm::new(
            "04af977f-4201-4697-be67-a8d8cae6fa7b",
            StreamType::Main,
            720,
        );
        assert_ne!(a.info_hash, b.info_hash);
    }
}
