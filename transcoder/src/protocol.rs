//! What the per-job child process tells its parent: one JSON object per line on stdout; and
//! what a `run` process of `kinora serve`'s pool tells that server after each transcode
//! ([`report_to_parent`]).

use serde::{Deserialize, Serialize};

/// One line from the child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChildEvent {
    /// Share of the work done, 0.0 to 1.0.
    Progress {
        /// The share.
        value: f64,
    },
    /// Everything was written to the output directory.
    Done {
        /// What was written.
        result: ProcessResult,
    },
    /// The input is not acceptable; retrying cannot help.
    Refused {
        /// Why.
        reason: String,
    },
    /// Processing failed; a retry may help.
    Failed {
        /// Why.
        reason: String,
    },
}

/// The files a transcode produced, all inside the output directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessResult {
    /// Seconds of media.
    pub duration_secs: f64,
    /// `hls/<uuid>-master.m3u8`'s file name.
    pub master_file: String,
    /// `hls/<uuid>-segments-sha256.json`'s file name.
    pub segments_file: String,
    /// One entry per rendition.
    pub renditions: Vec<RenditionResult>,
    /// `images/<uuid>.jpg`, 280×157.
    pub thumbnail: String,
    /// `images/<uuid>.jpg`, 850×480.
    pub preview: String,
    /// The storyboard sprite sheet, when the video is long enough for one.
    pub storyboard: Option<StoryboardResult>,
}

/// One rendition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenditionResult {
    /// Smaller side, pixels (0 audio only).
    pub resolution: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Frames per second.
    pub fps: f64,
    /// `<fileUUID>-<res>-fragmented.mp4`.
    pub fragmented_file: String,
    /// `<fileUUID>-<res>.m3u8`.
    pub playlist_file: String,
    /// Bytes of the fragmented MP4.
    pub size_bytes: u64,
    /// Has an audio track.
    pub has_audio: bool,
    /// Has a video track.
    pub has_video: bool,
}

/// The storyboard sprite sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryboardResult {
    /// File name in `images/`.
    pub file: String,
    /// PeerTube's geometry fields.
    pub total_width: u32,
    /// Height of the whole sheet.
    pub total_height: u32,
    /// Width of one sprite.
    pub sprite_width: u32,
    /// Height of one sprite.
    pub sprite_height: u32,
    /// Seconds each sprite covers.
    pub sprite_duration: u32,
}

/// Tells the `kinora serve` that started this process how a transcode ended (`done` or
/// `failed`) and how long it took: one line `{"transcode_finished":{"outcome":…,"seconds":…}}`
/// on stdout, which the server turns into `kinora_transcode_duration_seconds`.
pub fn report_to_parent(outcome: &str, seconds: f64) {
    let line =
        serde_json::json!({ "transcode_finished": { "outcome": outcome, "seconds": seconds } });
    println!("{line}");
}
