//! The `[seeder]` configuration section.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The `[seeder]` configuration section: the BitTorrent seeding session inside `kinora serve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeederConfig {
    /// Seed every published rendition of public and unlisted videos stored on local disk.
    pub enabled: bool,
    /// Address and TCP port peers connect to; port 0 picks a free port at start.
    pub listen: SocketAddr,
    /// The port announced to trackers; 0 announces the listening port. Set it when a NAT or
    /// firewall forwards another port to `listen`.
    pub announce_port: u16,
    /// Where fast-resume state lives (which pieces were verified), so a restart does not read
    /// the whole library again. Relative paths start at the server's working directory.
    pub resume_dir: PathBuf,
    /// Most torrents seeded at once (the most recently made ones win).
    pub max_torrents: usize,
    /// Most peers connected to one torrent.
    pub max_peers_per_torrent: usize,
    /// Upload limit for the whole session in bytes per second; 0 for none.
    pub upload_bytes_per_second: u32,
    /// Seconds between two comparisons of the session with the database (also done at start
    /// and whenever the server has made a video's torrents).
    pub reconcile_interval_secs: u64,
}

impl Default for SeederConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([0, 0, 0, 0], 51413)),
            announce_port: 0,
            resume_dir: PathBuf::from("data/seeder"),
            max_torrents: 1000,
            max_peers_per_torrent: 50,
            upload_bytes_per_second: 0,
            reconcile_interval_secs: 60,
        }
    }
}

impl SeederConfig {
    /// The first value out of range, as (dotted key, what is wrong).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.reconcile_interval_secs == 0 {
            return Err((
                "seeder.reconcile_interval_secs",
                "must be at least 1".to_owned(),
            ));
        }
        if self.max_peers_per_torrent == 0 {
            return Err((
                "seeder.max_peers_per_torrent",
                "must be at least 1".to_owned(),
            ));
        }
        if self.enabled && self.resume_dir.as_os_str().is_empty() {
            return Err((
                "seeder.resume_dir",
                "must name a directory (fast-resume state lives there)".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_are_named() {
        assert!(SeederConfig::default().check().is_ok());
        for (config, key) in [
            (
                SeederConfig {
                    reconcile_interval_secs: 0,
                    ..SeederConfig::default()
                },
                "seeder.reconcile_interval_secs",
            ),
            (
                SeederConfig {
                    max_peers_per_torrent: 0,
                    ..SeederConfig::default()
                },
                "seeder.max_peers_per_torrent",
            ),
            (
                SeederConfig {
                    resume_dir: PathBuf::new(),
                    ..SeederConfig::default()
                },
                "seeder.resume_dir",
            ),
        ] {
            assert_eq!(config.check().unwrap_err().0, key);
        }
    }
}
