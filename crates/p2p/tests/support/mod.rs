//! Helpers shared by the torrent tests: test data, real clients and a tiny web seed.

#![allow(dead_code)]

pub mod open_files;
pub mod peer_wire;
pub mod web_seed;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use kinora_p2p::TorrentSpec;

/// Where the announce list points: nothing listens on port 1.
pub const TRACKERS: [&str; 2] = [
    "ws://127.0.0.1:1/tracker/socket",
    "http://127.0.0.1:1/tracker/announce",
];

/// `len` bytes from a fixed xorshift sequence: incompressible and the same on every run.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The announce list PeerTube writes: the WebSocket tracker, then the HTTP one.
pub fn announce_list() -> Vec<Vec<String>> {
    TRACKERS.iter().map(|url| vec![url.to_string()]).collect()
}

/// A spec as the server fills it in for a rendition file.
pub fn spec<'a>(name: &'a str, web_seed_url: &'a str) -> TorrentSpec<'a> {
    TorrentSpec {
        name,
        web_seed_url: Some(web_seed_url),
        announce_list: announce_list(),
        created_by: "Kinora",
        creation_date: Some(1_764_000_000),
        comment: Some("test torrent"),
    }
}

/// Writes `data` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

/// Runs `program` with `args` to its end, failing with the Debian package to install when it
/// is missing.
pub fn run_client(program: &str, package: &str, args: &[&std::ffi::OsStr]) -> Output {
    spawn_client(program, package, args)
        .wait_with_output()
        .unwrap_or_else(|err| panic!("cannot run {program}: {err}"))
}

/// Starts `program` with `args` and its output piped, failing with the Debian package to
/// install when it is missing.
pub fn spawn_client<S: AsRef<std::ffi::OsStr>>(program: &str, package: &str, args: &[S]) -> Child {
    let spawned = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match spawned {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{program}` is not installed: this test needs the Debian package `{package}` \
             (apt-get install -y {package})"
        ),
        Err(err) => panic!("cannot run {program}: {err}"),
    }
}

/// stdout and stderr of a finished client, for assertions and failure messages.
pub fn text_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
