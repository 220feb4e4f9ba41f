//! `kinora storage migrate`: videos stored on local disk move to S3 (a real server:
//! [`common::s3_server`], Garage when it is installed, else s3s-fs) and back; the command killed
//! halfway and run again finishes with every file in exactly one place, identical to the
//! original, and reachable through the server; captions and avatars (files of rows of their
//! own) move with them. With Garage, public videos' media goes to its
//! public bucket and is read from there; without it every location is private. On PostgreSQL.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::harness::Harness;
use common::process::{KINORA, Server, free_port, write_config};
use common::s3_server::S3Server;
use kinora_db::Db;
use kinora_db::testing::{TestDb, sample_video};
use kinora_db::videos::{NewVideo, Publication, VideoFileRow};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What a test video is: its UUID, whether it is public, and its files (key → content).
struct StoredVideo {
    uuid: String,
    public: bool,
    master: String,
    files: BTreeMap<String, Vec<u8>>,
}

fn bytes(length: usize, seed: u32) -> Vec<u8> {
    (0..length as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect()
}

/// A published video whose files are on local disk (as a transcode would have left them).
async fn local_video(db: &Db, root: &Path, channel: i64, seed: u32) -> StoredVideo {
    let uuid = Uuid::new_v4().to_string();
    let public = seed.is_multiple_of(2);
    let name = |suffix: &str| format!("{}-{suffix}", Uuid::new_v4());
    let master = name("master.m3u8");
    let segments = name("segments-sha256.json");
    let renditions = [
        (name("720-fragmented.mp4"), name("720.m3u8")),
        (name("240-fragmented.mp4"), name("240.m3u8")),
    ];
    let thumbnail = format!("{}.jpg", Uuid::new_v4());
    let preview = format!("{}.jpg", Uuid::new_v4());
    let mut files = BTreeMap::new();
    let hls = format!("streaming-playlists/hls/{uuid}");
    files.insert(
        format!("original-video-files/{uuid}"),
        bytes(12 << 20, seed),
    );
    files.insert(
        format!("{hls}/{master}"),
        format!("#EXTM3U {seed}").into_bytes(),
    );
    files.insert(format!("{hls}/{segments}"), b"{}".to_vec());
    for (index, (file, playlist)) in renditions.iter().enumerate() {
        files.insert(
            format!("{hls}/{file}"),
            bytes(300_000, seed * 7 + index as u32),
        );
        files.insert(
            format!("{hls}/{playlist}"),
            format!("#EXTM3U {file}").into_bytes(),
        );
    }
    files.insert(format!("thumbnails/{thumbnail}"), bytes(2000, seed + 1));
    files.insert(format!("previews/{preview}"), bytes(3000, seed + 2));
    for (key, content) in &files {
        let path = root.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let short = kinora_core::video::short_uuid(&Uuid::parse_str(&uuid).unwrap());
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::videos::insert(
        &mut tx,
        &NewVideo {
            privacy: if public { 1 } else { 3 },
            state: 1,
            original_size: 12 << 20,
            ..sample_video(&uuid, &short, channel)
        },
        1,
    )
    .await
    .unwrap();
    for (file, playlist) in &renditions {
        let row = VideoFileRow {
            id: 0,
            video_id: id,
            resolution: 720,
            width: 1280,
            height: 720,
            fps: 25.0,
            size: 300_000,
            file_name: file.clone(),
            playlist_name: playlist.clone(),
            has_audio: 1,
            has_video: 1,
            torrent_file: None,
            info_hash: None,
        };
        kinora_db::videos::insert_file(&mut tx, &row, 1)
            .await
            .unwrap();
    }
    let publication = Publication {
        duration: 5,
        hls_master_file: &master,
        hls_segments_file: &segments,
        thumbnail_file: Some(&thumbnail),
        preview_file: Some(&preview),
        storyboard_file: None,
        storyboard_json: None,
        media_location: "local",
    };
    assert!(
        kinora_db::videos::publish(&mut tx, id, &publication, 1)
            .await
            .unwrap()
    );
    // A caption, a file of its own row.
    let caption = format!("{uuid}-fr.vtt");
    let caption_key = format!("video-captions/{caption}");
    let content = format!("WEBVTT\n\n00:00.000 --> 00:01.000\nseed {seed}\n").into_bytes();
    std::fs::create_dir_all(root.join("video-captions")).unwrap();
    std::fs::write(root.join(&caption_key), &content).unwrap();
    files.insert(caption_key, content);
    kinora_db::video_captions::put_local(&mut tx, id, "fr", &caption, "local", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    StoredVideo {
        uuid,
        public,
        master,
        files,
    }
}

/// Runs `kinora storage migrate --to <to>`; with `kill_after_first`, SIGKILLs it as soon as it
/// reports its first moved video. Returns its stdout.
fn migrate(config: &Path, to: &str, kill_after_first: bool) -> String {
    let mut child = Command::new(KINORA)
        .args([
            "storage",
            "migrate",
            "--to",
            to,
            "--config",
            config.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut output = String::new();
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        output += &line;
        output.push('\n');
        if kill_after_first && line.starts_with("moved video") {
            child.kill().unwrap();
            break;
        }
    }
    let status = child.wait().unwrap();
    if !kill_after_first {
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(status.success(), "migrate --to {to}: {output}\n{stderr}");
    }
    output
}

fn local_files(root: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if !relative.starts_with("tmp/") {
                    found.insert(relative);
                }
            }
        }
    }
    found
}

async fn locations(db: &Db) -> BTreeMap<String, (String, String)> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT uuid, media_location, original_location FROM videos")
            .fetch_all(db.pool())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(uuid, media, original)| (uuid, (media, original)))
        .collect()
}

