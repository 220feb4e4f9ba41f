//! The rendition ladder: which sizes, frame rates and bitrate caps to encode, as PeerTube does.

use ffmpeg_next::Rational;
use kinora_core::transcoding::STANDARD_RESOLUTIONS;
use serde::{Deserialize, Serialize};

use crate::ProbeReport;

/// Highest output frame rate (PeerTube's default `transcoding.fps.max`).
const MAX_FPS: f64 = 60.0;

/// Below this resolution, renditions other than the source's are capped at about 30 fps.
const KEEP_ORIGIN_FPS_RESOLUTION_MIN: u32 = 720;

/// Size of the still-image video made from an audio-only upload.
pub(crate) const AUDIO_STILL: (u32, u32, f64) = (854, 480, 25.0);

/// One output rendition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rendition {
    /// PeerTube's "resolution": the smaller side of the picture, e.g. 720.
    pub resolution: u32,
    /// Output width in pixels (even).
    pub width: u32,
    /// Output height in pixels (even).
    pub height: u32,
    /// Output frame rate.
    pub fps: f64,
    /// VBV cap (x264 `maxrate`; the buffer is twice this), bits per second.
    pub max_video_bitrate: u64,
}

/// PeerTube's ladder for an input: every standard resolution strictly below the source plus
/// the source size itself (each side rounded down to even), never upscaled, largest first.
/// "Resolution" is the smaller side, so portrait video works. Frame rates follow PeerTube's
/// caps; the bitrate cap follows PeerTube's per-resolution table. Audio-only input gives one
/// still-image rendition (480p, 25 fps).
pub fn plan_ladder(report: &ProbeReport) -> Vec<Rendition> {
    plan_ladder_within(report, &STANDARD_RESOLUTIONS)
}

/// [`plan_ladder()`] with only the standard resolutions in `enabled` below the source (the
/// instance's `transcoding.resolutions`); the source size itself is always made, as PeerTube
/// does with `alwaysTranscodeOriginalResolution`. Values that are not standard resolutions are
/// ignored.
pub fn plan_ladder_within(report: &ProbeReport, enabled: &[u32]) -> Vec<Rendition> {
    let Some(video) = &report.video else {
        let (width, height, fps) = AUDIO_STILL;
        let ratio = f64::from(width) / f64::from(height);
        let max_video_bitrate = target_bitrate(height, ratio, fps, None);
        return vec![Rendition {
            resolution: height,
            width,
            height,
            fps,
            max_video_bitrate,
        }];
    };
    let (w, h) = (video.width.max(2), video.height.max(2));
    let (source_w, source_h) = (even_down(w), even_down(h));
    let source_res = source_w.min(source_h);
    let ratio = f64::from(w) / f64::from(h);
    let input_bitrate = report.bit_rate;
    let mut ladder = vec![Rendition {
        resolution: source_res,
        width: source_w,
        height: source_h,
        fps: output_fps(video.fps, source_res, true),
        max_video_bitrate: 0,
    }];
    for &res in STANDARD_RESOLUTIONS
        .iter()
        .rev()
        .filter(|&&r| r < source_res && enabled.contains(&r))
    {
        let (width, height) = if w >= h {
            (even_round(f64::from(res) * ratio).min(source_w), res)
        } else {
            (res, even_round(f64::from(res) / ratio).min(source_h))
        };
        let fps = output_fps(video.fps, res, false);
        ladder.push(Rendition {
            resolution: res,
            width,
            height,
            fps,
            max_video_bitrate: 0,
        });
    }
    for r in &mut ladder {
        r.max_video_bitrate = target_bitrate(r.resolution, ratio, r.fps, input_bitrate);
    }
    ladder
}

fn even_down(x: u32) -> u32 {
    (x & !1).max(2)
}

fn even_round(x: f64) -> u32 {
    (((x / 2.0).round() as u32) * 2).max(2)
}

