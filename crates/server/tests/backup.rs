//! `kinora backup create | verify | restore` on real instances: a backup taken while an upload
//! runs, the instance's data destroyed, the backup restored; the instance carries on as if
//! nothing happened — the same media byte for byte (HLS, segment hashes, torrents, images),
//! the same actor key, the same logins, its video decodes, and a follower on another instance
//! keeps accepting its signed activities without following again. On SQLite and on
//! PostgreSQL (restored onto a new, empty database), with media in S3 listed, and scheduled.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::eventually;
use common::instance::{
    Instance, ap_document, api_request, channel_followers, fixtures, publish_with_torrents, start,
    subscribe_to_root_channel, upload_multipart,
};
use common::process::{kinora_with_config, printed, write_config};
use kinora_db::testing::TestDb;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

/// Runs a backup command that must succeed; answers what it printed.
fn succeeds(config: &Path, args: &[&str]) -> String {
    let output = kinora_with_config(config, args);
    assert!(output.status.success(), "{args:?}: {}", printed(&output));
    printed(&output)
}

/// SHA-256 of every file a video's JSON links to on its own instance: master playlist, segment
/// hashes, each rendition's playlist, file and torrent, thumbnail and preview.
async fn media_hashes(instance: &Instance, video: &Value) -> BTreeMap<String, String> {
    let playlist = &video["streamingPlaylists"][0];
    let mut urls = vec![
        playlist["playlistUrl"].as_str().unwrap().to_owned(),
        playlist["segmentsSha256Url"].as_str().unwrap().to_owned(),
        format!(
            "{}{}",
            instance.base,
            video["thumbnailPath"].as_str().unwrap()
        ),
        format!(
            "{}{}",
            instance.base,
            video["previewPath"].as_str().unwrap()
        ),
    ];
    for file in playlist["files"].as_array().unwrap() {
        for field in ["fileUrl", "torrentUrl", "playlistUrl"] {
            urls.push(file[field].as_str().unwrap().to_owned());
        }
    }
    let mut hashes = BTreeMap::new();
    for url in urls {
        let response = instance.http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let bytes = response.bytes().await.unwrap();
        hashes.insert(url, hex::encode(Sha256::digest(&bytes)));
    }
    hashes
}

