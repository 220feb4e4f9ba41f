//! The encoders: libx264 per rendition (PeerTube's settings) and one shared AAC-LC encoder.

use std::collections::VecDeque;

use ffmpeg_next::util::channel_layout::ChannelLayout;
use ffmpeg_next::{Dictionary, Error, Packet, Rational, codec, encoder, format, frame, picture};

use super::cadence::TICKS;
use crate::ladder::fps_rational;
use crate::{MediaError, Rendition, ffi};

/// AAC output: 48 kHz stereo, 1024-sample frames.
pub(crate) const AUDIO_RATE: u32 = 48_000;

/// One libx264 encoder for one rendition.
pub(crate) struct VideoEncoder {
    encoder: encoder::video::Encoder,
    frame_ticks: i64,
    codecs: String,
    /// Timestamps of pictures sent and not yet needed for a duration, ascending, with
    /// whether their packet came out.
    sent: VecDeque<(i64, bool)>,
}

impl VideoEncoder {
    /// Opens libx264 like PeerTube's default profile (preset veryfast, x264's default CRF 23
    /// under a VBV cap of `max_video_bitrate` with a buffer of twice that, up to 16 B-frames)
    /// plus what aligned HLS needs: closed GOPs, no scene-cut keyframes (keyframes are forced
    /// by the caller) and global headers for the fMP4 init section. `still` tunes for a
    /// still picture.
    pub(crate) fn open(
        rendition: &Rendition,
        gop_secs: f64,
        still: bool,
    ) -> Result<Self, MediaError> {
        let codec = encoder::find_by_name("libx264")
            .ok_or_else(|| MediaError::Libav("libx264 is not available".into()))?;
        let mut video = codec::Context::new_with_codec(codec)
            .encoder()
            .video()
            .map_err(|e| MediaError::libav("creating the H.264 encoder", e))?;
        let fps = fps_rational(rendition.fps);
        video.set_width(rendition.width);
        video.set_height(rendition.height);
        video.set_format(format::Pixel::YUV420P);
        video.set_time_base(Rational::new(1, TICKS as i32));
        video.set_frame_rate(Some(fps));
        video.set_aspect_ratio(Rational::new(1, 1));
        // A safety net only: forced keyframes come every `gop_secs`.
        video.set_gop((rendition.fps * gop_secs * 2.0).ceil().max(2.0) as u32);
        let maxrate = rendition.max_video_bitrate.max(10_000);
        let mut options = Dictionary::new();
        options.set("preset", "veryfast");
        options.set("maxrate", &maxrate.to_string());
        options.set("bufsize", &(maxrate * 2).to_string());
        options.set("bf", "16");
        options.set("b_strategy", "1");
        options.set("sc_threshold", "0");
        options.set("forced-idr", "1");
        // One x264 thread per encoder: every frame thread holds its own look-ahead and
        // reconstructed pictures, so x264's default (1.5 per core) in each of six encoders
        // held ~1.1 GB for a 1080p ladder against ~0.67 GB with one (measured in
        // BENCHMARKS.md); the ladder's encoders are the parallel work, at the same CPU time.
        options.set("threads", "1");
        options.set("flags", "+global_header+cgop");
        if still {
            options.set("tune", "stillimage");
        }
        ffi::open_codec(&mut video.0.0, codec, options)
            .map_err(|e| MediaError::Libav(format!("opening libx264: {e}")))?;
        let codecs = avc1_codec_string(&ffi::extradata(&video.0.0));
        let frame_ticks = (TICKS as f64 / rendition.fps).round().max(1.0) as i64;
        Ok(VideoEncoder {
            encoder: encoder::video::Encoder(video),
            frame_ticks,
            codecs,
            sent: VecDeque::new(),
        })
    }

    /// The codec context, for the muxer's stream parameters.
    pub(crate) fn context(&self) -> &codec::Context {
        &self.encoder.0.0.0
    }

    /// The `avc1.PPCCLL` string of the master playlist's `CODECS`.
    pub(crate) fn codecs(&self) -> &str {
        &self.codecs
    }

    /// Encodes one picture (pts in 1/90000 s), forcing an IDR frame when `keyframe`, and
    /// appends finished packets to `out`.
    pub(crate) fn encode(
        &mut self,
        picture: &mut frame::Video,
        keyframe: bool,
        out: &mut Vec<Packet>,
    ) -> Result<(), MediaError> {
        picture.set_kind(if keyframe {
            picture::Type::I
        } else {
            picture::Type::None
        });
        if let Some(pts) = picture.pts() {
            self.sent.push_back((pts, false));
        }
        self.encoder
            .send_frame(picture)
            .map_err(|e| MediaError::libav("encoding video", e))?;
        self.drain(out)
    }

    /// Flushes the encoder at the end of input.
    pub(crate) fn finish(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        self.encoder
            .send_eof()
            .map_err(|e| MediaError::libav("flushing video", e))?;
        self.drain(out)
    }

    fn drain(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        loop {
            let mut packet = Packet::empty();
            match self.encoder.receive_packet(&mut packet) {
                Ok(()) => {
                    // libx264 leaves durations at 0; the HLS muxer adds them up for the last
                    // segment, so they must be the real time to the next picture.
                    let duration = packet
                        .pts()
                        .map_or(self.frame_ticks, |pts| self.duration_of(pts));
                    packet.set_duration(duration);
                    out.push(packet);
                }
                Err(Error::Eof) | Err(Error::Other { errno: 11 }) => return Ok(()),
                Err(e) => return Err(MediaError::libav("encoding video", e)),
            }
        }
    }
}

