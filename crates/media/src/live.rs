//! Lives: the FLV stream the RTMP ingest pipes in, remuxed as it arrives (no re-encoding) into
//! PeerTube's live HLS — MPEG-TS segments `0-000000.ts`, `0-000001.ts`, …, the media playlist
//! `0.m3u8` listing the last few, and the master playlist `master.m3u8` — in the directory the
//! caller gives. Old segments are deleted as new ones come (libav's `delete_segments`), so the
//! directory stays bounded however long the live runs.

use std::path::{Path, PathBuf};

use ffmpeg_next::format::context::{Input, Output};
use ffmpeg_next::{Dictionary, Rational, media};

use crate::ffi::{self, OpenInputError};
use crate::{MediaError, init_libav};

/// What a live may be: the largest picture and frame rate accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveLimits {
    /// Widest picture, pixels.
    pub max_width: u32,
    /// Tallest picture, pixels.
    pub max_height: u32,
    /// Highest frame rate.
    pub max_fps: u32,
}

impl Default for LiveLimits {
    fn default() -> Self {
        Self {
            max_width: 3840,
            max_height: 2160,
            max_fps: 120,
        }
    }
}

/// A live remux to run.
#[derive(Debug, Clone)]
pub struct LiveHlsRequest {
    /// Where the FLV comes from: standard input, or a local file for tests.
    pub input: LiveSource,
    /// The empty output directory.
    pub output_dir: PathBuf,
    /// Segment length, seconds.
    pub segment_secs: u32,
    /// Segments the media playlist lists.
    pub playlist_size: u32,
    /// The first segment's number: 0 (PeerTube's first), or the next after an earlier
    /// broadcast's when this one resumes it (its playlist then starts with a discontinuity).
    pub start_number: u32,
    /// What is accepted.
    pub limits: LiveLimits,
}

/// Where the FLV comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSource {
    /// Standard input (`pipe:0`).
    Stdin,
    /// A local file.
    File(PathBuf),
}

/// What the input turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveStreamInfo {
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Whether there is sound.
    pub has_audio: bool,
}

pub use kinora_core::live::{MASTER_PLAYLIST, MEDIA_PLAYLIST};

/// Reads the FLV until it ends and writes the live HLS into `output_dir`. `started` is called
/// once the input is known to be acceptable and the master playlist is written. The input is
/// refused (with its reason) when it has no H.264 video, or a picture or frame rate beyond the
/// limits.
pub fn remux_live_to_hls(
    request: &LiveHlsRequest,
    started: impl FnOnce(&LiveStreamInfo),
) -> Result<LiveStreamInfo, MediaError> {
    init_libav()?;
    let mut input = open(&request.input)?;
    ffi::find_stream_info(
        &mut input,
        u64::from(request.limits.max_width) * u64::from(request.limits.max_height),
    )
    .map_err(|error| MediaError::Refused(format!("the stream could not be read: {error}")))?;
    let (video_index, info) = check_streams(&input, &request.limits)?;
    let audio_index = input
        .streams()
        .best(media::Type::Audio)
        .filter(|stream| stream.parameters().id() == ffmpeg_next::codec::Id::AAC)
        .map(|stream| stream.index());
    let info = LiveStreamInfo {
        has_audio: audio_index.is_some(),
        ..info
    };
    let playlist = request.output_dir.join(MEDIA_PLAYLIST);
    let mut output = ffi::alloc_output("hls", &playlist)
        .map_err(|error| MediaError::libav("creating the live HLS muxer", error))?;
    let mut mapping: Vec<Option<(usize, Rational)>> = vec![None; input.streams().count()];
    for (next, index) in std::iter::once(video_index).chain(audio_index).enumerate() {
        let source = input.stream(index).expect("a stream found above");
        let mut stream = output
            .add_stream(None::<ffmpeg_next::Codec>)
            .map_err(|error| MediaError::libav("adding a live stream", error))?;
        stream.set_parameters(source.parameters());
        // FLV's codec tags mean nothing to MPEG-TS: the muxer chooses its own.
        ffi::clear_codec_tag(&stream);
        mapping[index] = Some((next, source.time_base()));
    }
    write_header(&mut output, request)?;
    write_master(&request.output_dir, &info, &input, video_index)?;
    started(&info);
    let time_bases: Vec<Rational> = output.streams().map(|stream| stream.time_base()).collect();
    for (stream, mut packet) in input.packets() {
        let Some((target, from)) = mapping[stream.index()] else {
            continue;
        };
        packet.set_stream(target);
        packet.rescale_ts(from, time_bases[target]);
        packet.set_position(-1);
        packet
            .write_interleaved(&mut output)
            .map_err(|error| MediaError::libav("writing the live HLS", error))?;
    }
    output
        .write_trailer()
        .map_err(|error| MediaError::libav("ending the live HLS", error))?;
    Ok(info)
}

