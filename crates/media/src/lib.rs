//! Kinora's media processing: probing, the rendition ladder, encoding and HLS packaging.
//!
//! This is the only crate that will link libav (ffmpeg-next), and only the `kinora-transcoder`
//! binary depends on it, so a libav crash or hang can never take down the server. Depends only on
//! `kinora-core`. The transcoding work lands here with the upload-and-transcoding issue; today
//! the crate holds its error type so the layout and dependency rules are in place.

/// Why a media file could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The input was refused before decoding, with the reason.
    #[error("input refused: {0}")]
    Refused(String),
}
