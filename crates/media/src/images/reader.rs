//! Reading decoded pictures at chosen times, and picking a representative one.

use std::path::Path;

use ffmpeg_next::format::context::Input;
use ffmpeg_next::software::scaling;
use ffmpeg_next::{Error, Packet, Rational, format, frame};

use crate::input::{self, open_decoder, seconds};
use crate::{MediaError, ffi};

/// A jump further ahead than this seeks instead of decoding through.
const SEEK_AHEAD_SECS: f64 = 8.0;

/// Decodes the main video stream of a file, picture by picture, with seeking.
pub(crate) struct FrameReader {
    input: Input,
    decoder: ffmpeg_next::decoder::Video,
    index: usize,
    time_base: Rational,
    start_secs: f64,
    last_secs: f64,
    eof: bool,
    /// Clockwise rotation to apply to the pictures.
    pub rotation: i32,
}

impl FrameReader {
    /// Opens the main video stream of `path` (which `probe` accepted).
    pub(crate) fn open(path: &Path, max_pixels: u64) -> Result<Self, MediaError> {
        let mut input = input::open(path, 1000)?;
        ffi::find_stream_info(&mut input, max_pixels)
            .map_err(|e| MediaError::Refused(format!("the streams could not be analysed: {e}")))?;
        let selection = input::select_streams(&input)?;
        let index = selection
            .video
            .ok_or_else(|| MediaError::Refused("no video stream".into()))?;
        let stream = input
            .stream(index)
            .ok_or_else(|| MediaError::Libav("stream vanished".into()))?;
        let decoder = open_decoder(&stream, max_pixels)?;
        let time_base = stream.time_base();
        let start = stream.start_time();
        let start_secs = if start == ffmpeg_next::ffi::AV_NOPTS_VALUE {
            0.0
        } else {
            seconds(start, time_base)
        };
        let rotation = input::rotation_degrees(&stream);
        Ok(FrameReader {
            input,
            decoder,
            index,
            time_base,
            start_secs,
            last_secs: -1.0,
            eof: false,
            rotation,
        })
    }

    /// The next picture and its time (seconds from the stream start), or `None` at the end.
    pub(crate) fn next(&mut self) -> Result<Option<(f64, frame::Video)>, MediaError> {
        let mut packet = Packet::empty();
        loop {
            let mut picture = frame::Video::empty();
            match self.decoder.receive_frame(&mut picture) {
                Ok(()) => {
                    let t = picture.timestamp().map_or(self.last_secs + 0.04, |ts| {
                        seconds(ts, self.time_base) - self.start_secs
                    });
                    self.last_secs = t;
                    return Ok(Some((t, picture)));
                }
                Err(Error::Eof) => return Ok(None),
                Err(Error::Other { errno: 11 }) | Err(Error::InvalidData) => {}
                Err(e) => return Err(MediaError::libav("decoding video", e)),
            }
            if self.eof {
                return Ok(None);
            }
            loop {
                match packet.read(&mut self.input) {
                    Ok(()) if packet.stream() == self.index => {
                        match self.decoder.send_packet(&packet) {
                            Ok(()) | Err(Error::InvalidData) => break,
                            Err(e) => return Err(MediaError::libav("decoding video", e)),
                        }
                    }
                    Ok(()) => continue,
                    Err(Error::Eof) | Err(Error::InvalidData) => {
                        self.eof = true;
                        let _ = self.decoder.send_eof();
                        break;
                    }
                    Err(e) => return Err(MediaError::libav("reading the input", e)),
                }
            }
        }
    }

    /// Seeks so that the next picture is at or before `secs` (a keyframe), when `secs` is
    /// far ahead of (or behind) the current position.
    pub(crate) fn seek_near(&mut self, secs: f64) {
        if secs > self.last_secs && secs - self.last_secs < SEEK_AHEAD_SECS {
            return;
        }
        let target = ((secs + self.start_secs) * 1_000_000.0) as i64;
        if self.input.seek(target, ..target).is_ok() {
            self.decoder.flush();
            self.eof = false;
            self.last_secs = -1.0;
        }
    }

    /// The first picture at or after `secs` (half a frame early counts), else the last one.
    pub(crate) fn picture_at(&mut self, secs: f64) -> Result<Option<frame::Video>, MediaError> {
        self.seek_near(secs);
        let mut last = None;
        while let Some((t, picture)) = self.next()? {
            if t + 0.02 >= secs {
                return Ok(Some(picture));
            }
            last = Some(picture);
        }
        Ok(last)
    }
}

/// Brightness and contrast of a picture, measured on a small grey copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Looks {
    pub mean: f64,
    pub deviation: f64,
}

impl Looks {
    /// Nearly black (or white), or flat: not a good thumbnail.
    pub(crate) fn is_dull(&self) -> bool {
        self.mean < 32.0 || self.mean > 235.0 || self.deviation < 8.0
    }

    /// Higher is a better thumbnail: contrast, heavily penalised when dull.
    pub(crate) fn score(&self) -> f64 {
        if self.is_dull() {
            self.deviation * 0.01
        } else {
            self.deviation
        }
    }
}

/// Measures a picture's brightness and contrast.
pub(crate) fn looks(picture: &frame::Video) -> Option<Looks> {
    let mut scaler = scaling::Context::get(
        picture.format(),
        picture.width(),
        picture.height(),
        format::Pixel::GRAY8,
        64,
        36,
        scaling::Flags::BILINEAR,
    )
    .ok()?;
    let mut grey = frame::Video::empty();
    scaler.run(picture, &mut grey).ok()?;
    let stride = grey.stride(0);
    let data = grey.data(0);
    let values: Vec<f64> = (0..36)
        .flat_map(|y| (0..64).map(move |x| f64::from(data[y * stride + x])))
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    Some(Looks {
        mean,
        deviation: variance.sqrt(),
    })
}

/// Picks a representative, non-black picture: looks at up to 12 pictures around the middle,
/// then at other points of the video if those are all dull, and keeps the most contrasted.
pub(crate) fn representative_picture(
    reader: &mut FrameReader,
    duration_secs: f64,
) -> Result<Option<frame::Video>, MediaError> {
    let mut best: Option<(f64, frame::Video)> = None;
    for fraction in [0.5, 0.25, 0.75, 0.1, 0.9, 0.0] {
        let at = duration_secs * fraction;
        reader.seek_near(at);
        let mut looked = 0;
        while let Some((t, picture)) = reader.next()? {
            if t + 0.02 < at {
                continue;
            }
            let Some(l) = looks(&picture) else { break };
            if best.as_ref().is_none_or(|(s, _)| l.score() > *s) {
                best = Some((l.score(), picture));
            }
            looked += 1;
            if looked >= 12 {
                break;
            }
        }
        if best.as_ref().is_some_and(|(s, _)| *s >= 8.0) {
            break;
        }
    }
    Ok(best.map(|(_, p)| p))
}
