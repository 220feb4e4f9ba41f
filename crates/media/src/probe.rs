//! Probing and validating an upload before anything is transcoded.
//!
//! Order of checks: the file itself (regular file, size), then what the container header
//! claims (stream count, picture sizes, duration) before libav decodes anything, then the same
//! limits again plus codecs and frame rate after libav's stream analysis (run with every
//! decoder capped at `max_pixels`).

use std::path::Path;

use ffmpeg_next::format::context::Input;
use ffmpeg_next::{Rational, media};
use serde::{Deserialize, Serialize};

use crate::input::{self, Selection};
use crate::{InputLimits, MediaError, ffi};

/// What [`probe()`] learned about an accepted input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// libav's demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`.
    pub format_name: String,
    /// Duration in seconds (from the container, or measured by reading it when not declared).
    pub duration_secs: f64,
    /// File size in bytes.
    pub size_bytes: u64,
    /// Overall bit rate in bits per second, when known.
    pub bit_rate: Option<u64>,
    /// The main video stream; `None` for audio-only input (cover art is not a video stream).
    pub video: Option<VideoStreamInfo>,
    /// The main audio stream; `None` for video without sound.
    pub audio: Option<AudioStreamInfo>,
}

/// The main video stream of an input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoStreamInfo {
    /// libav codec name, e.g. `h264`.
    pub codec: String,
    /// Display width: sample aspect ratio and rotation applied.
    pub width: u32,
    /// Display height: sample aspect ratio and rotation applied.
    pub height: u32,
    /// Frame rate (the stream's nominal rate when it agrees with the average, else the average).
    pub fps: f64,
    /// Clockwise rotation (0, 90, 180 or 270) that the container asks players to apply; the
    /// transcode applies it, so the renditions need none.
    pub rotation_degrees: i32,
}

/// The main audio stream of an input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioStreamInfo {
    /// libav codec name, e.g. `aac`.
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: u32,
}

/// Opens a local file only (`protocol_whitelist=file`, a demuxer allow-list, so no playlists,
/// concat lists or image sequences) and validates it against `limits`. Every refusal is
/// [`MediaError::Refused`] with a clear reason; a missing file is [`MediaError::Io`].
pub fn probe(path: &Path, limits: &InputLimits) -> Result<ProbeReport, MediaError> {
    crate::init_libav()?;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(refused("the upload is not a regular file"));
    }
    let size_bytes = meta.len();
    if size_bytes == 0 {
        return Err(refused("the file is empty"));
    }
    if size_bytes > limits.max_file_size {
        return Err(refused(format!(
            "the file is {size_bytes} bytes, more than the {} allowed",
            limits.max_file_size
        )));
    }
    // One stream over the limit is let through libav so that we can name the problem.
    let mut input = input::open(path, limits.max_streams.saturating_add(1))?;
    check_claims(&input, limits)?;
    ffi::find_stream_info(&mut input, limits.max_pixels)
        .map_err(|e| refused(format!("the streams could not be analysed: {e}")))?;
    check_claims(&input, limits)?;
    let selection = input::select_streams(&input)?;
    let report = build_report(&mut input, &selection, size_bytes)?;
    validate(&report, limits)?;
    Ok(report)
}

fn refused(reason: impl Into<String>) -> MediaError {
    MediaError::Refused(reason.into())
}

/// Checks what the header declares: stream count, every picture size, the duration.
fn check_claims(input: &Input, limits: &InputLimits) -> Result<(), MediaError> {
    let streams = input.nb_streams();
    if streams > limits.max_streams {
        return Err(refused(format!(
            "the file has {streams} streams, more than the {} allowed",
            limits.max_streams
        )));
    }
    let longest_side = limits.max_width.max(limits.max_height);
    for stream in input.streams() {
        if stream.parameters().medium() != media::Type::Video {
            continue;
        }
        let Some(p) = input::picture_params(&stream) else {
            continue;
        };
        let pixels = u64::from(p.width) * u64::from(p.height);
        if p.width > longest_side || p.height > longest_side || pixels > limits.max_pixels {
            return Err(refused(format!(
                "the video is {}x{}, more than the {}x{} ({} pixels) allowed",
                p.width, p.height, limits.max_width, limits.max_height, limits.max_pixels
            )));
        }
    }
    if let Some(duration) = declared_duration(input) {
        check_duration(duration, limits)?;
    }
    Ok(())
}

fn check_duration(duration: f64, limits: &InputLimits) -> Result<(), MediaError> {
    if !duration.is_finite() || duration > limits.max_duration_secs {
        return Err(refused(format!(
            "the file lasts {duration:.0} s, more than the {:.0} s allowed",
            limits.max_duration_secs
        )));
    }
    Ok(())
}

/// The duration the container declares (format level, else the longest stream), in seconds.
fn declared_duration(input: &Input) -> Option<f64> {
    let format = input.duration();
    if format > 0 {
        return Some(format as f64 / 1_000_000.0);
    }
    input
        .streams()
        .filter(|s| s.duration() > 0)
        .map(|s| input::seconds(s.duration(), s.time_base()))
        .reduce(f64::max)
}

fn build_report(
    input: &mut Input,
    selection: &Selection,
    size_bytes: u64,
) -> Result<ProbeReport, MediaError> {
    let video = match selection.video {
        Some(index) => Some(video_info(input, index)?),
        None => None,
    };
    let audio = match selection.audio.and_then(|i| input.stream(i)) {
        Some(stream) => {
            let (sample_rate, channels) = input::sound_params(&stream)
                .ok_or_else(|| refused("the audio stream has no readable parameters"))?;
            Some(AudioStreamInfo {
                codec: input::codec_name(&stream),
                sample_rate,
                channels,
            })
        }
        None => None,
    };
    let bit_rate = u64::try_from(input.bit_rate()).ok().filter(|b| *b > 0);
    let format_name = input.format().name().to_string();
    let duration_secs = match declared_duration(input) {
        Some(d) => d,
        None => measure_duration(input)?,
    };
    Ok(ProbeReport {
        format_name,
        duration_secs,
        size_bytes,
        bit_rate,
        video,
        audio,
    })
}

