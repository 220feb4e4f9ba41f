//! Thumbnails, previews and storyboards of real fixtures.

mod common;

use std::path::Path;

use common::{ffmpeg, fixture, rotated_clip, run_tool};
use kinora_media::{ImageNames, InputLimits, make_images, probe};

fn names() -> ImageNames {
    ImageNames {
        thumbnail: "t-uuid.jpg".into(),
        preview: "p-uuid.jpg".into(),
        storyboard: "s-uuid.jpg".into(),
    }
}

/// (codec, width, height) of an image file, and its mean luma.
fn describe(path: &Path) -> (String, u32, u32, f64) {
    let (ok, out, err) = run_tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let parts: Vec<&str> = out.trim().split(',').collect();
    let luma = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-vf",
            "format=gray",
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .unwrap()
        .stdout;
    let mean = luma.iter().map(|v| f64::from(*v)).sum::<f64>() / luma.len().max(1) as f64;
    (
        parts[0].to_string(),
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
        mean,
    )
}

#[test]
fn thumbnail_preview_and_storyboard_of_a_video() {
    let path = fixture("video_very_long_10p.mp4");
    let report = probe(&path, &InputLimits::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = make_images(&path, &report, dir.path(), &names()).unwrap();
    let (codec, w, h, mean) = describe(&dir.path().join("t-uuid.jpg"));
    assert_eq!((codec.as_str(), w, h), ("mjpeg", 280, 157));
    assert!(mean > 10.0, "thumbnail is black: {mean}");
    let (_, w, h, _) = describe(&dir.path().join("p-uuid.jpg"));
    assert_eq!((w, h), (850, 480));
    // 124.6 s: 63 sprites of 2 s on an 11 × 6 grid; the display shape is 15x8.
    let sb = out.storyboard.expect("storyboard");
    assert_eq!(sb.sprite_duration, 2);
    assert_eq!((sb.sprite_width, sb.sprite_height), (192, 102));
    assert_eq!((sb.total_width, sb.total_height), (11 * 192, 6 * 102));
    let (_, w, h, _) = describe(&dir.path().join("s-uuid.jpg"));
    assert_eq!((w, h), (sb.total_width, sb.total_height));
}

#[test]
fn short_videos_have_no_storyboard_and_portrait_works() {
    let dir = tempfile::tempdir().unwrap();
    let rotated = rotated_clip(dir.path());
    let report = probe(&rotated, &InputLimits::default()).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = make_images(&rotated, &report, &out_dir, &names()).unwrap();
    assert!(out.storyboard.is_none());
    assert!(!out_dir.join("s-uuid.jpg").exists());
    let (_, w, h, _) = describe(&out_dir.join("t-uuid.jpg"));
    assert_eq!((w, h), (280, 157));
}

#[test]
fn storyboard_sprites_follow_the_display_shape() {
    let path = fixture("video_short.mp4");
    let mut report = probe(&path, &InputLimits::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = make_images(&path, &report, dir.path(), &names()).unwrap();
    let sb = out.storyboard.expect("5 s gets a storyboard");
    assert_eq!(
        (sb.sprite_width, sb.sprite_height, sb.sprite_duration),
        (192, 102, 1)
    );
    assert_eq!((sb.total_width, sb.total_height), (6 * 192, 102));
    // The sprite shape follows the reported display size.
    let video = report.video.as_mut().unwrap();
    std::mem::swap(&mut video.width, &mut video.height);
    let out = make_images(&path, &report, dir.path(), &names()).unwrap();
    let sb = out.storyboard.unwrap();
    assert_eq!((sb.sprite_width, sb.sprite_height), (102, 192));
}

#[test]
fn audio_only_images_come_from_the_still() {
    let path = fixture("sample.ogg");
    let report = probe(&path, &InputLimits::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = make_images(&path, &report, dir.path(), &names()).unwrap();
    assert!(out.storyboard.is_none());
    let (_, w, h, mean) = describe(&dir.path().join("p-uuid.jpg"));
    assert_eq!((w, h), (850, 480));
    assert!(mean > 20.0);
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files, 2);
}

/// Mean (R, G, B) of an image.
fn mean_rgb(path: &Path) -> (f64, f64, f64) {
    let rgb = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-vf",
            "format=rgb24",
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .unwrap()
        .stdout;
    let n = (rgb.len() / 3).max(1) as f64;
    let sum = |c: usize| {
        rgb.iter()
            .skip(c)
            .step_by(3)
            .map(|v| f64::from(*v))
            .sum::<f64>()
            / n
    };
    (sum(0), sum(1), sum(2))
}

#[test]
fn audio_with_cover_art_uses_the_cover() {
    let dir = tempfile::tempdir().unwrap();
    let audio = dir.path().join("cover.mp3");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=d=4",
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=300x300:d=1",
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-frames:v",
        "1",
        "-c:a",
        "libmp3lame",
        "-c:v",
        "mjpeg",
        "-disposition:v",
        "attached_pic",
        audio.to_str().unwrap(),
    ]);
    let report = probe(&audio, &InputLimits::default()).unwrap();
    assert!(report.video.is_none(), "cover art is not a video stream");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    make_images(&audio, &report, &out_dir, &names()).unwrap();
    // The square cover is letterboxed into the 16:9 still, then the preview covers 850x480.
    let (r, g, b) = mean_rgb(&out_dir.join("p-uuid.jpg"));
    assert!(r > 2.0 * g && r > 2.0 * b && r > 60.0, "{r} {g} {b}");
}
