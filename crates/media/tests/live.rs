//! The live remux (issue 20) on FLV made by the ffmpeg CLI as a broadcaster would send it:
//! H.264 and AAC become PeerTube's live HLS (MPEG-TS segments, a media playlist of the last
//! ones, a master playlist) that ffprobe reads back with the input's picture and length; old
//! segments are deleted as new ones come. Refused: no video, a picture or a frame rate over the
//! limits, a video that is not H.264, and bytes that are not FLV — each with its reason and
//! without a master playlist.

use std::path::{Path, PathBuf};
use std::process::Command;

use kinora_media::MediaError;
use kinora_media::live::{
    LiveHlsRequest, LiveLimits, LiveSource, MASTER_PLAYLIST, MEDIA_PLAYLIST, listed_segments,
    remux_live_to_hls,
};

/// Makes an FLV with the ffmpeg CLI; `video` and `audio` are its input and codec arguments.
fn flv(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .args(["-f", "flv"])
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made {name}");
    path
}

fn request(input: PathBuf, output: &Path, limits: LiveLimits) -> LiveHlsRequest {
    LiveHlsRequest {
        input: LiveSource::File(input),
        output_dir: output.to_owned(),
        segment_secs: 2,
        start_number: 0,
        playlist_size: 3,
        limits,
    }
}

fn ffprobe(path: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_broadcast_becomes_peertubes_live_hls() {
    let dir = tempfile::tempdir().unwrap();
    let input = flv(
        dir.path(),
        "broadcast.flv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25:duration=14",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=14",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "50",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
        ],
    );
    let output = dir.path().join("live");
    std::fs::create_dir(&output).unwrap();
    let mut announced = None;
    let info = remux_live_to_hls(&request(input, &output, LiveLimits::default()), |info| {
        announced = Some(info.clone());
        assert!(
            output.join(MASTER_PLAYLIST).is_file(),
            "the master is there when it starts"
        );
    })
    .unwrap();
    assert_eq!(announced.as_ref(), Some(&info));
    assert_eq!((info.width, info.height, info.has_audio), (640, 360, true));

    let master = std::fs::read_to_string(output.join(MASTER_PLAYLIST)).unwrap();
    assert!(master.contains("RESOLUTION=640x360"), "{master}");
    assert!(master.trim_end().ends_with(MEDIA_PLAYLIST), "{master}");
    let media = std::fs::read_to_string(output.join(MEDIA_PLAYLIST)).unwrap();
    assert!(media.contains("#EXT-X-ENDLIST"), "{media}");
    assert!(media.contains("#EXT-X-PROGRAM-DATE-TIME"), "{media}");
    let listed = listed_segments(&media);
    // 14 s in 2 s segments, the last three kept: the first ones were deleted on the way.
    assert_eq!(listed.len(), 3, "{media}");
    assert_eq!(listed.last().unwrap(), "0-000006.ts", "{media}");
    let mut on_disk: Vec<String> = std::fs::read_dir(&output)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".ts"))
        .collect();
    on_disk.sort();
    // The listed ones, and the one before them a moment longer (libav's delete threshold:
    // a viewer who loaded the previous playlist may still fetch it); older ones are gone.
    assert_eq!(
        on_disk,
        ["0-000003.ts", "0-000004.ts", "0-000005.ts", "0-000006.ts"]
    );
    for name in &listed {
        let probe = ffprobe(&output.join(name));
        assert_eq!(probe["format"]["format_name"], "mpegts");
        let streams = probe["streams"].as_array().unwrap();
        assert!(
            streams
                .iter()
                .any(|s| s["codec_name"] == "h264" && s["width"] == 640)
        );
        assert!(streams.iter().any(|s| s["codec_name"] == "aac"));
    }
    // The media playlist plays as a whole.
    let probe = ffprobe(&output.join(MEDIA_PLAYLIST));
    let duration: f64 = probe["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((5.0..=7.5).contains(&duration), "{duration}");
}

#[test]
fn streams_a_live_cannot_take_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let audio_only = flv(
        dir.path(),
        "audio.flv",
        &["-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac"],
    );
    let large = flv(
        dir.path(),
        "large.flv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25:duration=1",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ],
    );
    let fast = flv(
        dir.path(),
        "fast.flv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=1000:duration=0.3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ],
    );
    let not_h264 = flv(
        dir.path(),
        "flv1.flv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=25:duration=1",
            "-c:v",
            "flv1",
        ],
    );
    let garbage = dir.path().join("garbage.flv");
    let mut bytes = b"FLV\x01\x05\x00\x00\x00\x09".to_vec();
    bytes.extend((0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&garbage, bytes).unwrap();
    let small = LiveLimits {
        max_width: 320,
        max_height: 240,
        max_fps: 120,
    };
    for (input, limits, reason) in [
        (audio_only, LiveLimits::default(), "no video"),
        (large, small, "larger than 320x240"),
        (fast, LiveLimits::default(), "above 120 frames per second"),
        (not_h264, LiveLimits::default(), "must be H.264"),
        (garbage, LiveLimits::default(), ""),
    ] {
        let output = tempfile::tempdir().unwrap();
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let mut started = false;
        let result = remux_live_to_hls(&request(input, output.path(), limits), |_| started = true);
        match result {
            Err(MediaError::Refused(message)) => {
                assert!(message.contains(reason), "{name}: {message}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(!started, "{name}");
        assert!(!output.path().join(MASTER_PLAYLIST).exists(), "{name}");
    }
}
