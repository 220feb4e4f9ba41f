//! Storage on S3 end to end, against a real Garage server started by the test: uploads,
//! transcoding and playback with public videos' media linked straight to the public bucket and
//! private videos' media proxied by the server; start-up refusals; an S3 outage in the middle
//! of storing a 200 MB original.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::garage::Garage;
use common::instance::{Instance, fixtures, start, upload_multipart, video};
use common::process::{KINORA, free_port, write_config};
use common::tcp_proxy::TcpProxy;
use sha2::{Digest, Sha256};

/// The `[storage]` sections for Garage; with `public`, HLS and images of public videos go to
/// the public bucket.
fn s3_settings(garage: &Garage, endpoint: &str, public: bool) -> String {
    let mut text = format!(
        "[storage]\nbackend = \"s3\"\n[storage.s3]\nendpoint = \"{endpoint}\"\n\
         region = \"{}\"\nbucket = \"{}\"\naccess_key_id = \"{}\"\n\
         secret_access_key = \"{}\"\nforce_path_style = true\n",
        garage.region, garage.private_bucket, garage.access_key_id, garage.secret_access_key
    );
    if public {
        for kind in ["hls", "images"] {
            text += &format!(
                "[storage.s3.{kind}]\npublic = true\nbucket = \"{}\"\npublic_base_url = \"{}\"\n",
                garage.public_bucket, garage.public_base_url
            );
        }
    }
    text
}

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

/// An object's bytes (or a range of them), read with the test's credentials.
async fn object_bytes(garage: &Garage, bucket: &str, key: &str, range: Option<&str>) -> Vec<u8> {
    garage
        .s3_client()
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_range(range.map(str::to_owned))
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes()
        .to_vec()
}

