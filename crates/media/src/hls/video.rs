//! The decoded-video path: one decoder, one filter graph (rotation, then the renditions'
//! scalers, each from the next larger), the shared cadence, and the per-rendition encoders.

use std::collections::VecDeque;

use ffmpeg_next::{Error, Packet, Rational, Rescale, Stream, decoder, frame};

use super::cadence::{Cadence, Decision, TICKS};
use super::encoders::VideoEncoder;
use crate::graph::{Graph, VideoInput, rotation_filters};
use crate::input::{open_decoder, seconds};
use crate::{MediaError, Rendition, ffi};

/// How many pushed-but-not-yet-pulled decisions to remember (filters such as yadif delay
/// frames by one or two).
const PENDING_MAX: usize = 64;

/// Decodes the main video stream and feeds every rendition's encoder.
pub(crate) struct DecodedVideo {
    decoder: decoder::Video,
    time_base: Rational,
    origin_secs: f64,
    rotation: i32,
    sizes: Vec<(u32, u32)>,
    graph: Option<(VideoInput, bool, Graph)>,
    cadence: Cadence,
    pending: VecDeque<(i64, Decision)>,
    encoders: Vec<VideoEncoder>,
    first_ticks: Option<i64>,
    last_ticks: i64,
    step_ticks: i64,
    last_picture: Option<frame::Video>,
}

impl DecodedVideo {
    /// Opens a multi-threaded decoder for `stream`. Output time 0 is the first decoded frame;
    /// `origin_secs` is where the audio's time 0 lies on the input's clock.
    pub(crate) fn new(
        stream: &Stream,
        renditions: &[Rendition],
        encoders: Vec<VideoEncoder>,
        rotation: i32,
        origin_secs: f64,
        gop_secs: f64,
        max_pixels: u64,
    ) -> Result<Self, MediaError> {
        let decoder = open_decoder(stream, max_pixels)?;
        let fps: Vec<f64> = renditions.iter().map(|r| r.fps).collect();
        let top_fps = fps.iter().copied().fold(1.0, f64::max);
        Ok(DecodedVideo {
            decoder,
            time_base: stream.time_base(),
            origin_secs,
            rotation,
            sizes: renditions.iter().map(|r| (r.width, r.height)).collect(),
            graph: None,
            cadence: Cadence::new(fps, gop_secs),
            pending: VecDeque::new(),
            encoders,
            first_ticks: None,
            last_ticks: 0,
            step_ticks: (TICKS as f64 / top_fps).round() as i64,
            last_picture: None,
        })
    }

    /// The encoders, for the muxers' stream parameters and codec strings.
    pub(crate) fn encoders(&self) -> &[VideoEncoder] {
        &self.encoders
    }

    /// Output time reached so far, in seconds.
    pub(crate) fn position_secs(&self) -> f64 {
        self.last_ticks as f64 / TICKS as f64
    }

    /// Decodes one packet; finished packets are appended to `out` as (rendition, packet).
    pub(crate) fn send(
        &mut self,
        packet: &Packet,
        out: &mut Vec<(usize, Packet)>,
    ) -> Result<(), MediaError> {
        match self.decoder.send_packet(packet) {
            Ok(()) | Err(Error::InvalidData) => {}
            Err(e) => return Err(MediaError::libav("decoding video", e)),
        }
        self.receive_frames(out)
    }

    /// Drains the decoder, holds the last picture until `end_secs` (the end of the audio, so
    /// that the video lasts as long), then drains the filters and the encoders.
    pub(crate) fn finish(
        &mut self,
        end_secs: f64,
        out: &mut Vec<(usize, Packet)>,
    ) -> Result<(), MediaError> {
        let _ = self.decoder.send_eof();
        self.receive_frames(out)?;
        let end_ticks = (end_secs * TICKS as f64).round() as i64;
        while self.first_ticks.is_some() && self.last_ticks + self.step_ticks < end_ticks {
            let Some(picture) = self.last_picture.as_ref().and_then(ffi::frame_ref) else {
                break;
            };
            let ticks = self.last_ticks + self.step_ticks;
            self.last_ticks = ticks;
            self.process(picture, ticks, out)?;
        }
        if let Some((_, _, graph)) = self.graph.as_mut() {
            graph.flush()?;
        }
        self.pull_all(out)?;
        let mut packets = Vec::new();
        for (r, encoder) in self.encoders.iter_mut().enumerate() {
            encoder.finish(&mut packets)?;
            out.extend(packets.drain(..).map(|p| (r, p)));
        }
        Ok(())
    }

