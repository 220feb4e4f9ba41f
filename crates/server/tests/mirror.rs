//! Mirroring (PeerTube's redundancy) between real `kinora serve` processes: B follows A's
//! instance and mirrors it; A's new video is copied to B, announced to A with
//! `Create{CacheFile}`, and B keeps serving it with A stopped; turning mirroring off withdraws
//! it, and A deleting the video removes B's copy. Files that do not match their segment hashes
//! are never mirrored.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, publish_with_torrents, start};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn send(instance: &Instance, method: reqwest::Method, path: &str, body: Value) -> u16 {
    api_request(instance, method, path, Some(body)).await.0
}

async fn get_json(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// GETs a URL (with an optional Range): status, Content-Type and bytes.
async fn fetch(http: &reqwest::Client, url: &str, range: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut request = http.get(url);
    if let Some(range) = range {
        request = request.header("range", range);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// The last path segment of a URL.
fn file_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirrored_video_is_served_by_the_mirror_while_its_origin_is_down() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
    let host_a = format!("localhost:{}", a.port);

    // Mirroring needs a followed instance.
    let path = format!("/api/v1/server/redundancy/{host_a}");
    let body = json!({ "redundancyAllowed": true });
    assert_eq!(
        send(&b, reqwest::Method::PUT, &path, body.clone()).await,
        404
    );
    let follow = json!({ "hosts": [host_a] });
    assert_eq!(
        send(
            &b,
            reqwest::Method::POST,
            "/api/v1/server/following",
            follow
        )
        .await,
        204
    );
    eventually(Duration::from_secs(30), "A accepts B", || async {
        let (_, list) = get_json(&b, "/api/v1/server/following").await;
        (list["data"][0]["state"] == "accepted").then_some(())
    })
    .await;
    assert_eq!(send(&b, reqwest::Method::PUT, &path, body).await, 204);
    let (_, list) = get_json(&b, "/api/v1/server/following").await;
    assert_eq!(list["data"][0]["following"]["hostRedundancyAllowed"], true);

    // A publishes: B gets the video and copies its HLS files.
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let origin = &video["streamingPlaylists"][0];
    let origin_master = origin["playlistUrl"].as_str().unwrap().to_owned();
    let origin_hashes = origin["segmentsSha256Url"].as_str().unwrap().to_owned();
    let origin_file = origin["files"][0]["fileUrl"].as_str().unwrap().to_owned();
    let origin_playlist = origin["files"][0]["playlistUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let mirror_base = format!("{}/static/redundancy/hls/{uuid}", b.base);
    let on_b = eventually(Duration::from_secs(120), "B's mirror", || async {
        let (status, details) = get_json(&b, &format!("/api/v1/videos/{uuid}")).await;
        let listed = details["streamingPlaylists"][0]["redundancies"][0]["baseUrl"].clone();
        (status == 200 && listed == mirror_base.as_str()).then_some(details)
    })
    .await;
    // The origin stays the first source; the mirror is where players fall back.
    assert_eq!(
        on_b["streamingPlaylists"][0]["playlistUrl"],
        origin_master.as_str()
    );
    assert_eq!(
        on_b["streamingPlaylists"][0]["redundancies"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A heard of it: its video lists B's mirror (Create{CacheFile} from B's instance actor).
    eventually(Duration::from_secs(30), "B's mirror on A", || async {
        let (_, details) = get_json(&a, &format!("/api/v1/videos/{uuid}")).await;
        (details["streamingPlaylists"][0]["redundancies"][0]["baseUrl"] == mirror_base.as_str())
            .then_some(())
    })
    .await;

    // B serves the same bytes as A, with Range.
    let mirrored = |url: &str| format!("{mirror_base}/{}", file_name(url));
    let mut originals = Vec::new();
    for (url, range) in [
        (&origin_master, None),
        (&origin_playlist, None),
        (&origin_hashes, None),
        (&origin_file, Some("bytes=100-4195")),
    ] {
        let (status, _, from_a) = fetch(&a.http, url, range).await;
        assert!(matches!(status, 200 | 206), "{url}: {status}");
        let (status, content_type, from_b) = fetch(&b.http, &mirrored(url), range).await;
        assert_eq!(status, if range.is_some() { 206 } else { 200 }, "{url}");
        assert_eq!(from_b, from_a, "{url}");
        originals.push((mirrored(url), range, content_type, from_a));
    }
    assert_eq!(originals[3].3.len(), 4096);
    assert!(originals[0].2.contains("mpegurl"), "{}", originals[0].2);
    let (status, _, _) = fetch(&b.http, &format!("{mirror_base}/not-there.m3u8"), None).await;
    assert_eq!(status, 404);
    let (status, _, _) = fetch(&b.http, &format!("{mirror_base}/..%2Fkinora.db"), None).await;
    assert_eq!(status, 404);
    let mirror_dir = dir_b.path().join("storage/redundancy/hls").join(&uuid);
    assert!(mirror_dir.join(file_name(&origin_master)).is_file());

    // A goes down: B still serves every file.
    let Instance {
        server,
        port,
        base,
        token,
        channel,
        http,
    } = a;
    server.terminate();
    assert!(
        http.get(&origin_master).send().await.is_err(),
        "A still answers"
    );
    for (url, range, _, bytes) in &originals {
        let (status, _, from_b) = fetch(&b.http, url, *range).await;
        assert!(matches!(status, 200 | 206), "{url}: {status}");
        assert_eq!(&from_b, bytes, "{url}");
    }

    // A comes back and deletes the video: B forgets its copy, files included.
    let a = Instance {
        server: common::process::Server::start(&dir_a.path().join("kinora.toml")),
        port,
        base,
        token,
        channel,
        http,
    };

    // Mirroring turned off: B drops its copy and withdraws it from A (Undo{Create{CacheFile}});
    // turned on again: the known video is copied again.
    let off = json!({ "redundancyAllowed": false });
    assert_eq!(send(&b, reqwest::Method::PUT, &path, off).await, 204);
    let (status, _, _) = fetch(&b.http, &originals[0].0, None).await;
    assert_eq!(status, 404);
    assert!(!mirror_dir.exists());
    let (_, list) = get_json(&b, "/api/v1/server/following").await;
    assert_eq!(list["data"][0]["following"]["hostRedundancyAllowed"], false);
    let (_, details) = get_json(&b, &format!("/api/v1/videos/{uuid}")).await;
    assert_eq!(details["streamingPlaylists"][0]["redundancies"], json!([]));
    eventually(
        Duration::from_secs(60),
        "B's mirror withdrawn on A",
        || async {
            let (_, details) = get_json(&a, &format!("/api/v1/videos/{uuid}")).await;
            (details["streamingPlaylists"][0]["redundancies"] == json!([])).then_some(())
        },
    )
    .await;
    let on = json!({ "redundancyAllowed": true });
    assert_eq!(send(&b, reqwest::Method::PUT, &path, on).await, 204);
    eventually(Duration::from_secs(60), "B's copy back", || async {
        let (status, _, bytes) = fetch(&b.http, &originals[3].0, originals[3].1).await;
        (status == 206 && bytes == originals[3].3).then_some(())
    })
    .await;

    let deleted = send(
        &a,
        reqwest::Method::DELETE,
        &format!("/api/v1/videos/{uuid}"),
        json!({}),
    )
    .await;
    assert_eq!(deleted, 204);
    eventually(Duration::from_secs(60), "B's copy gone", || async {
        let (status, _, _) = fetch(&b.http, &originals[0].0, None).await;
        (status == 404 && !mirror_dir.exists()).then_some(())
    })
    .await;

    // B stops following A: A is no longer mirrored, B's copies go and A hears it.
    let second = publish_with_torrents(&a, "video_short.mp4").await;
    let second_uuid = second["uuid"].as_str().unwrap().to_owned();
    let second_base = format!("{}/static/redundancy/hls/{second_uuid}", b.base);
    eventually(
        Duration::from_secs(120),
        "B's mirror on A again",
        || async {
            let (_, details) = get_json(&a, &format!("/api/v1/videos/{second_uuid}")).await;
            (details["streamingPlaylists"][0]["redundancies"][0]["baseUrl"] == second_base.as_str())
                .then_some(())
        },
    )
    .await;
    let unfollow = format!("/api/v1/server/following/{host_a}");
    assert_eq!(
        send(&b, reqwest::Method::DELETE, &unfollow, json!({})).await,
        204
    );
    let second_master = format!(
        "{second_base}/{}",
        file_name(
            second["streamingPlaylists"][0]["playlistUrl"]
                .as_str()
                .unwrap()
        )
    );
    let (status, _, _) = fetch(&b.http, &second_master, None).await;
    assert_eq!(status, 404);
    assert!(
        !dir_b
            .path()
            .join("storage/redundancy/hls")
            .join(&second_uuid)
            .exists()
    );
    eventually(
        Duration::from_secs(60),
        "the mirror withdrawn on A",
        || async {
            let (_, details) = get_json(&a, &format!("/api/v1/videos/{second_uuid}")).await;
            (details["streamingPlaylists"][0]["redundancies"] == json!([])).then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_do_not_match_their_segment_hashes_are_not_mirrored() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
    let host_a = format!("localhost:{}", a.port);
    let follow = json!({ "hosts": [host_a] });
    assert_eq!(
        send(
            &b,
            reqwest::Method::POST,
            "/api/v1/server/following",
            follow
        )
        .await,
        204
    );
    eventually(Duration::from_secs(30), "A accepts B", || async {
        let (_, list) = get_json(&b, "/api/v1/server/following").await;
        (list["data"][0]["state"] == "accepted").then_some(())
    })
    .await;

    // A's video reaches B before B mirrors A; then one byte of a segment changes on A.
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(60), "the video on B", || async {
        let (status, _) = get_json(&b, &format!("/api/v1/videos/{uuid}")).await;
        (status == 200).then_some(())
    })
    .await;
    let file_url = video["streamingPlaylists"][0]["files"][0]["fileUrl"]
        .as_str()
        .unwrap();
    let on_disk = dir_a
        .path()
        .join("storage/streaming-playlists/hls")
        .join(&uuid)
        .join(file_name(file_url));
    let mut bytes = std::fs::read(&on_disk).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&on_disk, &bytes).unwrap();

    let path = format!("/api/v1/server/redundancy/{host_a}");
    let on = json!({ "redundancyAllowed": true });
    assert_eq!(send(&b, reqwest::Method::PUT, &path, on).await, 204);
    let db = kinora_db::Db::connect(&kinora_db::DatabaseConfig {
        url: db_b.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    let dead = eventually(
        Duration::from_secs(60),
        "the mirror job given up",
        || async {
            let row: Option<(String, Option<String>, i64)> = sqlx::query_as(
                "SELECT state, last_error, attempts FROM jobs WHERE kind = 'mirror-video'",
            )
            .fetch_optional(db.pool())
            .await
            .unwrap();
            row.filter(|(state, _, _)| state == "dead")
        },
    )
    .await;
    assert!(
        dead.1
            .as_deref()
            .unwrap_or_default()
            .contains("do not match their hash"),
        "{dead:?}"
    );
    assert_eq!(dead.2, 1, "a permanent failure is not retried");
    let (_, details) = get_json(&b, &format!("/api/v1/videos/{uuid}")).await;
    assert_eq!(details["streamingPlaylists"][0]["redundancies"], json!([]));
    assert!(
        !dir_b
            .path()
            .join("storage/redundancy/hls")
            .join(&uuid)
            .exists()
    );
    let work = dir_b.path().join("storage/tmp/work");
    let left = std::fs::read_dir(&work).map_or(0, |entries| entries.count());
    assert_eq!(left, 0, "nothing half-written stays in {}", work.display());
}
