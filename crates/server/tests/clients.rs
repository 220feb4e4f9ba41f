//! Real PeerTube clients against a real instance (SQLite, one transcoder).
//!
//! yt-dlp's PeerTube extractor only speaks `https://HOST/api/v1/...` with no port, so the test
//! puts socat (TLS, a throw-away self-signed certificate) on 127.0.0.1:443 in front of the
//! instance, as research/interop.md §1 describes, and asks for `peertube:localhost:<uuid>` with
//! an HLS format. The downloaded file must decode with the ffmpeg CLI. yt-dlp comes from
//! `scripts/install-clients` (or `KINORA_YTDLP`).

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::instance::{fixtures, start, upload_multipart, wait_published};
use common::tls_443::TlsProxy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yt_dlp_downloads_an_hls_rendition_that_plays() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "").await;
    let fixture = fixtures().join("video_short.mp4");
    let uploaded = upload_multipart(&instance, &fixture, 1).await;
    let uuid = uploaded["video"]["uuid"].as_str().unwrap().to_owned();
    let published = wait_published(&instance, &uuid, Duration::from_secs(180)).await;
    let renditions = published["streamingPlaylists"][0]["files"]
        .as_array()
        .unwrap()
        .len();
    assert!(renditions >= 1, "{published}");

    let _proxy = TlsProxy::start(dir.path(), instance.port);
    let output = dir.path().join("download.mp4");
    let log = common::yt_dlp::run(
        vec![
            // An HLS format (protocol m3u8), the best of them.
            "-f".into(),
            "b[protocol^=m3u8]/bv*[protocol^=m3u8]".into(),
            "-o".into(),
            output.clone().into(),
            format!("peertube:localhost:{uuid}").into(),
        ],
        Duration::from_secs(180),
    )
    .await;
    assert!(log.contains("m3u8") || log.contains("hls"), "{log}");
    assert!(output.is_file(), "no file written:\n{log}");

    // The file plays: the ffmpeg CLI decodes every frame without an error.
    let decode = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&output)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        decode.status.success() && decode.stderr.is_empty(),
        "{}",
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
        .arg(&output)
        .output()
        .unwrap();
    let duration: f64 = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0);
    let expected = published["duration"].as_f64().unwrap();
    assert!(
        (duration - expected).abs() <= 1.5,
        "downloaded {duration}s of a {expected}s video"
    );
    instance.server.terminate();
}

