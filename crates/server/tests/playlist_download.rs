//! yt-dlp downloads a playlist from its page, `https://localhost/w/p/<shortUUID>` (socat
//! terminating TLS on 127.0.0.1:443, as for the video test in `clients.rs`): two videos
//! uploaded and transcoded by a real instance (SQLite, one transcoder), put in a public
//! playlist in the order second, first; yt-dlp finds them in the page (its videos as HTML5
//! video elements for clients without JavaScript) and writes both, in that order, each a file
//! the ffmpeg CLI decodes.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::instance::{api_request, fixtures, start, upload_multipart, wait_published};
use common::tls_443::TlsProxy;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yt_dlp_downloads_a_playlist_from_its_page() {
    let dir = tempfile::tempdir().unwrap();
    // A front end build is needed for pages: the server fills the marker of its index.html.
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("index.html"),
        format!(
            "<!doctype html><html><head>{}</head><body><div id=\"app\"></div></body></html>",
            kinora_api::pages::HEAD_MARKER
        ),
    )
    .unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let extra = format!("[web]\nroot = \"{}\"\n", web.display());
    let instance = start(dir.path(), &database, 1, &extra).await;
    let mut uuids = Vec::new();
    for fixture in ["video_very_short_240p.mp4", "video_short.mp4"] {
        let uploaded = upload_multipart(&instance, &fixtures().join(fixture), 1).await;
        let uuid = uploaded["video"]["uuid"].as_str().unwrap().to_owned();
        wait_published(&instance, &uuid, Duration::from_secs(240)).await;
        uuids.push(uuid);
    }
    let (status, created) = api_request(
        &instance,
        reqwest::Method::POST,
        "/api/v1/video-playlists",
        Some(json!({"displayName": "Two clips", "privacy": 1, "videoChannelId": instance.channel})),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let playlist = created["videoPlaylist"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let short = created["videoPlaylist"]["shortUUID"]
        .as_str()
        .unwrap()
        .to_owned();
    for uuid in uuids.iter().rev() {
        let (status, body) = api_request(
            &instance,
            reqwest::Method::POST,
            &format!("/api/v1/video-playlists/{playlist}/videos"),
            Some(json!({ "videoId": uuid })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    let _proxy = TlsProxy::start(dir.path(), instance.port);
    let out = dir.path().join("out");
    let log = common::yt_dlp::run(
        vec![
            "-f".into(),
            "b[protocol^=m3u8]/bv*[protocol^=m3u8]".into(),
            "-o".into(),
            out.join("%(playlist_index)s.%(ext)s").into(),
            format!("https://localhost/w/p/{short}").into(),
        ],
        Duration::from_secs(240),
    )
    .await;
    let mut files: Vec<_> = std::fs::read_dir(&out)
        .unwrap_or_else(|_| panic!("nothing written:\n{log}"))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}\n{log}");
    // In the playlist's order: the second upload (video_short, about 5 s) first.
    let mut durations = Vec::new();
    for file in &files {
        let decode = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(file)
            .args(["-f", "null", "-"])
            .output()
            .unwrap();
        assert!(
            decode.status.success() && decode.stderr.is_empty(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&decode.stderr)
        );
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
            ])
            .arg(file)
            .output()
            .unwrap();
        let duration: f64 = String::from_utf8_lossy(&probe.stdout)
            .trim()
            .parse()
            .unwrap_or(0.0);
        durations.push(duration);
    }
    assert!(durations[0] > durations[1], "order: {durations:?}");
    instance.server.terminate();
}
