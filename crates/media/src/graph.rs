//! Small wrappers around libavfilter graphs: one source (`in`) and N sinks (`out0`…).

use ffmpeg_next::util::channel_layout::ChannelLayout;
use ffmpeg_next::{Error, Rational, filter, format, frame};

use crate::MediaError;

/// A filter graph fed from one buffer source, drained from `outputs` buffer sinks.
pub(crate) struct Graph {
    graph: filter::Graph,
    outputs: usize,
}

/// Describes the frames a video graph will receive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct VideoInput {
    pub width: u32,
    pub height: u32,
    pub format: format::Pixel,
    pub sample_aspect: Rational,
    pub time_base: Rational,
}

impl VideoInput {
    /// The properties of `frame`, with the given time base.
    pub(crate) fn of(frame: &frame::Video, time_base: Rational) -> Self {
        VideoInput {
            width: frame.width(),
            height: frame.height(),
            format: frame.format(),
            sample_aspect: frame.aspect_ratio(),
            time_base,
        }
    }
}

/// The filters that apply a clockwise rotation (as in `VideoStreamInfo::rotation_degrees`).
pub(crate) fn rotation_filters(clockwise: i32) -> &'static str {
    match clockwise.rem_euclid(360) {
        90 => "transpose=clock,",
        180 => "hflip,vflip,",
        270 => "transpose=cclock,",
        _ => "",
    }
}

impl Graph {
    /// A video graph. `spec` reads from `[in]` and writes to `[out0]`…`[out{outputs-1}]`.
    pub(crate) fn video(
        input: &VideoInput,
        spec: &str,
        outputs: usize,
    ) -> Result<Self, MediaError> {
        let sar = input.sample_aspect;
        let sar = if sar.numerator() > 0 && sar.denominator() > 0 {
            sar
        } else {
            Rational::new(1, 1)
        };
        let pix_fmt: ffmpeg_next::ffi::AVPixelFormat = input.format.into();
        let args = format!(
            "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}",
            input.width,
            input.height,
            pix_fmt as i32,
            input.time_base.numerator(),
            input.time_base.denominator(),
            sar.numerator(),
            sar.denominator()
        );
        Self::build("buffer", &args, "buffersink", spec, outputs)
    }

    /// An audio graph from frames of the given sample format, rate and layout.
    pub(crate) fn audio(
        format: format::Sample,
        rate: u32,
        layout: ChannelLayout,
        spec: &str,
    ) -> Result<Self, MediaError> {
        let args = format!(
            "time_base=1/{rate}:sample_rate={rate}:sample_fmt={}:channel_layout=0x{:x}",
            format.name(),
            layout.bits()
        );
        Self::build("abuffer", &args, "abuffersink", spec, 1)
    }

    fn build(
        source: &str,
        args: &str,
        sink: &str,
        spec: &str,
        outputs: usize,
    ) -> Result<Self, MediaError> {
        let err = |e: Error| MediaError::libav(&format!("building filter graph `{spec}`"), e);
        let mut graph = filter::Graph::new();
        let find = |name: &str| {
            filter::find(name).ok_or_else(|| MediaError::Libav(format!("filter {name} missing")))
        };
        graph.add(&find(source)?, "in", args).map_err(err)?;
        for i in 0..outputs {
            graph
                .add(&find(sink)?, &format!("out{i}"), "")
                .map_err(err)?;
        }
        let mut parser = graph.output("in", 0).map_err(err)?;
        for i in 0..outputs {
            parser = parser.input(&format!("out{i}"), 0).map_err(err)?;
        }
        parser.parse(spec).map_err(err)?;
        graph.validate().map_err(err)?;
        Ok(Graph { graph, outputs })
    }

    /// Sets the number of samples per frame every sink hands out (the AAC frame size).
    pub(crate) fn set_frame_size(&mut self, samples: u32) {
        for i in 0..self.outputs {
            if let Some(mut ctx) = self.graph.get(&format!("out{i}")) {
                ctx.sink().set_frame_size(samples);
            }
        }
    }

    /// Feeds one frame (its references are taken over by the graph).
    pub(crate) fn push(&mut self, frame: &ffmpeg_next::Frame) -> Result<(), MediaError> {
        let mut ctx = self
            .graph
            .get("in")
            .ok_or_else(|| MediaError::Libav("no source".into()))?;
        ctx.source()
            .add(frame)
            .map_err(|e| MediaError::libav("filtering", e))
    }

    /// Signals the end of input.
    pub(crate) fn flush(&mut self) -> Result<(), MediaError> {
        let mut ctx = self
            .graph
            .get("in")
            .ok_or_else(|| MediaError::Libav("no source".into()))?;
        ctx.source()
            .flush()
            .map_err(|e| MediaError::libav("flushing filters", e))
    }

    /// The time base of the frames sink `index` hands out.
    pub(crate) fn sink_time_base(&mut self, index: usize) -> Rational {
        self.graph
            .get(&format!("out{index}"))
            .map_or(Rational::new(1, 90_000), |mut c| c.sink().time_base())
    }

    /// The next frame from sink `index`, or `None` when it has none ready (or is finished).
    pub(crate) fn pull(
        &mut self,
        index: usize,
        frame: &mut ffmpeg_next::Frame,
    ) -> Result<bool, MediaError> {
        let mut ctx = self
            .graph
            .get(&format!("out{index}"))
            .ok_or_else(|| MediaError::Libav("no sink".into()))?;
        match ctx.sink().frame(frame) {
            Ok(()) => Ok(true),
            Err(Error::Eof) | Err(Error::Other { errno: EAGAIN }) => Ok(false),
            Err(e) => Err(MediaError::libav("filtering", e)),
        }
    }
}

const EAGAIN: i32 = 11;

/// Runs one picture through `spec` (from `[in]` to `[out0]`) and returns the result.
pub(crate) fn filter_one(frame: &frame::Video, spec: &str) -> Result<frame::Video, MediaError> {
    let input = VideoInput::of(frame, Rational::new(1, 25));
    let mut graph = Graph::video(&input, spec, 1)?;
    let mut copy = frame.clone();
    copy.set_pts(Some(0));
    graph.push(&copy)?;
    graph.flush()?;
    let mut out = frame::Video::empty();
    if graph.pull(0, &mut out)? {
        Ok(out)
    } else {
        Err(MediaError::Libav(format!(
            "filter `{spec}` produced no picture"
        )))
    }
}
