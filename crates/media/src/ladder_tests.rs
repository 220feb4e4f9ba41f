//! Unit tests of the ladder maths.

use super::*;
use crate::{AudioStreamInfo, VideoStreamInfo};

fn report(width: u32, height: u32, fps: f64, bit_rate: Option<u64>) -> ProbeReport {
    ProbeReport {
        format_name: "mov,mp4,m4a,3gp,3g2,mj2".into(),
        duration_secs: 10.0,
        size_bytes: 1000,
        bit_rate,
        video: Some(VideoStreamInfo {
            codec: "h264".into(),
            width,
            height,
            fps,
            rotation_degrees: 0,
        }),
        audio: Some(AudioStreamInfo {
            codec: "aac".into(),
            sample_rate: 48000,
            channels: 2,
        }),
    }
}

fn sizes(ladder: &[Rendition]) -> Vec<(u32, u32, u32)> {
    ladder
        .iter()
        .map(|r| (r.resolution, r.width, r.height))
        .collect()
}

#[test]
fn only_the_enabled_resolutions_are_made_below_the_source_which_is_always_made() {
    let ladder = plan_ladder_within(&report(1920, 1080, 30.0, None), &[240, 720, 2160, 1000]);
    assert_eq!(
        sizes(&ladder),
        vec![(1080, 1920, 1080), (720, 1280, 720), (240, 426, 240)]
    );
    let source_only = plan_ladder_within(&report(1280, 720, 30.0, None), &[]);
    assert_eq!(sizes(&source_only), vec![(720, 1280, 720)]);
    // The source's own resolution is made once, enabled or not.
    let enabled_source = plan_ladder_within(&report(1280, 720, 30.0, None), &[720, 360]);
    assert_eq!(
        sizes(&enabled_source),
        vec![(720, 1280, 720), (360, 640, 360)]
    );
    // Audio-only input still gets its one still-image rendition.
    let mut audio = report(2, 2, 25.0, None);
    audio.video = None;
    assert_eq!(plan_ladder_within(&audio, &[]).len(), 1);
}

#[test]
fn landscape_1080p_gets_every_size_below_plus_the_source() {
    let ladder = plan_ladder(&report(1920, 1080, 30.0, None));
    assert_eq!(
        sizes(&ladder),
        vec![
            (1080, 1920, 1080),
            (720, 1280, 720),
            (480, 854, 480),
            (360, 640, 360),
            (240, 426, 240),
            (144, 256, 144),
        ]
    );
    assert!(ladder.iter().all(|r| r.fps == 30.0));
}

#[test]
fn portrait_uses_the_smaller_side_as_resolution() {
    let ladder = plan_ladder(&report(1080, 1920, 30.0, None));
    assert_eq!(ladder[0].resolution, 1080);
    assert_eq!((ladder[0].width, ladder[0].height), (1080, 1920));
    let r720 = ladder.iter().find(|r| r.resolution == 720).unwrap();
    assert_eq!((r720.width, r720.height), (720, 1280));
    assert_eq!(ladder.last().unwrap().resolution, 144);
}

#[test]
fn odd_sizes_are_rounded_down_to_even_and_never_upscaled() {
    let ladder = plan_ladder(&report(1281, 721, 25.0, None));
    assert_eq!(ladder[0].width, 1280);
    assert_eq!(ladder[0].height, 720);
    // 720 is the source size itself, so it appears once.
    assert_eq!(ladder.iter().filter(|r| r.resolution == 720).count(), 1);
    for r in &ladder {
        assert_eq!(r.width % 2, 0, "{r:?}");
        assert_eq!(r.height % 2, 0, "{r:?}");
        assert!(r.width <= 1281 && r.height <= 721);
    }
    let tiny = plan_ladder(&report(10, 8, 25.0, None));
    assert_eq!(sizes(&tiny), vec![(8, 10, 8)]);
    let odd_tiny = plan_ladder(&report(7, 5, 25.0, None));
    assert_eq!(sizes(&odd_tiny), vec![(4, 6, 4)]);
}

#[test]
fn square_1088_keeps_1080_and_the_source() {
    let ladder = plan_ladder(&report(1088, 1088, 10.0, Some(35_080)));
    let resolutions: Vec<u32> = ladder.iter().map(|r| r.resolution).collect();
    assert_eq!(resolutions, vec![1088, 1080, 720, 480, 360, 240, 144]);
    assert_eq!((ladder[1].width, ladder[1].height), (1080, 1080));
}

