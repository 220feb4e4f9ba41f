//! The fragmented-to-progressive remux against real files: HLS fMP4 renditions made by the
//! ffmpeg CLI with the muxer options our transcoder uses (single file, byte ranges, one
//! fragment per segment) from PeerTube's test media; the output must be accepted by ffprobe and
//! decoded by ffmpeg without an error, with exactly the source's packet and frame counts.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use kinora_core::mp4::{Indexer, Limits, Progressive};

fn media(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/peertube/media")
        .join(name)
}

/// Makes a rendition as the transcoder does: H.264 (with B-frames) + AAC in one fragmented MP4.
fn rendition(input: &Path, dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("r-fragmented.mp4");
    let mut args: Vec<&str> = vec!["-v", "error", "-y", "-i"];
    let input = input.to_str().unwrap();
    args.push(input);
    args.extend_from_slice(extra);
    args.extend_from_slice(&[
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "24",
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-f",
        "hls",
        "-hls_segment_type",
        "fmp4",
        "-hls_time",
        "1",
        "-hls_playlist_type",
        "vod",
        "-hls_flags",
        "single_file+independent_segments",
        "-hls_segment_filename",
    ]);
    let out_str = out.to_str().unwrap().to_owned();
    let playlist = dir.join("r.m3u8");
    let playlist = playlist.to_str().unwrap().to_owned();
    args.push(&out_str);
    args.push(&playlist);
    let status = Command::new("ffmpeg")
        .args(&args)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the rendition");
    out
}

/// Remuxes a file on disk the way the download route does (ranges read on demand).
fn remux(source: &Path, target: &Path) -> Progressive {
    let mut file = std::fs::File::open(source).unwrap();
    let len = file.metadata().unwrap().len();
    let mut indexer = Indexer::new(len, Limits::default());
    while let Some((offset, want)) = indexer.next_read() {
        let mut buf = vec![0u8; want as usize];
        file.seek(SeekFrom::Start(offset)).unwrap();
        file.read_exact(&mut buf).unwrap();
        indexer.feed(&buf).unwrap();
    }
    let progressive = indexer.finish().unwrap();
    let mut out = std::fs::File::create(target).unwrap();
    out.write_all(&progressive.head).unwrap();
    for &(offset, len) in &progressive.copies {
        file.seek(SeekFrom::Start(offset)).unwrap();
        std::io::copy(&mut (&mut file).take(len), &mut out).unwrap();
    }
    out.flush().unwrap();
    progressive
}

/// Per stream: codec type, packets, decoded frames, duration.
fn counts(file: &Path) -> Vec<(String, String, String)> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-count_packets",
            "-show_entries",
        ])
        .arg("stream=codec_type,nb_read_packets,nb_read_frames")
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe accepts {}", file.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let parts: Vec<&str> = line.split(',').collect();
            (
                parts[0].to_owned(),
                parts[1].to_owned(),
                parts[2].to_owned(),
            )
        })
        .collect()
}

fn decode_errors(file: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_progressive(file: &Path) -> bool {
    let bytes = std::fs::read(file).unwrap();
    let find = |kind: &[u8]| bytes.windows(4).position(|w| w == kind);
    // moov before mdat, no fragments.
    find(b"moof").is_none() && find(b"moov").unwrap() < find(b"mdat").unwrap()
}

fn check(input: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let source = rendition(&media(input), dir.path(), extra);
    let target = dir.path().join("out.mp4");
    let progressive = remux(&source, &target);
    assert_eq!(std::fs::metadata(&target).unwrap().len(), progressive.len());
    assert!(is_progressive(&target), "{input}: moov first, no moof");
    let (before, after) = (counts(&source), counts(&target));
    assert!(!before.is_empty());
    assert_eq!(before, after, "{input}: packets and frames per stream");
    assert_eq!(decode_errors(&target), "", "{input}: decodes cleanly");
}

#[test]
fn video_and_audio_with_b_frames() {
    check("60fps_720p_small.mp4", &[]);
}

#[test]
fn many_fragments() {
    check("video_very_long_10p.mp4", &[]);
}

#[test]
fn video_without_audio() {
    check("video_short_no_audio.mp4", &[]);
}

#[test]
fn other_source_containers() {
    check("video_short.webm", &[]);
    check("video_short.avi", &["-vf", "scale=-2:240"]);
}
