//! The renditions of a remote video as Kinora stores them (`remote_video_media.files`, a JSON
//! array of [`RemoteFile`]) and serves them in the REST API.

use serde::{Deserialize, Serialize};

/// One rendition of a remote video, on its origin (camelCase JSON, as the REST API names the
/// same fields of a local file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteFile {
    /// PeerTube's resolution: the smaller side for video (0 for audio only).
    pub resolution: i64,
    /// Pixels, when the origin says.
    pub width: Option<i64>,
    /// Pixels (0 for audio only).
    pub height: i64,
    /// Frames per second, when the origin says.
    pub fps: Option<f64>,
    /// Bytes.
    pub size: i64,
    /// `video/mp4`, `audio/mp4`, `video/webm` or `video/ogg`.
    pub media_type: String,
    /// The file (a fragmented MP4 of the HLS playlist, or a web video file).
    pub file_url: String,
    /// Its HLS media playlist (`<name>.m3u8` beside `<name>-fragmented.mp4`), for HLS files.
    pub playlist_url: Option<String>,
    /// Its torrent.
    pub torrent_url: Option<String>,
    /// Its magnet link.
    pub magnet_uri: Option<String>,
    /// Its ffprobe metadata.
    pub metadata_url: Option<String>,
    /// Whether it has sound.
    pub has_audio: bool,
    /// Whether it has pictures.
    pub has_video: bool,
}

impl RemoteFile {
    /// The JSON stored in `remote_video_media.files` for `files`.
    pub fn to_json(files: &[RemoteFile]) -> String {
        serde_json::to_string(files).unwrap_or_else(|_| "[]".to_owned())
    }

    /// The files stored as `json` (none when it is not such a list).
    pub fn from_json(json: &str) -> Vec<RemoteFile> {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// The media playlist beside a fragmented MP4, by PeerTube's (and Kinora's) naming:
/// `…/<uuid>-<res>-fragmented.mp4` → `…/<uuid>-<res>.m3u8`.
pub fn media_playlist_of(file_url: &str) -> Option<String> {
    let stem = file_url.strip_suffix("-fragmented.mp4")?;
    Some(format!("{stem}.m3u8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_through_their_stored_json() {
        let file = RemoteFile {
            resolution: 720,
            width: Some(1280),
            height: 720,
            fps: Some(30.0),
            size: 1234,
            media_type: "video/mp4".into(),
            file_url: "https://v.example/a-720-fragmented.mp4".into(),
            playlist_url: media_playlist_of("https://v.example/a-720-fragmented.mp4"),
            torrent_url: None,
            magnet_uri: None,
            metadata_url: None,
            has_audio: true,
            has_video: true,
        };
        assert_eq!(
            file.playlist_url.as_deref(),
            Some("https://v.example/a-720.m3u8")
        );
        let json = RemoteFile::to_json(std::slice::from_ref(&file));
        assert!(json.contains("\"fileUrl\""), "{json}");
        assert_eq!(RemoteFile::from_json(&json), vec![file]);
        assert!(RemoteFile::from_json("not json").is_empty());
        assert_eq!(media_playlist_of("https://v.example/a.mp4"), None);
    }
}