/// The main video stream's facts. The display size applies the sample aspect ratio libav
/// guesses from the container and the codec (a container's `DisplayWidth`/`DisplayHeight` or
/// `pasp` wins over the codec's headers, as in players), then the rotation.
fn video_info(input: &Input, index: usize) -> Result<VideoStreamInfo, MediaError> {
    let stream = input
        .stream(index)
        .ok_or_else(|| refused("the video stream has disappeared"))?;
    let stream = &stream;
    let p = input::picture_params(stream)
        .ok_or_else(|| refused("the video stream has no readable parameters"))?;
    if p.width == 0 || p.height == 0 {
        return Err(refused("the video stream declares no picture size"));
    }
    let sar = ffi::guess_sample_aspect(input, index);
    let (mut width, mut height) = display_size(p.width, p.height, sar);
    let rotation_degrees = input::rotation_degrees(stream);
    if rotation_degrees % 180 != 0 {
        std::mem::swap(&mut width, &mut height);
    }
    Ok(VideoStreamInfo {
        codec: input::codec_name(stream),
        width,
        height,
        fps: stream_fps(stream.avg_frame_rate(), stream.rate()),
        rotation_degrees,
    })
}

/// Applies a sample aspect ratio: anamorphic pictures are widened (or made taller) to their
/// display shape.
pub(crate) fn display_size(width: u32, height: u32, sar: Rational) -> (u32, u32) {
    let (num, den) = (sar.numerator(), sar.denominator());
    if num <= 0 || den <= 0 || num == den {
        return (width, height);
    }
    let ratio = f64::from(num) / f64::from(den);
    if ratio > 1.0 {
        ((f64::from(width) * ratio).round() as u32, height)
    } else {
        (width, (f64::from(height) / ratio).round() as u32)
    }
}

/// The frame rate to plan with: the nominal rate when it is within 5 % of the average (it is
/// exact, e.g. 60 rather than 60.03), else the average, else the nominal one, else 25.
pub(crate) fn stream_fps(avg: Rational, nominal: Rational) -> f64 {
    let value = |r: Rational, max: f64| {
        let v = if r.denominator() > 0 {
            f64::from(r)
        } else {
            0.0
        };
        (v.is_finite() && v > 0.0 && v <= max).then_some(v)
    };
    // A nominal rate above 1000 is a time base, not a frame rate.
    match (value(avg, f64::MAX), value(nominal, 1000.0)) {
        (Some(a), Some(n)) if (n - a).abs() / a <= 0.05 => n,
        (Some(a), _) => a,
        (None, Some(n)) => n,
        (None, None) => 25.0,
    }
}

/// Reads every packet (no decoding) to find how long a file that declares no duration lasts.
fn measure_duration(input: &mut Input) -> Result<f64, MediaError> {
    let mut start = f64::INFINITY;
    let mut end: f64 = 0.0;
    let mut packet = ffmpeg_next::Packet::empty();
    loop {
        match packet.read(input) {
            Ok(()) => {}
            Err(ffmpeg_next::Error::Eof) => break,
            Err(e) => {
                return Err(refused(format!(
                    "the file could not be read to the end: {e}"
                )));
            }
        }
        let Some(stream) = input.stream(packet.stream()) else {
            continue;
        };
        let Some(ts) = packet.pts().or(packet.dts()) else {
            continue;
        };
        let tb = stream.time_base();
        let t = input::seconds(ts, tb);
        start = start.min(t);
        end = end.max(t + input::seconds(packet.duration().max(0), tb));
    }
    Ok(if start.is_finite() {
        (end - start).max(0.0)
    } else {
        0.0
    })
}

/// The checks that need the whole report: picture size after rotation, frame rate, duration.
fn validate(report: &ProbeReport, limits: &InputLimits) -> Result<(), MediaError> {
    check_duration(report.duration_secs, limits)?;
    if let Some(v) = &report.video {
        let pixels = u64::from(v.width) * u64::from(v.height);
        if v.width > limits.max_width || v.height > limits.max_height || pixels > limits.max_pixels
        {
            return Err(refused(format!(
                "the video is {}x{}, more than the {}x{} ({} pixels) allowed",
                v.width, v.height, limits.max_width, limits.max_height, limits.max_pixels
            )));
        }
        if v.fps > limits.max_fps {
            return Err(refused(format!(
                "the video runs at {:.2} fps, more than the {} allowed",
                v.fps, limits.max_fps
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_rate_wins_when_close_to_average() {
        assert_eq!(
            stream_fps(Rational::new(120000, 1999), Rational::new(60, 1)),
            60.0
        );
        assert_eq!(
            stream_fps(Rational::new(30, 1), Rational::new(90000, 1)),
            30.0
        );
        assert_eq!(stream_fps(Rational::new(0, 0), Rational::new(24, 1)), 24.0);
        assert_eq!(stream_fps(Rational::new(0, 0), Rational::new(0, 0)), 25.0);
    }

    #[test]
    fn anamorphic_pictures_get_their_display_shape() {
        assert_eq!(display_size(720, 576, Rational::new(16, 15)), (768, 576));
        assert_eq!(display_size(1280, 720, Rational::new(1, 1)), (1280, 720));
        assert_eq!(display_size(1280, 720, Rational::new(0, 1)), (1280, 720));
        assert_eq!(display_size(640, 480, Rational::new(1, 2)), (640, 960));
    }
}
