//! BitTorrent clients and tracker questions shared by the tracker and seeder tests: aria2c with
//! DHT, local discovery and peer exchange off, announces to `/tracker/announce`, and the same
//! torrent without its web seed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::instance::Instance;

/// Percent-encodes every byte, as clients send `info_hash` and `peer_id`.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// `GET /tracker/announce?<query>`: status and body.
pub async fn announce(instance: &Instance, query: &str) -> (u16, Vec<u8>) {
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
pub async fn seeders(instance: &Instance, info_hash: &[u8], peer: &[u8]) -> (u16, Option<i64>) {
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
pub fn integer(body: &[u8], key: &str) -> Option<i64> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("{}:{key}i", key.len());
    let rest = &text[text.find(&marker)? + marker.len()..];
    rest[..rest.find('e')?].parse().ok()
}

/// aria2c with DHT, local discovery and peer exchange off.
pub fn aria2c(directory: &Path, torrent: &Path, extra: &[&str]) -> Command {
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

/// Waits for `child` at most `limit`, then kills it and fails with its output.
pub fn wait_for(mut child: Child, limit: Duration) -> std::process::Output {
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

/// Runs aria2c to its end (at most two minutes) and fails with its output unless it succeeded.
pub async fn download(directory: &Path, torrent: &Path, extra: &[&str]) {
    std::fs::create_dir_all(directory).unwrap();
    let mut command = aria2c(directory, torrent, extra);
    let output = tokio::task::spawn_blocking(move || {
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aria2c (scripts/install-deps --test: aria2)");
        wait_for(child, Duration::from_secs(120))
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The first `.mp4` file in `directory`.
pub fn mp4_in(directory: &Path) -> PathBuf {
    std::fs::read_dir(directory)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "mp4"))
        .expect("a downloaded file")
}

/// The same torrent without its `url-list` web seed `web_seed` (the info dictionary, and so the
/// info hash, stay the same): peers are then the only source.
pub fn without_web_seed(torrent: &[u8], web_seed: &str) -> Vec<u8> {
    let entry = format!("8:url-listl{}:{web_seed}e", web_seed.len());
    let at = torrent
        .windows(entry.len())
        .position(|window| window == entry.as_bytes())
        .expect("the torrent lists its web seed");
    let mut peers_only = torrent[..at].to_vec();
    peers_only.extend_from_slice(&torrent[at + entry.len()..]);
    assert_eq!(
        kinora_p2p::torrent::parse_info_hash(&peers_only).unwrap(),
        kinora_p2p::torrent::parse_info_hash(torrent).unwrap()
    );
    peers_only
}

/// Kills the child when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
