//! What this instance keeps of a remote video's renditions (stored as JSON in
//! `remote_video_media.files`, written by federation, read by the REST API).

use serde::{Deserialize, Serialize};

/// One rendition of a remote video, as its origin announced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteFile {
    /// Smaller side in pixels (0 for audio only).
    pub resolution: i64,
    /// Width, when given.
    pub width: Option<i64>,
    /// Height, when given.
    pub height: Option<i64>,
    /// Frames per second, when given.
    pub fps: Option<f64>,
    /// Bytes.
    pub size: i64,
    /// The fragmented MP4 on the origin.
    pub file_url: String,
    /// Its media playlist on the origin, when known.
    pub playlist_url: Option<String>,
    /// Its torrent on the origin.
    pub torrent_url: Option<String>,
    /// Its magnet.
    pub magnet_uri: Option<String>,
}

/// Parses `remote_video_media.files`; bad JSON reads as no files.
pub fn parse_files(json: &str) -> Vec<RemoteFile> {
    serde_json::from_str(json).unwrap_or_default()
}
