//! End to end: `kinora serve` with its own transcoder pool; every PeerTube fixture uploaded over
//! HTTP with both protocols either becomes published HLS served with Range and
//! decodable by the ffmpeg CLI over HTTP, or is refused with a reason. On SQLite and PostgreSQL.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::instance::{fixtures, start, upload_multipart, upload_resumable, video};

use kinora_db::testing::TestDb;
use serde_json::Value;

fn source_has_video(path: &Path) -> bool {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "stream=codec_type",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).contains("video")
}

fn source_duration(path: &Path) -> f64 {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0)
}

async fn every_fixture_is_published_or_refused(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let instance = start(dir.path(), database_url, 1, "").await;
    let mut uploads = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    // The fake WebM (text) and the torrent are refused at upload by their first bytes
    // (tests/upload_refusals.rs); a truncated MP4 passes that check and is refused by the
    // transcoder instead.
    let not_media = |p: &PathBuf| {
        let name = p.file_name().unwrap().to_string_lossy();
        name == "video_short_fake.webm" || name.ends_with(".torrent")
    };
    entries.retain(|p| !not_media(p));
    let truncated = dir.path().join("truncated.mp4");
    let whole = std::fs::read(fixtures().join("video_short.mp4")).unwrap();
    std::fs::write(&truncated, &whole[..20_000]).unwrap();
    entries.push(truncated);
    for path in &entries {
        // Each fixture goes through both of PeerTube's upload protocols.
        for created in [
            upload_multipart(&instance, path, 1).await,
            upload_resumable(&instance, path).await,
        ] {
            uploads.push((
                path.clone(),
                created["video"]["uuid"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(900);
    for (path, uuid) in &uploads {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let json = loop {
            let json = video(&instance, uuid).await;
            let state = json["state"]["id"].as_i64().unwrap();
            if state != 2 {
                break json;
            }
            assert!(
                Instant::now() < deadline,
                "{name} never finished transcoding"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        if name == "truncated.mp4" {
            assert_eq!(json["state"]["id"], 7, "{name} must be refused: {json}");
            assert!(
                json["failureReason"]
                    .as_str()
                    .is_some_and(|r| !r.is_empty()),
                "{name}: a reason"
            );
            continue;
        }
        assert_eq!(json["state"]["id"], 1, "{name} must be published: {json}");
        let playlist = &json["streamingPlaylists"][0];
        let master = playlist["playlistUrl"].as_str().unwrap();
        assert!(master.ends_with("-master.m3u8"), "{master}");
        assert!(
            playlist["segmentsSha256Url"]
                .as_str()
                .unwrap()
                .ends_with("-segments-sha256.json")
        );
        let files = playlist["files"].as_array().unwrap();
        assert!(!files.is_empty(), "{name}: files");
        for file in files {
            for field in [
                "resolution",
                "width",
                "height",
                "fps",
                "size",
                "fileUrl",
                "hasAudio",
                "hasVideo",
            ] {
                assert!(!file[field].is_null(), "{name}: file.{field}");
            }
        }
        let expected = source_duration(path);
        let duration = json["duration"].as_f64().unwrap();
        assert!(
            (duration - expected).abs() <= 1.5,
            "{name}: duration {duration} vs source {expected}"
        );

        // Range requests on a rendition file: 206 with an exact Content-Range, CORS exposed.
        let file_url = files[0]["fileUrl"].as_str().unwrap();
        let size = files[0]["size"].as_u64().unwrap();
        let response = instance
            .http
            .get(file_url)
            .header("range", "bytes=10-109")
            .header("origin", "http://elsewhere.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 206, "{name}");
        assert_eq!(
            response.headers()["content-range"],
            format!("bytes 10-109/{size}").as_str()
        );
        assert_eq!(response.headers()["accept-ranges"], "bytes");
        assert!(response.headers().contains_key("etag"));
        let exposed = response.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_lowercase();
        assert!(exposed.contains("content-range") && exposed.contains("content-length"));
        assert_eq!(response.bytes().await.unwrap().len(), 100);

        // The whole ladder decodes over HTTP with the ffmpeg CLI.
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-i", master, "-f", "null", "-"])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "{name}: the master playlist decodes over HTTP"
        );
        let storyboards: Value = instance
            .http
            .get(format!(
                "{}/api/v1/videos/{uuid}/storyboards",
                instance.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let boards = storyboards["storyboards"].as_array().unwrap();
        if duration >= 3.0 && source_has_video(path) {
            assert_eq!(
                boards.len(),
                1,
                "{name}: a storyboard for {duration} s of video"
            );
            let board = &boards[0];
            for field in [
                "totalWidth",
                "totalHeight",
                "spriteWidth",
                "spriteHeight",
                "spriteDuration",
            ] {
                assert!(
                    board[field].as_u64().is_some_and(|v| v > 0),
                    "{name}: storyboard {field}"
                );
            }
            let sheet = format!(
                "{}{}",
                instance.base,
                board["storyboardPath"].as_str().unwrap()
            );
            assert_eq!(
                instance.http.get(&sheet).send().await.unwrap().status(),
                200,
                "{name}: sheet"
            );
        }
        let thumbnail = format!(
            "{}{}",
            instance.base,
            json["thumbnailPath"].as_str().unwrap()
        );
        let response = instance.http.get(&thumbnail).send().await.unwrap();
        assert_eq!(response.status(), 200, "{name}: thumbnail");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    every_fixture_is_published_or_refused(&format!(
        "sqlite://{}",
        dir.path().join("kinora.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_on_postgres() {
    let db = TestDb::postgres_unmigrated().await;
    every_fixture_is_published_or_refused(&db.config.url).await;
    db.finish().await;
}
