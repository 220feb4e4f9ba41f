//! Probing the PeerTube fixtures: every one is accepted with the right facts, or refused.

mod common;

use common::{ffmpeg, fixture, rotated_clip};
use kinora_media::{InputLimits, MediaError, probe};

#[test]
fn every_fixture_is_accepted_or_refused_with_a_reason() {
    let fixtures = [
        "60fps_720p_small.mp4",
        "low-bitrate.mp4",
        "sample.ogg",
        "video_chapters.mp4",
        "video_short.avi",
        "video_short.mkv",
        "video_short.mp4",
        "video_short.ogv",
        "video_short.webm",
        "video_short_480.webm",
        "video_short_4k.mp4",
        "video_short_mp3_256k.mp4",
        "video_short_no_audio.mp4",
        "video_very_long_10p.mp4",
        "video_very_short_240p.mp4",
    ];
    for name in fixtures {
        let report = probe(&fixture(name), &InputLimits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(report.duration_secs > 0.9, "{name}: {report:?}");
        assert!(report.video.is_some() || report.audio.is_some(), "{name}");
    }
    for name in ["video_short_fake.webm", "video-720p.torrent"] {
        match probe(&fixture(name), &InputLimits::default()) {
            Err(MediaError::Refused(reason)) => {
                assert!(reason.contains("not a supported media file"), "{reason}")
            }
            other => panic!("{name} must be refused, got {other:?}"),
        }
    }
}

#[test]
fn reports_streams_and_display_sizes() {
    let r = probe(&fixture("video_short.mp4"), &InputLimits::default()).unwrap();
    assert_eq!(r.format_name, "mov,mp4,m4a,3gp,3g2,mj2");
    assert!((r.duration_secs - 5.016).abs() < 0.01);
    assert_eq!(r.size_bytes, 38783);
    assert!(r.bit_rate.is_some());
    let v = r.video.unwrap();
    assert_eq!(v.codec, "h264");
    // 1280x720 coded with a 241:226 sample aspect ratio is 1365x720 on screen.
    assert_eq!((v.width, v.height, v.rotation_degrees), (1365, 720, 0));
    assert_eq!(v.fps, 25.0);
    let a = r.audio.unwrap();
    assert_eq!(
        (a.codec.as_str(), a.sample_rate, a.channels),
        ("aac", 44100, 2)
    );

    let four_k = probe(&fixture("video_short_4k.mp4"), &InputLimits::default()).unwrap();
    let v = four_k.video.unwrap();
    assert_eq!((v.width, v.height), (3840, 2160));
    assert!((v.fps - 23.976).abs() < 0.001);

    let sixty = probe(&fixture("60fps_720p_small.mp4"), &InputLimits::default()).unwrap();
    assert_eq!(sixty.video.unwrap().fps, 60.0);

    let audio_only = probe(&fixture("sample.ogg"), &InputLimits::default()).unwrap();
    assert!(audio_only.video.is_none());
    assert_eq!(audio_only.audio.unwrap().codec, "vorbis");

    let silent = probe(
        &fixture("video_short_no_audio.mp4"),
        &InputLimits::default(),
    )
    .unwrap();
    assert!(silent.audio.is_none() && silent.video.is_some());

    let tiny = probe(&fixture("video_very_long_10p.mp4"), &InputLimits::default()).unwrap();
    assert!((tiny.duration_secs - 124.634).abs() < 0.01);
}

#[test]
fn rotation_metadata_swaps_the_display_size() {
    let dir = tempfile::tempdir().unwrap();
    let rotated = rotated_clip(dir.path());
    let v = probe(&rotated, &InputLimits::default())
        .unwrap()
        .video
        .unwrap();
    assert_eq!(v.rotation_degrees % 180, 90);
    assert_eq!((v.width, v.height), (720, 1365));
}

#[test]
fn limits_are_applied() {
    let path = fixture("video_short.mp4");
    let refused = |limits: InputLimits| match probe(&path, &limits) {
        Err(MediaError::Refused(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let defaults = InputLimits::default;
    let cases = [
        (
            InputLimits {
                max_file_size: 1000,
                ..defaults()
            },
            "38783 bytes",
        ),
        (
            InputLimits {
                max_width: 1000,
                ..defaults()
            },
            "1365x720",
        ),
        (
            InputLimits {
                max_pixels: 500_000,
                ..defaults()
            },
            "500000 pixels",
        ),
        (
            InputLimits {
                max_duration_secs: 2.0,
                ..defaults()
            },
            "lasts 5 s",
        ),
        (
            InputLimits {
                max_streams: 1,
                ..defaults()
            },
            "streams",
        ),
        (
            InputLimits {
                max_fps: 24.0,
                ..defaults()
            },
            "25.00 fps",
        ),
    ];
    for (limits, expected) in cases {
        let reason = refused(limits);
        assert!(reason.contains(expected), "{expected}: {reason}");
    }
}

#[test]
fn missing_files_are_io_errors_and_odd_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        probe(&dir.path().join("nope.mp4"), &InputLimits::default()),
        Err(MediaError::Io(_))
    ));
    match probe(dir.path(), &InputLimits::default()) {
        Err(MediaError::Refused(reason)) => assert!(reason.contains("not a regular file")),
        other => panic!("{other:?}"),
    }
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    match probe(&empty, &InputLimits::default()) {
        Err(MediaError::Refused(reason)) => assert!(reason.contains("empty")),
        other => panic!("{other:?}"),
    }
    // A single PNG picture is an image, not a video: its demuxer is not allowed.
    let png = dir.path().join("picture.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=64x64",
        "-frames:v",
        "1",
        "-f",
        "image2",
        "-c:v",
        "png",
        png.to_str().unwrap(),
    ]);
    assert!(matches!(
        probe(&png, &InputLimits::default()),
        Err(MediaError::Refused(_))
    ));
}

#[test]
fn codecs_off_the_allow_list_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=64x48:rate=5",
        "-t",
        "1",
        "-c:v",
        "rawvideo",
        raw.to_str().unwrap(),
    ]);
    match probe(&raw, &InputLimits::default()) {
        Err(MediaError::Refused(reason)) => {
            assert_eq!(reason, "video codec rawvideo is not supported")
        }
        other => panic!("{other:?}"),
    }
    // A subtitle-only file has neither audio nor video.
    let subs = dir.path().join("subs.mkv");
    let srt = dir.path().join("subs.srt");
    std::fs::write(&srt, "1\n00:00:00,000 --> 00:00:01,000\nhello\n").unwrap();
    ffmpeg(&["-i", srt.to_str().unwrap(), subs.to_str().unwrap()]);
    match probe(&subs, &InputLimits::default()) {
        Err(MediaError::Refused(reason)) => {
            assert!(reason.contains("no audio or video"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}
