//! The audio path: decode, resample to 48 kHz stereo in AAC-sized frames, encode once.

use ffmpeg_next::util::channel_layout::ChannelLayout;
use ffmpeg_next::{Dictionary, Error, Packet, Rational, Stream, codec, decoder, format, frame};

use super::encoders::{AUDIO_RATE, AudioEncoder};
use crate::graph::Graph;
use crate::input::seconds;
use crate::{MediaError, ffi};

/// Samples in the input's format, rate and layout: a change rebuilds the resampler.
type SampleKey = (format::Sample, u32, u64);

/// Decodes the main audio stream and encodes it once for every rendition.
pub(crate) struct AudioPath {
    decoder: decoder::Audio,
    time_base: Rational,
    origin_secs: f64,
    graph: Option<(SampleKey, Graph)>,
    encoder: AudioEncoder,
    position_secs: f64,
}

impl AudioPath {
    /// Audio whose time 0 is `origin_secs` on the input's clock: earlier samples are trimmed
    /// and a late start is padded with silence, so it lines up with the video.
    pub(crate) fn new(
        stream: &Stream,
        encoder: AudioEncoder,
        origin_secs: f64,
    ) -> Result<Self, MediaError> {
        let params = stream.parameters();
        let codec = decoder::find(params.id())
            .ok_or_else(|| MediaError::Libav(format!("no decoder for {}", params.id().name())))?;
        let mut ctx = codec::Context::from_parameters(params)
            .map_err(|e| MediaError::libav("reading audio parameters", e))?
            .decoder();
        ctx.set_packet_time_base(stream.time_base());
        ffi::open_codec(&mut ctx.0, codec, Dictionary::new())
            .map_err(|e| MediaError::Libav(format!("opening the audio decoder: {e}")))?;
        Ok(AudioPath {
            decoder: decoder::Audio(decoder::Opened(ctx)),
            time_base: stream.time_base(),
            origin_secs,
            graph: None,
            encoder,
            position_secs: 0.0,
        })
    }

    /// The AAC encoder, for the muxers' stream parameters.
    pub(crate) fn encoder(&self) -> &AudioEncoder {
        &self.encoder
    }

    /// Output time reached so far, in seconds.
    pub(crate) fn position_secs(&self) -> f64 {
        self.position_secs
    }

    /// Decodes one packet; finished AAC packets (pts in 1/48000 s) are appended to `out`.
    pub(crate) fn send(
        &mut self,
        packet: &Packet,
        out: &mut Vec<Packet>,
    ) -> Result<(), MediaError> {
        match self.decoder.send_packet(packet) {
            Ok(()) | Err(Error::InvalidData) => {}
            Err(e) => return Err(MediaError::libav("decoding audio", e)),
        }
        self.receive_frames(out)
    }

    /// Drains the decoder, the resampler and the encoder at the end of input.
    pub(crate) fn finish(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        let _ = self.decoder.send_eof();
        self.receive_frames(out)?;
        if let Some((_, graph)) = self.graph.as_mut() {
            graph.flush()?;
        }
        self.pull(out)?;
        self.encoder.finish(out)?;
        self.note_position(out);
        Ok(())
    }

    fn receive_frames(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        loop {
            let mut samples = frame::Audio::empty();
            match self.decoder.receive_frame(&mut samples) {
                Ok(()) => self.on_samples(samples, out)?,
                Err(Error::Eof) | Err(Error::Other { errno: 11 }) => return Ok(()),
                // Damaged samples: skip them and wait for the next packet.
                Err(Error::InvalidData) => return Ok(()),
                Err(e) => return Err(MediaError::libav("decoding audio", e)),
            }
        }
    }

    fn on_samples(
        &mut self,
        mut samples: frame::Audio,
        out: &mut Vec<Packet>,
    ) -> Result<(), MediaError> {
        let rate = samples.rate().max(1);
        let mut layout = samples.channel_layout();
        if layout.is_empty() || layout.channels() != i32::from(samples.channels()) {
            layout = ChannelLayout::default(i32::from(samples.channels()));
            samples.set_channel_layout(layout);
        }
        let key = (samples.format(), rate, layout.bits());
        if self.graph.as_ref().is_none_or(|(k, _)| *k != key) {
            if let Some((_, old)) = self.graph.as_mut() {
                old.flush()?;
                self.pull(out)?;
            }
            let spec = format!(
                "[in]aresample={AUDIO_RATE}:async=1:first_pts=0,\
                 aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo[out0]"
            );
            let mut graph = Graph::audio(key.0, rate, layout, &spec)?;
            graph.set_frame_size(self.encoder.frame_size());
            self.graph = Some((key, graph));
        }
        let pts = samples.timestamp().or(samples.pts()).map(|ts| {
            ((seconds(ts, self.time_base) - self.origin_secs) * f64::from(rate)).round() as i64
        });
        samples.set_pts(pts);
        if let Some((_, graph)) = self.graph.as_mut() {
            graph.push(&samples)?;
        }
        self.pull(out)
    }

    fn pull(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        let Some((_, graph)) = self.graph.as_mut() else {
            return Ok(());
        };
        let mut samples = frame::Audio::empty();
        while graph.pull(0, &mut samples)? {
            self.encoder.encode(&samples, out)?;
            samples = frame::Audio::empty();
        }
        self.note_position(out);
        Ok(())
    }

    fn note_position(&mut self, out: &[Packet]) {
        if let Some(end) = out
            .iter()
            .filter_map(|p| p.pts().map(|t| t + p.duration()))
            .max()
        {
            self.position_secs = self.position_secs.max(end as f64 / f64::from(AUDIO_RATE));
        }
    }
}
