//! Lives: the `[live]` section (read by the server and by the RTMP ingest of
//! `kinora-transcoder`), and PeerTube's live constants.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// PeerTube's segment length for the default and high latency modes, seconds.
pub const SEGMENT_SECS: u32 = 4;
/// PeerTube's segment length for the small latency mode, seconds.
pub const SMALL_LATENCY_SEGMENT_SECS: u32 = 2;
/// Segments a live media playlist lists (PeerTube's `VIDEO_LIVE.SEGMENTS_LIST_SIZE`).
pub const PLAYLIST_SIZE: u32 = 15;
/// The RTMP application broadcasters publish to: `rtmp://host:port/live/<stream key>`.
pub const RTMP_APP: &str = "live";
/// PeerTube's latency mode that asks for short segments.
pub const LATENCY_SMALL: i64 = 3;

/// A live's master playlist.
pub const MASTER_PLAYLIST: &str = "master.m3u8";
/// A live's media playlist (its one variant, the stream as sent).
pub const MEDIA_PLAYLIST: &str = "0.m3u8";
/// A live's segment hashes, as PeerTube's players check segments from peers.
pub const SEGMENTS_SHA256: &str = "segments-sha256.json";

/// Whether `name` is one of a live's segment names (`0-000001.ts`).
pub fn is_segment_name(name: &str) -> bool {
    let Some((variant, rest)) = name.split_once('-') else {
        return false;
    };
    let Some(number) = rest.strip_suffix(".ts") else {
        return false;
    };
    !variant.is_empty()
        && variant.len() <= 2
        && variant.bytes().all(|b| b.is_ascii_digit())
        && number.len() == 6
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `name` is a file a live's directory holds and players may fetch: its playlists,
/// its segment hashes and its segments. Nothing else is ever served from it.
pub fn is_live_file_name(name: &str) -> bool {
    name == MASTER_PLAYLIST
        || name == MEDIA_PLAYLIST
        || name == SEGMENTS_SHA256
        || is_segment_name(name)
}

/// `[live]`: live streaming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Whether users may create and broadcast lives (PeerTube's `live.enabled`); the RTMP
    /// ingest runs only then.
    pub enabled: bool,
    /// Where the RTMP ingest listens.
    pub rtmp_listen: SocketAddr,
    /// The RTMP URL broadcasters are told (`rtmp://host:port/live`); by default the public
    /// URL's host with `rtmp_listen`'s port.
    pub public_rtmp_url: Option<String>,
    /// Where the RTMPS ingest (RTMP over TLS) listens, when it is on: PeerTube's 1936.
    pub rtmps_listen: SocketAddr,
    /// The RTMPS ingest's certificate chain (PEM); RTMPS is on when it and
    /// `rtmps_private_key` are set.
    pub rtmps_certificate: Option<PathBuf>,
    /// The private key of `rtmps_certificate` (PEM: PKCS #8, PKCS #1 or SEC1).
    pub rtmps_private_key: Option<PathBuf>,
    /// The RTMPS URL broadcasters are told (`rtmps://host:port/live`); by default the public
    /// URL's host with `rtmps_listen`'s port.
    pub public_rtmps_url: Option<String>,
    /// Whether a live may keep its broadcasts as videos (`saveReplay`).
    pub allow_replay: bool,
    /// Whether a live may choose its latency mode (high or small); otherwise only the default.
    pub latency_setting_enabled: bool,
    /// The longest broadcast in seconds; -1 for no limit.
    pub max_duration_secs: i64,
    /// The most lives of this instance that have not ended, at once; -1 for no limit.
    pub max_instance_lives: i64,
    /// The most lives one user may have; -1 for no limit.
    pub max_user_lives: i64,
    /// Seconds without a byte from a broadcaster before its broadcast is ended.
    pub stall_timeout_secs: u64,
    /// Seconds between a broadcast's end and its ending (PeerTube's `CLEANUP_DELAY`, five
    /// minutes): the replay becomes a video, or the segments are removed. A broadcaster who
    /// comes back within them resumes the same live and the same session.
    pub ending_delay_secs: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            rtmp_listen: SocketAddr::from(([0, 0, 0, 0], 1935)),
            public_rtmp_url: None,
            rtmps_listen: SocketAddr::from(([0, 0, 0, 0], 1936)),
            rtmps_certificate: None,
            rtmps_private_key: None,
            public_rtmps_url: None,
            allow_replay: true,
            latency_setting_enabled: true,
            max_duration_secs: -1,
            max_instance_lives: 20,
            max_user_lives: 3,
            stall_timeout_secs: 30,
            ending_delay_secs: 300,
        }
    }
}

impl LiveConfig {
    /// `max_duration_secs` in milliseconds, as PeerTube's configuration says it (`-1`: none).
    pub fn max_duration_ms(&self) -> i64 {
        if self.max_duration_secs < 0 {
            -1
        } else {
            self.max_duration_secs.saturating_mul(1000)
        }
    }

