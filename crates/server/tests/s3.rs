//! Storage on S3 end to end, against a real S3 server started by the test (Garage when it is
//! installed, else s3s-fs: [`common::s3_server`]): uploads, transcoding and playback with private
//! videos' media proxied by the server (with ranges); start-up refusals (the S3 outage while
//! storing an original is `s3_outage.rs`). With Garage also public videos' media linked straight to
//! its public website bucket, and moved between the buckets when their privacy changes (those
//! tests say they were skipped without Garage).

use crate::common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::instance::{Instance, fixtures, start, upload_multipart, video};
use common::process::{KINORA, free_port, write_config};
use common::s3_server::{S3Server, garage_or_skip};

async fn wait_until_processed(instance: &Instance, uuid: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let json = video(instance, uuid).await;
        if json["state"]["id"] != 2 {
            return json;
        }
        assert!(Instant::now() < deadline, "{uuid} never left state 2");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The original is in the private bucket, as large as `source`; nothing of the video stayed on
/// the local disk under `dir`.
async fn assert_stored_on_s3(server: &S3Server, dir: &std::path::Path, uuid: &str, size: u64) {
    let original = format!("original-video-files/{uuid}");
    let head = server
        .s3_client()
        .head_object()
        .bucket(&server.private_bucket)
        .key(&original)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(size as i64));
    let storage = dir.join("storage");
    assert!(!storage.join(&original).exists());
    assert!(!storage.join("streaming-playlists/hls").join(uuid).exists());
}