    fn receive_frames(&mut self, out: &mut Vec<(usize, Packet)>) -> Result<(), MediaError> {
        loop {
            let mut picture = frame::Video::empty();
            match self.decoder.receive_frame(&mut picture) {
                Ok(()) => self.on_picture(picture, out)?,
                Err(Error::Eof) | Err(Error::Other { errno: 11 }) => return Ok(()),
                // A damaged picture: skip it and wait for the next packet.
                Err(Error::InvalidData) => return Ok(()),
                Err(e) => return Err(MediaError::libav("decoding video", e)),
            }
        }
    }

    fn on_picture(
        &mut self,
        picture: frame::Video,
        out: &mut Vec<(usize, Packet)>,
    ) -> Result<(), MediaError> {
        let raw = match picture.timestamp().or(picture.pts()) {
            Some(ts) => {
                ((seconds(ts, self.time_base) - self.origin_secs) * TICKS as f64).round() as i64
            }
            None => self.first_ticks.unwrap_or(0) + self.last_ticks + self.step_ticks,
        };
        let first = *self.first_ticks.get_or_insert(raw);
        let ticks = raw - first;
        if ticks <= self.last_ticks && self.last_picture.is_some() {
            return Ok(());
        }
        self.last_ticks = ticks;
        self.last_picture = ffi::frame_ref(&picture);
        self.process(picture, ticks, out)
    }

    /// Runs one picture at `ticks` through the cadence, the filters and the encoders.
    fn process(
        &mut self,
        mut picture: frame::Video,
        ticks: i64,
        out: &mut Vec<(usize, Packet)>,
    ) -> Result<(), MediaError> {
        let Some(decision) = self.cadence.decide(ticks) else {
            return Ok(());
        };
        let input = VideoInput::of(&picture, Rational::new(1, TICKS as i32));
        let interlaced = picture.is_interlaced();
        let stale = self
            .graph
            .as_ref()
            .is_none_or(|(i, il, _)| *i != input || (*il != interlaced && interlaced));
        if stale {
            // A first frame or a change of picture format mid-stream: (re)build the graph.
            self.pull_all(out)?;
            let spec = graph_spec(self.rotation, interlaced, &self.sizes);
            self.graph = Some((
                input,
                interlaced,
                Graph::video(&input, &spec, self.sizes.len())?,
            ));
        }
        picture.set_pts(Some(ticks));
        self.pending.push_back((ticks, decision));
        if self.pending.len() > PENDING_MAX {
            self.pending.pop_front();
        }
        if let Some((_, _, graph)) = self.graph.as_mut() {
            graph.push(&picture)?;
        }
        self.pull_all(out)
    }

    fn pull_all(&mut self, out: &mut Vec<(usize, Packet)>) -> Result<(), MediaError> {
        let Some((_, _, graph)) = self.graph.as_mut() else {
            return Ok(());
        };
        // Each rendition's pictures (with whether to force a keyframe), then every rendition
        // encoded at once.
        let mut work: Vec<Vec<(frame::Video, bool)>> =
            self.sizes.iter().map(|_| Vec::new()).collect();
        for (r, pictures) in work.iter_mut().enumerate() {
            let mut picture = frame::Video::empty();
            // Some filters (yadif) change the time base: bring pts back to ticks.
            let sink_tb = graph.sink_time_base(r);
            while graph.pull(r, &mut picture)? {
                let pts = picture.pts().map_or(i64::MIN, |p| {
                    p.rescale(sink_tb, Rational::new(1, TICKS as i32))
                });
                picture.set_pts(Some(pts));
                let decision = self.pending.iter().find(|(t, _)| *t == pts).map(|(_, d)| d);
                if let Some(d) = decision.filter(|d| d.emit[r]) {
                    pictures.push((picture, d.keyframe));
                }
                picture = frame::Video::empty();
            }
        }
        encode_in_parallel(&mut self.encoders, work, out)
    }
}