    /// `ending_delay_secs` in milliseconds.
    pub fn ending_delay_ms(&self) -> i64 {
        i64::try_from(self.ending_delay_secs)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000)
    }

    /// Whether the RTMPS ingest runs: a certificate and its key are configured.
    pub fn rtmps_enabled(&self) -> bool {
        self.rtmps_certificate.is_some() && self.rtmps_private_key.is_some()
    }

    /// Checks the RTMPS settings: a certificate and a key, both or neither, and another port
    /// than RTMP's. Answers the key at fault and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match (&self.rtmps_certificate, &self.rtmps_private_key) {
            (Some(_), None) => Err((
                "live.rtmps_private_key",
                "is needed with live.rtmps_certificate".to_owned(),
            )),
            (None, Some(_)) => Err((
                "live.rtmps_certificate",
                "is needed with live.rtmps_private_key".to_owned(),
            )),
            (Some(_), Some(_)) if self.rtmps_listen == self.rtmp_listen => Err((
                "live.rtmps_listen",
                format!("{} is rtmp_listen's address too", self.rtmps_listen),
            )),
            _ => Ok(()),
        }
    }

    /// The RTMP URL a broadcaster publishes to, before the stream key: `public_rtmp_url`, or
    /// `rtmp://<public host>:<rtmp_listen's port>/live`.
    pub fn rtmp_url(&self, public_url: &str) -> String {
        ingest_url(
            "rtmp",
            self.public_rtmp_url.as_deref(),
            public_url,
            self.rtmp_listen.port(),
        )
    }

    /// The RTMPS URL, when RTMPS is on: `public_rtmps_url`, or
    /// `rtmps://<public host>:<rtmps_listen's port>/live`.
    pub fn rtmps_url(&self, public_url: &str) -> Option<String> {
        self.rtmps_enabled().then(|| {
            ingest_url(
                "rtmps",
                self.public_rtmps_url.as_deref(),
                public_url,
                self.rtmps_listen.port(),
            )
        })
    }
}

/// An ingest's URL: the configured one, or `<scheme>://<public host>:<port>/live`.
fn ingest_url(scheme: &str, configured: Option<&str>, public_url: &str, port: u16) -> String {
    if let Some(url) = configured {
        return url.trim_end_matches('/').to_owned();
    }
    let authority = crate::urls::host_of(public_url);
    let host = match authority.strip_prefix('[') {
        Some(rest) => format!("[{}]", rest.split(']').next().unwrap_or(rest)),
        None => authority.split(':').next().unwrap_or(authority).to_owned(),
    };
    let host = if host.is_empty() {
        "localhost".to_owned()
    } else {
        host
    };
    format!("{scheme}://{host}:{port}/{RTMP_APP}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_file_names_are_peertubes_and_nothing_else() {
        for good in [
            "0-000001.ts",
            "12-123456.ts",
            "master.m3u8",
            "0.m3u8",
            "segments-sha256.json",
        ] {
            assert!(is_live_file_name(good), "{good}");
        }
        for bad in [
            "0-00001.ts",
            "../0-000001.ts",
            "0-000001.ts.tmp",
            ".master.m3u8.tmp",
            "a-000001.ts",
            "-000001.ts",
            "0-000001.mp4",
            "1.m3u8",
            "",
        ] {
            assert!(!is_live_file_name(bad), "{bad}");
        }
    }

    #[test]
    fn rtmps_is_on_with_a_certificate_and_its_key_on_its_own_port() {
        let mut config = LiveConfig::default();
        assert!(!config.rtmps_enabled());
        assert_eq!(config.rtmps_url("https://videos.example"), None);
        assert_eq!(config.check(), Ok(()));
        config.rtmps_certificate = Some(PathBuf::from("/etc/kinora/live.pem"));
        assert_eq!(config.check().unwrap_err().0, "live.rtmps_private_key");
        config.rtmps_certificate = None;
        config.rtmps_private_key = Some(PathBuf::from("/etc/kinora/live.key"));
        assert_eq!(config.check().unwrap_err().0, "live.rtmps_certificate");
        config.rtmps_certificate = Some(PathBuf::from("/etc/kinora/live.pem"));
        assert_eq!(config.check(), Ok(()));
        assert_eq!(
            config.rtmps_url("https://videos.example:8443").as_deref(),
            Some("rtmps://videos.example:1936/live")
        );
        config.public_rtmps_url = Some("rtmps://live.example/live/".to_owned());
        assert_eq!(
            config.rtmps_url("https://videos.example").as_deref(),
            Some("rtmps://live.example/live")
        );
        config.rtmps_listen = config.rtmp_listen;
        assert_eq!(config.check().unwrap_err().0, "live.rtmps_listen");
    }

    #[test]
    fn the_rtmp_url_is_the_public_host_with_the_ingest_port() {
        let config = LiveConfig {
            rtmp_listen: SocketAddr::from(([0, 0, 0, 0], 1936)),
            ..LiveConfig::default()
        };
        assert_eq!(
            config.rtmp_url("https://videos.example:8443"),
            "rtmp://videos.example:1936/live"
        );
        assert_eq!(
            config.rtmp_url("http://[::1]:9000/"),
            "rtmp://[::1]:1936/live"
        );
        assert_eq!(
            config.rtmp_url("https://videos.example"),
            "rtmp://videos.example:1936/live"
        );
        let named = LiveConfig {
            public_rtmp_url: Some("rtmp://live.example/live/".to_owned()),
            ..config
        };
        assert_eq!(
            named.rtmp_url("https://videos.example"),
            "rtmp://live.example/live"
        );
    }
}
