//! Scheduled backups (`[backup]`): every `interval_hours`, one process of the cluster (the
//! holder of the `backup` lease) writes `kinora backup create`'s backup into
//! `<directory>/kinora-<UTC time>`, then keeps the newest `keep` complete ones and removes the
//! rest, and any leftover of an interrupted run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kinora_app::backup::{self, MANIFEST};
use kinora_db::Db;
use kinora_storage::MediaStorage;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::cluster::Lease;
use crate::config::Config;

/// How long the `backup` lease is held between renewals (renewed every minute while a backup
/// runs; a process that dies lets another take over after this).
pub const BACKUP_LEASE: Duration = Duration::from_secs(300);
/// Names of scheduled backups start with this.
const PREFIX: &str = "kinora-";

/// The `[backup]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Where scheduled backups go; none (the default) schedules none.
    pub directory: Option<PathBuf>,
    /// Hours between backups (at least 1).
    pub interval_hours: u64,
    /// How many complete backups to keep (at least 1); older ones are removed.
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            directory: None,
            interval_hours: 24,
            keep: 7,
        }
    }
}

impl BackupConfig {
    /// Checks the values; answers the offending key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.interval_hours == 0 {
            return Err(("backup.interval_hours", "must be at least 1".to_owned()));
        }
        if self.keep == 0 {
            return Err(("backup.keep", "must be at least 1".to_owned()));
        }
        Ok(())
    }
}

/// The scheduled backups' directory names, oldest first, and whether each is complete.
fn scheduled(directory: &Path) -> Vec<(String, bool)> {
    let mut found: Vec<(String, bool)> = std::fs::read_dir(directory)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_owned();
            let is_dir = entry.file_type().ok()?.is_dir();
            (is_dir && name.starts_with(PREFIX))
                .then(|| (name, entry.path().join(MANIFEST).is_file()))
        })
        .collect();
    found.sort();
    found
}

/// The name of a backup started at `millis`: `kinora-20261207T063000Z` (sorts by time).
fn name_at(millis: i64) -> String {
    let iso = kinora_core::dates::iso_date(millis);
    let compact: String = iso
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    format!("{PREFIX}{compact}Z")
}

/// Removes interrupted backups and all but the newest `keep` complete ones.
fn prune(directory: &Path, keep: usize) {
    let found = scheduled(directory);
    let complete = found.iter().filter(|(_, complete)| *complete).count();
    let mut to_drop = complete.saturating_sub(keep);
    for (name, complete) in found {
        let remove = if complete {
            let drop_it = to_drop > 0;
            to_drop = to_drop.saturating_sub(1);
            drop_it
        } else {
            true
        };
        if remove {
            match std::fs::remove_dir_all(directory.join(&name)) {
                Ok(()) => tracing::info!(backup = %name, "old or interrupted backup removed"),
                Err(error) => tracing::warn!(backup = %name, %error, "cannot remove a backup"),
            }
        }
    }
}

/// When the newest complete backup was taken, from its name (ms since the epoch).
fn newest_millis(directory: &Path) -> Option<i64> {
    let (name, _) = scheduled(directory)
        .into_iter()
        .rev()
        .find(|(_, complete)| *complete)?;
    let stamp = name.strip_prefix(PREFIX)?;
    let (date, time) = stamp.split_once('T')?;
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        date.get(0..4)?,
        date.get(4..6)?,
        date.get(6..8)?,
        time.get(0..2)?,
        time.get(2..4)?,
        time.get(4..6)?
    );
    kinora_core::dates::parse_iso_date(&iso)
}

/// Runs scheduled backups until `shutdown` (returns at once without `backup.directory`).
pub async fn run(
    config: Config,
    db: Db,
    storage: std::sync::Arc<MediaStorage>,
    lease: Lease,
    shutdown: CancellationToken,
) {
    let Some(directory) = config.backup.directory.clone() else {
        return;
    };
    let interval = i64::try_from(config.backup.interval_hours)
        .unwrap_or(i64::MAX / 7_200_000)
        .saturating_mul(3_600_000);
    let config_toml = match crate::backup_command::config_toml(&config) {
        Ok(text) => text,
        Err(error) => {
            tracing::error!(%error, "scheduled backups are off");
            return;
        }
    };
    let mut failed_at: Option<i64> = None;
    let mut ticker = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = shutdown.cancelled() => break,
        }
        let now = kinora_db::now_millis();
        let due = newest_millis(&directory).is_none_or(|newest| now - newest >= interval)
            && failed_at.is_none_or(|at| now - at >= interval.min(3_600_000));
        if !due || !lease.hold().await {
            continue;
        }
        let target = directory.join(name_at(now));
        let source = crate::backup_command::backup_source(&config, &db, &storage, &config_toml);
        let started = std::time::Instant::now();
        let backup = backup::create(source, &target, |_| {});
        tokio::pin!(backup);
        let mut renew = tokio::time::interval(Duration::from_secs(60));
        let result = loop {
            tokio::select! {
                result = &mut backup => break Some(result),
                _ = renew.tick() => { lease.hold().await; }
                () = shutdown.cancelled() => break None,
            }
        };
        let Some(result) = result else {
            // Stopped mid-backup: what was written is incomplete (no manifest); remove it.
            let _ = std::fs::remove_dir_all(&target);
            break;
        };
        match result {
            Ok(report) => {
                failed_at = None;
                metrics::gauge!("kinora_backup_last_success_timestamp_seconds")
                    .set(now as f64 / 1000.0);
                tracing::info!(
                    backup = %target.display(),
                    media_files = report.media_files,
                    bytes = report.bytes,
                    seconds = started.elapsed().as_secs_f64(),
                    "scheduled backup written"
                );
            }
            Err(error) => {
                failed_at = Some(now);
                metrics::counter!("kinora_backup_failures_total").increment(1);
                tracing::error!(backup = %target.display(), %error, "scheduled backup failed");
            }
        }
        let keep = config.backup.keep;
        let cleanup = directory.clone();
        let _ = tokio::task::spawn_blocking(move || prune(&cleanup, keep)).await;
    }
    lease.release().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_read_back() {
        let millis = kinora_core::dates::parse_iso_date("2026-12-07T06:30:05Z").unwrap();
        assert_eq!(name_at(millis), "kinora-20261207T063005Z");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(name_at(millis))).unwrap();
        assert_eq!(
            newest_millis(dir.path()),
            None,
            "incomplete backups do not count"
        );
        std::fs::write(dir.path().join(name_at(millis)).join(MANIFEST), b"{}").unwrap();
        assert_eq!(newest_millis(dir.path()), Some(millis));
    }

    #[test]
    fn pruning_keeps_the_newest_complete_backups() {
        let dir = tempfile::tempdir().unwrap();
        for (name, complete) in [
            ("kinora-20261201T000000Z", true),
            ("kinora-20261202T000000Z", false),
            ("kinora-20261203T000000Z", true),
            ("kinora-20261204T000000Z", true),
            ("other", true),
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            if complete {
                std::fs::write(dir.path().join(name).join(MANIFEST), b"{}").unwrap();
            }
        }
        prune(dir.path(), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "kinora-20261203T000000Z",
                "kinora-20261204T000000Z",
                "other"
            ]
        );
    }
}
