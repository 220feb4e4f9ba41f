//! The read–decode–encode–mux loop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ffmpeg_next::format::context::Input;
use ffmpeg_next::{Error, Packet};

use super::audio::AudioPath;
use super::encoders::VideoEncoder;
use super::mux::RenditionMuxer;
use super::still_video::StillVideo;
use super::video::DecodedVideo;
use crate::MediaError;
use crate::input::Selection;

/// How often `progress` is called.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// Where the renditions' pictures come from.
pub(crate) enum VideoSide {
    /// Decoded from the input's video stream.
    Decoded(DecodedVideo),
    /// A still picture repeated for the audio's duration.
    Still(StillVideo),
}

impl VideoSide {
    /// The per-rendition encoders.
    pub(crate) fn encoders(&self) -> &[VideoEncoder] {
        match self {
            VideoSide::Decoded(v) => v.encoders(),
            VideoSide::Still(s) => s.encoders(),
        }
    }

    fn position_secs(&self) -> f64 {
        match self {
            VideoSide::Decoded(v) => v.position_secs(),
            VideoSide::Still(s) => s.position_secs(),
        }
    }
}

/// The parts of a transcode the loop needs besides the codec pipelines.
pub(crate) struct Job<'a> {
    pub selection: Selection,
    pub duration_secs: f64,
    pub progress: &'a mut dyn FnMut(f64),
    pub cancel: &'a AtomicBool,
}

/// Reads every packet, checking `cancel` before each; feeds the selected streams; writes what
/// the encoders produce; then drains everything.
pub(crate) fn run(
    job: Job,
    input: &mut Input,
    video: &mut VideoSide,
    audio: &mut Option<AudioPath>,
    muxers: &mut [RenditionMuxer],
) -> Result<(), MediaError> {
    let Job {
        selection,
        duration_secs,
        progress,
        cancel,
    } = job;
    // A file may not run much longer than it declared (and was validated for).
    let max_secs = duration_secs * 1.1 + 10.0;
    let mut video_out: Vec<(usize, Packet)> = Vec::new();
    let mut audio_out: Vec<Packet> = Vec::new();
    let mut packet = Packet::empty();
    let mut last_report = Instant::now();
    progress(0.0);
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(MediaError::Cancelled);
        }
        match packet.read(input) {
            Ok(()) => {}
            // A corrupt tail ends the input, as with the ffmpeg CLI.
            Err(Error::Eof) | Err(Error::InvalidData) => break,
            Err(Error::Exit) => return Err(MediaError::Cancelled),
            Err(e) => return Err(MediaError::libav("reading the input", e)),
        }
        let index = Some(packet.stream());
        if index == selection.video {
            if let VideoSide::Decoded(v) = video {
                v.send(&packet, &mut video_out)?;
            }
        } else if index == selection.audio {
            if let Some(a) = audio.as_mut() {
                a.send(&packet, &mut audio_out)?;
                if let VideoSide::Still(s) = video {
                    s.advance_to(a.position_secs(), &mut video_out)?;
                }
            }
        } else {
            continue;
        }
        write(muxers, &mut video_out, &mut audio_out)?;
        let position = video
            .position_secs()
            .max(audio.as_ref().map_or(0.0, |a| a.position_secs()));
        if position > max_secs {
            return Err(MediaError::Refused(format!(
                "the file runs past {position:.0} s although it declares {duration_secs:.0} s"
            )));
        }
        if last_report.elapsed() >= PROGRESS_INTERVAL {
            last_report = Instant::now();
            if duration_secs > 0.0 {
                progress((position / duration_secs).clamp(0.0, 0.99));
            }
        }
    }
    if let Some(a) = audio.as_mut() {
        a.finish(&mut audio_out)?;
    }
    let audio_end = audio.as_ref().map_or(0.0, |a| a.position_secs());
    match video {
        VideoSide::Decoded(v) => v.finish(audio_end.min(max_secs), &mut video_out)?,
        VideoSide::Still(s) => s.finish(audio_end.min(max_secs), &mut video_out)?,
    }
    write(muxers, &mut video_out, &mut audio_out)
}

fn write(
    muxers: &mut [RenditionMuxer],
    video_out: &mut Vec<(usize, Packet)>,
    audio_out: &mut Vec<Packet>,
) -> Result<(), MediaError> {
    for (rendition, packet) in video_out.drain(..) {
        if let Some(muxer) = muxers.get_mut(rendition) {
            muxer.write_video(packet)?;
        }
    }
    for packet in audio_out.drain(..) {
        for muxer in muxers.iter_mut() {
            muxer.write_audio(packet.clone())?;
        }
    }
    Ok(())
}
