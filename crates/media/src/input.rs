//! Opening an upload safely and choosing its streams; shared by probing, transcoding and images.

use std::path::Path;

use ffmpeg_next::format::context::Input;
use ffmpeg_next::{Dictionary, Rational, Stream, codec, decoder, format, media};

use crate::MediaError;
use crate::allow;
use crate::ffi::{self, OpenInputError};

/// How many bytes and microseconds libav may read while guessing the format and streams.
const PROBE_SIZE: &str = "10000000";
const ANALYZE_DURATION_US: &str = "10000000";

/// Opens `path` (a local file) with libav restricted to the `file` protocol, the demuxer
/// allow-list and at most `max_streams` streams. Every failure is a refusal: an upload libav
/// cannot open is not a media file we accept.
pub(crate) fn open(path: &Path, max_streams: u32) -> Result<Input, MediaError> {
    let path = std::fs::canonicalize(path)?;
    let options = [
        ("protocol_whitelist", "file".to_string()),
        ("format_whitelist", allow::FORMAT_WHITELIST.to_string()),
        ("max_streams", max_streams.to_string()),
        ("probesize", PROBE_SIZE.to_string()),
        ("analyzeduration", ANALYZE_DURATION_US.to_string()),
    ];
    let input = ffi::open_input(&path, &options).map_err(|e| match e {
        OpenInputError::Libav(ffmpeg_next::Error::Other { errno: libc_enomem })
            if libc_enomem == ENOMEM =>
        {
            MediaError::Refused(format!(
                "the file has more than {} streams, or its headers could not be parsed",
                max_streams.saturating_sub(1)
            ))
        }
        OpenInputError::Libav(ffmpeg_next::Error::InvalidData) => MediaError::Refused(
            "not a supported media file (unknown container, playlist, concat list or image \
             sequence, or corrupt header)"
                .into(),
        ),
        OpenInputError::Libav(err) => {
            MediaError::Refused(format!("not a supported media file: {err}"))
        }
        OpenInputError::UnusedOptions(keys) => {
            MediaError::Libav(format!("libav ignored input options: {keys}"))
        }
        OpenInputError::WhitelistNotApplied(which) => {
            MediaError::Libav(format!("libav did not apply {which}"))
        }
        OpenInputError::BadPath => MediaError::Refused("the path contains a NUL byte".into()),
    })?;
    let name = input.format().name().to_string();
    if !allow::is_allowed_format(&name) {
        return Err(MediaError::Refused(format!(
            "container format {name} is not supported"
        )));
    }
    Ok(input)
}

/// `ENOMEM`, which demuxers return when libav refuses a stream over `max_streams`.
const ENOMEM: i32 = 12;

/// The picture size a stream's header declares (its sample aspect ratio is read with the
/// container's, `ffi::guess_sample_aspect`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PictureParams {
    pub width: u32,
    pub height: u32,
}

/// The picture parameters of a video stream, read from its codec parameters (no decoder is
/// opened, nothing is decoded).
pub(crate) fn picture_params(stream: &Stream) -> Option<PictureParams> {
    let (width, height, _) = ffi::codecpar_picture(&stream.parameters());
    Some(PictureParams { width, height })
}

/// Sample rate and channel count of an audio stream, from its codec parameters.
pub(crate) fn sound_params(stream: &Stream) -> Option<(u32, u32)> {
    Some(ffi::codecpar_sound(&stream.parameters()))
}

/// libav's codec name for a stream.
pub(crate) fn codec_name(stream: &Stream) -> String {
    stream.parameters().id().name().to_string()
}

fn is_cover(stream: &Stream) -> bool {
    stream
        .disposition()
        .contains(format::stream::Disposition::ATTACHED_PIC)
}

fn is_default(stream: &Stream) -> bool {
    stream
        .disposition()
        .contains(format::stream::Disposition::DEFAULT)
}

/// The streams Kinora uses from an input.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Selection {
    /// The main video stream (never cover art).
    pub video: Option<usize>,
    /// The main audio stream.
    pub audio: Option<usize>,
    /// Cover art attached to an audio file, used for the still when there is no video.
    pub cover: Option<usize>,
}

