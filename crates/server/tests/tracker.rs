//! The HTTP tracker (`/tracker/announce`) with real BitTorrent clients: one aria2c takes a
//! rendition from its web seed alone (the swarm is empty: this instance runs no seeding
//! session) and gets the bytes the server serves, then seeds it; a second finds it through the
//! tracker alone (its torrent has no web seed: the same info dictionary without `url-list`) and
//! downloads the file from it byte-identical.
//! Also what the tracker refuses over HTTP: malformed and unknown info hashes (private mode),
//! and an address that announces too fast.

use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::bittorrent::{
    Killed, announce, aria2c, download, encode, mp4_in, seeders, without_web_seed,
};
use common::instance::start;
use common::process::free_port;
use sha2::{Digest, Sha256};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_client_downloads_from_the_first_through_the_tracker() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    // No seeding session here: the aria2c processes are the only peers.
    let instance = start(dir.path(), &database, 1, "[seeder]\nenabled = false\n").await;
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

    // The seeder: aria2c takes the rendition by its web seed alone (nobody is in the swarm),
    // then seeds it.
    let seed_dir = dir.path().join("seed");
    let with_web_seed = dir.path().join("web-seed.torrent");
    std::fs::write(&with_web_seed, &torrent).unwrap();
    download(&seed_dir, &with_web_seed, &["--seed-time=0"]).await;
    let original = std::fs::read(mp4_in(&seed_dir)).unwrap();
    let web_seed = file["fileUrl"].as_str().unwrap();
    let served = reqwest::get(web_seed).await.unwrap().bytes().await.unwrap();
    assert_eq!(Sha256::digest(&original), Sha256::digest(&served));

    // The same info dictionary without `url-list`: peers are the only source.
    let peers_only = without_web_seed(&torrent, web_seed);
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
    download(
        &leech_dir,
        &peers_only_path,
        &["--seed-time=0", &format!("--listen-port={}", free_port())],
    )
    .await;
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
