//! Shared helpers for the media integration tests: fixtures, running a transcode, and
//! checking HLS output with the ffmpeg/ffprobe CLI.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use kinora_media::{
    HlsOutput, HlsRequest, InputLimits, ProbeReport, Rendition, RenditionNames, plan_ladder, probe,
    transcode_to_hls,
};
use sha2::{Digest, Sha256};

/// A file of the shared PeerTube fixtures.
pub fn fixture(name: &str) -> PathBuf {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/peertube/media/"
    );
    PathBuf::from(dir).join(name)
}

/// Runs the ffmpeg CLI (or ffprobe) and returns (success, stdout, stderr).
pub fn run_tool(tool: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .expect("ffmpeg CLI installed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first line ffprobe prints for `entries` (e.g. `stream=width,height`) of the first
/// video stream of `path`, as CSV without section names.
pub fn ffprobe_video(path: &Path, entries: &str) -> String {
    let (ok, out, err) = run_tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            entries,
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    out.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Runs the ffmpeg CLI quietly (`-v error` is added) and fails the test if it fails.
pub fn ffmpeg(args: &[&str]) {
    let mut all = vec!["-v", "error"];
    all.extend_from_slice(args);
    let (ok, _, err) = run_tool("ffmpeg", &all);
    assert!(ok, "ffmpeg {args:?}: {err}");
}

/// The first 2 s of `video_short.mp4`, stream-copied and tagged as rotated by 90°.
pub fn rotated_clip(dir: &Path) -> PathBuf {
    let path = dir.join("rotated.mp4");
    let source = fixture("video_short.mp4");
    ffmpeg(&[
        "-i",
        source.to_str().unwrap(),
        "-t",
        "2",
        "-c",
        "copy",
        "-metadata:s:v",
        "rotate=90",
        path.to_str().unwrap(),
    ]);
    path
}

/// Names the way the transcoder does: `<uuid>-<res>-fragmented.mp4` and `<uuid>-<res>.m3u8`.
pub fn names_for(renditions: &[Rendition]) -> Vec<RenditionNames> {
    renditions
        .iter()
        .enumerate()
        .map(|(i, r)| RenditionNames {
            fragmented_file: format!("f{i}uuid-{}-fragmented.mp4", r.resolution),
            playlist_file: format!("f{i}uuid-{}.m3u8", r.resolution),
        })
        .collect()
}

pub const MASTER: &str = "vuuid-master.m3u8";
pub const SHA_FILE: &str = "vuuid-segments-sha256.json";

/// A finished transcode in a temporary directory.
pub struct Transcoded {
    pub dir: tempfile::TempDir,
    pub report: ProbeReport,
    pub renditions: Vec<Rendition>,
    pub names: Vec<RenditionNames>,
    pub output: HlsOutput,
    pub progress: Vec<f64>,
}

/// Probes and transcodes `path`, keeping only the renditions `keep` accepts.
pub fn transcode(path: &Path, keep: impl Fn(&Rendition) -> bool) -> Transcoded {
    let report = probe(path, &InputLimits::default()).expect("probe accepts the fixture");
    let renditions: Vec<Rendition> = plan_ladder(&report)
        .into_iter()
        .filter(|r| keep(r))
        .collect();
    assert!(!renditions.is_empty());
    let names = names_for(&renditions);
    let dir = tempfile::tempdir().unwrap();
    let request = HlsRequest {
        input: path,
        report: &report,
        renditions: &renditions,
        names: &names,
        master_file: MASTER,
        segments_sha256_file: SHA_FILE,
        output_dir: dir.path(),
        segment_secs: 4,
    };
    let mut progress = Vec::new();
    let cancel = AtomicBool::new(false);
    let output = transcode_to_hls(&request, &mut |p| progress.push(p), &cancel).expect("transcode");
    Transcoded {
        dir,
        report,
        renditions,
        names,
        output,
        progress,
    }
}

/// One `#EXT-X-STREAM-INF` of a master playlist: attributes and URI.
pub fn master_variants(text: &str) -> Vec<(BTreeMap<String, String>, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(attrs) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            let mut map = BTreeMap::new();
            let mut rest = attrs;
            while !rest.is_empty() {
                let (key, after) = rest.split_once('=').unwrap();
                let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                    let end = quoted.find('"').unwrap();
                    (&quoted[..end], quoted[end + 1..].trim_start_matches(','))
                } else {
                    match after.split_once(',') {
                        Some((v, n)) => (v, n),
                        None => (after, ""),
                    }
                };
                map.insert(key.to_string(), value.to_string());
                rest = next;
            }
            out.push((map, lines[i + 1].to_string()));
        }
    }
    out
}

