//! The HTTP tracker (`/tracker/announce`) with real BitTorrent clients: one aria2c seeds a
//! rendition, a second finds it through the tracker alone (its torrent has no web seed: the
//! same info dictionary without `url-list`) and downloads the file from it byte-identical.
//! Also what the tracker refuses over HTTP: malformed and unknown info hashes (private mode),
//! and an address that announces too fast.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::instance::{Instance, start};
use common::process::free_port;
use sha2::{Digest, Sha256};

/// Percent-encodes every byte, as clients send `info_hash` and `peer_id`.
fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

async fn announce(instance: &Instance, query: &str) -> (u16, Vec<u8>) {
    let response = reqwest::get(format!("{}/tracker/announce?{query}", instance.base))
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

/// Seeders in the swarm, asked with a `stopped` announce (which adds no peer); none when the
/// tracker refuses.
async fn seeders(instance: &Instance, info_hash: &[u8], peer: &[u8]) -> (u16, Option<i64>) {
    let (status, body) = announce(
        instance,
        &format!(
            "info_hash={}&peer_id={}&port=1&event=stopped",
            encode(info_hash),
            encode(peer)
        ),
    )
    .await;
    (status, integer(&body, "complete"))
}

/// The number after `key` in a bencoded body (`8:completei3e` → 3).
fn integer(body: &[u8], key: &str) -> Option<i64> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("{}:{key}i", key.len());
    let rest = &text[text.find(&marker)? + marker.len()..];
    rest[..rest.find('e')?].parse().ok()
}

/// aria2c with DHT, local discovery and peer exchange off.
fn aria2c(directory: &Path, torrent: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new("aria2c");
    command
        .args([
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
        ])
        .args(["--enable-peer-exchange=false", "--follow-torrent=mem"])
        .args(["--console-log-level=warn", "--summary-interval=0"])
        .arg(format!("--dir={}", directory.display()))
        .args(extra)
        .arg(torrent)
        .stdin(Stdio::null());
    command
}

fn wait_for(mut child: Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "aria2c took longer than {limit:?}:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

fn mp4_in(directory: &Path) -> PathBuf {
    std::fs::read_dir(directory)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "mp4"))
        .expect("a downloaded file")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_client_downloads_from_the_first_through_the_tracker() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "").await;
    let json = common::instance::publish_with_torrents(&instance, "video_short.mp4").await;
    let file = json["streamingPlaylists"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|f| f["size"].as_i64().unwrap())
        .unwrap()
        .clone();
    let torrent = reqwest::get(file["torrentUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let info_hash = kinora_p2p::torrent::parse_info_hash(&torrent).unwrap();

    // Private mode: the tracker answers for this hash, and refuses others and bad input.
    let peer = b"-KT0001-000000000000";
    assert_eq!(seeders(&instance, &info_hash, peer).await, (200, Some(0)));
    for (query, reason) in [
        (
            format!(
                "info_hash={}&peer_id={}&port=1",
                encode(&[7; 20]),
                encode(peer)
            ),
            "unknown info_hash",
        ),
        (
            format!(
                "info_hash={}&peer_id={}&port=1",
                encode(&[7; 19]),
                encode(peer)
            ),
            "invalid info_hash",
        ),
        (
            format!(
                "info_hash={}&peer_id={}&port=1&numwant=1000000",
                encode(&info_hash),
                encode(b"short")
            ),
            "invalid peer_id",
        ),
        ("".to_owned(), "invalid info_hash"),
    ] {
        let (status, body) = announce(&instance, &query).await;
        assert_eq!(status, 200);
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("failure reason") && text.contains(reason),
            "{query}: {text}"
        );
    }

    // The seeder: aria2c takes the rendition by its web seed, then seeds it.
    let seed_dir = dir.path().join("seed");
    std::fs::create_dir_all(&seed_dir).unwrap();
    let with_web_seed = dir.path().join("web-seed.torrent");
    std::fs::write(&with_web_seed, &torrent).unwrap();
    let fetched = tokio::task::spawn_blocking({
        let (seed_dir, with_web_seed) = (seed_dir.clone(), with_web_seed.clone());
        move || {
            let child = aria2c(&seed_dir, &with_web_seed, &["--seed-time=0"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("aria2c (scripts/install-deps --test: aria2)");
            wait_for(child, Duration::from_secs(120))
        }
    })
    .await
    .unwrap();
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stdout)
    );
    let original = std::fs::read(mp4_in(&seed_dir)).unwrap();

    // The same info dictionary without `url-list`: peers are the only source.
    let web_seed = file["fileUrl"].as_str().unwrap();
    let entry = format!("8:url-listl{}:{web_seed}e", web_seed.len());
    let text = torrent.clone();
    let at = text
        .windows(entry.len())
        .position(|window| window == entry.as_bytes())
        .expect("the torrent lists its web seed");
    let mut peers_only = text[..at].to_vec();
    peers_only.extend_from_slice(&text[at + entry.len()..]);
    assert_eq!(
        kinora_p2p::torrent::parse_info_hash(&peers_only).unwrap(),
        info_hash
    );
    let peers_only_path = dir.path().join("peers-only.torrent");
    std::fs::write(&peers_only_path, &peers_only).unwrap();

    let seed_port = free_port();
    let seeder = aria2c(
        &seed_dir,
        &peers_only_path,
        &[
            "--check-integrity=true",
            "--seed-ratio=0.0",
            &format!("--listen-port={seed_port}"),
            "--bt-external-ip=127.0.0.1",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let seeder = Killed(seeder);
    let started = Instant::now();
    loop {
        if seeders(&instance, &info_hash, peer).await.1 == Some(1) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the seeder never announced"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let leech_dir = dir.path().join("leech");
    std::fs::create_dir_all(&leech_dir).unwrap();
    let leeched = tokio::task::spawn_blocking({
        let (leech_dir, peers_only_path) = (leech_dir.clone(), peers_only_path.clone());
        move || {
            let child = aria2c(
                &leech_dir,
                &peers_only_path,
                &["--seed-time=0", &format!("--listen-port={}", free_port())],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
            wait_for(child, Duration::from_secs(120))
        }
    })
    .await
    .unwrap();
    assert!(
        leeched.status.success(),
        "{}",
        String::from_utf8_lossy(&leeched.stdout)
    );
    let copy = std::fs::read(mp4_in(&leech_dir)).unwrap();
    assert_eq!(Sha256::digest(&copy), Sha256::digest(&original));
    drop(seeder);

    // One address announcing much faster than a client should is told to slow down.
    let mut limited = false;
    for _ in 0..60 {
        limited |= seeders(&instance, &info_hash, peer).await.0 == 429;
    }
    assert!(limited, "60 announces at once were all answered");
    instance.server.terminate();
}

/// Kills the child when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