fn peertube_cli() -> PathBuf {
    common::installed_client(
        "KINORA_PEERTUBE_CLI",
        "/var/tmp/kinora-clients/npm/node_modules/.bin/peertube-cli",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_peertube_cli_uploads_a_video_and_exits_0() {
    let tool = peertube_cli();
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "").await;
    let password = instance.server.password.clone().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let fixture = fixtures().join("video_short.mp4");
    let base = instance.base.clone();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(tool)
            .env("HOME", &home)
            .args(["up", "-u", &base, "-U", "root", "-p", &password])
            .arg("-f")
            .arg(&fixture)
            .args(["-n", "Uploaded by the PeerTube CLI", "-t", "cli,kinora"])
            .args([
                "-d",
                "Sent with @peertube/peertube-cli",
                "-C",
                "root_channel",
            ])
            .output()
            .expect("peertube-cli runs")
    });
    let result = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the CLI finished in time")
        .unwrap();
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(result.status.success(), "peertube-cli failed:\n{log}");

    // The video is there with the CLI's fields, and its uploaded file's torrent is served.
    let list: serde_json::Value = instance
        .http
        .get(format!("{}/api/v1/users/me/videos", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let video = &list["data"][0];
    assert_eq!(video["name"], "Uploaded by the PeerTube CLI");
    assert_eq!(video["tags"], serde_json::json!(["cli", "kinora"]));
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let before = common::instance::video(&instance, &uuid).await;
    if let Some(torrent_url) = before["files"][0]["torrentUrl"].as_str() {
        let response = instance
            .http
            .get(torrent_url)
            .bearer_auth(&instance.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/x-bittorrent"
        );
        let bytes = response.bytes().await.unwrap();
        let hash = kinora_p2p::torrent::parse_info_hash(&bytes).unwrap();
        let magnet = before["files"][0]["magnetUri"].as_str().unwrap();
        assert!(
            magnet.contains(&format!("xt=urn:btih:{}", hex::encode(hash))),
            "{magnet}"
        );
    }
    let published = wait_published(&instance, &uuid, Duration::from_secs(180)).await;
    assert_eq!(
        published["files"],
        serde_json::json!([]),
        "renditions replace the upload"
    );
    instance.server.terminate();
}

/// Runs a command with a time limit; panics with its output when it fails.
fn run_bounded(command: &mut Command, limit: Duration) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{command:?}: {error} (scripts/install-deps --test)"));
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{command:?} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{command:?} failed:\n{text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rendition_gets_a_torrent_that_transmission_reads_and_aria2c_downloads_by_web_seed() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "").await;
    let video = common::instance::publish_with_torrents(&instance, "video_short.mp4").await;
    let trackers = video["trackerUrls"].as_array().unwrap();
    assert_eq!(trackers.len(), 2, "{video}");
    assert!(trackers[0].as_str().unwrap().ends_with("/tracker/socket"));

    let files = video["streamingPlaylists"][0]["files"].as_array().unwrap();
    for file in files {
        let torrent = reqwest::get(file["torrentUrl"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(torrent.status(), 200);
        assert_eq!(
            torrent.headers()["content-type"],
            "application/x-bittorrent"
        );
        let bytes = torrent.bytes().await.unwrap();
        let path = dir
            .path()
            .join(format!("{}.torrent", file["resolution"]["id"]));
        std::fs::write(&path, &bytes).unwrap();
        let hash = hex::encode(kinora_p2p::torrent::parse_info_hash(&bytes).unwrap());
        let magnet = file["magnetUri"].as_str().unwrap();
        assert!(magnet.contains(&format!("xt=urn:btih:{hash}")), "{magnet}");
        assert!(
            magnet.contains("ws="),
            "public files are web seeds: {magnet}"
        );
        let shown = run_bounded(
            Command::new("transmission-show").arg(&path),
            Duration::from_secs(30),
        );
        assert!(shown.to_lowercase().contains(&hash), "{shown}");
        assert!(
            shown.contains(file["fileUrl"].as_str().unwrap()),
            "web seed listed: {shown}"
        );
    }

    // aria2c fetches the smallest rendition through its web seed (no peers exist) and gets
    // the very bytes the server serves.
    let smallest = files
        .iter()
        .min_by_key(|f| f["size"].as_i64().unwrap())
        .unwrap();
    let expected = reqwest::get(smallest["fileUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let downloads = dir.path().join("aria2");
    std::fs::create_dir_all(&downloads).unwrap();
    let torrent = dir
        .path()
        .join(format!("{}.torrent", smallest["resolution"]["id"]));
    let aria = tokio::task::spawn_blocking({
        let downloads = downloads.clone();
        move || {
            run_bounded(
                Command::new("aria2c")
                    .args([
                        "--enable-dht=false",
                        "--enable-dht6=false",
                        "--bt-enable-lpd=false",
                    ])
                    .args([
                        "--enable-peer-exchange=false",
                        "--seed-time=0",
                        "--follow-torrent=mem",
                    ])
                    .args(["--console-log-level=warn", "--summary-interval=0"])
                    .arg(format!("--dir={}", downloads.display()))
                    .arg(&torrent),
                Duration::from_secs(120),
            )
        }
    })
    .await
    .unwrap();
    let fetched: Vec<_> = std::fs::read_dir(&downloads)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "mp4"))
        .collect();
    assert_eq!(fetched.len(), 1, "{aria}");
    let bytes = std::fs::read(fetched[0].path()).unwrap();
    assert_eq!(bytes.len(), expected.len());
    assert_eq!(Sha256::digest(&bytes), Sha256::digest(&expected));

    // Made private, the video gets new torrents without web seeds (its files need a login);
    // the old torrents are gone.
    let uuid = video["uuid"].as_str().unwrap();
    let old_torrent = smallest["torrentUrl"].as_str().unwrap().to_owned();
    let changed = instance
        .http
        .put(format!("{}/api/v1/videos/{uuid}", instance.base))
        .bearer_auth(&instance.token)
        .json(&serde_json::json!({ "privacy": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    let started = std::time::Instant::now();
    let private = loop {
        let json = common::instance::video(&instance, uuid).await;
        let files = json["streamingPlaylists"][0]["files"].as_array().unwrap();
        if files
            .iter()
            .all(|f| f["torrentUrl"].is_string() && f["torrentUrl"] != old_torrent.as_str())
            && files.iter().all(|f| f["torrentUrl"].is_string())
        {
            break json;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "torrents not remade: {json}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for file in private["streamingPlaylists"][0]["files"]
        .as_array()
        .unwrap()
    {
        let magnet = file["magnetUri"].as_str().unwrap();
        assert!(!magnet.contains("ws="), "{magnet}");
        let bytes = instance
            .http
            .get(file["torrentUrl"].as_str().unwrap())
            .bearer_auth(&instance.token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("url-list"));
    }
    let gone = instance
        .http
        .get(&old_torrent)
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    instance.server.terminate();
}
