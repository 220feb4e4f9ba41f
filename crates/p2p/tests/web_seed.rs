//! aria2c downloads a file through the torrent's web seed alone: the trackers point at a port
//! nothing listens on, DHT and local peer discovery are off, and the only source is a small
//! HTTP server on 127.0.0.1 answering Range requests.

mod support;

use std::ffi::OsString;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use kinora_p2p::build_torrent;
use sha2::{Digest, Sha256};
use support::web_seed::WebSeed;
use support::{random_bytes, spec, write_file};

/// How long aria2c may take before the test gives up on it.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn aria2c_downloads_through_the_web_seed_alone() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Ma vidéo 720p.mp4";
    let data = random_bytes(3 * 1024 * 1024 + 12_345, 42);
    let source = write_file(dir.path(), "source.mp4", &data);
    let seed = WebSeed::start("0a1b2c3d-720.mp4", data.clone());

    let torrent = build_torrent(&source, &spec(name, &seed.url))
        .await
        .unwrap();
    let torrent_file = dir.path().join("video.torrent");
    std::fs::write(&torrent_file, &torrent.bytes).unwrap();
    let out = dir.path().join("out");

    let mut args: Vec<OsString> = [
        "--no-conf=true",
        "--enable-dht=false",
        "--enable-dht6=false",
        "--bt-enable-lpd=false",
        "--enable-peer-exchange=false",
        "--seed-time=0",
        "--follow-torrent=mem",
        "--allow-overwrite=true",
        "--auto-file-renaming=false",
        "--summary-interval=0",
        "--console-log-level=warn",
    ]
    .map(OsString::from)
    .to_vec();
    args.push(OsString::from("--dir"));
    args.push(out.clone().into_os_string());
    args.push(torrent_file.into_os_string());
    let mut child = support::spawn_client("aria2c", "aria2", &args);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DOWNLOAD_TIMEOUT {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "aria2c did not finish within {DOWNLOAD_TIMEOUT:?}:\n{}",
                support::text_of(&output)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let output = child.wait_with_output().unwrap();
    let log = support::text_of(&output);
    assert!(status.success(), "aria2c failed ({status}):\n{log}");

    let downloaded = std::fs::read(out.join(name)).unwrap();
    assert_eq!(
        hex_sha256(&downloaded),
        hex_sha256(&data),
        "the downloaded file differs from the original"
    );
    assert!(
        seed.partial_answers.load(Ordering::SeqCst) > 0,
        "aria2c never asked the web seed for a byte range"
    );
}

fn hex_sha256(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
