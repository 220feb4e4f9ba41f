//! Sample aspect ratios declared by the container (Matroska `DisplayWidth`/`DisplayHeight`,
//! MP4 `pasp`) rather than by the codec: the renditions must have the display shape, with
//! square pixels. Clips are made by the ffmpeg CLI; the output is checked with ffprobe.

mod common;

use std::path::{Path, PathBuf};

use common::{check_hls, ffmpeg, ffprobe_video, transcode};

/// A 1917x817 VP9 WebM whose container asks for a 16:9 display (`DisplayWidth` 1452,
/// `DisplayHeight` 817); VP9 itself has no aspect ratio.
fn anamorphic_webm(dir: &Path) -> PathBuf {
    let path = dir.join("anamorphic.webm");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1920x818:rate=25:duration=1",
        "-vf",
        "crop=1917:817:0:0:exact=1,setsar=13072/17253",
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        path.to_str().unwrap(),
    ]);
    path
}

/// A 1916x816 H.264 MP4 whose `pasp` box (written by `-aspect` on a stream copy) asks for
/// 16:9, while the H.264 headers keep square pixels.
fn pasp_mp4(dir: &Path) -> PathBuf {
    let square = dir.join("square.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1916x816:rate=25:duration=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        square.to_str().unwrap(),
    ]);
    let path = dir.join("pasp.mp4");
    ffmpeg(&[
        "-i",
        square.to_str().unwrap(),
        "-c",
        "copy",
        "-aspect",
        "16:9",
        path.to_str().unwrap(),
    ]);
    path
}

/// (width, height, sample aspect ratio) of the first video stream, as ffprobe reads it.
fn ffprobe_picture(path: &Path) -> (u32, u32, String) {
    let line = ffprobe_video(path, "stream=width,height,sample_aspect_ratio");
    let mut parts = line.split(',');
    let w = parts.next().unwrap().parse().unwrap();
    let h = parts.next().unwrap().parse().unwrap();
    let sar = parts.next().unwrap_or("").to_string();
    (w, h, sar)
}

fn assert_sixteen_nine(width: u32, height: u32, what: &str) {
    let ratio = f64::from(width) / f64::from(height);
    assert!(
        (ratio - 16.0 / 9.0).abs() < 0.01,
        "{what}: {width}x{height} is {ratio:.3}:1, not 16:9"
    );
    assert!(
        width.is_multiple_of(2) && height.is_multiple_of(2),
        "{what}: {width}x{height}"
    );
}

/// Transcodes `clip` and checks the report, the ladder and every rendition file.
fn check_display_shape(clip: &Path, expected_heights: &[u32]) {
    // The input really is stored with a wide picture and a non-square sample aspect ratio.
    let (w, h, sar) = ffprobe_picture(clip);
    assert!(f64::from(w) / f64::from(h) > 2.3, "{w}x{h}");
    assert_ne!(sar, "1:1");

    let t = transcode(clip, |_| true);
    let video = t.report.video.as_ref().unwrap();
    assert_sixteen_nine(video.width & !1, video.height & !1, "probe");
    let heights: Vec<u32> = t.renditions.iter().map(|r| r.height).collect();
    assert_eq!(heights, expected_heights);
    for r in &t.renditions {
        assert_sixteen_nine(r.width, r.height, "ladder");
    }
    check_hls(&t, 1.0, 0.1);
    for (names, rendition) in t.names.iter().zip(&t.renditions) {
        let file = t.dir.path().join(&names.fragmented_file);
        let (w, h, sar) = ffprobe_picture(&file);
        assert_eq!((w, h), (rendition.width, rendition.height));
        assert_sixteen_nine(w, h, &names.fragmented_file);
        assert_eq!(sar, "1:1", "{}", names.fragmented_file);
    }
}

#[test]
fn matroska_display_size_gives_square_pixel_16_9_renditions() {
    let dir = tempfile::tempdir().unwrap();
    let clip = anamorphic_webm(dir.path());
    check_display_shape(&clip, &[1078, 720, 480, 360, 240, 144]);
}

#[test]
fn mp4_pasp_gives_square_pixel_16_9_renditions() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pasp_mp4(dir.path());
    check_display_shape(&clip, &[1078, 720, 480, 360, 240, 144]);
}
