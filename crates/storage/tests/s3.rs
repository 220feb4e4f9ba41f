//! The S3 backend against a real S3-compatible server: `s3s-fs` (it checks SigV4 signatures),
//! started by each test on 127.0.0.1 with a fresh root directory and stopped at its end
//! (`support/s3_server.rs`).

#[path = "support/s3_server.rs"]
mod s3_server;

use std::time::{Duration, Instant};

use kinora_storage::{MIN_PART_SIZE, S3Config, S3Storage, Secret, StorageError, StorageKey};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

use s3_server::{
    ACCESS_KEY, BUCKET, Fault, FaultyProxy, PublicBucketServer, S3Server, SECRET_KEY, bounded,
    free_port, hls_file, pseudo_random,
};

#[tokio::test]
async fn put_get_head_list_and_delete_round_trip() {
    let server = S3Server::start();
    let storage = server.storage();
    let video = Uuid::new_v4();
    let playlist = hls_file(video, "abc-720.m3u8");
    let segment = hls_file(video, "abc-720-fragmented.mp4");
    let content = b"#EXTM3U\n#EXT-X-VERSION:7\n".to_vec();

    bounded(storage.put_bytes(&playlist, content.clone()))
        .await
        .unwrap();
    bounded(storage.put_bytes(&segment, vec![7u8; 1000]))
        .await
        .unwrap();

    let info = bounded(storage.head(&playlist))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(info.size, content.len() as u64);
    assert!(info.etag.is_some());
    let body = bounded(storage.get_range(&playlist, None)).await.unwrap();
    assert_eq!(body.content_length(), content.len() as u64);
    assert_eq!(bounded(body.collect()).await.unwrap(), content);

    let mut listed = bounded(storage.list(&StorageKey::hls_directory(video)))
        .await
        .unwrap();
    listed.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    let keys: Vec<_> = listed.iter().map(|object| object.key.clone()).collect();
    assert_eq!(keys, vec![segment.clone(), playlist.clone()]);
    assert_eq!(listed[0].size, 1000);
    let other_video = bounded(storage.list(&StorageKey::hls_directory(Uuid::new_v4())))
        .await
        .unwrap();
    assert!(other_video.is_empty());

    bounded(storage.delete(&playlist)).await.unwrap();
    assert!(bounded(storage.head(&playlist)).await.unwrap().is_none());
    bounded(storage.delete(&playlist)).await.unwrap();
    let missing = bounded(storage.get_range(&playlist, None))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StorageError::NotFound { .. }),
        "{missing}"
    );

    let deleted = bounded(storage.delete_prefix(&StorageKey::hls_directory(video)))
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(bounded(storage.head(&segment)).await.unwrap().is_none());
    assert!(
        bounded(storage.list(&StorageKey::hls_directory(video)))
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        storage.public_url(&segment),
        format!("{}/{BUCKET}/{segment}", server.endpoint())
    );
}

#[tokio::test]
async fn a_prefix_is_prepended_to_every_key() {
    let server = S3Server::start();
    let storage = S3Storage::connect(&S3Config {
        prefix: "instance-a/".to_owned(),
        ..server.config()
    })
    .unwrap();
    let key = StorageKey::original(Uuid::new_v4());
    bounded(storage.put_bytes(&key, &b"original"[..]))
        .await
        .unwrap();
    let plain = server.storage();
    assert!(bounded(plain.head(&key)).await.unwrap().is_none());
    assert_eq!(bounded(storage.head(&key)).await.unwrap().unwrap().size, 8);
    assert!(
        storage
            .public_url(&key)
            .ends_with(&format!("/{BUCKET}/instance-a/{key}"))
    );
}

