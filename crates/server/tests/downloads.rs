//! Downloads end to end: `kinora serve` transcodes PeerTube fixtures, then
//! `/download/videos/generate/{id}?videoFileIds=…` hands out each rendition as a progressive MP4
//! that ffprobe accepts and ffmpeg decodes without an error, with exactly the packet and frame
//! counts of the HLS fragmented MP4 it came from; the per-file `fileDownloadUrl` and
//! `/download/videos/<uuid>-<res>.mp4` work; bad `videoFileIds`, a private video without a
//! token and a video whose owner disallows downloads are refused (403 spares its owner and
//! staff). On SQLite and PostgreSQL.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::instance::{Instance, api_request, fixtures, start, upload_multipart, wait_published};
use kinora_db::testing::TestDb;
use serde_json::{Value, json};

/// Per stream: codec type, packets, decoded frames.
fn counts(file: &Path) -> Vec<String> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-count_packets",
            "-show_entries",
        ])
        .arg("stream=codec_type,nb_read_packets,nb_read_frames")
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe accepts {}", file.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn decode_errors(file: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "ffmpeg decodes {}", file.display());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn get(instance: &Instance, url: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = instance.http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Saves a download, checking its headers; answers its path.
async fn save(response: reqwest::Response, dir: &Path, name: &str) -> std::path::PathBuf {
    assert_eq!(response.status(), 200, "{name}");
    let length: u64 = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(response.headers()["content-type"], "video/mp4");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(
        bytes.len() as u64,
        length,
        "{name}: Content-Length is exact"
    );
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// A user of the instance: its token.
async fn user(instance: &Instance, name: &str, role: i64) -> String {
    let (status, body) = api_request(
        instance,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": name, "password": "a long password", "email": format!("{name}@example.com"), "role": role, "videoQuota": -1, "videoQuotaDaily": -1})),
    )
    .await;
    assert!(status < 300, "{status}: {body}");
    let client: Value = instance
        .http
        .get(format!("{}/api/v1/oauth-clients/local", instance.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token: Value = instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&[
            ("client_id", client["client_id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap()),
            ("grant_type", "password"),
            ("username", name),
            ("password", "a long password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

async fn downloads(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let instance = start(dir.path(), database_url, 1, "").await;
    let limit = Duration::from_secs(300);
    let public = upload_multipart(&instance, &fixtures().join("60fps_720p_small.mp4"), 1).await;
    let private = upload_multipart(&instance, &fixtures().join("video_short.webm"), 3).await;
    let uuid = public["video"]["uuid"].as_str().unwrap().to_owned();
    let private_uuid = private["video"]["uuid"].as_str().unwrap().to_owned();
    let video = wait_published(&instance, &uuid, limit).await;
    let private_video = wait_published(&instance, &private_uuid, limit).await;
    let files = video["streamingPlaylists"][0]["files"]
        .as_array()
        .unwrap()
        .clone();
    assert!(files.len() >= 2, "a ladder: {video}");

    // Every rendition, by file id, against the fragmented MP4 it came from.
    for file in &files {
        let id = file["id"].as_i64().unwrap();
        let resolution = file["resolution"]["id"].as_i64().unwrap();
        let url = format!(
            "{}/download/videos/generate/{uuid}?videoFileIds={id}",
            instance.base
        );
        let response = get(&instance, &url, None).await;
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"Fixture 60fps_720p_small.mp4-")
                && disposition.contains(&format!("-{resolution}p.mp4\"")),
            "{disposition}"
        );
        let progressive = save(response, dir.path(), &format!("{resolution}.mp4")).await;
        // The stored fragmented file through its fileDownloadUrl.
        let download_url = file["fileDownloadUrl"].as_str().unwrap();
        assert_eq!(
            download_url,
            format!(
                "{}/download/streaming-playlists/hls/videos/{uuid}-{resolution}-fragmented.mp4",
                instance.base
            )
        );
        let response = get(&instance, download_url, None).await;
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("-hls.mp4")
        );
        let fragmented = save(
            response,
            dir.path(),
            &format!("{resolution}-fragmented.mp4"),
        )
        .await;
        let stored = instance
            .http
            .get(file["fileUrl"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(
            stored.bytes().await.unwrap(),
            std::fs::read(&fragmented).unwrap()
        );

        let bytes = std::fs::read(&progressive).unwrap();
        let find = |kind: &[u8]| bytes.windows(4).position(|w| w == kind);
        assert!(find(b"moof").is_none(), "progressive: no fragments");
        assert!(
            find(b"moov").unwrap() < find(b"mdat").unwrap(),
            "moov first"
        );
        let (source, output) = (counts(&fragmented), counts(&progressive));
        assert_eq!(
            source, output,
            "{resolution}p: packets and frames per stream"
        );
        assert!(
            output.iter().any(|s| s.starts_with("audio")),
            "{resolution}p has its audio: {output:?}"
        );
        assert_eq!(
            decode_errors(&progressive),
            "",
            "{resolution}p decodes cleanly"
        );

        // The same file by resolution; with an extension, without Content-Disposition.
        let by_resolution = get(
            &instance,
            &format!("{}/download/videos/{uuid}-{resolution}.mp4", instance.base),
            None,
        )
        .await;
        assert_eq!(
            save(by_resolution, dir.path(), "again.mp4")
                .await
                .as_path()
                .metadata()
                .unwrap()
                .len(),
            bytes.len() as u64
        );
        let plain = get(
            &instance,
            &format!(
                "{}/download/videos/generate/{uuid}.mp4?videoFileIds={id}",
                instance.base
            ),
            None,
        )
        .await;
        assert!(plain.headers().get("content-disposition").is_none());
        assert_eq!(plain.bytes().await.unwrap().len(), bytes.len());
    }

    // Bad videoFileIds: 400 naming it; ids of nothing: 404; two renditions at once: 400.
    let generate = format!("{}/download/videos/generate/{uuid}", instance.base);
    for query in [
        "",
        "?videoFileIds=",
        "?videoFileIds=abc",
        "?videoFileIds=-3",
        "?videoFileIds=1,2,3",
    ] {
        let response = get(&instance, &format!("{generate}{query}"), None).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["invalid-params"]["videoFileIds"].is_object(),
            "{query}: {body}"
        );
    }
    let response = get(&instance, &format!("{generate}?videoFileIds=999999"), None).await;
    assert_eq!(response.status(), 404);
    let two = format!(
        "{generate}?videoFileIds={}&videoFileIds={}",
        files[0]["id"], files[1]["id"]
    );
    assert_eq!(get(&instance, &two, None).await.status(), 400);
    let unknown = format!(
        "{}/download/videos/generate/00000000-0000-4000-8000-000000000000?videoFileIds=1",
        instance.base
    );
    assert_eq!(get(&instance, &unknown, None).await.status(), 404);

    // A private video: not admitted to exist without a token or for another user; its owner
    // downloads it.
    let private_file = private_video["streamingPlaylists"][0]["files"][0]["id"]
        .as_i64()
        .unwrap();
    let private_url = format!(
        "{}/download/videos/generate/{private_uuid}?videoFileIds={private_file}",
        instance.base
    );
    let stranger = user(&instance, "stranger", 2).await;
    for token in [None, Some(stranger.as_str())] {
        let response = get(&instance, &private_url, token).await;
        assert_eq!(response.status(), 404, "{token:?}");
        let kind = response.headers()["content-type"].to_str().unwrap();
        assert!(kind.starts_with("application/problem+json"), "{kind}");
    }
    let by_resolution = format!(
        "{}/download/streaming-playlists/hls/videos/{private_uuid}-{}-fragmented.mp4",
        instance.base, private_video["streamingPlaylists"][0]["files"][0]["resolution"]["id"]
    );
    assert_eq!(get(&instance, &by_resolution, None).await.status(), 404);
    let own = get(&instance, &private_url, Some(&instance.token)).await;
    let own = save(own, dir.path(), "private.mp4").await;
    assert_eq!(decode_errors(&own), "");

    // Downloads disallowed by the owner: 403 for others, allowed to the owner and staff.
    let (status, body) = api_request(
        &instance,
        reqwest::Method::PUT,
        &format!("/api/v1/videos/{uuid}"),
        Some(json!({"downloadEnabled": false})),
    )
    .await;
    assert!(status < 300, "{status}: {body}");
    let first = format!("{generate}?videoFileIds={}", files[0]["id"]);
    let moderator = user(&instance, "moderator", 1).await;
    for (token, expected) in [
        (None, 403),
        (Some(stranger.as_str()), 403),
        (Some(moderator.as_str()), 200),
        (Some(instance.token.as_str()), 200),
    ] {
        let response = get(&instance, &first, token).await;
        assert_eq!(response.status(), expected, "{token:?}");
        if expected == 403 {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["status"], 403, "{body}");
        }
    }
    let fragmented = files[0]["fileDownloadUrl"].as_str().unwrap();
    assert_eq!(get(&instance, fragmented, None).await.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    downloads(&format!(
        "sqlite://{}",
        dir.path().join("kinora.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_on_postgres() {
    let db = TestDb::postgres_unmigrated().await;
    downloads(&db.config.url).await;
    db.finish().await;
}
