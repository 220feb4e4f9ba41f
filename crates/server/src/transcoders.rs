//! `kinora serve` starts `transcoding.workers` `kinora-transcoder run` processes, and with
//! `[live] enabled` one `kinora-transcoder live` (the RTMP ingest), and restarts them when
//! they die, so one command runs a whole instance. They receive the server's
//! effective database, storage and transcoding settings (`KINORA_TRANSCODER_SETTINGS`), and
//! report each transcode's outcome and duration on their stdout, which become this process's
//! `kinora_transcode_duration_seconds` histogram. `kinora_transcoders_running{role}` counts the
//! children running: `transcode` (the pool) and `live-ingest`.

use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;

/// The `kinora-transcoder` executable next to this one.
pub fn transcoder_executable() -> Option<PathBuf> {
    let path = std::env::current_exe()
        .ok()?
        .with_file_name("kinora-transcoder");
    path.is_file().then_some(path)
}

/// A kind of child: its `role` label in `kinora_transcoders_running` and its arguments.
#[derive(Debug, Clone, Copy)]
struct Role {
    label: &'static str,
    arguments: &'static [&'static str],
}

/// A pool member: transcodes uploads.
const POOL_MEMBER: Role = Role {
    label: "transcode",
    arguments: &["run", "--exit-with-parent", "--report-to-parent"],
};
/// The live ingest: RTMP in, each broadcast remuxed by a child of its own.
const LIVE_INGEST: Role = Role {
    label: "live-ingest",
    arguments: &["live", "--exit-with-parent"],
};

/// Starts the pool, and with `[live] enabled` the live ingest (`kinora-transcoder live`);
/// returns when `shutdown` is cancelled and every child has exited.
pub async fn supervise(config: &Config, shutdown: CancellationToken) {
    if config.transcoding.workers == 0 && !config.live.enabled {
        return;
    }
    let Some(executable) = transcoder_executable() else {
        tracing::error!(
            "kinora-transcoder is not next to kinora: uploads will wait for a transcoder and \
             lives cannot be broadcast"
        );
        return;
    };
    let settings = serde_json::json!({
        "database": config.database,
        "storage": config.storage,
        "transcoding": config.transcoding,
        "log": config.log,
        "live": config.live,
    })
    .to_string();
    let mut children = JoinSet::new();
    for index in 0..config.transcoding.workers {
        children.spawn(keep_running(
            index,
            POOL_MEMBER,
            executable.clone(),
            settings.clone(),
            shutdown.clone(),
        ));
    }
    if config.live.enabled {
        children.spawn(keep_running(
            config.transcoding.workers,
            LIVE_INGEST,
            executable.clone(),
            settings.clone(),
            shutdown.clone(),
        ));
    }
    while children.join_next().await.is_some() {}
}

async fn keep_running(
    index: u32,
    role: Role,
    executable: PathBuf,
    settings: String,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_secs(1);
    while !shutdown.is_cancelled() {
        let started = std::time::Instant::now();
        let child = tokio::process::Command::new(&executable)
            .args(role.arguments)
            .env("KINORA_TRANSCODER_SETTINGS", &settings)
            // The child asks to be sent SIGTERM when this process dies (PR_SET_PDEATHSIG),
            // and checks that this pid is still its parent once it has.
            .env("KINORA_PARENT_PID", std::process::id().to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(error) => {
                tracing::error!(%error, "cannot start kinora-transcoder");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        // Held open while the child lives: the child stops when it reads end-of-file, which
        // happens when this process closes it or dies.
        let _stdin = child.stdin.take();
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(read_reports(stdout));
        }
        metrics::gauge!("kinora_transcoders_running", "role" => role.label).increment(1.0);
        tokio::select! {
            status = child.wait() => {
                metrics::gauge!("kinora_transcoders_running", "role" => role.label).decrement(1.0);
                tracing::warn!(index, ?status, "kinora-transcoder exited; restarting");
                if started.elapsed() > Duration::from_secs(60) {
                    backoff = Duration::from_secs(1);
                }
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
            () = shutdown.cancelled() => {
                if let Some(pid) = child.id() {
                    let _ = tokio::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status().await;
                }
                if tokio::time::timeout(Duration::from_secs(15), child.wait()).await.is_err() {
                    let _ = child.kill().await;
                }
                metrics::gauge!("kinora_transcoders_running", "role" => role.label).decrement(1.0);
                return;
            }
        }
    }
}

/// Reads a child's stdout until it closes: its transcode reports are recorded in the metrics,
/// any other line is passed on to this process's stdout.
async fn read_reports(stdout: tokio::process::ChildStdout) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        match parse_report(&line) {
            Some((outcome, seconds)) => crate::metrics::record_transcode(&outcome, seconds),
            None => println!("{line}"),
        }
    }
}

/// `(outcome, seconds)` of a `{"transcode_finished":{"outcome":…,"seconds":…}}` line.
fn parse_report(line: &str) -> Option<(String, f64)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let report = value.get("transcode_finished")?;
    let seconds = report
        .get("seconds")?
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)?;
    Some((report.get("outcome")?.as_str()?.to_owned(), seconds))
}

#[cfg(test)]
mod tests {
    use super::parse_report;

    #[test]
    fn reports_are_read_and_other_lines_are_not() {
        let line = r#"{"transcode_finished":{"outcome":"done","seconds":12.5}}"#;
        assert_eq!(parse_report(line), Some(("done".to_owned(), 12.5)));
        assert_eq!(parse_report("database and storage are reachable"), None);
        assert_eq!(
            parse_report(r#"{"transcode_finished":{"outcome":"done","seconds":-1}}"#),
            None
        );
    }
}