#[tokio::test]
async fn a_file_larger_than_the_part_size_goes_up_in_parts_and_reads_back_identical() {
    let server = S3Server::start();
    let storage = server.storage();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("original");
    // Two full parts of 5 MiB and a shorter third one.
    let length = 2 * MIN_PART_SIZE as usize + 123_457;
    let content = pseudo_random(length, 0x9e37_79b9_7f4a_7c15);
    std::fs::write(&path, &content).unwrap();
    let key = StorageKey::original(Uuid::new_v4());

    bounded(storage.put_file(&key, &path)).await.unwrap();

    let info = bounded(storage.head(&key)).await.unwrap().expect("stored");
    assert_eq!(info.size, length as u64);
    let etag = info.etag.expect("an ETag");
    assert!(
        etag.trim_matches('"').ends_with("-3"),
        "a multipart upload of 3 parts has an ETag ending in -3, got {etag}"
    );
    let body = bounded(storage.get_range(&key, None)).await.unwrap();
    let mut reader = Box::pin(body.into_async_read());
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut read_total = 0;
    loop {
        let read = bounded(reader.read(&mut buffer)).await.unwrap();
        if read == 0 {
            break;
        }
        read_total += read;
        hasher.update(&buffer[..read]);
    }
    assert_eq!(read_total, length);
    assert_eq!(
        hex::encode(hasher.finalize()),
        hex::encode(Sha256::digest(&content))
    );

    // A file at or below the part size is one request (its ETag has no part count).
    let small = directory.path().join("small");
    std::fs::write(&small, &content[..1000]).unwrap();
    let small_key = StorageKey::original(Uuid::new_v4());
    bounded(storage.put_file(&small_key, &small)).await.unwrap();
    let small_info = bounded(storage.head(&small_key)).await.unwrap().unwrap();
    assert_eq!(small_info.size, 1000);
    assert!(!small_info.etag.unwrap().contains('-'));
}

#[tokio::test]
async fn a_multipart_upload_cut_by_the_network_is_retried() {
    let server = S3Server::start();
    let proxy = FaultyProxy::start(server.port, 6 * MIN_PART_SIZE / 5, Fault::CutOnce).await;
    let storage = S3Storage::connect(&S3Config {
        endpoint: Some(format!("http://127.0.0.1:{}", proxy.port)),
        ..server.config()
    })
    .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("original");
    let length = 3 * MIN_PART_SIZE as usize + 17;
    let content = pseudo_random(length, 7);
    std::fs::write(&path, &content).unwrap();
    let key = StorageKey::original(Uuid::new_v4());

    bounded(storage.put_file(&key, &path)).await.unwrap();
    assert!(proxy.fired(), "the proxy never cut the upload");

    let read = bounded(server.storage().get_range(&key, None))
        .await
        .unwrap();
    let read = bounded(read.collect()).await.unwrap();
    assert_eq!(read.len(), length);
    assert!(read == content, "the object differs from the file");
}

#[tokio::test]
async fn a_failed_multipart_upload_leaves_nothing_visible() {
    let server = S3Server::start();
    // The "server" goes away after 7 MiB of a 20 MiB upload.
    let proxy = FaultyProxy::start(server.port, 7 * MIN_PART_SIZE / 5, Fault::CutAndRefuse).await;
    let storage = S3Storage::connect(&S3Config {
        endpoint: Some(format!("http://127.0.0.1:{}", proxy.port)),
        ..server.config()
    })
    .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("original");
    std::fs::write(&path, pseudo_random(4 * MIN_PART_SIZE as usize + 1, 11)).unwrap();
    let key = StorageKey::original(Uuid::new_v4());

    let error = bounded(storage.put_file(&key, &path)).await.unwrap_err();
    assert!(
        matches!(error, StorageError::S3Unreachable { .. }),
        "unexpected error: {error}"
    );
    assert!(
        bounded(server.storage().head(&key))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!server.root.path().join(BUCKET).join(key.as_str()).exists());
}