#[test]
fn four_k_has_eight_renditions() {
    let ladder = plan_ladder(&report(3840, 2160, 24000.0 / 1001.0, None));
    let resolutions: Vec<u32> = ladder.iter().map(|r| r.resolution).collect();
    assert_eq!(resolutions, vec![2160, 1440, 1080, 720, 480, 360, 240, 144]);
    assert_eq!((ladder[1].width, ladder[1].height), (2560, 1440));
    assert!(ladder.iter().all(|r| (r.fps - 23.976).abs() < 0.001));
}

#[test]
fn sixty_fps_is_kept_from_720p_up_and_halved_below() {
    let ladder = plan_ladder(&report(1920, 1080, 60.0, None));
    for r in &ladder {
        let expected = if r.resolution >= 720 { 60.0 } else { 30.0 };
        assert_eq!(r.fps, expected, "{r:?}");
    }
    let fifty = plan_ladder(&report(1280, 720, 50.0, None));
    assert_eq!(fifty[0].fps, 50.0);
    assert!(fifty[1..].iter().all(|r| r.fps == 25.0));
}

#[test]
fn fps_caps_follow_peertube() {
    assert_eq!(output_fps(120.0, 1080, true), 60.0);
    assert_eq!(output_fps(100.0, 1080, true), 50.0);
    assert_eq!(output_fps(120.0, 360, false), 30.0);
    assert_eq!(output_fps(48.0, 480, false), 24.0);
    assert_eq!(
        output_fps(60.0, 480, true),
        60.0,
        "the source size keeps its rate"
    );
    assert_eq!(output_fps(0.5, 480, false), 1.0);
    assert_eq!(output_fps(24.0, 144, false), 24.0);
    assert!((output_fps(59.94, 360, false) - 29.97).abs() < 0.001);
    assert!((output_fps(119.88, 1080, true) - 59.94).abs() < 0.001);
}

#[test]
fn fps_rationals_are_exact() {
    assert_eq!(fps_rational(30.0), Rational::new(30, 1));
    assert_eq!(fps_rational(30000.0 / 1001.0), Rational::new(30000, 1001));
    assert_eq!(fps_rational(12.5), Rational::new(12500, 1000));
}

#[test]
fn bitrate_caps_follow_peertube_table() {
    let ladder = plan_ladder(&report(1920, 1080, 30.0, None));
    let cap = |res: u32| {
        ladder
            .iter()
            .find(|r| r.resolution == res)
            .unwrap()
            .max_video_bitrate
    };
    // height × width × fps × bpp with the 16:9 ratio of the input.
    assert_eq!(
        cap(1080),
        (1080.0 * 1920.0 * 30.0 * 0.10_f64).floor() as u64
    );
    assert_eq!(cap(720), (720.0 * 1280.0 * 30.0 * 0.11_f64).floor() as u64);
    assert!((cap(144) as f64 - 210_000.0).abs() < 2_000.0);
    // A low-bitrate input lowers the cap to input + 30 %, but never under 0.02 bpp.
    let low = plan_ladder(&report(1920, 1080, 30.0, Some(1_000_000)));
    assert_eq!(low[0].max_video_bitrate, 1_300_000);
    let very_low = plan_ladder(&report(1920, 1080, 30.0, Some(10_000)));
    assert_eq!(
        very_low[0].max_video_bitrate,
        (1080.0 * 1920.0 * 30.0 * 0.02_f64) as u64
    );
    // Sizes under 144 have no table entry: PeerTube's fallbacks apply.
    let tiny = plan_ladder(&report(10, 8, 25.0, None));
    assert_eq!(tiny[0].max_video_bitrate, 192_000);
}

#[test]
fn audio_only_becomes_one_480p_still_at_25_fps() {
    let mut r = report(0, 0, 0.0, None);
    r.video = None;
    let ladder = plan_ladder(&r);
    assert_eq!(ladder.len(), 1);
    assert_eq!(
        (ladder[0].resolution, ladder[0].width, ladder[0].height),
        (480, 854, 480)
    );
    assert_eq!(ladder[0].fps, 25.0);
    assert!(ladder[0].max_video_bitrate > 0);
}
