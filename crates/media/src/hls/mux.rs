//! One libavformat `hls` muxer per rendition: a single fragmented MP4 addressed by byte ranges
//! (`hls_flags single_file`) and its VOD media playlist.

use std::path::Path;

use ffmpeg_next::format::context::Output;
use ffmpeg_next::{Dictionary, Packet, Rational, codec, media};

use crate::{MediaError, ffi};

/// Writes one rendition's fragmented MP4 and media playlist.
pub(crate) struct RenditionMuxer {
    output: Output,
    video_time_base: (Rational, Rational),
    audio_time_base: Option<(Rational, Rational)>,
}

/// What a rendition muxer is made from.
pub(crate) struct MuxerSpec<'a> {
    pub playlist: &'a Path,
    pub fragmented: &'a Path,
    pub segment_secs: u32,
    pub video: &'a codec::Context,
    pub audio: Option<&'a codec::Context>,
}

impl RenditionMuxer {
    /// Creates the muxer and writes its header (which opens the output file). Fails when
    /// libav ignores any of our options. Only the `file` protocol may be opened.
    pub(crate) fn create(spec: &MuxerSpec) -> Result<Self, MediaError> {
        let err = |e| MediaError::libav("creating the HLS muxer", e);
        let mut output = ffi::alloc_output("hls", spec.playlist).map_err(err)?;
        let video_tb = spec.video.time_base();
        add_stream(&mut output, spec.video, video_tb)?;
        let audio_tb = spec.audio.map(|a| a.time_base());
        if let (Some(audio), Some(tb)) = (spec.audio, audio_tb) {
            add_stream(&mut output, audio, tb)?;
        }
        let mut options = Dictionary::new();
        options.set("protocol_whitelist", "file");
        options.set("hls_time", &spec.segment_secs.to_string());
        options.set("hls_list_size", "0");
        options.set("hls_playlist_type", "vod");
        options.set("hls_segment_type", "fmp4");
        options.set("hls_flags", "single_file+independent_segments");
        options.set("hls_segment_filename", &spec.fragmented.to_string_lossy());
        let unused: Vec<String> = {
            let leftover = output.write_header_with(options).map_err(err)?;
            leftover.iter().map(|(k, _)| k.to_string()).collect()
        };
        if !unused.is_empty() {
            return Err(MediaError::Libav(format!(
                "the HLS muxer ignored: {}",
                unused.join(",")
            )));
        }
        // The muxer picks the streams' time bases while writing the header.
        let stream_tb = |i: usize| {
            output
                .stream(i)
                .map(|s| s.time_base())
                .unwrap_or(Rational::new(1, 90_000))
        };
        let video_time_base = (video_tb, stream_tb(0));
        let audio_time_base = audio_tb.map(|tb| (tb, stream_tb(1)));
        Ok(RenditionMuxer {
            output,
            video_time_base,
            audio_time_base,
        })
    }

    /// Writes a video packet (timestamps in the encoder's time base).
    pub(crate) fn write_video(&mut self, mut packet: Packet) -> Result<(), MediaError> {
        let (from, to) = self.video_time_base;
        packet.set_stream(0);
        packet.rescale_ts(from, to);
        packet
            .write_interleaved(&mut self.output)
            .map_err(|e| MediaError::libav("writing video", e))
    }

    /// Writes an audio packet (timestamps in the AAC encoder's time base).
    pub(crate) fn write_audio(&mut self, mut packet: Packet) -> Result<(), MediaError> {
        let Some((from, to)) = self.audio_time_base else {
            return Ok(());
        };
        packet.set_stream(1);
        packet.rescale_ts(from, to);
        packet
            .write_interleaved(&mut self.output)
            .map_err(|e| MediaError::libav("writing audio", e))
    }

    /// Flushes everything and completes the playlist.
    pub(crate) fn finish(mut self) -> Result<(), MediaError> {
        self.output
            .write_trailer()
            .map_err(|e| MediaError::libav("finishing the HLS output", e))
    }
}

fn add_stream(
    output: &mut Output,
    ctx: &codec::Context,
    time_base: Rational,
) -> Result<(), MediaError> {
    let kind = if ctx.medium() == media::Type::Video {
        "video"
    } else {
        "audio"
    };
    let mut stream = output
        .add_stream_with(ctx)
        .map_err(|e| MediaError::libav(&format!("adding the {kind} stream"), e))?;
    stream.set_time_base(time_base);
    Ok(())
}
