//! The seeding session inside `kinora serve`, with real clients and real databases:
//! - which files the database says to seed (published public and unlisted videos' renditions
//!   with torrents, on local disk; newest first), on SQLite and PostgreSQL;
//! - aria2c finds the librqbit seeder through `/tracker/announce` alone (the torrent without its
//!   web seed) and downloads a rendition byte-identical; the media files, made read-only, are
//!   opened read-only by the server and keep their bytes, mode and modification time; after a
//!   restart far fewer bytes are read (fast-resume in `[seeder] resume_dir`);
//! - once the video is private, and once it is deleted, the seeder no longer answers for its
//!   torrents. (aria2c from the web seed alone is `tracker.rs`.)

use crate::common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use common::bittorrent::{download, mp4_in, seeders, without_web_seed};
use common::harness::Harness;
use common::instance::{Instance, publish_file_with_torrents, start};
use common::open_files::open_modes;
use common::peer_wire::handshake;
use common::process::{free_port, seeder_section};
use common::videos::insert_video;
use kinora_db::backend_tests;
use kinora_db::videos::VideoFileRow;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Adds a rendition file row to a video, with a torrent when `torrent` is set.
async fn add_file(db: &kinora_db::Db, video: i64, name: &str, torrent: Option<(&str, &str)>) {
    let mut tx = db.begin().await.unwrap();
    let row = VideoFileRow {
        id: 0,
        video_id: video,
        resolution: 240,
        width: 426,
        height: 240,
        fps: 25.0,
        size: 1000,
        file_name: name.to_owned(),
        playlist_name: name.replace("-fragmented.mp4", ".m3u8"),
        has_audio: 1,
        has_video: 1,
        torrent_file: None,
        info_hash: None,
    };
    let id = kinora_db::videos::insert_file(&mut tx, &row, 1)
        .await
        .unwrap();
    if let Some((file, hash)) = torrent {
        kinora_db::videos::set_file_torrent(&mut tx, id, file, hash)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

backend_tests! {
    async fn the_seeder_wants_published_public_and_unlisted_local_files_newest_first(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        let mut expected = Vec::new();
        for (name, privacy, state, location, with_torrent, wanted) in [
            ("Public", 1, 1, "local", true, true),
            ("Unlisted", 2, 1, "local", true, true),
            ("Private", 3, 1, "local", true, false),
            ("Internal", 4, 1, "local", true, false),
            ("Transcoding", 1, 2, "local", true, false),
            ("On S3", 1, 1, "s3-public", true, false),
            ("No torrent yet", 1, 1, "local", false, false),
        ] {
            let video = insert_video(&db, channel, name, privacy, state, 0).await;
            sqlx::query("UPDATE videos SET media_location = $1 WHERE id = $2")
                .bind(location)
                .bind(video.id)
                .execute(db.pool())
                .await
                .unwrap();
            let file = format!("{}-240-fragmented.mp4", uuid::Uuid::new_v4());
            let torrent = format!("{}-240-hls.torrent", uuid::Uuid::new_v4());
            let hash = hex::encode(&Sha256::digest(name.as_bytes()).as_slice()[..20]);
            add_file(&db, video.id, &file, with_torrent.then_some((torrent.as_str(), hash.as_str()))).await;
            if wanted {
                let root = &h.config.storage.local.root;
                expected.insert(0, kinora_p2p::seeder::SeedFile {
                    info_hash: <[u8; 20]>::try_from(hex::decode(&hash).unwrap()).unwrap(),
                    torrent_path: root.join("torrents").join(&torrent),
                    media_path: root.join(format!("streaming-playlists/hls/{}/{file}", video.uuid)),
                });
            }
        }
        let wanted = kinora_server::seeding::wanted_files(&db, &h.storage, 100).await.unwrap();
        assert_eq!(wanted, expected);
        let newest = kinora_server::seeding::wanted_files(&db, &h.storage, 1).await.unwrap();
        assert_eq!(newest, expected[..1]);
    }
}

/// A 10-second 360p clip of noise (so renditions are megabytes, many pieces), made with the
/// ffmpeg CLI.
fn noisy_clip(dir: &Path) -> PathBuf {
    let path = dir.join("noise.mp4");
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
        ])
        .args(["-f", "lavfi", "-i", "sine=frequency=440", "-t", "10"])
        .args([
            "-vf",
            "noise=alls=60:allf=t+u",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&path)
        .status()
        .expect("ffmpeg (scripts/install-deps --test)");
    assert!(status.success());
    path
}

/// Bytes, mode and modification time of a file.
fn snapshot(path: &Path) -> ([u8; 32], u32, SystemTime) {
    let metadata = std::fs::metadata(path).unwrap();
    (
        Sha256::digest(std::fs::read(path).unwrap()).into(),
        metadata.permissions().mode() & 0o7777,
        metadata.modified().unwrap(),
    )
}

/// The `/metrics` token the test's instance is given.
const METRICS_TOKEN: &str = "seeder-test-metrics-token";

/// A value of the Prometheus metrics on the instance's metrics listener (0 when absent).
async fn metric(metrics: SocketAddr, name: &str) -> f64 {
    let text = reqwest::Client::new()
        .get(format!("http://{metrics}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

/// Waits (at most a minute) until `check` holds, failing with `what`.
async fn eventually<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(60), "{what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Whether the seeder answers a handshake for every one of `hashes` (`true`) or for none.
async fn seeds_all(seeder: SocketAddr, hashes: &[[u8; 20]], expected: bool) -> bool {
    for hash in hashes {
        if handshake(seeder, *hash).await.is_some() != expected {
            return false;
        }
    }
    true
}

async fn set_privacy(instance: &Instance, uuid: &str, privacy: i64) {
    let response = instance
        .http
        .put(format!("{}/api/v1/videos/{uuid}", instance.base))
        .bearer_auth(&instance.token)
        .json(&json!({ "privacy": privacy }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aria2c_downloads_from_the_seeder_until_the_video_is_private_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let seeder: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let extra = format!(
        "{}reconcile_interval_secs = 1\n[metrics]\nenabled = true\nlisten = \"{metrics}\"\n\
         token = \"{METRICS_TOKEN}\"\n",
        seeder_section(dir.path(), &seeder.to_string())
    );
    let instance = start(dir.path(), &database, 1, &extra).await;
    let json = publish_file_with_torrents(&instance, &noisy_clip(dir.path())).await;
    let uuid = json["uuid"].as_str().unwrap().to_owned();
    let files: Vec<Value> = json["streamingPlaylists"][0]["files"]
        .as_array()
        .unwrap()
        .clone();
    let hls = dir
        .path()
        .join(format!("storage/streaming-playlists/hls/{uuid}"));
    let mut paths = Vec::new();
    let mut hashes = Vec::new();
    let mut total = 0;
    for file in &files {
        let name = file["fileUrl"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        paths.push(hls.join(name));
        let info_hash = file["magnetUri"]
            .as_str()
            .unwrap()
            .split("btih:")
            .nth(1)
            .unwrap();
        hashes.push(<[u8; 20]>::try_from(hex::decode(&info_hash[..40]).unwrap()).unwrap());
        total += file["size"].as_u64().unwrap();
    }
    let count = files.len() as f64;

    eventually("the seeder verifies every rendition", || async {
        metric(metrics, "kinora_seeder_torrents").await == count
    })
    .await;
    let first_read = metric(metrics, "kinora_seeder_bytes_read_total").await;
    assert!(
        first_read >= total as f64,
        "the first start reads it all: {first_read} < {total}"
    );

    // The media made read-only; after a restart the seeder opens them read-only again, and
    // fast-resume reads only a sample.
    for path in &paths {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let before: Vec<_> = paths.iter().map(|path| snapshot(path)).collect();
    let instance = instance.restart(dir.path());
    eventually("the restarted seeder seeds every rendition", || async {
        metric(metrics, "kinora_seeder_torrents").await == count
    })
    .await;
    let restart_read = metric(metrics, "kinora_seeder_bytes_read_total").await;
    assert!(
        restart_read * 2.0 < first_read,
        "a restart read {restart_read} bytes, the first start {first_read}"
    );
    let modes = open_modes(&instance.server.child.id().to_string(), &paths);
    assert!(
        modes.len() >= paths.len(),
        "every rendition is open: {modes:?}"
    );
    assert!(modes.iter().all(|&mode| mode == 0), "read-only: {modes:?}");

    // aria2c finds the seeder through the tracker alone and downloads the smallest rendition.
    let smallest = (0..files.len())
        .min_by_key(|&i| files[i]["size"].as_u64())
        .unwrap();
    let peer = b"-KT0001-000000000001";
    eventually("the seeder announced itself", || async {
        seeders(&instance, &hashes[smallest], peer).await.1 == Some(1)
    })
    .await;
    let torrent = reqwest::get(files[smallest]["torrentUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let peers_only = without_web_seed(&torrent, files[smallest]["fileUrl"].as_str().unwrap());
    let peers_only_path = dir.path().join("peers-only.torrent");
    std::fs::write(&peers_only_path, peers_only).unwrap();
    let leech = dir.path().join("leech");
    download(
        &leech,
        &peers_only_path,
        &["--seed-time=0", &format!("--listen-port={}", free_port())],
    )
    .await;
    assert_eq!(snapshot(&mp4_in(&leech)).0, before[smallest].0);
    let after: Vec<_> = paths.iter().map(|path| snapshot(path)).collect();
    assert_eq!(after, before, "the seeder changed nothing");

    // Private: the seeder lets go of every rendition; the files stay as they were.
    assert!(seeds_all(seeder, &hashes, true).await);
    set_privacy(&instance, &uuid, 3).await;
    eventually("a private video is not seeded", || {
        seeds_all(seeder, &hashes, false)
    })
    .await;
    assert_eq!(seeders(&instance, &hashes[smallest], peer).await.1, None);
    let after: Vec<_> = paths.iter().map(|path| snapshot(path)).collect();
    assert_eq!(after, before);

    // Public again: seeded again (same info dictionaries); deleted: let go.
    set_privacy(&instance, &uuid, 1).await;
    eventually("a public video is seeded again", || {
        seeds_all(seeder, &hashes, true)
    })
    .await;
    let after: Vec<_> = paths.iter().map(|path| snapshot(path)).collect();
    assert_eq!(after, before);
    let response = instance
        .http
        .delete(format!("{}/api/v1/videos/{uuid}", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually("a deleted video is not seeded", || {
        seeds_all(seeder, &hashes, false)
    })
    .await;
    eventually("its fast-resume state goes too", || async {
        !std::fs::read_dir(dir.path().join("seeder"))
            .unwrap()
            .filter_map(Result::ok)
            .any(|entry| entry.file_name().to_string_lossy().ends_with(".bitv"))
    })
    .await;
    instance.server.terminate();
}
