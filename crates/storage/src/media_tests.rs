//! Tests of [`MediaStorage`] that need no S3 server (the S3 paths run in `tests/s3.rs`
//! and in the server's Garage tests).

use super::*;
use crate::{GeneratedName, LocalStorageConfig, Secret};

fn s3_storage(directory: &Path) -> MediaStorage {
    MediaStorage::open(&StorageConfig {
        backend: Backend::S3,
        local: LocalStorageConfig {
            root: directory.join("root"),
        },
        s3: S3Config {
            endpoint: Some("http://127.0.0.1:9".to_owned()),
            bucket: "private".to_owned(),
            access_key_id: Some("id".to_owned()),
            secret_access_key: Some(Secret::new("secret")),
            force_path_style: true,
            hls: S3KindConfig {
                bucket: Some("public".to_owned()),
                public: true,
                public_base_url: Some("https://cdn.example.com/".to_owned()),
                ..S3KindConfig::default()
            },
            ..S3Config::default()
        },
    })
    .unwrap()
}

fn local_storage(directory: &Path) -> MediaStorage {
    MediaStorage::open(&StorageConfig {
        local: LocalStorageConfig {
            root: directory.join("root"),
        },
        ..StorageConfig::default()
    })
    .unwrap()
}

#[test]
fn locations_round_trip_their_names() {
    for location in [Location::Local, Location::S3Private, Location::S3Public] {
        assert_eq!(Location::parse(location.as_str()), Some(location));
    }
    assert_eq!(Location::parse("s3"), None);
}

#[test]
fn public_urls_exist_only_for_public_kinds_of_public_videos() {
    let directory = tempfile::tempdir().unwrap();
    let storage = s3_storage(directory.path());
    let video = Uuid::nil();
    let name = GeneratedName::parse("a-master.m3u8").unwrap();
    let hls = StorageKey::hls_file(video, &name);
    let image = StorageKey::thumbnail(&GeneratedName::parse("a.jpg").unwrap());
    assert_eq!(
        storage.public_url(Location::S3Public, &hls).as_deref(),
        Some(
            format!("https://cdn.example.com/streaming-playlists/hls/{video}/a-master.m3u8")
                .as_str()
        )
    );
    assert_eq!(storage.public_url(Location::S3Private, &hls), None);
    assert_eq!(storage.public_url(Location::Local, &hls), None);
    // Images are not public here: proxied even for public videos, from the private bucket.
    assert_eq!(storage.public_url(Location::S3Public, &image), None);
    assert!(storage.same_place(Location::S3Public, Location::S3Private, &image));
    assert!(!storage.same_place(Location::S3Public, Location::S3Private, &hls));
    assert!(!storage.same_place(Location::Local, Location::S3Private, &hls));
    assert_eq!(storage.location_for_media(true), Location::S3Public);
    assert_eq!(storage.location_for_media(false), Location::S3Private);
    assert_eq!(storage.location_for_originals(), Location::S3Private);
    assert_eq!(storage.local_path(Location::S3Public, &hls), None);
}

#[test]
fn the_s3_backend_needs_a_bucket_and_local_needs_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let local = LocalStorageConfig {
        root: directory.path().join("root"),
    };
    let error = MediaStorage::open(&StorageConfig {
        backend: Backend::S3,
        local: local.clone(),
        s3: S3Config::default(),
    })
    .unwrap_err();
    assert!(
        error.to_string().contains("needs [storage.s3].bucket"),
        "{error}"
    );
    let storage = MediaStorage::open(&StorageConfig {
        backend: Backend::Local,
        local,
        s3: S3Config::default(),
    })
    .unwrap();
    assert!(!storage.has_s3());
    assert_eq!(storage.location_for_media(true), Location::Local);
    let key = StorageKey::original(Uuid::nil());
    assert!(storage.local_path(Location::Local, &key).is_some());
}

#[tokio::test]
async fn files_in_s3_without_s3_settings_are_a_clear_error() {
    let directory = tempfile::tempdir().unwrap();
    let storage = local_storage(directory.path());
    let key = StorageKey::original(Uuid::nil());
    let error = storage.delete(Location::S3Private, &key).await.unwrap_err();
    assert!(
        error.to_string().contains("[storage.s3] is not configured"),
        "{error}"
    );
}

#[tokio::test]
async fn local_files_are_stored_fetched_digested_and_deleted() {
    let directory = tempfile::tempdir().unwrap();
    let storage = local_storage(directory.path());
    let (_, work) = storage.local().create_work_directory().unwrap();
    let source = work.join("upload");
    std::fs::write(&source, b"video bytes").unwrap();
    let key = StorageKey::original(Uuid::new_v4());
    storage
        .store_file(Location::Local, &source, &key)
        .await
        .unwrap();
    let digest = storage
        .digest(Location::Local, &key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(digest.size, 11);
    assert_eq!(
        digest.sha256,
        <[u8; 32]>::from(Sha256::digest(b"video bytes"))
    );
    let copy = work.join("copy");
    storage
        .fetch_to_file(Location::Local, &key, &copy)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), b"video bytes");
    storage.delete(Location::Local, &key).await.unwrap();
    assert_eq!(storage.digest(Location::Local, &key).await.unwrap(), None);
    assert_eq!(storage.size(Location::Local, &key).await.unwrap(), None);
    let missing = storage
        .fetch_to_file(Location::Local, &key, &copy.with_extension("x"))
        .await;
    assert!(matches!(missing, Err(StorageError::NotFound { .. })));
}
