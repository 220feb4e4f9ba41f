//! Uploads that are plainly not media are refused at upload by their first bytes, on both of
//! PeerTube's upload protocols, against a real `kinora serve` on SQLite and PostgreSQL: a
//! `.torrent`, text renamed `.webm`/`.mp4`, HTML and an empty file get 415 (400 when empty)
//! with a problem+json reason, and leave no video, no session and no file behind. Every
//! PeerTube fixture that is media, and audio files, are still accepted.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::instance::{
    Instance, fixtures, send_multipart, start, upload_multipart, upload_resumable,
};
use kinora_db::testing::TestDb;
use serde_json::{Value, json};

/// Files that must be refused, with the status expected.
fn bad_files(dir: &Path) -> Vec<(PathBuf, u16)> {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let html = b"<!DOCTYPE html>\n<html><head><title>Not a video</title></head>\
                 <body><video src=\"x.mp4\"></video></body></html>\n";
    vec![
        (fixtures().join("video-720p.torrent"), 415),
        (fixtures().join("video_short_fake.webm"), 415),
        (write("notes.mp4", b"just some text renamed to .mp4\n"), 415),
        (write("page.mp4", &html.repeat(20)), 415),
        (write("empty.mp4", b""), 400),
    ]
}

/// Audio files made by the ffmpeg CLI.
fn audio_files(dir: &Path) -> Vec<PathBuf> {
    ["tone.mp3", "tone.flac", "tone.wav", "tone.m4a"]
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let status = Command::new("ffmpeg")
                .args([
                    "-v",
                    "error",
                    "-f",
                    "lavfi",
                    "-i",
                    "sine=frequency=440:duration=2",
                ])
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success(), "{name}");
            path
        })
        .collect()
}

fn media_fixtures() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name != "video_short_fake.webm" && !name.ends_with(".torrent")
        })
        .collect();
    all.sort();
    all
}

async fn check_problem(response: reqwest::Response, status: u16, what: &str) {
    assert_eq!(response.status().as_u16(), status, "{what}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "{what}: {content_type}"
    );
    let body: Value = response.json().await.unwrap();
    let code = if status == 415 {
        "not_a_media_file"
    } else {
        "empty_file"
    };
    assert_eq!(body["code"], code, "{what}: {body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing was stored")
            || body["detail"]
                .as_str()
                .unwrap()
                .contains("nothing was stored"),
        "{what}: {body}"
    );
}

async fn refused_multipart(instance: &Instance, path: &Path, status: u16) {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let title = format!("Bad {name}");
    let response = send_multipart(instance, &title, &name, Some("video/mp4"), bytes, 1).await;
    check_problem(response, status, &format!("multipart {name}")).await;
}

/// Opens a resumable session for `total` bytes; answers its URL (or the refusal).
async fn open_session(instance: &Instance, name: &str, total: usize) -> reqwest::Response {
    instance
        .http
        .post(format!("{}/api/v1/videos/upload-resumable", instance.base))
        .bearer_auth(&instance.token)
        .header("x-upload-content-length", total.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&json!({"name": format!("Bad {name}"), "channelId": instance.channel, "filename": name}))
        .send()
        .await
        .unwrap()
}

async fn put(
    instance: &Instance,
    location: &str,
    range: String,
    body: Vec<u8>,
) -> reqwest::Response {
    instance
        .http
        .put(location)
        .bearer_auth(&instance.token)
        .header("content-range", range)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The first chunk (`first` bytes) of a bad file is refused and the session is gone.
async fn refused_resumable(instance: &Instance, path: &Path, status: u16, first: usize) {
    let bytes = std::fs::read(path).unwrap();
    let total = bytes.len();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let response = open_session(instance, &name, total).await;
    if total == 0 {
        // An empty file is refused when the session is opened.
        assert_eq!(response.status(), 400, "resumable {name}");
        return;
    }
    assert_eq!(response.status(), 201, "resumable {name}");
    let location = format!(
        "{}{}",
        instance.base,
        response.headers()["location"].to_str().unwrap()
    );
    let mut start = 0;
    loop {
        let end = (start + first).min(total) - 1;
        let response = put(
            instance,
            &location,
            format!("bytes {start}-{end}/{total}"),
            bytes[start..=end].to_vec(),
        )
        .await;
        if response.status() == 308 {
            // Too few bytes to tell yet: the next chunk decides.
            assert!(end + 1 < 1024, "resumable {name}: undecided after {end}");
            start = end + 1;
            continue;
        }
        check_problem(response, status, &format!("resumable {name}")).await;
        break;
    }
    let probe = put(instance, &location, format!("bytes */{total}"), Vec::new()).await;
    assert_eq!(
        probe.status(),
        404,
        "resumable {name}: the session is deleted"
    );
}

async fn video_count(instance: &Instance) -> i64 {
    let response = instance
        .http
        .get(format!("{}/api/v1/users/me/videos", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["total"].as_i64().unwrap()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

async fn not_media_is_refused_at_upload(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let instance = start(dir.path(), database_url, 0, "").await;
    for (path, status) in bad_files(inputs.path()) {
        refused_multipart(&instance, &path, status).await;
        // Whole file in one chunk, then in 100-byte chunks (decided once 1 KiB is known).
        refused_resumable(&instance, &path, status, 64 * 1024).await;
        refused_resumable(&instance, &path, status, 100).await;
    }
    assert_eq!(video_count(&instance).await, 0, "no video row");
    let storage = dir.path().join("storage");
    let left = files_under(&storage.join("tmp"));
    assert!(left.is_empty(), "nothing half-written: {left:?}");
    assert!(!storage.join("original-video-files").exists());

    // Media still goes through, by both protocols, whatever its name.
    let mut accepted = 0;
    for path in media_fixtures().iter().chain(&audio_files(inputs.path())) {
        for created in [
            upload_multipart(&instance, path, 1).await,
            upload_resumable(&instance, path).await,
        ] {
            assert!(created["video"]["uuid"].is_string(), "{}", path.display());
            accepted += 1;
        }
    }
    assert_eq!(video_count(&instance).await, accepted);
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_media_is_refused_at_upload_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    not_media_is_refused_at_upload(&format!(
        "sqlite://{}",
        dir.path().join("kinora.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_media_is_refused_at_upload_on_postgres() {
    let db = TestDb::postgres_unmigrated().await;
    not_media_is_refused_at_upload(&db.config.url).await;
    db.finish().await;
}

/// A refused chunk whose client announced more bytes than it sends (a Content-Length it never
/// fills) is still answered: the server stops waiting for the rest of the body within seconds
/// (schemathesis found it waiting until the client gave up, 20 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_chunk_is_answered_though_its_body_never_comes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let instance = start(dir.path(), &url, 0, "").await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", instance.port))
        .await
        .unwrap();
    let request = format!(
        "PUT /api/v1/videos/upload-resumable?upload_id=unknown HTTP/1.1\r\nHost: localhost:{}\r\n\
         Authorization: Bearer {}\r\nContent-Range: bytes 0-99999/100000\r\n\
         Content-Length: 100000\r\n\r\nonly a few bytes",
        instance.port, instance.token
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(15), stream.read(&mut answer))
        .await
        .expect("an answer while the body is still owed")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