fn open(input: &LiveSource) -> Result<Input, MediaError> {
    let (url, protocol) = match input {
        LiveSource::Stdin => (b"pipe:0".to_vec(), "pipe"),
        LiveSource::File(path) => {
            let mut url = b"file:".to_vec();
            url.extend_from_slice(path.as_os_str().as_encoded_bytes());
            (url, "file")
        }
    };
    let options = [
        ("protocol_whitelist", protocol.to_owned()),
        ("format_whitelist", "flv".to_owned()),
        ("max_streams", "4".to_owned()),
        ("probesize", "4000000".to_owned()),
        ("analyzeduration", "4000000".to_owned()),
    ];
    ffi::open_input_url(url, &options).map_err(|error| match error {
        OpenInputError::Libav(error) => {
            MediaError::Refused(format!("the stream is not FLV as RTMP sends it: {error}"))
        }
        other => MediaError::Libav(format!("opening the live input: {other:?}")),
    })
}

/// Finds the video stream and checks it against the limits.
fn check_streams(
    input: &Input,
    limits: &LiveLimits,
) -> Result<(usize, LiveStreamInfo), MediaError> {
    let video = input
        .streams()
        .best(media::Type::Video)
        .ok_or_else(|| MediaError::Refused("the stream has no video".to_owned()))?;
    if video.parameters().id() != ffmpeg_next::codec::Id::H264 {
        return Err(MediaError::Refused(format!(
            "the video is {:?}; a live must be H.264",
            video.parameters().id()
        )));
    }
    let (width, height, _) = ffi::codecpar_picture(&video.parameters());
    if width == 0 || height == 0 {
        return Err(MediaError::Refused(
            "the video's picture size is unknown".to_owned(),
        ));
    }
    if width > limits.max_width || height > limits.max_height {
        return Err(MediaError::Refused(format!(
            "the picture is {width}x{height}, larger than {}x{}",
            limits.max_width, limits.max_height
        )));
    }
    let rate = video.avg_frame_rate();
    let rate = if rate.denominator() > 0 && rate.numerator() > 0 {
        rate
    } else {
        video.rate()
    };
    if rate.denominator() > 0
        && f64::from(rate.numerator()) / f64::from(rate.denominator()) > f64::from(limits.max_fps)
    {
        return Err(MediaError::Refused(format!(
            "the frame rate is {}/{}, above {} frames per second",
            rate.numerator(),
            rate.denominator(),
            limits.max_fps
        )));
    }
    Ok((
        video.index(),
        LiveStreamInfo {
            width,
            height,
            has_audio: false,
        },
    ))
}

fn write_header(output: &mut Output, request: &LiveHlsRequest) -> Result<(), MediaError> {
    let segments = request.output_dir.join("0-%06d.ts");
    let mut options = Dictionary::new();
    options.set("protocol_whitelist", "file");
    options.set("hls_time", &request.segment_secs.to_string());
    options.set("hls_list_size", &request.playlist_size.to_string());
    let resumes = request.start_number > 0;
    options.set(
        "hls_flags",
        if resumes {
            "delete_segments+independent_segments+program_date_time+temp_file+discont_start"
        } else {
            "delete_segments+independent_segments+program_date_time+temp_file"
        },
    );
    options.set("start_number", &request.start_number.to_string());
    options.set("hls_segment_type", "mpegts");
    options.set("hls_segment_filename", &segments.to_string_lossy());
    let unused: Vec<String> = {
        let leftover = output
            .write_header_with(options)
            .map_err(|error| MediaError::libav("starting the live HLS", error))?;
        leftover.iter().map(|(key, _)| key.to_string()).collect()
    };
    if unused.is_empty() {
        Ok(())
    } else {
        Err(MediaError::Libav(format!(
            "the live HLS muxer ignored: {}",
            unused.join(",")
        )))
    }
}

/// The master playlist: one variant, the input as it comes.
fn write_master(
    dir: &Path,
    info: &LiveStreamInfo,
    input: &Input,
    video_index: usize,
) -> Result<(), MediaError> {
    let declared = input
        .stream(video_index)
        .map(|stream| stream.parameters().bit_rate())
        .unwrap_or(0);
    // The broadcaster's own figure when it gave one, else a generous guess for its size.
    let bandwidth = if declared > 0 {
        declared + 192_000
    } else {
        i64::from(info.width) * i64::from(info.height) * 8
    };
    let text = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n\
         #EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={}x{}\n{MEDIA_PLAYLIST}\n",
        info.width, info.height
    );
    let temporary = dir.join(format!(".{MASTER_PLAYLIST}.tmp"));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, dir.join(MASTER_PLAYLIST))?;
    Ok(())
}

/// The segments a live media playlist lists, in order (what is complete and may be hashed).
pub fn listed_segments(playlist: &str) -> Vec<String> {
    playlist
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|line| is_segment_name(line))
        .map(str::to_owned)
        .collect()
}

pub use kinora_core::live::is_segment_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_segment_names_are_listed() {
        let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n0-000003.ts\n#EXTINF:4.0,\n0-000004.ts\n../etc/passwd\n";
        assert_eq!(listed_segments(playlist), ["0-000003.ts", "0-000004.ts"]);
    }
}
