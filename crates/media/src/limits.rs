//! Limits an input must respect before anything is decoded.

use serde::{Deserialize, Serialize};

/// Upper bounds checked by [`crate::probe()`] on the container's claims (before decoding) and
/// again after stream analysis. Every violation is a [`crate::MediaError::Refused`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InputLimits {
    /// Widest accepted picture (display size, after rotation).
    pub max_width: u32,
    /// Tallest accepted picture (display size, after rotation).
    pub max_height: u32,
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Longest accepted duration, in seconds.
    pub max_duration_secs: f64,
    /// Most streams of any kind (video, audio, subtitles, data…) in the container.
    pub max_streams: u32,
    /// Largest accepted file, in bytes.
    pub max_file_size: u64,
    /// Highest accepted frame rate.
    pub max_fps: f64,
}

impl Default for InputLimits {
    /// 8192 × 8192, 8192 × 4352 pixels (about 8K), 12 hours, 16 streams, 20 GiB, 240 fps.
    fn default() -> Self {
        InputLimits {
            max_width: 8192,
            max_height: 8192,
            max_pixels: 8192 * 4352,
            max_duration_secs: 12.0 * 3600.0,
            max_streams: 16,
            max_file_size: 20 * 1024 * 1024 * 1024,
            max_fps: 240.0,
        }
    }
}
