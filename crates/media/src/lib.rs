//! Kinora's media processing: probing and validating uploads, planning the rendition ladder,
//! transcoding to PeerTube-compatible HLS (one fragmented MP4 per rendition, byte-range media
//! playlists, a master playlist and the `segments-sha256` JSON), and making the thumbnail,
//! preview and storyboard images.
//!
//! This is the only crate that links libav (through `ffmpeg-next`), and only the
//! `kinora-transcoder` binary depends on it, so a libav crash or hang can never take down the
//! server. It may depend only on `kinora-core`.
//!
//! Where to start reading:
//! - [`probe()`] (`probe.rs`): opens a local file with libav restricted to the `file` protocol
//!   and an allow-list of demuxers, then refuses anything over [`InputLimits`];
//! - [`plan_ladder()`] (`ladder.rs`): the PeerTube ladder, frame-rate caps and bitrate caps;
//! - [`transcode_to_hls()`] (`hls/mod.rs`): one decode, every rendition encoded in the same pass;
//! - [`make_images()`] (`images/mod.rs`): thumbnail, preview and storyboard.
//!
//! All `unsafe` code lives in `ffi.rs`. Every file is written only inside the output directory
//! the caller gives; the caller publishes it atomically.

mod allow;
mod ffi;
mod graph;
mod hls;
mod images;
mod input;
mod ladder;
mod limits;
pub mod live;
mod probe;
mod still;

pub use hls::{HlsOutput, HlsRequest, RenditionNames, RenditionOutput, transcode_to_hls};
pub use images::{ImageNames, ImagesOutput, StoryboardInfo, make_images};
pub use ladder::{Rendition, plan_ladder, plan_ladder_within};
pub use limits::InputLimits;
pub use probe::{AudioStreamInfo, ProbeReport, VideoStreamInfo, probe};

/// Why a media file could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The input was refused, with a clear reason. Permanent: retrying will not help.
    #[error("input refused: {0}")]
    Refused(String),
    /// The caller's cancel flag was set; partial output may remain in the output directory.
    #[error("cancelled")]
    Cancelled,
    /// Reading the input or writing the output failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// libav failed while processing an accepted input.
    #[error("media processing failed: {0}")]
    Libav(String),
}

impl MediaError {
    /// A [`MediaError::Libav`] with what was being done and libav's own message.
    pub(crate) fn libav(context: &str, err: impl std::fmt::Display) -> Self {
        MediaError::Libav(format!("{context}: {err}"))
    }
}

/// Initialises libav once per process and keeps its logging to errors only.
pub(crate) fn init_libav() -> Result<(), MediaError> {
    static INIT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| {
        ffmpeg_next::init().map_err(|e| e.to_string())?;
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Error);
        Ok(())
    })
    .clone()
    .map_err(|e| MediaError::libav("initialising libav", e))
}
