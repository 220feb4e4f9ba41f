//! Peak resident memory of a full 1080p30 ladder (issue 22): at most the 700 MiB that PeerTube's
//! one-ffmpeg-process-per-rendition way peaks at. Alone in its test binary, so the process's
//! high-water mark is this transcode's.

mod common;

use common::{check_hls, ffmpeg, transcode};

/// The process's peak resident set (`VmHWM`), in bytes.
fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM in kB");
    kib * 1024
}

#[test]
fn full_1080p_ladder_peaks_below_700_mib() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("noisy_1080p.mp4");
    // Noise keeps x264 from compressing the pictures away (as the benchmark's source).
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1920x1080:rate=30:duration=3,noise=alls=6:allf=t",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=3",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        source.to_str().unwrap(),
    ]);
    let t = transcode(&source, |_| true);
    assert_eq!(t.renditions.len(), 6, "1080, 720, 480, 360, 240, 144");
    check_hls(&t, 3.0, 0.1);
    let peak = peak_resident_bytes();
    assert!(
        peak <= 700 << 20,
        "the 1080p ladder peaked at {} MiB",
        peak >> 20
    );
}