/// PeerTube's frame-rate rules: renditions below 720p (other than the source size) above
/// 30 fps drop to the largest of 30/25/24 that divides the input rate (else the closest);
/// everything is capped at 60 (choosing 60 or 50 the same way) and raised to at least 1.
/// Deviation: NTSC rates are handled on their nominal value, so 59.94 gives 29.97, not 25.
pub(crate) fn output_fps(input_fps: f64, resolution: u32, is_source_size: bool) -> f64 {
    let mut fps = input_fps;
    if !is_source_size && resolution < KEEP_ORIGIN_FPS_RESOLUTION_MIN && fps > 30.0 {
        fps = closest_divisor(fps, &[30.0, 25.0, 24.0]);
    }
    fps = fps.max(1.0);
    if fps > MAX_FPS {
        fps = closest_divisor(fps, &[60.0, 50.0]);
    }
    fps
}

/// The largest candidate that divides `fps` exactly, else the one leaving the smallest
/// remainder. Candidates are in descending order.
fn closest_divisor(fps: f64, candidates: &[f64]) -> f64 {
    let (nominal, ntsc) = match ntsc_nominal(fps) {
        Some(n) => (n, true),
        None => (fps, false),
    };
    let remainder = |c: f64| nominal % c;
    let chosen = candidates
        .iter()
        .copied()
        .find(|&c| remainder(c) < 1e-6 || c - remainder(c) < 1e-6)
        .unwrap_or_else(|| {
            candidates
                .iter()
                .copied()
                .min_by(|a, b| remainder(*a).total_cmp(&remainder(*b)))
                .unwrap_or(fps)
        });
    if ntsc {
        chosen * 1000.0 / 1001.0
    } else {
        chosen
    }
}

/// For an NTSC rate such as 29.97 or 59.94, the integer rate it is 1000/1001 of.
fn ntsc_nominal(fps: f64) -> Option<f64> {
    let nominal = (fps * 1.001).round();
    let is_integer = (fps - fps.round()).abs() < 0.01;
    (!is_integer && (fps * 1.001 - nominal).abs() < 0.01).then_some(nominal)
}

/// An exact rational for a planned frame rate (integers, NTSC rates, else millihertz).
pub(crate) fn fps_rational(fps: f64) -> Rational {
    if (fps - fps.round()).abs() < 1e-3 {
        Rational::new(fps.round().max(1.0) as i32, 1)
    } else if let Some(nominal) = ntsc_nominal(fps) {
        Rational::new(nominal as i32 * 1000, 1001)
    } else {
        Rational::new((fps * 1000.0).round().max(1.0) as i32, 1000)
    }
}

/// PeerTube's average bits per pixel per resolution (the closest standard one at or below).
fn average_bits_per_pixel(resolution: u32) -> f64 {
    const TABLE: [(u32, f64); 8] = [
        (2160, 0.08),
        (1440, 0.09),
        (1080, 0.10),
        (720, 0.11),
        (480, 0.12),
        (360, 0.15),
        (240, 0.17),
        (144, 0.19),
    ];
    TABLE
        .iter()
        .find(|(r, _)| *r <= resolution)
        .map_or(0.0, |(_, bpp)| *bpp)
}

/// PeerTube's target: the theoretical average (`pixels × fps × bpp`), lowered to the input
/// bitrate plus 30 %, and never under 0.02 bits per pixel.
fn target_bitrate(resolution: u32, ratio: f64, fps: f64, input_bitrate: Option<u64>) -> u64 {
    let other_side = if ratio > 0.0 && ratio < 1.0 {
        f64::from(resolution) / ratio
    } else {
        f64::from(resolution) * ratio
    };
    let pixels_per_second = f64::from(resolution) * other_side * fps;
    let bpp = average_bits_per_pixel(resolution);
    let average = if bpp > 0.0 {
        (pixels_per_second * bpp).floor()
    } else {
        192_000.0
    };
    let floor = if bpp > 0.0 {
        (pixels_per_second * 0.02).floor()
    } else {
        10_000.0
    };
    let capped = match input_bitrate {
        Some(input) if input > 0 => average.min(input as f64 * 1.3),
        _ => average,
    };
    capped.max(floor) as u64
}

#[cfg(test)]
#[path = "ladder_tests.rs"]
mod tests;
