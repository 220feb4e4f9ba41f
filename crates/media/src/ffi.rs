//! The crate's only `unsafe` code: the few libav calls that `ffmpeg-next` does not expose safely,
//! or exposes in a way that silently drops options (a misspelled `protocol_whitelist` would be
//! a silent security hole, so every option dictionary is checked for leftovers here).
//!
//! Each function keeps its raw pointers local and hands back `ffmpeg-next` owned types.
#![allow(unsafe_code)] // Why: calling libav's C API directly; kept to this one small module.

use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

use ffmpeg_next::ffi as sys;
use ffmpeg_next::{Codec, Dictionary, Rational, codec, format, frame};

/// Why [`open_input`] failed.
#[derive(Debug)]
pub(crate) enum OpenInputError {
    /// libav could not open or parse the file.
    Libav(ffmpeg_next::Error),
    /// libav did not recognise some of our options (they would have been ignored).
    UnusedOptions(String),
    /// An allow-list read back from the context differs from the one we set.
    WhitelistNotApplied(&'static str),
    /// The path cannot be passed to C (it contains a NUL byte).
    BadPath,
}

/// Opens the local file `path` as the URL `file:<path>` with `options` (which must include
/// `protocol_whitelist` and `format_whitelist`), then checks that libav used every option and
/// that both allow-lists were applied. Does not run stream analysis.
pub(crate) fn open_input(
    path: &Path,
    options: &[(&str, String)],
) -> Result<format::context::Input, OpenInputError> {
    let mut url = b"file:".to_vec();
    url.extend_from_slice(path.as_os_str().as_bytes());
    open_input_url(url, options)
}

/// Opens `url` (e.g. `pipe:0`) as [`open_input`] opens a file, with the same checks.
pub(crate) fn open_input_url(
    url: Vec<u8>,
    options: &[(&str, String)],
) -> Result<format::context::Input, OpenInputError> {
    let url = CString::new(url).map_err(|_| OpenInputError::BadPath)?;
    let expected = |key: &str| {
        options
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    };
    let mut dict = Dictionary::new();
    for (k, v) in options {
        dict.set(k, v);
    }
    // SAFETY: `ctx` starts null as avformat_open_input requires; on failure libav frees it and
    // leaves it null; on success we hand it to `Input::wrap`, which closes it on drop. The
    // dictionary pointer is owned again by `Dictionary::own` right after the call.
    unsafe {
        let mut ctx: *mut sys::AVFormatContext = ptr::null_mut();
        let mut raw = dict.disown();
        let ret = sys::avformat_open_input(&mut ctx, url.as_ptr(), ptr::null(), &mut raw);
        let leftover = Dictionary::own(raw);
        if ret < 0 {
            return Err(OpenInputError::Libav(ffmpeg_next::Error::from(ret)));
        }
        let input = format::context::Input::wrap(ctx);
        let unused: Vec<String> = leftover.iter().map(|(k, _)| k.to_string()).collect();
        if !unused.is_empty() {
            return Err(OpenInputError::UnusedOptions(unused.join(",")));
        }
        let read_back = |p: *const std::os::raw::c_char| {
            (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
        };
        if read_back((*ctx).protocol_whitelist) != expected("protocol_whitelist") {
            return Err(OpenInputError::WhitelistNotApplied("protocol_whitelist"));
        }
        if read_back((*ctx).format_whitelist) != expected("format_whitelist") {
            return Err(OpenInputError::WhitelistNotApplied("format_whitelist"));
        }
        Ok(input)
    }
}

/// Runs libav's stream analysis (which decodes a few frames) with every decoder limited to
/// `max_pixels` per picture.
pub(crate) fn find_stream_info(
    input: &mut format::context::Input,
    max_pixels: u64,
) -> Result<(), ffmpeg_next::Error> {
    let value = CString::new(max_pixels.min(i64::MAX as u64).to_string()).expect("digits");
    let key = c"max_pixels";
    // SAFETY: the options array has exactly `nb_streams` entries, as libav requires; every
    // dictionary is freed after the call whatever libav did with it.
    unsafe {
        let ctx = input.as_mut_ptr();
        let count = (*ctx).nb_streams as usize;
        let mut dicts: Vec<*mut sys::AVDictionary> = vec![ptr::null_mut(); count];
        for d in dicts.iter_mut() {
            sys::av_dict_set(d, key.as_ptr(), value.as_ptr(), 0);
        }
        let opts = if count == 0 {
            ptr::null_mut()
        } else {
            dicts.as_mut_ptr()
        };
        let ret = sys::avformat_find_stream_info(ctx, opts);
        for d in dicts.iter_mut() {
            sys::av_dict_free(d);
        }
        if ret < 0 {
            Err(ffmpeg_next::Error::from(ret))
        } else {
            Ok(())
        }
    }
}

/// Opens `ctx` with `codec` and `options`, failing when libav left any option unused
/// (`ffmpeg-next`'s own `open_with` silently drops them).
pub(crate) fn open_codec(
    ctx: &mut codec::Context,
    codec: Codec,
    options: Dictionary,
) -> Result<(), String> {
    // SAFETY: `ctx` is a live, not yet opened codec context and `codec` a registered codec;
    // the dictionary is owned again right after the call.
    unsafe {
        let mut raw = options.disown();
        let ret = sys::avcodec_open2(ctx.as_mut_ptr(), codec.as_ptr(), &mut raw);
        let leftover = Dictionary::own(raw);
        if ret < 0 {
            return Err(ffmpeg_next::Error::from(ret).to_string());
        }
        let unused: Vec<String> = leftover.iter().map(|(k, _)| k.to_string()).collect();
        if unused.is_empty() {
            Ok(())
        } else {
            Err(format!("unused codec options: {}", unused.join(",")))
        }
    }
}

/// Allocates an output context for muxer `format_name` writing to `path`, without opening any
/// file ourselves (`ffmpeg-next`'s `output_as` would `avio_open` the playlist name even for
/// muxers that open their own files).
pub(crate) fn alloc_output(
    format_name: &str,
    path: &Path,
) -> Result<format::context::Output, ffmpeg_next::Error> {
    let name = CString::new(format_name).map_err(|_| ffmpeg_next::Error::InvalidData)?;
    let url =
        CString::new(path.as_os_str().as_bytes()).map_err(|_| ffmpeg_next::Error::InvalidData)?;
    // SAFETY: `ctx` starts null; on success it is owned by `Output::wrap` (freed on drop).
    unsafe {
        let mut ctx: *mut sys::AVFormatContext = ptr::null_mut();
        let ret =
            sys::avformat_alloc_output_context2(&mut ctx, ptr::null(), name.as_ptr(), url.as_ptr());
        if ret < 0 || ctx.is_null() {
            return Err(ffmpeg_next::Error::from(ret.min(-1)));
        }
        Ok(format::context::Output::wrap(ctx))
    }
}

/// Clears a stream's codec tag, so that the muxer picks its own (a remux between containers).
pub(crate) fn clear_codec_tag(stream: &ffmpeg_next::format::stream::Stream) {
    let mut parameters = stream.parameters();
    // SAFETY: `parameters` wraps the stream's own live `codecpar`; the tag is a plain integer
    // field the muxer reads when its header is written.
    unsafe {
        (*parameters.as_mut_ptr()).codec_tag = 0;
    }
}

/// The codec's global header (`extradata`), e.g. the H.264 SPS/PPS of an opened encoder.
pub(crate) fn extradata(ctx: &codec::Context) -> Vec<u8> {
    // SAFETY: libav keeps `extradata_size` bytes at `extradata` (or a null pointer).
    unsafe {
        let c = ctx.as_ptr();
        let size = (*c).extradata_size;
        if (*c).extradata.is_null() || size <= 0 {
            return Vec::new();
        }
        std::slice::from_raw_parts((*c).extradata, size as usize).to_vec()
    }
}

/// Sets a frame's quality (lambda), which fixed-quality encoders such as MJPEG read per frame.
pub(crate) fn set_frame_quality(frame: &mut frame::Video, lambda: i32) {
    // SAFETY: a plain field write on a live frame.
    unsafe {
        (*frame.as_mut_ptr()).quality = lambda;
    }
}

/// The container's start time in microseconds (`AV_TIME_BASE`), if known.
pub(crate) fn format_start_time(input: &format::context::Input) -> Option<i64> {
    // SAFETY: a plain field read on a live context.
    let t = unsafe { (*input.as_ptr()).start_time };
    (t != sys::AV_NOPTS_VALUE).then_some(t)
}

/// Width, height and sample aspect ratio declared in a stream's codec parameters.
pub(crate) fn codecpar_picture(params: &codec::Parameters) -> (u32, u32, Rational) {
    // SAFETY: plain field reads on live codec parameters.
    unsafe {
        let p = params.as_ptr();
        let sar = (*p).sample_aspect_ratio;
        (
            u32::try_from((*p).width).unwrap_or(0),
            u32::try_from((*p).height).unwrap_or(0),
            Rational::new(sar.num, sar.den),
        )
    }
}

/// The sample aspect ratio libav guesses for stream `index` of `input`
/// (`av_guess_sample_aspect_ratio`): the container's (Matroska `DisplayWidth`/`DisplayHeight`,
/// MP4 `pasp`) when it declares one, else the codec's. `0/1` when neither is known.
pub(crate) fn guess_sample_aspect(input: &format::context::Input, index: usize) -> Rational {
    let Some(stream) = input.stream(index) else {
        return Rational::new(0, 1);
    };
    // SAFETY: both pointers are live for the duration of the call (the stream borrows the
    // input); a null frame asks libav to use the stream and its codec parameters only.
    let sar = unsafe {
        sys::av_guess_sample_aspect_ratio(
            input.as_ptr() as *mut sys::AVFormatContext,
            stream.as_ptr() as *mut sys::AVStream,
            ptr::null_mut(),
        )
    };
    Rational::new(sar.num, sar.den)
}

/// Sample rate and channel count declared in a stream's codec parameters.
pub(crate) fn codecpar_sound(params: &codec::Parameters) -> (u32, u32) {
    // SAFETY: plain field reads on live codec parameters.
    unsafe {
        let p = params.as_ptr();
        let channels = (*p).ch_layout.nb_channels.max((*p).channels);
        (
            u32::try_from((*p).sample_rate).unwrap_or(0),
            u32::try_from(channels).unwrap_or(0),
        )
    }
}

/// A new reference to `picture`'s buffers (no pixel copy), like `av_frame_clone`.
pub(crate) fn frame_ref(picture: &frame::Video) -> Option<frame::Video> {
    // SAFETY: av_frame_clone returns a new frame (or null) owning new references to the
    // source's buffers; `Video::wrap` takes ownership and frees it on drop.
    unsafe {
        let copy = sys::av_frame_clone(picture.as_ptr());
        (!copy.is_null()).then(|| frame::Video::wrap(copy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/peertube/media/video_short.mp4")
    }

    fn options(extra: Option<(&'static str, &str)>) -> Vec<(&'static str, String)> {
        let mut o = vec![
            ("protocol_whitelist", "file".to_string()),
            (
                "format_whitelist",
                crate::allow::FORMAT_WHITELIST.to_string(),
            ),
        ];
        o.extend(extra.map(|(k, v)| (k, v.to_string())));
        o
    }

    #[test]
    fn open_input_applies_whitelists_and_rejects_unknown_options() {
        crate::init_libav().unwrap();
        let input = open_input(&fixture(), &options(None)).expect("opens");
        assert_eq!(input.format().name(), "mov,mp4,m4a,3gp,3g2,mj2");
        match open_input(&fixture(), &options(Some(("protocol_whitelsit", "file")))) {
            Err(OpenInputError::UnusedOptions(keys)) => assert_eq!(keys, "protocol_whitelsit"),
            other => panic!("{:?}", other.map(|_| ())),
        }
        // A demuxer the whitelist does not name is refused.
        let narrow = vec![
            ("protocol_whitelist", "file".to_string()),
            ("format_whitelist", "ogg".to_string()),
        ];
        assert!(matches!(
            open_input(&fixture(), &narrow),
            Err(OpenInputError::Libav(_))
        ));
    }

    #[test]
    fn open_codec_rejects_unknown_options() {
        crate::init_libav().unwrap();
        let codec = ffmpeg_next::encoder::find_by_name("mjpeg").unwrap();
        let mut video = codec::Context::new_with_codec(codec)
            .encoder()
            .video()
            .unwrap();
        video.set_width(16);
        video.set_height(16);
        video.set_format(format::Pixel::YUVJ420P);
        video.set_time_base(Rational::new(1, 25));
        let mut options = Dictionary::new();
        options.set("no_such_option", "1");
        let err = open_codec(&mut video.0.0, codec, options).unwrap_err();
        assert!(err.contains("no_such_option"), "{err}");
    }

    #[test]
    fn codec_parameters_are_read_without_a_decoder() {
        crate::init_libav().unwrap();
        let mut input = open_input(&fixture(), &options(None)).unwrap();
        let (w, h, _) = codecpar_picture(&input.stream(0).unwrap().parameters());
        assert_eq!((w, h), (1280, 720));
        // The sample aspect ratio comes from the H.264 headers, read by stream analysis.
        find_stream_info(&mut input, 1 << 24).unwrap();
        let (_, _, sar) = codecpar_picture(&input.stream(0).unwrap().parameters());
        assert_eq!(sar, Rational::new(241, 226));
        let (rate, channels) = codecpar_sound(&input.stream(1).unwrap().parameters());
        assert_eq!((rate, channels), (44100, 2));
    }
}
