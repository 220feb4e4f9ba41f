//! yt-dlp (installed by `scripts/install-clients`) run against an instance behind
//! [`super::tls_443`]: the flags every test needs, a time limit, and the combined output.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The installed yt-dlp (`$KINORA_YTDLP`, else the one `scripts/install-clients` installs).
pub fn path() -> PathBuf {
    super::installed_client("KINORA_YTDLP", "/var/tmp/kinora-clients/bin/yt-dlp")
}

/// Runs yt-dlp with `args` after the common flags (self-signed certificate, no cache, no
/// `.part` files, short timeouts), within `limit`; asserts that it succeeded and returns its
/// standard output and error together, for the caller's assertions and messages.
pub async fn run(args: Vec<OsString>, limit: Duration) -> String {
    let tool = path();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(tool)
            .args(["--no-check-certificates", "--no-cache-dir", "--no-part"])
            .args(["--socket-timeout", "20", "--retries", "1"])
            .args(args)
            .output()
            .expect("yt-dlp runs")
    });
    let result = tokio::time::timeout(limit, run)
        .await
        .expect("yt-dlp finished in time")
        .unwrap();
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(result.status.success(), "yt-dlp failed:\n{log}");
    log
}