/// Deletes the video through the API, then expects its HLS files and its original gone from
/// every bucket.
async fn delete_and_expect_no_objects(server: &S3Server, instance: &Instance, uuid: &str) {
    let deleted = instance
        .http
        .delete(format!("{}/api/v1/videos/{uuid}", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let hls = format!("streaming-playlists/hls/{uuid}/");
    let original = format!("original-video-files/{uuid}");
    let public = server.public.iter().map(|public| &public.bucket);
    for bucket in public.chain([&server.private_bucket]) {
        assert!(
            server.object_keys(bucket, &hls).await.is_empty(),
            "{bucket}"
        );
        assert!(
            server.object_keys(bucket, &original).await.is_empty(),
            "{bucket}"
        );
    }
}

/// Starts an instance on `server` (its public bucket configured when there is one) and uploads
/// `video_short.mp4` with `privacy`; returns the instance, its directory and the processed video.
async fn instance_with_video(
    server: &S3Server,
    privacy: i64,
) -> (Instance, tempfile::TempDir, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let settings = server.server_settings(&server.s3_endpoint, true);
    let instance = start(dir.path(), &url, 1, &settings).await;
    let created = upload_multipart(&instance, &fixtures().join("video_short.mp4"), privacy).await;
    let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
    let json = wait_until_processed(&instance, &uuid).await;
    assert_eq!(json["state"]["id"], 1, "{json}");
    (instance, dir, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_media_is_proxied_by_the_server_with_ranges_and_deleted_with_the_video() {
    let server = S3Server::start().await;
    let (instance, dir, private_json) = instance_with_video(&server, 3).await;
    let private_uuid = private_json["uuid"].as_str().unwrap().to_owned();
    let anonymous = reqwest::Client::new();

    // Private: linked on the server, which checks who asks; the bucket refuses strangers.
    let playlist = &private_json["streamingPlaylists"][0];
    let master = playlist["playlistUrl"].as_str().unwrap();
    assert!(master.starts_with(&instance.base), "{master}");
    let file = &playlist["files"][0];
    assert_eq!(file["storage"], 1);
    let file_url = file["fileUrl"].as_str().unwrap();
    let size = file["size"].as_u64().unwrap();
    assert_eq!(anonymous.get(master).send().await.unwrap().status(), 404);
    assert_eq!(anonymous.get(file_url).send().await.unwrap().status(), 404);
    let response = instance
        .http
        .get(file_url)
        .bearer_auth(&instance.token)
        .header("range", "bytes=10-109")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes 10-109/{size}").as_str()
    );
    let proxied_bytes = response.bytes().await.unwrap();
    let file_name = file_url.rsplit('/').next().unwrap();
    let key = format!("streaming-playlists/hls/{private_uuid}/{file_name}");
    let direct = server
        .object_bytes(&server.private_bucket, &key, Some("bytes=10-109"))
        .await;
    assert_eq!(proxied_bytes, direct);
    let suffix = instance
        .http
        .get(file_url)
        .bearer_auth(&instance.token)
        .header("range", format!("bytes={}-", size + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(suffix.status(), 416);
    // The owner plays the whole master playlist through the server, revalidated by its ETag.
    let owner = instance
        .http
        .get(master)
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status(), 200);
    let etag = owner.headers()["etag"].clone();
    let master_key = format!(
        "streaming-playlists/hls/{private_uuid}/{}",
        master.rsplit('/').next().unwrap()
    );
    assert_eq!(
        owner.bytes().await.unwrap(),
        server
            .object_bytes(&server.private_bucket, &master_key, None)
            .await
    );
    let revalidated = instance
        .http
        .get(master)
        .bearer_auth(&instance.token)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304, "the proxy honours If-None-Match");
    let mut strangers = vec![format!(
        "{}/{}/{key}",
        server.s3_endpoint, server.private_bucket
    )];
    if let Some(public) = &server.public {
        strangers.push(format!("{}/{key}", public.base_url));
    }
    for url in strangers {
        let status = anonymous.get(&url).send().await.unwrap().status();
        assert!(status.is_client_error(), "{url}: {status}");
    }

    // The original went to the private bucket; nothing stayed on local disk.
    let source_size = std::fs::metadata(fixtures().join("video_short.mp4"))
        .unwrap()
        .len();
    assert_stored_on_s3(&server, dir.path(), &private_uuid, source_size).await;
    assert!(
        !server
            .object_keys(
                &server.private_bucket,
                &format!("streaming-playlists/hls/{private_uuid}/")
            )
            .await
            .is_empty()
    );

    // Deleting a video deletes its objects.
    delete_and_expect_no_objects(&server, &instance, &private_uuid).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_media_is_served_by_the_public_bucket_and_moves_with_its_privacy() {
    if !garage_or_skip() {
        return;
    }
    let server = S3Server::start().await;
    let bucket = server.public.clone().expect("Garage has a public bucket");
    let (instance, dir, public_json) = instance_with_video(&server, 1).await;
    let public_uuid = public_json["uuid"].as_str().unwrap().to_owned();
    let anonymous = reqwest::Client::new();

    // Public: every URL points at the public bucket, which serves it to anyone, with Range
    // and CORS, and the ffmpeg CLI plays the ladder from there.
    let playlist = &public_json["streamingPlaylists"][0];
    let master = playlist["playlistUrl"].as_str().unwrap();
    assert!(master.starts_with(&bucket.base_url), "{master}");
    let file = &playlist["files"][0];
    assert_eq!(file["storage"], 1);
    let file_url = file["fileUrl"].as_str().unwrap();
    assert!(file_url.starts_with(&bucket.base_url), "{file_url}");
    let response = anonymous
        .get(file_url)
        .header("range", "bytes=10-109")
        .header("origin", "http://127.0.0.1:9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert!(
        response
            .headers()
            .contains_key("access-control-allow-origin")
    );
    assert_eq!(response.bytes().await.unwrap().len(), 100);
    let thumbnail = public_json["thumbnailUrl"].as_str().unwrap();
    assert!(thumbnail.starts_with(&bucket.base_url), "{thumbnail}");
    let response = anonymous.get(thumbnail).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-i", master, "-f", "null", "-"])
        .status()
        .unwrap();
    assert!(
        status.success(),
        "the master playlist plays from the bucket"
    );
    // The server's own static URL still answers, proxied from the bucket.
    let master_name = master.rsplit('/').next().unwrap();
    let proxied = anonymous
        .get(format!(
            "{}/static/streaming-playlists/hls/{public_uuid}/{master_name}",
            instance.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 200);
    let etag = proxied.headers()["etag"].clone();
    let revalidated = anonymous
        .get(proxied.url().clone())
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304, "the proxy honours If-None-Match");
    assert_eq!(
        proxied.bytes().await.unwrap(),
        anonymous
            .get(master)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    );

    // The original went to the private bucket; nothing stayed on local disk.
    let source_size = std::fs::metadata(fixtures().join("video_short.mp4"))
        .unwrap()
        .len();
    assert_stored_on_s3(&server, dir.path(), &public_uuid, source_size).await;

    // Making the public video private moves its files out of the public bucket (a job), after
    // which its URLs point at the server again and the bucket no longer serves them; making it
    // public again moves them back.
    let public_file = public_json["streamingPlaylists"][0]["files"][0]["fileUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let public_hls = format!("streaming-playlists/hls/{public_uuid}/");
    let before = server.object_keys(&bucket.bucket, &public_hls).await;
    assert!(!before.is_empty());
    for (privacy, bucket_expected) in [(3, false), (1, true)] {
        let changed = instance
            .http
            .put(format!("{}/api/v1/videos/{public_uuid}", instance.base))
            .bearer_auth(&instance.token)
            .json(&serde_json::json!({ "privacy": privacy }))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 204);
        let deadline = Instant::now() + Duration::from_secs(60);
        let json = loop {
            let json = video(&instance, &public_uuid).await;
            let master = json["streamingPlaylists"][0]["playlistUrl"]
                .as_str()
                .unwrap()
                .to_owned();
            if master.starts_with(&bucket.base_url) == bucket_expected {
                break json;
            }
            assert!(
                Instant::now() < deadline,
                "files not relocated for privacy {privacy}: {json}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        // The row switches first, then the old copies are deleted: wait for the deletions.
        let (in_public, in_private) = loop {
            let in_public = server.object_keys(&bucket.bucket, &public_hls).await;
            let in_private = server
                .object_keys(&server.private_bucket, &public_hls)
                .await;
            let old_copies = if bucket_expected {
                &in_private
            } else {
                &in_public
            };
            if old_copies.is_empty() || Instant::now() >= deadline {
                break (in_public, in_private);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        if bucket_expected {
            assert_eq!(in_public.len(), before.len());
            assert!(in_private.is_empty(), "{in_private:?}");
            let now_url = json["streamingPlaylists"][0]["files"][0]["fileUrl"]
                .as_str()
                .unwrap();
            assert_eq!(now_url, public_file);
            let status = anonymous.get(&public_file).send().await.unwrap().status();
            assert_eq!(status, 200, "{public_file}");
        } else {
            assert!(in_public.is_empty(), "{in_public:?}");
            assert_eq!(in_private.len(), before.len());
            let status = anonymous.get(&public_file).send().await.unwrap().status();
            assert!(status.is_client_error(), "{public_file}: {status}");
            // The owner still plays it, through the server.
            let master = json["streamingPlaylists"][0]["playlistUrl"]
                .as_str()
                .unwrap();
            assert!(master.starts_with(&instance.base), "{master}");
            let owner = instance
                .http
                .get(master)
                .bearer_auth(&instance.token)
                .send()
                .await
                .unwrap();
            assert_eq!(owner.status(), 200);
        }
    }

    // Deleting a video deletes its objects.
    delete_and_expect_no_objects(&server, &instance, &public_uuid).await;
}

/// Runs `kinora serve` and expects it to refuse to start within a minute.
fn refused_start(config: &std::path::Path) -> Output {
    let mut child = Command::new(KINORA)
        .args(["serve", "--config", config.to_str().unwrap()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kinora serve started although its S3 settings are bad");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_s3_settings_stop_the_server_at_start_up_with_a_clear_reason() {
    let server = S3Server::start().await;
    let good = server.server_settings(&server.s3_endpoint, true);
    let nothing_listens = format!("http://127.0.0.1:{}", free_port());
    // A "public" location on the S3 API, which refuses anonymous reads: with Garage its public
    // bucket addressed there; else a prefix of the private bucket.
    let unreadable_public = match &server.public {
        Some(public) => good.replace(
            &format!("public_base_url = \"{}\"", public.base_url),
            &format!(
                "public_base_url = \"{}/{}\"",
                server.s3_endpoint, public.bucket
            ),
        ),
        None => format!(
            "{good}[storage.s3.hls]\npublic = true\nprefix = \"public/\"\n\
             public_base_url = \"{}/{}\"\n",
            server.s3_endpoint, server.private_bucket
        ),
    };
    let cases = [
        (
            good.replace(&server.secret_access_key, "wrong-secret-0123456789"),
            "check access_key_id and secret_access_key",
        ),
        (
            good.replace(
                &format!("bucket = \"{}\"\naccess_key_id", server.private_bucket),
                "bucket = \"no-such-bucket\"\naccess_key_id",
            ),
            "does not exist",
        ),
        (
            server.server_settings(&nothing_listens, true),
            "unreachable",
        ),
        (unreadable_public, "not readable anonymously"),
    ];
    for (settings, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
        let config = write_config(dir.path(), free_port(), &url, &settings);
        let output = refused_start(&config);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{reason}: {stderr}");
        assert!(stderr.contains(reason), "expected {reason:?} in: {stderr}");
        assert!(stderr.contains("storage self-test failed"), "{stderr}");
        assert!(!stderr.contains(&server.secret_access_key), "{stderr}");
    }
}