async fn object_keys(garage: &Garage, bucket: &str, prefix: &str) -> Vec<String> {
    let listed = garage
        .s3_client()
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|object| object.key().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_media_is_served_by_the_bucket_and_private_media_through_the_server() {
    let garage = Garage::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let settings = s3_settings(&garage, &garage.s3_endpoint, true);
    let instance = start(dir.path(), &url, 1, &settings).await;
    let source = fixtures().join("video_short.mp4");
    let public = upload_multipart(&instance, &source, 1).await;
    let private = upload_multipart(&instance, &source, 3).await;
    let public_uuid = public["video"]["uuid"].as_str().unwrap().to_owned();
    let private_uuid = private["video"]["uuid"].as_str().unwrap().to_owned();
    let public_json = wait_until_processed(&instance, &public_uuid).await;
    let private_json = wait_until_processed(&instance, &private_uuid).await;
    assert_eq!(public_json["state"]["id"], 1, "{public_json}");
    assert_eq!(private_json["state"]["id"], 1, "{private_json}");
    let anonymous = reqwest::Client::new();

    // Public: every URL points at the public bucket, which serves it to anyone, with Range
    // and CORS, and the ffmpeg CLI plays the ladder from there.
    let playlist = &public_json["streamingPlaylists"][0];
    let master = playlist["playlistUrl"].as_str().unwrap();
    assert!(master.starts_with(&garage.public_base_url), "{master}");
    let file = &playlist["files"][0];
    assert_eq!(file["storage"], 1);
    let file_url = file["fileUrl"].as_str().unwrap();
    assert!(file_url.starts_with(&garage.public_base_url), "{file_url}");
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
    assert!(
        thumbnail.starts_with(&garage.public_base_url),
        "{thumbnail}"
    );
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
    let direct = object_bytes(&garage, &garage.private_bucket, &key, Some("bytes=10-109")).await;
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
    for url in [
        format!("{}/{}/{key}", garage.s3_endpoint, garage.private_bucket),
        format!("{}/{key}", garage.public_base_url),
    ] {
        let status = anonymous.get(&url).send().await.unwrap().status();
        assert!(status.is_client_error(), "{url}: {status}");
    }

    // Originals went to the private bucket; nothing stayed on local disk.
    for uuid in [&public_uuid, &private_uuid] {
        let original = format!("original-video-files/{uuid}");
        let head = garage
            .s3_client()
            .head_object()
            .bucket(&garage.private_bucket)
            .key(&original)
            .send()
            .await
            .unwrap();
        assert_eq!(
            head.content_length(),
            Some(std::fs::metadata(&source).unwrap().len() as i64)
        );
        let storage = dir.path().join("storage");
        assert!(!storage.join(&original).exists());
        assert!(!storage.join("streaming-playlists/hls").join(uuid).exists());
    }

    // Making the public video private moves its files out of the public bucket (a job), after
    // which its URLs point at the server again and the bucket no longer serves them; making it
    // public again moves them back.
    let public_file = public_json["streamingPlaylists"][0]["files"][0]["fileUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let public_hls = format!("streaming-playlists/hls/{public_uuid}/");
    let before = object_keys(&garage, &garage.public_bucket, &public_hls).await;
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
            if master.starts_with(&garage.public_base_url) == bucket_expected {
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
            let in_public = object_keys(&garage, &garage.public_bucket, &public_hls).await;
            let in_private = object_keys(&garage, &garage.private_bucket, &public_hls).await;
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
    let deleted = instance
        .http
        .delete(format!("{}/api/v1/videos/{public_uuid}", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let hls = format!("streaming-playlists/hls/{public_uuid}/");
    assert!(
        object_keys(&garage, &garage.public_bucket, &hls)
            .await
            .is_empty()
    );
    assert!(
        object_keys(
            &garage,
            &garage.private_bucket,
            &format!("original-video-files/{public_uuid}")
        )
        .await
        .is_empty()
    );
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
    let garage = Garage::start().await;
    let good = s3_settings(&garage, &garage.s3_endpoint, true);
    let nothing_listens = format!("http://127.0.0.1:{}", free_port());
    let cases = [
        (
            good.replace(&garage.secret_access_key, "wrong-secret-0123456789"),
            "check access_key_id and secret_access_key",
        ),
        (
            good.replace(
                &format!("bucket = \"{}\"\naccess_key_id", garage.private_bucket),
                "bucket = \"no-such-bucket\"\naccess_key_id",
            ),
            "does not exist",
        ),
        (s3_settings(&garage, &nothing_listens, true), "unreachable"),
        (
            // The "public" location is the S3 API, which refuses anonymous reads.
            good.replace(
                &format!("public_base_url = \"{}\"", garage.public_base_url),
                &format!(
                    "public_base_url = \"{}/{}\"",
                    garage.s3_endpoint, garage.public_bucket
                ),
            ),
            "not readable anonymously",
        ),
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
        assert!(!stderr.contains(&garage.secret_access_key), "{stderr}");
    }
}

async fn job_row(db: &kinora_db::Db, kind: &str) -> Option<(String, i64, Option<String>)> {
    sqlx::query_as("SELECT state, attempts, last_error FROM jobs WHERE kind = $1")
        .bind(kind)
        .fetch_optional(db.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_outage_while_storing_a_200_mb_original_only_delays_the_job() {
    let mut garage = Garage::start().await;
    let proxy = TcpProxy::start(garage.s3_port).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let endpoint = format!("http://127.0.0.1:{}", proxy.port);
    let instance = start(dir.path(), &url, 0, &s3_settings(&garage, &endpoint, false)).await;
    let db = kinora_db::Db::connect(&kinora_db::DatabaseConfig {
        url: url.clone(),
        ..Default::default()
    })
    .await
    .unwrap();

    let content: Vec<u8> = (0..200u32 * 1024 * 1024)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let expected = Sha256::digest(&content);
    let source = dir.path().join("big.mp4");
    std::fs::write(&source, &content).unwrap();
    drop(content);
    let before = proxy.bytes_sent();
    let created = upload_multipart(&instance, &source, 1).await;
    let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
    let key = format!("original-video-files/{uuid}");

    // Kill the S3 server once 60 MB of the original went up: in the middle of the multipart.
    let deadline = Instant::now() + Duration::from_secs(120);
    while proxy.bytes_sent() - before < 60 * 1024 * 1024 {
        assert!(Instant::now() < deadline, "the original never went up");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    garage.kill();
    let deadline = Instant::now() + Duration::from_secs(180);
    let failed = loop {
        if let Some(row) = job_row(&db, "store-original").await
            && row.1 >= 1
            && row.0 == "queued"
        {
            break row;
        }
        assert!(Instant::now() < deadline, "the job never failed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        failed
            .2
            .as_deref()
            .is_some_and(|e| e.contains("unreachable")),
        "{failed:?}"
    );
    assert!(
        dir.path().join("storage").join(&key).is_file(),
        "the local original stays until it is stored"
    );

    garage.restart().await;
    // Nothing half-written is visible after the outage.
    let head = garage
        .s3_client()
        .head_object()
        .bucket(&garage.private_bucket)
        .key(&key)
        .send()
        .await;
    if let Ok(head) = head {
        assert_eq!(
            head.content_length(),
            Some(200 * 1024 * 1024),
            "a partial object"
        );
    }

    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let row = job_row(&db, "store-original").await.unwrap();
        if row.0 == "done" {
            break;
        }
        assert!(Instant::now() < deadline, "the job never finished: {row:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stored = object_bytes(&garage, &garage.private_bucket, &key, None).await;
    assert_eq!(stored.len(), 200 * 1024 * 1024);
    assert!(
        Sha256::digest(&stored) == expected,
        "the stored original differs"
    );
    assert!(!dir.path().join("storage").join(&key).exists());
    let (location,): (String,) =
        sqlx::query_as("SELECT original_location FROM videos WHERE uuid = $1")
            .bind(&uuid)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(location, "s3-private");
    assert!(
        job_row(&db, "transcode").await.is_some(),
        "transcode queued"
    );
    db.close().await;
}
