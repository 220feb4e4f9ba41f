//! Real transcodes of the PeerTube fixtures (and a few generated clips), checked with the
//! ffmpeg CLI. To keep the run short most fixtures keep only part of their ladder.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{MASTER, SHA_FILE, check_hls, ffmpeg, fixture, names_for, run_tool, transcode};
use kinora_media::{
    HlsRequest, InputLimits, MediaError, Rendition, plan_ladder, probe, transcode_to_hls,
};

/// The source size and the smallest rendition.
fn top_and_bottom(report_top: u32) -> impl Fn(&Rendition) -> bool {
    move |r| r.resolution == report_top || r.resolution == 144
}

fn frames_in(playlist: &Path) -> u64 {
    let (ok, out, err) = run_tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
            playlist.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    out.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn mp4_full_ladder() {
    let t = transcode(&fixture("video_short.mp4"), |_| true);
    let resolutions: Vec<u32> = t.renditions.iter().map(|r| r.resolution).collect();
    assert_eq!(resolutions, vec![720, 480, 360, 240, 144]);
    check_hls(&t, 5.0, 0.1);
    let top = &t.output.renditions[0];
    assert_eq!(
        (top.width, top.height, top.has_audio, top.has_video),
        (1364, 720, true, true)
    );
    assert!(top.peak_bandwidth >= top.average_bandwidth && top.size_bytes > 0);
}

#[test]
fn other_containers_and_codecs() {
    for name in [
        "video_short.mkv",
        "video_short.webm",
        "video_short.ogv",
        "video_short.avi",
    ] {
        let t = transcode(&fixture(name), top_and_bottom(720));
        assert_eq!(t.renditions.len(), 2, "{name}");
        check_hls(&t, 5.0, 0.15);
    }
}

#[test]
fn small_sources_and_mp3_audio() {
    let t = transcode(&fixture("video_short_480.webm"), |_| true);
    assert_eq!(
        t.renditions
            .iter()
            .map(|r| r.resolution)
            .collect::<Vec<_>>(),
        vec![480, 360, 240, 144]
    );
    check_hls(&t, 5.0, 0.15);
    let t = transcode(&fixture("video_very_short_240p.mp4"), |_| true);
    check_hls(&t, 2.0, 0.1);
    let t = transcode(&fixture("video_short_mp3_256k.mp4"), top_and_bottom(720));
    check_hls(&t, 5.0, 0.15);
    let t = transcode(&fixture("video_chapters.mp4"), |r| r.resolution == 240);
    check_hls(&t, 5.0, 0.15);
}

#[test]
fn video_without_audio() {
    let t = transcode(&fixture("video_short_no_audio.mp4"), top_and_bottom(720));
    check_hls(&t, 5.0, 0.1);
    assert!(
        t.output
            .renditions
            .iter()
            .all(|r| !r.has_audio && r.has_video)
    );
}

#[test]
fn audio_only_becomes_a_480p_still() {
    let t = transcode(&fixture("sample.ogg"), |_| true);
    assert_eq!(t.renditions.len(), 1);
    check_hls(&t, 6.1, 0.15);
    let r = &t.output.renditions[0];
    assert_eq!(
        (r.resolution, r.width, r.height, r.fps),
        (480, 854, 480, 25.0)
    );
    assert!(r.has_audio && r.has_video);
}

#[test]
fn long_tiny_video() {
    // 124.6 s of 10x8 pixels: 32 segments.
    let t = transcode(&fixture("video_very_long_10p.mp4"), |_| true);
    check_hls(&t, 124.6, 0.2);
}

#[test]
fn sixty_fps_is_halved_below_720p() {
    let t = transcode(&fixture("60fps_720p_small.mp4"), |r| {
        r.resolution == 720 || r.resolution == 360
    });
    check_hls(&t, 2.0, 0.1);
    assert_eq!(t.renditions[0].fps, 60.0);
    assert_eq!(t.renditions[1].fps, 30.0);
    let dir = t.dir.path();
    let high = frames_in(&dir.join(&t.names[0].playlist_file));
    let low = frames_in(&dir.join(&t.names[1].playlist_file));
    assert!((119..=121).contains(&high), "{high}");
    assert!((59..=61).contains(&low), "{low}");
}

#[test]
fn square_source_keeps_1080_and_its_own_size() {
    let t = transcode(&fixture("low-bitrate.mp4"), |r| {
        r.resolution >= 1080 || r.resolution == 144
    });
    let resolutions: Vec<u32> = t.renditions.iter().map(|r| r.resolution).collect();
    assert_eq!(resolutions, vec![1088, 1080, 144]);
    check_hls(&t, 10.0, 0.15);
}

#[test]
fn four_k_full_ladder() {
    let t = transcode(&fixture("video_short_4k.mp4"), |_| true);
    assert_eq!(t.renditions.len(), 8);
    check_hls(&t, 1.0, 0.1);
}

/// Makes a clip with the ffmpeg CLI.
fn generate(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut all = args.to_vec();
    all.push(path.to_str().unwrap());
    ffmpeg(&all);
    path
}

#[test]
fn odd_portrait_late_video_and_mp3_in_matroska() {
    let dir = tempfile::tempdir().unwrap();
    // Odd portrait size (4:4:4 so that x264 accepts it), video starting 25 ms late, MP3.
    let clip = generate(
        dir.path(),
        "odd.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=361x641:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=44100",
            "-t",
            "6",
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv444p",
            "-c:a",
            "libmp3lame",
            "-ac",
            "1",
            "-output_ts_offset",
            "0.025",
        ],
    );
    let t = transcode(&clip, |_| true);
    let sizes: Vec<(u32, u32)> = t.renditions.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, vec![(360, 640), (240, 426), (144, 256)]);
    check_hls(&t, 6.0, 0.1);
}