#[tokio::test]
async fn a_multipart_upload_that_fails_is_aborted_on_the_server() {
    let server = S3Server::start();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("original");
    std::fs::write(&path, pseudo_random(6 * MIN_PART_SIZE as usize, 5)).unwrap();
    // The file loses its content once 22 MiB went up, and the connections open then are cut
    // (their retries read the truncated file); the server stays reachable. How far the parts
    // in flight got depends on timing, so the error is either a part's body that failed (`S3`)
    // or a part whose range is no longer in the file (`Io`).
    let proxy = FaultyProxy::start(
        server.port,
        22 * MIN_PART_SIZE / 5,
        Fault::TruncateFile(path.clone()),
    )
    .await;
    let storage = S3Storage::connect(&S3Config {
        endpoint: Some(format!("http://127.0.0.1:{}", proxy.port)),
        ..server.config()
    })
    .unwrap();
    let key = StorageKey::original(Uuid::new_v4());

    let error = bounded(storage.put_file(&key, &path)).await.unwrap_err();
    assert!(proxy.fired());
    assert!(
        matches!(error, StorageError::S3 { .. } | StorageError::Io { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains(SECRET_KEY));
    assert!(
        bounded(server.storage().head(&key))
            .await
            .unwrap()
            .is_none()
    );
    // s3s-fs keeps the parts of unfinished uploads as `.upload_id-<id>.part-<n>` in its root;
    // the abort removed them.
    let leftovers: Vec<String> = std::fs::read_dir(server.root.path())
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".upload_id-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?} (error was: {error})");
}

#[tokio::test]
async fn download_to_file_fetches_a_large_object_in_ranges_and_a_missing_one_as_not_found() {
    let server = S3Server::start();
    let storage = server.storage();
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("original");
    // Three full parts and 17 bytes: four ranges, the last one short.
    let length = 3 * MIN_PART_SIZE as usize + 17;
    let content = pseudo_random(length, 0x5eed);
    std::fs::write(&source, &content).unwrap();
    let key = StorageKey::original(Uuid::new_v4());
    bounded(storage.put_file(&key, &source)).await.unwrap();

    let target = directory.path().join("downloaded");
    // An existing file is replaced.
    std::fs::write(&target, vec![1u8; 2 * length]).unwrap();
    let size = bounded(storage.download_to_file(&key, &target))
        .await
        .unwrap();
    assert_eq!(size, length as u64);
    let downloaded = std::fs::read(&target).unwrap();
    assert_eq!(downloaded.len(), length);
    assert!(downloaded == content, "the download differs from the file");

    // A small object comes in one request.
    let small_key = StorageKey::original(Uuid::new_v4());
    bounded(storage.put_bytes(&small_key, content[..1000].to_vec()))
        .await
        .unwrap();
    let small = directory.path().join("small");
    let size = bounded(storage.download_to_file(&small_key, &small))
        .await
        .unwrap();
    assert_eq!(size, 1000);
    assert_eq!(std::fs::read(&small).unwrap(), &content[..1000]);

    let missing = directory.path().join("missing");
    let error = bounded(storage.download_to_file(&StorageKey::original(Uuid::new_v4()), &missing))
        .await
        .unwrap_err();
    assert!(matches!(error, StorageError::NotFound { .. }), "{error}");
    assert!(!missing.exists(), "a failed download left a file");
}

#[tokio::test]
async fn range_reads_return_exactly_the_requested_bytes() {
    let server = S3Server::start();
    let storage = server.storage();
    let key = hls_file(Uuid::new_v4(), "abc-480-fragmented.mp4");
    let content = pseudo_random(1000, 42);
    bounded(storage.put_bytes(&key, content.clone()))
        .await
        .unwrap();

    let body = bounded(storage.get_range(&key, Some((100, 199))))
        .await
        .unwrap();
    assert_eq!(body.content_length(), 100);
    assert_eq!(body.total_size(), Some(1000));
    assert_eq!(bounded(body.collect()).await.unwrap(), &content[100..200]);

    let first = bounded(storage.get_range(&key, Some((0, 0))))
        .await
        .unwrap();
    assert_eq!(bounded(first.collect()).await.unwrap(), &content[..1]);

    let tail = bounded(storage.get_range(&key, Some((990, 5000))))
        .await
        .unwrap();
    assert_eq!(tail.content_length(), 10);
    assert_eq!(bounded(tail.collect()).await.unwrap(), &content[990..]);

    for range in [(5000, 6000), (5, 4)] {
        let error = bounded(storage.get_range(&key, Some(range)))
            .await
            .unwrap_err();
        assert!(
            matches!(error, StorageError::RangeNotSatisfiable { .. }),
            "{range:?}: {error}"
        );
    }
}

#[tokio::test]
async fn the_self_test_passes_on_a_private_bucket() {
    let server = S3Server::start();
    bounded(server.storage().self_test()).await.unwrap();
    // The probe is gone afterwards.
    let probes = server.root.path().join(BUCKET).join("tmp/self-test");
    let left = std::fs::read_dir(&probes)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| entry.path().is_file())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(left, 0);
}

