//! The video of an audio-only upload: one still picture at 25 fps for as long as the audio.

use ffmpeg_next::{Packet, frame};

use super::cadence::{Cadence, TICKS};
use super::encoders::VideoEncoder;
use crate::graph::filter_one;
use crate::{MediaError, Rendition};

/// Repeats a still picture for every rendition, following the audio's progress.
pub(crate) struct StillVideo {
    pictures: Vec<frame::Video>,
    encoders: Vec<VideoEncoder>,
    cadence: Cadence,
    fps: f64,
    next_index: i64,
}

impl StillVideo {
    /// The still scaled to each rendition's size.
    pub(crate) fn new(
        still: &frame::Video,
        renditions: &[Rendition],
        encoders: Vec<VideoEncoder>,
        gop_secs: f64,
    ) -> Result<Self, MediaError> {
        let pictures = renditions
            .iter()
            .map(|r| {
                let spec = format!(
                    "[in]scale=w={}:h={}:flags=bicubic,format=yuv420p,setsar=1[out0]",
                    r.width, r.height
                );
                filter_one(still, &spec)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fps: Vec<f64> = renditions.iter().map(|r| r.fps).collect();
        let top = fps.iter().copied().fold(1.0, f64::max);
        Ok(StillVideo {
            pictures,
            encoders,
            cadence: Cadence::new(fps, gop_secs),
            fps: top,
            next_index: 0,
        })
    }

    /// The encoders, for the muxers' stream parameters and codec strings.
    pub(crate) fn encoders(&self) -> &[VideoEncoder] {
        &self.encoders
    }

    /// Output time reached so far, in seconds.
    pub(crate) fn position_secs(&self) -> f64 {
        self.next_index as f64 / self.fps
    }

    /// Encodes every frame that starts before `secs`.
    pub(crate) fn advance_to(
        &mut self,
        secs: f64,
        out: &mut Vec<(usize, Packet)>,
    ) -> Result<(), MediaError> {
        let mut packets = Vec::new();
        while (self.next_index as f64) / self.fps < secs {
            let ticks = (self.next_index as f64 * TICKS as f64 / self.fps).round() as i64;
            self.next_index += 1;
            let Some(decision) = self.cadence.decide(ticks) else {
                continue;
            };
            for (r, encoder) in self.encoders.iter_mut().enumerate() {
                if !decision.emit[r] {
                    continue;
                }
                let picture = &mut self.pictures[r];
                picture.set_pts(Some(ticks));
                encoder.encode(picture, decision.keyframe, &mut packets)?;
                out.extend(packets.drain(..).map(|p| (r, p)));
            }
        }
        Ok(())
    }

    /// Encodes the frames up to `end_secs` (at least one) and drains the encoders.
    pub(crate) fn finish(
        &mut self,
        end_secs: f64,
        out: &mut Vec<(usize, Packet)>,
    ) -> Result<(), MediaError> {
        self.advance_to(end_secs.max(1.0 / self.fps), out)?;
        let mut packets = Vec::new();
        for (r, encoder) in self.encoders.iter_mut().enumerate() {
            encoder.finish(&mut packets)?;
            out.extend(packets.drain(..).map(|p| (r, p)));
        }
        Ok(())
    }
}