/// Two sizes of alice's avatar on local disk: key → content.
async fn alice_avatar(db: &Db, root: &Path) -> BTreeMap<String, Vec<u8>> {
    let account = kinora_db::accounts::find_local_by_name(db.pool(), "alice")
        .await
        .unwrap()
        .unwrap();
    let names = [
        format!("{}.jpg", Uuid::new_v4()),
        format!("{}.jpg", Uuid::new_v4()),
    ];
    let mut files = BTreeMap::new();
    std::fs::create_dir_all(root.join("avatars")).unwrap();
    for (index, name) in names.iter().enumerate() {
        let key = format!("avatars/{name}");
        let content = bytes(5000 + index * 1000, 90 + index as u32);
        std::fs::write(root.join(&key), &content).unwrap();
        files.insert(key, content);
    }
    let images = [
        kinora_db::actor_images::NewActorImage {
            file_name: &names[0],
            width: 120,
            height: 120,
        },
        kinora_db::actor_images::NewActorImage {
            file_name: &names[1],
            width: 48,
            height: 48,
        },
    ];
    let mut tx = db.begin().await.unwrap();
    kinora_db::actor_images::replace(
        &mut tx,
        account.actor_id,
        kinora_db::actor_images::AVATAR,
        &images,
        "local",
        None,
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    files
}

/// How many caption and image files each location holds, by location.
async fn side_locations(db: &Db) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT location, COUNT(*) FROM (SELECT location FROM video_captions \
         UNION ALL SELECT location FROM actor_images) AS side GROUP BY location ORDER BY location",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_killed_halfway_finishes_when_run_again_and_moves_back() {
    let s3 = S3Server::start().await;
    let public_bucket = s3.public.clone();
    let test = TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("storage");
    let harness = Harness::new(&test.db, |_| {});
    let (token, channel) = harness.user_with_channel("alice").await;
    let mut videos = Vec::new();
    for seed in 0..6 {
        videos.push(local_video(&test.db, &root, channel, seed).await);
    }
    let avatars = alice_avatar(&test.db, &root).await;
    let settings = s3.storage_settings(&s3.s3_endpoint, true);
    let s3_backend = format!("[storage]\nbackend = \"s3\"\n{settings}");
    let config = write_config(dir.path(), free_port(), &test.config.url, &s3_backend);

    let first = migrate(&config, "s3", true);
    assert!(
        !first.contains("done:"),
        "killed too late to test anything: {first}"
    );
    let halfway = locations(&test.db).await;
    assert!(
        halfway.values().any(|(media, _)| media == "local"),
        "some videos were still local when it was killed: {halfway:?}"
    );
    let second = migrate(&config, "s3", false);
    assert!(second.contains("done:"), "{second}");

    // Every file is in exactly one bucket, identical; nothing stayed on disk. Without a public
    // bucket every file is private.
    let mut expected_public = BTreeMap::new();
    let mut expected_private = BTreeMap::new();
    for (key, content) in &avatars {
        let target = if public_bucket.is_some() {
            &mut expected_public
        } else {
            &mut expected_private
        };
        target.insert(key.clone(), Sha256::digest(content).to_vec());
    }
    for video in &videos {
        for (key, content) in &video.files {
            let public = public_bucket.is_some()
                && video.public
                && !key.starts_with("original-video-files/")
                && !key.starts_with("video-captions/");
            let target = if public {
                &mut expected_public
            } else {
                &mut expected_private
            };
            target.insert(key.clone(), Sha256::digest(content).to_vec());
        }
    }
    let digests = |contents: BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        contents
            .into_iter()
            .map(|(k, v)| (k, Sha256::digest(&v).to_vec()))
            .collect()
    };
    if let Some(public) = &public_bucket {
        assert_eq!(
            digests(s3.bucket_contents(&public.bucket).await),
            expected_public
        );
    }
    assert_eq!(
        digests(s3.bucket_contents(&s3.private_bucket).await),
        expected_private
    );
    assert!(local_files(&root).is_empty(), "{:?}", local_files(&root));
    // Public videos' media is in the public location, which without public kinds configured is
    // the private bucket.
    for video in &videos {
        let (media, original) = &locations(&test.db).await[&video.uuid];
        assert_eq!(
            media,
            if video.public {
                "s3-public"
            } else {
                "s3-private"
            }
        );
        assert_eq!(original, "s3-private");
    }
    assert_eq!(
        side_locations(&test.db).await,
        [("s3-private".to_owned(), 6), ("s3-public".to_owned(), 2)],
        "captions are private media, avatars public"
    );
    let again = migrate(&config, "s3", false);
    assert!(again.contains("done: 0 video(s) moved"), "{again}");
    assert!(
        again.contains(" 0 caption and image file(s) moved"),
        "{again}"
    );

    // Every video plays from where the API says: the public bucket for public ones (with
    // Garage), the server's proxy for the others.
    let port = free_port();
    let server = Server::start(&write_config(
        dir.path(),
        port,
        &test.config.url,
        &format!("[transcoding]\nworkers = 0\n{s3_backend}"),
    ));
    let http = reqwest::Client::new();
    let base = format!("http://localhost:{port}");
    for stored in &videos {
        let json: serde_json::Value = http
            .get(format!("{base}/api/v1/videos/{}", stored.uuid))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let master = json["streamingPlaylists"][0]["playlistUrl"]
            .as_str()
            .unwrap();
        let expected_base = match &public_bucket {
            Some(public) if stored.public => &public.base_url,
            _ => &base,
        };
        assert!(master.starts_with(expected_base.as_str()), "{master}");
        assert!(master.ends_with(&stored.master), "{master}");
        let body = http
            .get(master)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let key = format!("streaming-playlists/hls/{}/{}", stored.uuid, stored.master);
        assert_eq!(body.as_ref(), stored.files[&key].as_slice());
        // Its caption, read from the bucket by the server (for its owner: some are private).
        let key = format!("video-captions/{}-fr.vtt", stored.uuid);
        let answer = http
            .get(format!("{base}/lazy-static/{key}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{key}");
        assert_eq!(
            answer.bytes().await.unwrap().as_ref(),
            stored.files[&key].as_slice()
        );
    }
    for (key, content) in &avatars {
        let answer = http
            .get(format!("{base}/lazy-static/{key}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{key}");
        assert_eq!(answer.bytes().await.unwrap().as_ref(), content.as_slice());
    }
    server.terminate();

    // And back to local disk: every file where it was, the buckets empty.
    let local_config = write_config(dir.path(), free_port(), &test.config.url, &settings);
    let back = migrate(&local_config, "local", false);
    assert!(back.contains("done: 6 video(s) moved"), "{back}");
    assert!(
        back.contains(" 8 caption and image file(s) moved"),
        "{back}"
    );
    assert_eq!(side_locations(&test.db).await, [("local".to_owned(), 8)]);
    let all: BTreeSet<String> = videos
        .iter()
        .flat_map(|v| v.files.keys().cloned())
        .chain(avatars.keys().cloned())
        .collect();
    assert_eq!(local_files(&root), all);
    for video in &videos {
        for (key, content) in &video.files {
            assert!(std::fs::read(root.join(key)).unwrap() == *content, "{key}");
        }
    }
    if let Some(public) = &public_bucket {
        assert!(s3.bucket_contents(&public.bucket).await.is_empty());
    }
    assert!(s3.bucket_contents(&s3.private_bucket).await.is_empty());
    test.finish().await;
}