/// A media segment: (duration, offset, length).
pub type Segment = (f64, u64, u64);

/// The segments of a media playlist, and the init section's (offset, length).
pub fn media_segments(text: &str) -> (Vec<Segment>, (u64, u64)) {
    let mut segments = Vec::new();
    let mut duration = 0.0;
    let mut init = (0, 0);
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("#EXTINF:") {
            duration = v.trim_end_matches(',').parse().unwrap();
        } else if let Some(v) = line.strip_prefix("#EXT-X-BYTERANGE:") {
            let (len, off) = v.split_once('@').expect("explicit offsets");
            segments.push((duration, off.parse().unwrap(), len.parse().unwrap()));
        } else if let Some(v) = line.strip_prefix("#EXT-X-MAP:") {
            let range = v
                .split("BYTERANGE=\"")
                .nth(1)
                .unwrap()
                .trim_end_matches('"');
            let (len, off) = range.split_once('@').unwrap();
            init = (off.parse().unwrap(), len.parse().unwrap());
        }
    }
    (segments, init)
}

/// Checks everything the HLS output must satisfy; `expected_duration` within `tolerance` s.
pub fn check_hls(t: &Transcoded, expected_duration: f64, tolerance: f64) {
    let dir = t.dir.path();
    // Only the expected files exist.
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut expected: Vec<String> = vec![MASTER.into(), SHA_FILE.into()];
    for n in &t.names {
        expected.push(n.fragmented_file.clone());
        expected.push(n.playlist_file.clone());
    }
    expected.sort();
    assert_eq!(files, expected);

    let master = std::fs::read_to_string(dir.join(MASTER)).unwrap();
    let variants = master_variants(&master);
    assert_eq!(variants.len(), t.renditions.len(), "{master}");
    let sha: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(SHA_FILE)).unwrap()).unwrap();
    let mut all_extinf: Vec<Vec<f64>> = Vec::new();
    for ((rendition, names), (attrs, uri)) in t.renditions.iter().zip(&t.names).zip(&variants) {
        assert_eq!(uri, &names.playlist_file);
        assert_eq!(
            attrs["RESOLUTION"],
            format!("{}x{}", rendition.width, rendition.height)
        );
        let fps: f64 = attrs["FRAME-RATE"].parse().unwrap();
        assert!((fps - rendition.fps).abs() < 0.001);
        assert!(attrs["CODECS"].starts_with("avc1."), "{attrs:?}");
        let has_audio = t.report.audio.is_some();
        assert_eq!(
            attrs["CODECS"].ends_with(",mp4a.40.2"),
            has_audio,
            "{attrs:?}"
        );
        let peak: u64 = attrs["BANDWIDTH"].parse().unwrap();
        let average: u64 = attrs["AVERAGE-BANDWIDTH"].parse().unwrap();
        assert!(peak >= average);

        let playlist_path = dir.join(&names.playlist_file);
        let text = std::fs::read_to_string(&playlist_path).unwrap();
        assert!(
            text.contains(&format!("#EXT-X-MAP:URI=\"{}\"", names.fragmented_file)),
            "{text}"
        );
        assert!(text.contains("#EXT-X-PLAYLIST-TYPE:VOD") && text.contains("#EXT-X-ENDLIST"));
        let (segments, init) = media_segments(&text);
        let total: f64 = segments.iter().map(|s| s.0).sum();
        assert!(
            (total - expected_duration).abs() <= tolerance,
            "duration {total} vs {expected_duration}"
        );
        for s in &segments[..segments.len().saturating_sub(1)] {
            assert!(s.0 > 1.9 && s.0 < 6.1, "segment of {} s in {text}", s.0);
        }
        all_extinf.push(segments.iter().map(|s| s.0).collect());

        // BANDWIDTH counts the video, not just the audio.
        let fragmented = dir.join(&names.fragmented_file);
        let bytes = std::fs::read(&fragmented).unwrap();
        // x264 ran with closed GOPs and no scene-cut keyframes (its settings SEI says so).
        let text_bytes = String::from_utf8_lossy(&bytes);
        assert!(text_bytes.contains("open_gop=0") && text_bytes.contains("scenecut=0"));
        let whole = (bytes.len() - init.1 as usize) as f64 * 8.0 / total;
        assert!(
            average as f64 >= whole * 0.95,
            "average {average} vs {whole}"
        );

        // segments-sha256: one inclusive range per segment, init not hashed, hashes match.
        let ranges = sha[&names.fragmented_file].as_object().expect("file entry");
        assert_eq!(ranges.len(), segments.len());
        for (_, offset, length) in &segments {
            let key = format!("{}-{}", offset, offset + length - 1);
            let want = hex::encode(Sha256::digest(
                &bytes[*offset as usize..(offset + length) as usize],
            ));
            assert_eq!(ranges[&key].as_str().unwrap(), want, "{key}");
        }
        assert!(!ranges.contains_key(&format!("{}-{}", init.0, init.0 + init.1 - 1)));

        // Each segment starts with a keyframe.
        for (i, (_, offset, length)) in segments.iter().enumerate() {
            let mut piece = bytes[init.0 as usize..(init.0 + init.1) as usize].to_vec();
            piece.extend_from_slice(&bytes[*offset as usize..(offset + length) as usize]);
            let seg_path = dir.join(format!("segment-check-{i}.mp4"));
            std::fs::write(&seg_path, &piece).unwrap();
            let (ok, out, err) = run_tool(
                "ffprobe",
                &[
                    "-v",
                    "error",
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "packet=flags",
                    "-read_intervals",
                    "%+#1",
                    "-of",
                    "csv=p=0",
                    seg_path.to_str().unwrap(),
                ],
            );
            std::fs::remove_file(&seg_path).unwrap();
            assert!(ok, "{err}");
            assert!(
                out.lines().next().unwrap_or("").starts_with('K'),
                "segment {i} of {}: {out}",
                names.playlist_file
            );
        }

        // The playlist decodes end to end without errors.
        let (ok, _, err) = run_tool(
            "ffmpeg",
            &[
                "-v",
                "error",
                "-i",
                playlist_path.to_str().unwrap(),
                "-f",
                "null",
                "-",
            ],
        );
        assert!(
            ok && err.trim().is_empty(),
            "{}: {err}",
            names.playlist_file
        );
    }
    // EXTINF values line up across renditions.
    for other in &all_extinf[1..] {
        assert_eq!(other.len(), all_extinf[0].len(), "{all_extinf:?}");
        for (a, b) in other.iter().zip(&all_extinf[0]) {
            assert!((a - b).abs() < 0.002, "{all_extinf:?}");
        }
    }
    assert!((t.output.duration_secs - all_extinf[0].iter().sum::<f64>()).abs() < 0.001);
    assert_eq!(t.progress.last(), Some(&1.0));
    assert!(
        t.progress.windows(2).all(|w| w[0] <= w[1]),
        "{:?}",
        t.progress
    );
    assert!(t.progress.iter().all(|p| (0.0..=1.0).contains(p)));
}
