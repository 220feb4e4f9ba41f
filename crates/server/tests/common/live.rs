//! Lives in tests: the ffmpeg CLI as a broadcaster, ffprobe reading what players get, and the
//! live API calls the ingest tests share.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::eventually;
use super::instance::{Instance, api_request, start};
use super::process::free_port;

/// Starts `kinora serve` in `dir` with one transcoder, lives enabled and `[live]
/// ending_delay_secs`; waits for its RTMP ingest; answers the instance and the RTMP URL
/// broadcasters publish under (`rtmp://127.0.0.1:<port>/live`).
pub async fn live_instance(
    dir: &Path,
    database_url: &str,
    ending_delay_secs: u64,
) -> (Instance, String) {
    let rtmp_port = free_port();
    let instance = start(
        dir,
        database_url,
        1,
        &format!(
            "[live]\nenabled = true\nrtmp_listen = \"127.0.0.1:{rtmp_port}\"\n\
             ending_delay_secs = {ending_delay_secs}\n"
        ),
    )
    .await;
    wait_for_ingest(rtmp_port).await;
    (instance, format!("rtmp://127.0.0.1:{rtmp_port}/live"))
}

/// The recordings of a live's broadcasts not yet made replays, in the storage of the
/// instance in `dir`.
pub fn recordings(dir: &Path, uuid: &str) -> usize {
    std::fs::read_dir(dir.join("storage/live-replays").join(uuid))
        .map_or(0, |entries| entries.count())
}

/// A replay plays: its master playlist (from the video JSON, over HTTP) has H.264, and it
/// lasts `seconds`, give or take 3.
pub fn check_replay(replay: &Value, seconds: f64) {
    let master = replay["streamingPlaylists"][0]["playlistUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("a replay has HLS: {replay}"));
    plays_h264(master, None).unwrap();
    let duration = replay["duration"].as_f64().unwrap();
    assert!(
        (seconds - 3.0..=seconds + 3.0).contains(&duration),
        "the replay lasts {duration} s, the broadcast {seconds} s"
    );
}

/// Waits until the RTMP ingest the server started listens on `port`.
pub async fn wait_for_ingest(port: u16) {
    eventually(
        Duration::from_secs(30),
        "the RTMP ingest listens",
        || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
                .map(|_| ())
        },
    )
    .await;
}

/// Creates a live in the instance's channel from PeerTube's JSON `fields`; answers its UUID
/// and stream key.
pub async fn create_live(instance: &Instance, mut fields: Value) -> (String, String) {
    fields["channelId"] = instance.channel.into();
    let (status, created) =
        api_request(instance, Method::POST, "/api/v1/videos/live", Some(fields)).await;
    assert_eq!(status, 200, "{created}");
    let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
    let (_, live) = api_request(
        instance,
        Method::GET,
        &format!("/api/v1/videos/live/{uuid}"),
        None,
    )
    .await;
    (uuid, live["streamKey"].as_str().unwrap().to_owned())
}

/// The state id of a video.
pub async fn state(instance: &Instance, uuid: &str) -> i64 {
    super::instance::video(instance, uuid).await["state"]["id"]
        .as_i64()
        .unwrap()
}

/// Waits (at most a minute) until the video is in state `wanted`.
pub async fn wait_state(instance: &Instance, uuid: &str, wanted: i64, what: &str) {
    eventually(Duration::from_secs(60), what, || async {
        (state(instance, uuid).await == wanted).then_some(())
    })
    .await;
}

/// A live's broadcasts, newest first.
pub async fn sessions(instance: &Instance, uuid: &str) -> Vec<Value> {
    let (status, list) = api_request(
        instance,
        Method::GET,
        &format!("/api/v1/videos/live/{uuid}/sessions"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"].as_array().unwrap().clone()
}

/// Waits for a broadcaster to exit; answers whether it succeeded.
pub async fn finished(mut child: Child) -> bool {
    tokio::task::spawn_blocking(move || child.wait().unwrap().success())
        .await
        .unwrap()
}

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