/// Encodes each rendition's pictures in its own thread: libx264 runs one thread per encoder
/// (its own frame threads would each hold pictures in flight), so the renditions are what runs
/// in parallel.
fn encode_in_parallel(
    encoders: &mut [VideoEncoder],
    work: Vec<Vec<(frame::Video, bool)>>,
    out: &mut Vec<(usize, Packet)>,
) -> Result<(), MediaError> {
    let results: Vec<Result<(usize, Vec<Packet>), MediaError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = encoders
            .iter_mut()
            .zip(work)
            .enumerate()
            .filter(|(_, (_, pictures))| !pictures.is_empty())
            .map(|(r, (encoder, pictures))| {
                scope.spawn(move || {
                    let mut packets = Vec::new();
                    for (mut picture, keyframe) in pictures {
                        encoder.encode(&mut picture, keyframe, &mut packets)?;
                    }
                    Ok((r, packets))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(MediaError::Libav("a video encoder panicked".into())))
            })
            .collect()
    });
    for result in results {
        let (r, packets) = result?;
        out.extend(packets.into_iter().map(|p| (r, p)));
    }
    Ok(())
}

/// `[in]` → optional deinterlacing and rotation → the renditions' scalers in a cascade →
/// `[outN]` (N: the rendition's index in `sizes`). The largest rendition is scaled from the
/// picture and each smaller one from the next larger, so every scaler reads a picture at most
/// one step bigger than its own instead of the source (PeerTube's per-rendition processes each
/// scale from the source; BENCHMARKS.md, "Cascaded scaling", has the cost and the SSIM).
fn graph_spec(rotation: i32, interlaced: bool, sizes: &[(u32, u32)]) -> String {
    let deinterlace = if interlaced {
        "yadif=mode=send_frame:deint=interlaced,"
    } else {
        ""
    };
    // Largest first; a stable sort keeps equal sizes in the ladder's order.
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(u64::from(sizes[i].0) * u64::from(sizes[i].1)));
    let mut spec = format!("[in]{deinterlace}{}", rotation_filters(rotation));
    for (step, &index) in order.iter().enumerate() {
        let (w, h) = sizes[index];
        if step > 0 {
            spec.push_str(&format!(";[c{}]", step - 1));
        }
        spec.push_str(&format!(
            "scale=w={w}:h={h}:flags=bicubic,format=yuv420p,setsar=1"
        ));
        if step + 1 == order.len() {
            spec.push_str(&format!("[out{index}]"));
        } else {
            spec.push_str(&format!(",split=2[out{index}][c{step}]"));
        }
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_rotates_then_scales_each_rendition_from_the_next_larger() {
        let spec = graph_spec(90, false, &[(720, 1280), (360, 640), (480, 854)]);
        assert_eq!(
            spec,
            "[in]transpose=clock,\
             scale=w=720:h=1280:flags=bicubic,format=yuv420p,setsar=1,split=2[out0][c0];\
             [c0]scale=w=480:h=854:flags=bicubic,format=yuv420p,setsar=1,split=2[out2][c1];\
             [c1]scale=w=360:h=640:flags=bicubic,format=yuv420p,setsar=1[out1]"
        );
        assert_eq!(
            graph_spec(0, true, &[(426, 240)]),
            "[in]yadif=mode=send_frame:deint=interlaced,\
             scale=w=426:h=240:flags=bicubic,format=yuv420p,setsar=1[out0]"
        );
    }
}
