//! Helpers shared by the server's integration tests (each test binary uses some of them).
#![allow(dead_code)]

pub mod accounts;
pub mod activitypub;
pub mod bittorrent;
pub mod cluster;
pub mod fake_origin;
pub mod garage;
pub mod harness;
pub mod inbox_site;
pub mod instance;
pub mod live;
/// How a process has files open (shared with kinora-p2p's seeder tests).
#[path = "../../../p2p/tests/support/open_files.rs"]
pub mod open_files;
pub mod own_postgres;
/// The BitTorrent wire client of kinora-p2p's seeder tests (one handshake, one block).
#[path = "../../../p2p/tests/support/peer_wire.rs"]
pub mod peer_wire;
pub mod process;
pub mod prometheus;
pub mod relay;
pub mod s3_server;
pub mod smtp;
pub mod tcp_proxy;
pub mod tls_443;
pub mod videos;
pub mod yt_dlp;

use std::time::{Duration, Instant};

/// Polls `probe` until it answers `Some`, for at most `limit` (every 300 ms); panics naming
/// `what` when the time is up.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A client installed by `scripts/install-clients`: the path in the environment variable
/// `variable`, else `default`; panics saying how to install it when it is not there.
pub fn installed_client(variable: &str, default: &str) -> std::path::PathBuf {
    let path = std::env::var_os(variable)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(default));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/install-clients",
        path.display()
    );
    path
}

/// `length` bytes of incompressible-looking content that start like an MP4 (an `ftyp` box), so
/// that an upload's content check accepts them; nothing can decode them, so use them only where
/// no transcode is expected to succeed.
pub fn mp4_like_bytes(length: usize) -> Vec<u8> {
    let mut content: Vec<u8> = (0..length as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    content[..8].copy_from_slice(b"\0\0\0\x18ftyp");
    content
}
