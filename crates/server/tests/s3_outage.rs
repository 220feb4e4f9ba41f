//! S3 outages, against a real S3 server started by the test (Garage when it is installed, else
//! s3s-fs: [`common::s3_server`]):
//! - in the middle of storing a 200 MB original (behind a TCP proxy): the job fails as
//!   "unreachable", nothing partial is visible, and once the server is back the job stores the
//!   original whole and queues the transcode;
//! - for a minute while a transcode runs: the transcoder waits for the server with its output
//!   (the video does not fail, the attempt is not lost), then stores it; the bucket holds
//!   exactly the published files, each whole, and the video is published.

use crate::common;

use std::time::{Duration, Instant};

use common::instance::{fixtures, start, upload_multipart, wait_published};
use common::process::wait_mid_transcode;
use common::s3_server::S3Server;
use common::tcp_proxy::TcpProxy;
use sha2::{Digest, Sha256};

async fn job_row(db: &kinora_db::Db, kind: &str) -> Option<(String, i64, Option<String>)> {
    sqlx::query_as("SELECT state, attempts, last_error FROM jobs WHERE kind = $1")
        .bind(kind)
        .fetch_optional(db.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_outage_while_storing_a_200_mb_original_only_delays_the_job() {
    let mut server = S3Server::start().await;
    let proxy = TcpProxy::start(server.s3_port).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let endpoint = format!("http://127.0.0.1:{}", proxy.port);
    let instance = start(
        dir.path(),
        &url,
        0,
        &server.server_settings(&endpoint, false),
    )
    .await;
    let db = kinora_db::Db::connect(&kinora_db::DatabaseConfig {
        url: url.clone(),
        ..Default::default()
    })
    .await
    .unwrap();

    // No transcoder runs: the content only has to pass the upload's content check.
    let content = common::mp4_like_bytes(200 * 1024 * 1024);
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
    server.kill();
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

    server.restart().await;
    // Nothing half-written is visible after the outage.
    let head = server
        .s3_client()
        .head_object()
        .bucket(&server.private_bucket)
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
    let stored = server
        .object_bytes(&server.private_bucket, &key, None)
        .await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minute_of_s3_outage_during_a_transcode_only_delays_the_publication() {
    let mut server = S3Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let settings = server.server_settings(&server.s3_endpoint, false);
    let instance = start(dir.path(), &url, 1, &settings).await;
    let db = kinora_db::Db::connect(&kinora_db::DatabaseConfig {
        url: url.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    // The slowest fixture: the whole ladder from 4K leaves time to stop the server mid-way.
    let created = upload_multipart(&instance, &fixtures().join("video_short_4k.mp4"), 1).await;
    let uuid = created["video"]["uuid"].as_str().unwrap().to_owned();
    // The transcode runs once the original is in S3 and fetched back: stop S3 then.
    wait_mid_transcode(&[instance.server.child.id()]);
    server.kill();
    let outage = Instant::now();
    while outage.elapsed() < Duration::from_secs(60) {
        let (state, attempts, error) = job_row(&db, "transcode").await.unwrap();
        assert!(
            state == "running" && attempts == 1,
            "the transcode did not wait for S3: {state}, attempt {attempts}, {error:?}"
        );
        let (video_state,): (i64,) = sqlx::query_as("SELECT state FROM videos WHERE uuid = $1")
            .bind(&uuid)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_ne!(video_state, 7, "the video failed during the outage");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    server.restart().await;
    wait_published(&instance, &uuid, Duration::from_secs(120)).await;
    let (state, attempts, _) = job_row(&db, "transcode").await.unwrap();
    assert_eq!((state.as_str(), attempts), ("done", 1));

    // The bucket holds exactly the files the database names, each whole.
    let video = sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT id, hls_master_file, hls_segments_file, media_location FROM videos \
         WHERE uuid = $1",
    )
    .bind(&uuid)
    .fetch_one(db.pool())
    .await
    .unwrap();
    // A public video's media location; without a public bucket configured, it is the bucket.
    assert_eq!(video.3, "s3-public");
    let files = kinora_db::videos::list_files(db.pool(), video.0)
        .await
        .unwrap();
    let prefix = format!("streaming-playlists/hls/{uuid}/");
    let mut expected: Vec<String> = files
        .iter()
        .flat_map(|f| [f.file_name.clone(), f.playlist_name.clone()])
        .chain([video.1.clone(), video.2.clone()])
        .map(|name| format!("{prefix}{name}"))
        .collect();
    expected.sort();
    let mut stored = server.object_keys(&server.private_bucket, &prefix).await;
    stored.sort();
    assert_eq!(stored, expected, "the bucket holds other HLS objects");
    for file in &files {
        let bytes = server
            .object_bytes(
                &server.private_bucket,
                &format!("{prefix}{}", file.file_name),
                None,
            )
            .await;
        assert_eq!(
            bytes.len() as i64,
            file.size,
            "{} is partial",
            file.file_name
        );
    }
    assert!(
        !dir.path().join("storage/streaming-playlists").exists()
            || std::fs::read_dir(dir.path().join("storage/streaming-playlists/hls"))
                .map(|d| d.count() == 0)
                .unwrap_or(true),
        "HLS files were left on local disk"
    );
    db.close().await;
    instance.server.terminate();
}