/// Chooses the video stream (allowed codec, default disposition first, then the largest
/// picture), the audio stream (allowed codec, default disposition first, then the first) and
/// cover art. Streams with codecs off the allow-lists are never chosen; if the only video or
/// audio streams have such codecs, the refusal names the codec.
pub(crate) fn select_streams(input: &Input) -> Result<Selection, MediaError> {
    let mut selection = Selection::default();
    let mut best_video: Option<(bool, u64)> = None;
    let (mut refused_video, mut refused_audio) = (None, None);
    for stream in input.streams() {
        let name = codec_name(&stream);
        match stream.parameters().medium() {
            media::Type::Video if is_cover(&stream) => {
                let usable = selection.cover.is_none() && allow::is_allowed_cover_codec(&name);
                selection.cover = selection.cover.or(usable.then(|| stream.index()));
            }
            media::Type::Video if !allow::is_allowed_video_codec(&name) => {
                refused_video.get_or_insert(name);
            }
            media::Type::Video => {
                let pixels = picture_params(&stream)
                    .map(|p| u64::from(p.width) * u64::from(p.height))
                    .unwrap_or(0);
                let rank = (is_default(&stream), pixels);
                if best_video.is_none_or(|best| rank > best) {
                    best_video = Some(rank);
                    selection.video = Some(stream.index());
                }
            }
            media::Type::Audio if !allow::is_allowed_audio_codec(&name) => {
                refused_audio.get_or_insert(name);
            }
            media::Type::Audio => {
                let current_is_default = selection
                    .audio
                    .and_then(|i| input.stream(i))
                    .is_some_and(|s| is_default(&s));
                if selection.audio.is_none() || (!current_is_default && is_default(&stream)) {
                    selection.audio = Some(stream.index());
                }
            }
            _ => {}
        }
    }
    if let (None, Some(codec)) = (selection.video, refused_video) {
        return Err(MediaError::Refused(format!(
            "video codec {codec} is not supported"
        )));
    }
    if let (None, Some(codec)) = (selection.audio, refused_audio) {
        return Err(MediaError::Refused(format!(
            "audio codec {codec} is not supported"
        )));
    }
    if selection.video.is_none() && selection.audio.is_none() {
        return Err(MediaError::Refused(
            "the file has no audio or video stream".into(),
        ));
    }
    Ok(selection)
}

/// Converts a timestamp in `time_base` units to seconds.
pub(crate) fn seconds(ts: i64, time_base: Rational) -> f64 {
    ts as f64 * f64::from(time_base.numerator()) / f64::from(time_base.denominator().max(1))
}

/// Clockwise rotation (0, 90, 180 or 270) that the stream's display matrix asks players to
/// apply, as the ffmpeg CLI's autorotate reads it.
pub(crate) fn rotation_degrees(stream: &Stream) -> i32 {
    use ffmpeg_next::codec::packet::side_data::Type;
    for side in stream.side_data() {
        if side.kind() != Type::DisplayMatrix {
            continue;
        }
        let data = side.data();
        if data.len() < 36 {
            return 0;
        }
        let m = |i: usize| {
            let b = [
                data[4 * i],
                data[4 * i + 1],
                data[4 * i + 2],
                data[4 * i + 3],
            ];
            f64::from(i32::from_ne_bytes(b))
        };
        let (scale0, scale1) = (m(0).hypot(m(3)), m(1).hypot(m(4)));
        if scale0 == 0.0 || scale1 == 0.0 {
            return 0;
        }
        // Counter-clockwise angle of the matrix, negated into a clockwise one.
        let ccw = -(m(1) / scale1).atan2(m(0) / scale0).to_degrees();
        let clockwise = (-ccw).round().rem_euclid(360.0);
        return (((clockwise / 90.0).round() as i32) * 90).rem_euclid(360);
    }
    0
}

/// A decoder for `stream` with frame threads and the stream's packet time base, refusing
/// pictures over `max_pixels`.
pub(crate) fn open_decoder(stream: &Stream, max_pixels: u64) -> Result<decoder::Video, MediaError> {
    let params = stream.parameters();
    let codec = decoder::find(params.id())
        .ok_or_else(|| MediaError::Libav(format!("no decoder for {}", params.id().name())))?;
    let mut ctx = codec::Context::from_parameters(params)
        .map_err(|e| MediaError::libav("reading video parameters", e))?
        .decoder();
    ctx.set_packet_time_base(stream.time_base());
    let mut options = Dictionary::new();
    options.set("threads", "auto");
    options.set("max_pixels", &max_pixels.min(i64::MAX as u64).to_string());
    ffi::open_codec(&mut ctx.0, codec, options)
        .map_err(|e| MediaError::Libav(format!("opening the video decoder: {e}")))?;
    Ok(decoder::Video(decoder::Opened(ctx)))
}