#[tokio::test]
async fn the_self_test_refuses_a_bucket_that_serves_private_objects_to_anyone() {
    let public = PublicBucketServer::start().await;
    let storage = S3Storage::connect(&S3Config {
        endpoint: Some(format!("http://127.0.0.1:{}", public.port)),
        bucket: BUCKET.to_owned(),
        access_key_id: Some(ACCESS_KEY.to_owned()),
        secret_access_key: Some(Secret::new(SECRET_KEY)),
        force_path_style: true,
        ..S3Config::default()
    })
    .unwrap();
    let error = bounded(storage.self_test()).await.unwrap_err();
    assert!(
        matches!(error, StorageError::S3PubliclyReadable { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("lets anyone read"), "{error}");
}

#[tokio::test]
async fn wrong_credentials_fail_the_self_test_clearly() {
    let server = S3Server::start();
    let wrong_secret = "wrong-secret-never-printed";
    for config in [
        S3Config {
            secret_access_key: Some(Secret::new(wrong_secret)),
            ..server.config()
        },
        S3Config {
            access_key_id: Some("unknown-access-key".to_owned()),
            ..server.config()
        },
    ] {
        let storage = S3Storage::connect(&config).unwrap();
        let error = bounded(storage.self_test()).await.unwrap_err();
        assert!(matches!(error, StorageError::S3Refused { .. }), "{error}");
        let message = error.to_string();
        assert!(message.contains("secret_access_key"), "{message}");
        assert!(!message.contains(wrong_secret), "{message}");
        assert!(!message.contains(SECRET_KEY), "{message}");
        assert!(!format!("{error:?}").contains(wrong_secret));

        let key = StorageKey::original(Uuid::new_v4());
        let error = bounded(storage.put_bytes(&key, &b"x"[..]))
            .await
            .unwrap_err();
        assert!(matches!(error, StorageError::S3Refused { .. }), "{error}");
        assert!(!error.to_string().contains(wrong_secret));
    }
}

#[tokio::test]
async fn a_missing_bucket_is_reported_as_such() {
    let server = S3Server::start();
    let storage = S3Storage::connect(&S3Config {
        bucket: "no-such-bucket".to_owned(),
        ..server.config()
    })
    .unwrap();
    let error = bounded(storage.self_test()).await.unwrap_err();
    assert!(
        matches!(error, StorageError::S3BucketMissing { .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("\"no-such-bucket\" does not exist"),
        "{error}"
    );
    let error = bounded(storage.list(&StorageKey::hls_directory(Uuid::new_v4())))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StorageError::S3BucketMissing { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_quickly_and_clearly() {
    // Nothing listens on this port: the connection is refused (and retried by the SDK).
    let port = free_port();
    let storage = S3Storage::connect(&S3Config {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        bucket: BUCKET.to_owned(),
        access_key_id: Some(ACCESS_KEY.to_owned()),
        secret_access_key: Some(Secret::new(SECRET_KEY)),
        force_path_style: true,
        ..S3Config::default()
    })
    .unwrap();
    let started = Instant::now();
    let error = bounded(storage.self_test()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(error, StorageError::S3Unreachable { .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("unreachable"), "{message}");
    assert!(!message.contains(SECRET_KEY));
}

#[tokio::test]
async fn objects_cannot_be_fetched_anonymously() {
    let server = S3Server::start();
    let storage = server.storage();
    let key = StorageKey::original(Uuid::new_v4());
    bounded(storage.put_bytes(&key, &b"private video bytes"[..]))
        .await
        .unwrap();

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = storage.public_url(&key);
    let response = bounded(client.get(&url).send()).await.unwrap();
    let status = response.status();
    let body = bounded(response.bytes()).await.unwrap();
    assert!(
        status == reqwest::StatusCode::FORBIDDEN || status == reqwest::StatusCode::UNAUTHORIZED,
        "an unsigned GET of {url} answered {status}"
    );
    assert!(!String::from_utf8_lossy(&body).contains("private video bytes"));
    let ranged = bounded(client.get(&url).header("Range", "bytes=0-3").send())
        .await
        .unwrap();
    assert!(!ranged.status().is_success(), "{}", ranged.status());
}

#[test]
fn debug_output_of_the_configuration_and_storage_shows_no_secret() {
    let config = S3Config {
        endpoint: Some("http://127.0.0.1:1".to_owned()),
        bucket: BUCKET.to_owned(),
        access_key_id: Some(ACCESS_KEY.to_owned()),
        secret_access_key: Some(Secret::new(SECRET_KEY)),
        ..S3Config::default()
    };
    let debug = format!("{config:?} {config:#?}");
    assert!(!debug.contains(SECRET_KEY), "{debug}");
    assert!(debug.contains("***"));
    let storage = S3Storage::connect(&config).unwrap();
    let debug = format!("{storage:?} {:?}", storage.config());
    assert!(!debug.contains(SECRET_KEY), "{debug}");
}