#[test]
fn interlaced_mpeg2_in_mpeg_ts_is_deinterlaced() {
    let dir = tempfile::tempdir().unwrap();
    let clip = generate(
        dir.path(),
        "interlaced.ts",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            "3",
            "-c:v",
            "mpeg2video",
            "-flags",
            "+ilme+ildct",
            "-top",
            "1",
            "-b:v",
            "1M",
            "-c:a",
            "mp2",
        ],
    );
    let t = transcode(&clip, |_| true);
    check_hls(&t, 3.0, 0.1);
    // yadif (one picture per frame) keeps every frame.
    assert_eq!(frames_in(&t.dir.path().join(&t.names[0].playlist_file)), 75);
}

#[test]
fn rotation_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let source = fixture("video_short.mp4");
    let clip = generate(
        dir.path(),
        "rotated.mp4",
        &[
            "-i",
            source.to_str().unwrap(),
            "-t",
            "2",
            "-c",
            "copy",
            "-metadata:s:v",
            "rotate=90",
        ],
    );
    let t = transcode(&clip, |r| r.resolution == 720);
    assert_eq!((t.renditions[0].width, t.renditions[0].height), (720, 1364));
    // A stream copy cut at 2 s keeps pictures up to the next keyframe.
    check_hls(&t, t.report.duration_secs, 0.2);
    // The first picture matches the ffmpeg CLI's auto-rotated one, not the upside-down one.
    let grey = |input: &Path, extra: &str| {
        let filter = format!("{extra}scale=18:32,format=gray");
        let out = std::process::Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-i",
                input.to_str().unwrap(),
                "-frames:v",
                "1",
                "-vf",
                &filter,
                "-f",
                "rawvideo",
                "-",
            ])
            .output()
            .unwrap();
        out.stdout
    };
    let ours = grey(&t.dir.path().join(&t.names[0].playlist_file), "");
    let cli = grey(&clip, "");
    let flipped = grey(&clip, "hflip,vflip,");
    let distance = |a: &[u8], b: &[u8]| -> u64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum()
    };
    assert_eq!(ours.len(), 18 * 32);
    assert!(distance(&ours, &cli) * 3 < distance(&ours, &flipped));
}

#[test]
fn cancelling_stops_with_cancelled() {
    let path = fixture("video_short.mp4");
    let report = probe(&path, &InputLimits::default()).unwrap();
    let renditions = plan_ladder(&report);
    let names = names_for(&renditions);
    let dir = tempfile::tempdir().unwrap();
    let request = HlsRequest {
        input: &path,
        report: &report,
        renditions: &renditions,
        names: &names,
        master_file: MASTER,
        segments_sha256_file: SHA_FILE,
        output_dir: dir.path(),
        segment_secs: 4,
    };
    // Cancelled from the first progress report, once the transcode is under way.
    let cancel = AtomicBool::new(false);
    let mut reports = 0;
    let result = transcode_to_hls(
        &request,
        &mut |_| {
            reports += 1;
            cancel.store(true, Ordering::Relaxed);
        },
        &cancel,
    );
    assert!(matches!(result, Err(MediaError::Cancelled)), "{result:?}");
    assert_eq!(reports, 1);
    // No master playlist or hashes were published.
    assert!(!dir.path().join(MASTER).exists() && !dir.path().join(SHA_FILE).exists());
}

#[test]
fn bad_requests_are_rejected_before_any_work() {
    let path = fixture("video_short.mp4");
    let report = probe(&path, &InputLimits::default()).unwrap();
    let renditions = plan_ladder(&report);
    let mut names = names_for(&renditions);
    names[0].playlist_file = "../escape.m3u8".into();
    let dir = tempfile::tempdir().unwrap();
    let request = HlsRequest {
        input: &path,
        report: &report,
        renditions: &renditions,
        names: &names,
        master_file: MASTER,
        segments_sha256_file: SHA_FILE,
        output_dir: dir.path(),
        segment_secs: 4,
    };
    let result = transcode_to_hls(&request, &mut |_| {}, &AtomicBool::new(false));
    assert!(matches!(result, Err(MediaError::Io(_))), "{result:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
