//! Checking a request's file names, and the finishing step once every muxer is done: fix the
//! media playlists' URIs, measure bandwidths, hash segments, write the master playlist and
//! the segments-sha256 JSON.

use std::io;
use std::path::Path;

use super::playlist::{self, Variant};
use super::{HlsOutput, HlsRequest, RenditionOutput};
use crate::MediaError;

/// Refuses malformed requests (caller bugs): counts that differ, names that are not plain
/// file names, duplicate names, a zero segment length.
pub(crate) fn check_request(request: &HlsRequest) -> Result<(), MediaError> {
    let invalid = |msg: String| MediaError::Io(io::Error::new(io::ErrorKind::InvalidInput, msg));
    if request.renditions.is_empty() || request.renditions.len() != request.names.len() {
        return Err(invalid(format!(
            "{} renditions but {} name pairs",
            request.renditions.len(),
            request.names.len()
        )));
    }
    if request.segment_secs == 0 {
        return Err(invalid("segment_secs must be at least 1".into()));
    }
    let mut all: Vec<&str> = vec![request.master_file, request.segments_sha256_file];
    for n in request.names {
        all.push(&n.fragmented_file);
        all.push(&n.playlist_file);
    }
    for name in &all {
        let plain = !name.is_empty()
            && *name != "."
            && *name != ".."
            && !name.contains(['/', '\\', '\0', '%'])
            && !name.starts_with('.');
        if !plain {
            return Err(invalid(format!("`{name}` is not a plain file name")));
        }
    }
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != all.len() {
        return Err(invalid("output file names must all differ".into()));
    }
    if request.output_dir.to_string_lossy().contains('%') {
        // libavformat's HLS muxer expands `%` patterns in its file names.
        return Err(invalid(
            "the output directory's path must not contain `%`".into(),
        ));
    }
    if !request.output_dir.is_dir() {
        return Err(invalid(format!(
            "{} is not a directory",
            request.output_dir.display()
        )));
    }
    Ok(())
}

/// Post-processes the muxers' output into the final HLS set.
pub(crate) fn finish(
    request: &HlsRequest,
    dir: &Path,
    video_codecs: &[String],
    has_audio: bool,
) -> Result<HlsOutput, MediaError> {
    let mut variants = Vec::new();
    let mut hashes = Vec::new();
    let mut renditions = Vec::new();
    let mut duration_secs = None;
    for ((rendition, names), codec) in request
        .renditions
        .iter()
        .zip(request.names)
        .zip(video_codecs)
    {
        let playlist_path = dir.join(&names.playlist_file);
        let fragmented_path = dir.join(&names.fragmented_file);
        let text = std::fs::read_to_string(&playlist_path)?;
        let segments = playlist::parse_segments(&text)
            .map_err(|e| MediaError::Libav(format!("{}: {e}", names.playlist_file)))?;
        let fixed = playlist::relative_uris(&text, &names.fragmented_file);
        if fixed != text {
            std::fs::write(&playlist_path, fixed)?;
        }
        let (peak_bandwidth, average_bandwidth) = playlist::bandwidths(&segments);
        duration_secs.get_or_insert_with(|| segments.iter().map(|s| s.duration).sum::<f64>());
        hashes.push((
            names.fragmented_file.clone(),
            playlist::segment_hashes(&fragmented_path, &segments)?,
        ));
        let codecs = if has_audio {
            format!("{codec},mp4a.40.2")
        } else {
            codec.clone()
        };
        variants.push(Variant {
            peak_bandwidth,
            average_bandwidth,
            width: rendition.width,
            height: rendition.height,
            fps: rendition.fps,
            codecs,
            uri: names.playlist_file.clone(),
        });
        renditions.push(RenditionOutput {
            resolution: rendition.resolution,
            width: rendition.width,
            height: rendition.height,
            fps: rendition.fps,
            fragmented_file: names.fragmented_file.clone(),
            playlist_file: names.playlist_file.clone(),
            size_bytes: std::fs::metadata(&fragmented_path)?.len(),
            has_audio,
            has_video: true,
            peak_bandwidth,
            average_bandwidth,
        });
    }
    std::fs::write(
        dir.join(request.master_file),
        playlist::master_playlist(&variants),
    )?;
    std::fs::write(
        dir.join(request.segments_sha256_file),
        playlist::segments_sha256_json(&hashes),
    )?;
    Ok(HlsOutput {
        duration_secs: duration_secs.unwrap_or(0.0),
        renditions,
    })
}