async fn video(instance: &Instance, uuid: &str) -> Value {
    let (status, json) = api_request(
        instance,
        reqwest::Method::GET,
        &format!("/api/v1/videos/{uuid}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{json}");
    json
}

/// The actor's public key as its ActivityPub document shows it.
async fn public_key(instance: &Instance, path: &str) -> String {
    ap_document(instance, path).await["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Decodes the first video stream of an HLS master playlist with the ffmpeg CLI.
fn decodes(master: &str) {
    let output = Command::new("timeout")
        .args(["60", "ffmpeg", "-v", "error", "-i", master])
        .args(["-map", "0:v:0", "-f", "null", "-"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{master}: {}", printed(&output));
}

fn remove_data(dir: &Path) {
    for name in ["kinora.db", "kinora.db-wal", "kinora.db-shm"] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    std::fs::remove_dir_all(dir.join("storage")).unwrap();
}

async fn has_comment(instance: &Instance, uuid: &str, text: &str) -> Option<()> {
    let (_, threads) = api_request(
        instance,
        reqwest::Method::GET,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        None,
    )
    .await;
    threads["data"]
        .as_array()
        .and_then(|data| data.iter().find(|comment| comment["text"] == text))
        .map(|_| ())
}

/// A comment `origin`'s root writes on its video reaches `follower` (60 s at most): the follower
/// accepted the origin's signature.
async fn comment_reaches(origin: &Instance, follower: &Instance, uuid: &str, text: &str) {
    let (status, body) = api_request(
        origin,
        reqwest::Method::POST,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        Some(json!({ "text": text })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually(
        Duration::from_secs(60),
        "the comment on the follower",
        || has_comment(follower, uuid, text),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_destroyed_and_restored_carries_on_with_its_followers() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let backup_dir = tempfile::tempdir().unwrap();
    let backup = backup_dir.path().join("nightly");
    let backup_arg = backup.to_str().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 0, FEDERATION).await;
    let config_a = dir_a.path().join("kinora.toml");

    // A publishes; B follows A's channel and receives the video.
    let published = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = published["uuid"].as_str().unwrap().to_owned();
    subscribe_to_root_channel(&b, &a).await;
    eventually(Duration::from_secs(60), "A's video on B", || async {
        let (status, _) = api_request(
            &b,
            reqwest::Method::GET,
            &format!("/api/v1/videos/{uuid}"),
            None,
        )
        .await;
        (status == 200).then_some(())
    })
    .await;

    let before = media_hashes(&a, &video(&a, &uuid).await).await;
    let channel_key = public_key(&a, "/video-channels/root_channel").await;
    let account_key = public_key(&a, "/accounts/root").await;

    // The backup runs while another upload comes in.
    let config = config_a.clone();
    let target = backup.clone();
    let second = fixtures().join("video_short.webm");
    let (uploaded, output) = tokio::join!(
        upload_multipart(&a, &second, 1),
        tokio::task::spawn_blocking(move || {
            kinora_with_config(
                &config,
                &["backup", "create", "--to", target.to_str().unwrap()],
            )
        })
    );
    let output = output.unwrap();
    assert!(output.status.success(), "{}", printed(&output));
    assert!(uploaded["video"]["uuid"].is_string(), "{uploaded}");
    let said = succeeds(&config_a, &["backup", "verify", "--from", backup_arg]);
    assert!(said.contains("is whole"), "{said}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["database"]["backend"], "sqlite");
    assert_eq!(manifest["publicUrl"], a.base.as_str());
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    assert!(
        listed
            .iter()
            .any(|path| path.starts_with(&format!("media/streaming-playlists/hls/{uuid}/"))),
        "{listed:?}"
    );
    assert!(listed.iter().all(|path| !path.starts_with("media/tmp/")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&backup), 0o700);
        assert_eq!(mode(&backup.join("database.sqlite")), 0o600);
        assert_eq!(mode(&backup.join("config.toml")), 0o600);
    }

    // Restoring onto the running instance is refused: its database is not empty.
    let refused = kinora_with_config(&config_a, &["backup", "restore", "--from", backup_arg]);
    assert_eq!(refused.status.code(), Some(1), "{}", printed(&refused));
    assert!(
        printed(&refused).contains("the database is not empty"),
        "{}",
        printed(&refused)
    );

    // The disk dies: the database and every media file are gone. Restore, start again.
    let stopped = a.stop();
    remove_data(dir_a.path());
    let said = succeeds(&config_a, &["backup", "restore", "--from", backup_arg]);
    assert!(said.contains("restored"), "{said}");
    let a = stopped.start(dir_a.path());

    // Same media, same keys, the same login (the token in use still works), and it plays.
    let after = media_hashes(&a, &video(&a, &uuid).await).await;
    assert_eq!(after, before);
    assert_eq!(
        public_key(&a, "/video-channels/root_channel").await,
        channel_key
    );
    assert_eq!(public_key(&a, "/accounts/root").await, account_key);
    decodes(
        published["streamingPlaylists"][0]["playlistUrl"]
            .as_str()
            .unwrap(),
    );

    // B still accepts A's signed activities: a comment written on A after the restore
    // reaches B, whose follow was never renewed.
    comment_reaches(&a, &b, &uuid, "Back from the backup").await;
    assert_eq!(channel_followers(&a).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_instance_restores_onto_a_new_empty_database() {
    let source_db = TestDb::postgres().await;
    let target_db = TestDb::postgres_unmigrated().await;
    let dir = tempfile::tempdir().unwrap();
    let restored_dir = tempfile::tempdir().unwrap();
    let backup_dir = tempfile::tempdir().unwrap();
    let backup = backup_dir.path().join("b");
    let backup_arg = backup.to_str().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir.path(), &source_db.config.url, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 0, FEDERATION).await;
    let published = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = published["uuid"].as_str().unwrap().to_owned();
    subscribe_to_root_channel(&b, &a).await;
    let before = media_hashes(&a, &video(&a, &uuid).await).await;
    let key = public_key(&a, "/accounts/root").await;

    succeeds(
        &dir.path().join("kinora.toml"),
        &["backup", "create", "--to", backup_arg],
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["database"]["backend"], "postgres");
    assert_eq!(manifest["database"]["file"], "database.pgdump");

    // Another machine: the same public URL (and port), a new database and storage root.
    let stopped = a.stop();
    let restored_config = write_config(
        restored_dir.path(),
        stopped.port,
        &target_db.config.url,
        &format!("[transcoding]\nworkers = 1\n{FEDERATION}"),
    );
    let said = succeeds(
        &restored_config,
        &["backup", "restore", "--from", backup_arg],
    );
    let media = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|file| file["path"].as_str().unwrap().starts_with("media/"))
        .count();
    assert!(media >= 10, "{manifest}");
    assert!(said.contains(&format!("{media} media file(s)")), "{said}");
    // Once restored, that database is no longer empty: a second restore is refused.
    let again = kinora_with_config(
        &restored_config,
        &["backup", "restore", "--from", backup_arg],
    );
    assert_eq!(again.status.code(), Some(1), "{}", printed(&again));
    assert!(printed(&again).contains("not empty"), "{}", printed(&again));

    let a = stopped.start(restored_dir.path());
    assert_eq!(media_hashes(&a, &video(&a, &uuid).await).await, before);
    assert_eq!(public_key(&a, "/accounts/root").await, key);
    decodes(
        published["streamingPlaylists"][0]["playlistUrl"]
            .as_str()
            .unwrap(),
    );
    comment_reaches(&a, &b, &uuid, "Restored on a new database").await;
    a.server.terminate();
    source_db.finish().await;
    target_db.finish().await;
}

/// `[backup]`: a process with a backup directory writes a backup soon after it starts (none
/// is there yet), complete and verifiable, under a name that sorts by time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_are_written_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let extra = format!(
        "[backup]\ndirectory = \"{}\"\ninterval_hours = 1\nkeep = 2\n",
        backups.path().display()
    );
    let instance = start(dir.path(), &url, 0, &extra).await;
    let written = eventually(Duration::from_secs(60), "a scheduled backup", || async {
        std::fs::read_dir(backups.path())
            .unwrap()
            .flatten()
            .map(|entry| entry.path())
            .find(|path| path.join("manifest.json").is_file())
    })
    .await;
    let name = written.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("kinora-20") && name.ends_with('Z') && name.len() == 23,
        "{name}"
    );
    succeeds(
        &dir.path().join("kinora.toml"),
        &["backup", "verify", "--from", written.to_str().unwrap()],
    );
    // One per interval: a minute later there is still one.
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(std::fs::read_dir(backups.path()).unwrap().count(), 1);
    drop(instance);
}

/// With media in S3, the manifest lists every object of the bucket with its size (the bucket
/// is copied by the operator's own tools), and the backup holds no copy of them; a restore
/// says whether the bucket holds every listed object, and names one it lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_media_is_listed_in_the_manifest() {
    let server = common::s3_server::S3Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let settings = server.server_settings(&server.s3_endpoint, false);
    let instance = start(dir.path(), &url, 1, &settings).await;
    let published = publish_with_torrents(&instance, "video_short.mp4").await;
    let uuid = published["uuid"].as_str().unwrap();
    let backup = backups.path().join("b");
    succeeds(
        &dir.path().join("kinora.toml"),
        &["backup", "create", "--to", backup.to_str().unwrap()],
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let listed: BTreeMap<String, u64> = manifest["s3Objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|object| {
            assert_eq!(object["bucket"], server.private_bucket.as_str());
            (
                object["key"].as_str().unwrap().to_owned(),
                object["size"].as_u64().unwrap(),
            )
        })
        .collect();
    let bucket = server.bucket_contents(&server.private_bucket).await;
    let expected: BTreeMap<String, u64> = bucket
        .iter()
        .filter(|(key, _)| !key.starts_with("tmp/"))
        .map(|(key, content)| (key.clone(), content.len() as u64))
        .collect();
    assert_eq!(listed, expected);
    assert!(
        listed
            .keys()
            .any(|key| key.starts_with(&format!("streaming-playlists/hls/{uuid}/"))),
        "{listed:?}"
    );
    assert!(
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|file| !file["path"].as_str().unwrap().contains(uuid)),
        "S3 media is not copied: {manifest}"
    );
    let config = dir.path().join("kinora.toml");
    succeeds(
        &config,
        &["backup", "verify", "--from", backup.to_str().unwrap()],
    );

    // The local data is lost, the bucket kept: the restore finds every listed object there.
    // With one object gone from the bucket, the restore still goes through and names it.
    instance.server.terminate();
    let lost = listed
        .keys()
        .find(|key| key.starts_with("thumbnails/"))
        .unwrap()
        .clone();
    remove_data(dir.path());
    let said = succeeds(
        &config,
        &["backup", "restore", "--from", backup.to_str().unwrap()],
    );
    assert!(
        said.contains(&format!(
            "the {} S3 object(s) the backup lists are all in the bucket(s)",
            listed.len()
        )),
        "{said}"
    );
    remove_data(dir.path());
    server
        .s3_client()
        .delete_object()
        .bucket(&server.private_bucket)
        .key(&lost)
        .send()
        .await
        .unwrap();
    let said = succeeds(
        &config,
        &["backup", "restore", "--from", backup.to_str().unwrap()],
    );
    assert!(
        said.contains(&format!(
            "warning: 1 of the {} S3 object(s) the backup lists are not in the bucket(s) \
             (first: {}/{lost})",
            listed.len(),
            server.private_bucket
        )),
        "{said}"
    );
}
