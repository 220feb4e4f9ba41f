//! Lives in tests: the ffmpeg CLI as a broadcaster, and ffprobe reading what players get.

use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// An ffmpeg broadcaster of `seconds` of 320×180 test picture (unless `with_video` is false)
/// and a tone, sent in real time to the RTMP `url` (`rtmp://…/live/<streamKey>`).
pub fn broadcaster(url: &str, seconds: u32, with_video: bool) -> Child {
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error", "-re"]);
    if with_video {
        command.args([
            "-f",
            "lavfi",
            "-i",
            &format!("testsrc2=size=320x180:rate=25:duration={seconds}"),
        ]);
    }
    command.args([
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:duration={seconds}"),
    ]);
    if with_video {
        command.args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "25",
            "-pix_fmt",
            "yuv420p",
        ]);
    }
    command
        .args(["-c:a", "aac", "-b:a", "64k", "-f", "flv", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ffmpeg runs")
}

/// The streams ffprobe reads from `target` (a file or a URL), or why it could not.
pub fn probe_streams(target: &str) -> Result<Vec<Value>, String> {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-of", "json", target])
        .output()
        .map_err(|error| error.to_string())?;
    if !probe.status.success() {
        return Err(String::from_utf8_lossy(&probe.stderr).into_owned());
    }
    let parsed: Value = serde_json::from_slice(&probe.stdout).map_err(|e| e.to_string())?;
    Ok(parsed["streams"].as_array().cloned().unwrap_or_default())
}

/// Whether ffprobe finds an H.264 stream in `target`, `width` wide when given.
pub fn plays_h264(target: &str, width: Option<u64>) -> Result<(), String> {
    let streams = probe_streams(target)?;
    let found = streams.iter().any(|stream| {
        stream["codec_name"] == "h264" && width.is_none_or(|width| stream["width"] == width)
    });
    if found {
        Ok(())
    } else {
        Err(format!("no H.264 stream in {streams:?}"))
    }
}