impl VideoEncoder {
    /// Time from the picture at `pts` to the next one sent (the nominal frame time for the
    /// last), forgetting pictures no longer needed.
    fn duration_of(&mut self, pts: i64) -> i64 {
        let duration = match self.sent.iter().position(|(t, _)| *t == pts) {
            Some(i) => {
                self.sent[i].1 = true;
                self.sent
                    .get(i + 1)
                    .map_or(self.frame_ticks, |(next, _)| next - pts)
            }
            None => self.frame_ticks,
        };
        while self.sent.front().is_some_and(|(_, done)| *done) && self.sent.len() > 1 {
            self.sent.pop_front();
        }
        duration.max(1)
    }
}

/// `avc1.PPCCLL` from H.264 global headers, in Annex B form (what libx264 writes) or avcC form.
pub(crate) fn avc1_codec_string(extradata: &[u8]) -> String {
    let sps = if extradata.first() == Some(&1) && extradata.len() >= 4 {
        Some(&extradata[1..4])
    } else {
        extradata
            .windows(4)
            .position(|w| w[0..3] == [0, 0, 1] && w[3] & 0x1f == 7)
            .and_then(|i| extradata.get(i + 4..i + 7))
    };
    match sps {
        Some(b) => format!("avc1.{:02x}{:02x}{:02x}", b[0], b[1], b[2]),
        None => "avc1.640028".to_string(),
    }
}

/// The shared AAC-LC encoder (48 kHz stereo); its packets go to every rendition.
pub(crate) struct AudioEncoder {
    encoder: encoder::audio::Encoder,
}

impl AudioEncoder {
    /// Opens libavcodec's AAC encoder at `bit_rate`.
    pub(crate) fn open(bit_rate: u64) -> Result<Self, MediaError> {
        let codec = encoder::find_by_name("aac")
            .ok_or_else(|| MediaError::Libav("the aac encoder is not available".into()))?;
        let mut audio = codec::Context::new_with_codec(codec)
            .encoder()
            .audio()
            .map_err(|e| MediaError::libav("creating the AAC encoder", e))?;
        audio.set_rate(AUDIO_RATE as i32);
        audio.set_channel_layout(ChannelLayout::STEREO);
        audio.set_channels(2);
        audio.set_format(format::Sample::F32(format::sample::Type::Planar));
        audio.set_time_base(Rational::new(1, AUDIO_RATE as i32));
        audio.set_bit_rate(bit_rate as usize);
        let mut options = Dictionary::new();
        options.set("flags", "+global_header");
        ffi::open_codec(&mut audio.0.0, codec, options)
            .map_err(|e| MediaError::Libav(format!("opening the AAC encoder: {e}")))?;
        Ok(AudioEncoder {
            encoder: encoder::audio::Encoder(audio),
        })
    }

    /// The codec context, for the muxers' stream parameters.
    pub(crate) fn context(&self) -> &codec::Context {
        &self.encoder.0.0.0
    }

    /// Samples per frame the encoder wants.
    pub(crate) fn frame_size(&self) -> u32 {
        self.encoder.frame_size().max(1)
    }

    /// Encodes one frame of samples (pts in 1/48000 s) and appends finished packets to `out`.
    pub(crate) fn encode(
        &mut self,
        samples: &frame::Audio,
        out: &mut Vec<Packet>,
    ) -> Result<(), MediaError> {
        self.encoder
            .send_frame(samples)
            .map_err(|e| MediaError::libav("encoding audio", e))?;
        self.drain(out)
    }

    /// Flushes the encoder at the end of input.
    pub(crate) fn finish(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        self.encoder
            .send_eof()
            .map_err(|e| MediaError::libav("flushing audio", e))?;
        self.drain(out)
    }

    fn drain(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        loop {
            let mut packet = Packet::empty();
            match self.encoder.receive_packet(&mut packet) {
                Ok(()) => out.push(packet),
                Err(Error::Eof) | Err(Error::Other { errno: 11 }) => return Ok(()),
                Err(e) => return Err(MediaError::libav("encoding audio", e)),
            }
        }
    }
}

/// PeerTube's audio bitrate choice: 128k up to a 192k input, 256k up to 384k, else 384k.
pub(crate) fn audio_bitrate(input_bit_rate: Option<u64>) -> u64 {
    match input_bit_rate {
        Some(b) if b > 384_000 => 384_000,
        Some(b) if b > 192_000 => 256_000,
        _ => 128_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_string_from_annex_b_and_avcc() {
        let annex_b = [
            0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac, 0, 0, 0, 1, 0x68, 0xeb,
        ];
        assert_eq!(avc1_codec_string(&annex_b), "avc1.64001f");
        let avcc = [1, 0x42, 0xc0, 0x1e, 0xff, 0xe1];
        assert_eq!(avc1_codec_string(&avcc), "avc1.42c01e");
    }

    #[test]
    fn audio_bitrates() {
        assert_eq!(audio_bitrate(None), 128_000);
        assert_eq!(audio_bitrate(Some(128_000)), 128_000);
        assert_eq!(audio_bitrate(Some(256_000)), 256_000);
        assert_eq!(audio_bitrate(Some(1_411_000)), 384_000);
    }
}
