//! Typed, layered configuration: defaults → `kinora.toml` → `KINORA__SECTION__KEY` environment
//! variables → command-line `--set section.key=value`. Each adapter owns its section; unknown
//! keys are refused with their name and the source they came from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use kinora_app::videos::UploadLimits;
use kinora_app::{AuthConfig, InstanceConfig};
pub use kinora_core::transcoding::TranscodingConfig;
use kinora_db::DatabaseConfig;
use kinora_federation::FederationConfig;
use kinora_storage::StorageConfig;
use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[server]`: the HTTP server.
    pub server: ServerConfig,
    /// `[database]`: SQLite or PostgreSQL.
    pub database: DatabaseConfig,
    /// `[storage]`: where files live.
    pub storage: StorageConfig,
    /// `[transcoding]`: the transcoder pool.
    pub transcoding: TranscodingConfig,
    /// `[federation]`: ActivityPub.
    pub federation: FederationConfig,
    /// `[instance]`: name and registration.
    pub instance: InstanceConfig,
    /// `[auth]`: tokens and login limits.
    pub auth: AuthConfig,
    /// `[uploads]`: upload sizes and resumable sessions.
    pub uploads: UploadLimits,
    /// `[tracker]`: the BitTorrent tracker.
    pub tracker: kinora_p2p::tracker::TrackerConfig,
    /// `[p2p]`: sharing between viewers in the web player.
    pub p2p: kinora_app::P2pConfig,
    /// `[seeder]`: the BitTorrent seeding session.
    pub seeder: kinora_p2p::seeder::SeederConfig,
    /// `[web]`: the built web front end.
    pub web: kinora_api::pages::WebConfig,
    /// `[log]`: logging.
    pub log: LogConfig,
    /// `[metrics]`: the Prometheus metrics listener.
    pub metrics: crate::metrics::MetricsConfig,
    /// `[moderation]`: video blocks.
    pub moderation: kinora_app::ModerationConfig,
    /// `[search]`: who may search by handle or URL for remote objects.
    pub search: kinora_app::remote_search::SearchConfig,
    /// `[smtp]`: where e-mail goes out (none without a host).
    pub smtp: kinora_mail::SmtpConfig,
    /// `[backup]`: scheduled backups (none unless a directory is set).
    pub backup: crate::scheduled_backups::BackupConfig,
    /// `[export]`: the archives users ask for of their data.
    pub export: kinora_app::user_exports::UserExportConfig,
    /// `[live]`: live streaming (off unless enabled).
    pub live: kinora_app::lives::LiveConfig,
}

/// The `[server]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// The URL visitors and other instances reach the server at (no trailing slash).
    pub public_url: String,
    /// Seconds a request may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// Largest request body accepted by API routes, bytes (uploads have their own limits).
    pub body_limit_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<kinora_core::network::AddressRange>,
    /// Seconds to drain requests and jobs after SIGTERM before leases are released.
    pub shutdown_grace_secs: u64,
    /// Seconds a client has to send a whole request head; slower connections are closed.
    pub header_read_timeout_secs: u64,
    /// Open connections one client address may hold (trusted proxies are not counted).
    pub max_connections_per_address: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9000)),
            public_url: "http://localhost:9000".to_owned(),
            request_timeout_secs: 30,
            body_limit_bytes: 2 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            shutdown_grace_secs: 20,
            header_read_timeout_secs: 30,
            max_connections_per_address: 64,
        }
    }
}

/// The `[log]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter, e.g. `info` or `kinora_jobs=debug,info`; `RUST_LOG` overrides it.
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The named file does not exist.
    #[error("configuration file {0} does not exist")]
    Missing(PathBuf),
    /// A `--set` override is not `key=value`.
    #[error("--set {0:?} must look like section.key=value")]
    BadOverride(String),
    /// A key is unknown or a value has the wrong type; figment says which key and which source.
    #[error("{0}")]
    Invalid(String),
    /// A value is out of range.
    #[error("{key}: {message}")]
    Value {
        /// The dotted key.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Seconds an upload request may take: long enough for a large file on a slow link.
    pub fn uploads_timeout_secs(&self) -> u64 {
        self.uploads
            .request_timeout_secs
            .max(self.server.request_timeout_secs)
    }

    /// Loads the layers: defaults, then `file` (if any), then `KINORA__…` variables, then
    /// `overrides` (`section.key=value`).
    pub fn load(file: Option<&Path>, overrides: &[String]) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::Missing(file.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("KINORA__").split("__"));
        for item in overrides {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| ConfigError::BadOverride(item.clone()))?;
            figment = figment.merge(Serialized::default(key.trim(), parse_value(value.trim())));
        }
        let config: Config = figment
            .extract()
            .map_err(|error| ConfigError::Invalid(describe(error)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.backup
            .validate()
            .map_err(|(key, message)| ConfigError::Value { key, message })?;
        let url = &self.server.public_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
            return Err(ConfigError::Value {
                key: "server.public_url",
                message: format!("{url:?} must be an http(s) URL without a trailing slash"),
            });
        }
        if kinora_db::Backend::from_url(&self.database.url).is_none() {
            return Err(ConfigError::Value {
                key: "database.url",
                message: format!(
                    "{:?} must start with sqlite:// or postgres://",
                    self.database.url
                ),
            });
        }
        if let Err(message) = self.p2p.validate() {
            return Err(ConfigError::Value {
                key: "p2p.stun_servers",
                message,
            });
        }
        self.seeder
            .check()
            .map_err(|(key, message)| ConfigError::Value { key, message })?;
        self.metrics
            .check()
            .map_err(|(key, message)| ConfigError::Value { key, message })?;
        self.live
            .check()
            .map_err(|(key, message)| ConfigError::Value { key, message })?;
        if self.live.enabled {
            for (key, path) in [
                ("live.rtmps_certificate", &self.live.rtmps_certificate),
                ("live.rtmps_private_key", &self.live.rtmps_private_key),
            ] {
                if let Some(path) = path
                    && !path.is_file()
                {
                    return Err(ConfigError::Value {
                        key,
                        message: format!("{} is not a readable file", path.display()),
                    });
                }
            }
        }
        for (key, value) in [
            (
                "server.header_read_timeout_secs",
                self.server.header_read_timeout_secs,
            ),
            (
                "server.max_connections_per_address",
                self.server.max_connections_per_address as u64,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Value {
                    key,
                    message: "must be at least 1".to_owned(),
                });
            }
        }
        // The run-time settings' own checks hold for the file's values too (named as in the
        // custom configuration, e.g. `transcoding.resolutions` for `transcoding_resolutions`).
        kinora_app::instance_settings::validate(&self.instance).map_err(|error| {
            ConfigError::Value {
                key: "instance",
                message: error.to_string(),
            }
        })?;
        if self.database.max_connections == 0 {
            return Err(ConfigError::Value {
                key: "database.max_connections",
                message: "must be at least 1".to_owned(),
            });
        }
        Ok(())
    }
}

/// A `--set` value: a boolean or an integer when it reads as one, text otherwise.
fn parse_value(text: &str) -> figment::value::Value {
    if let Ok(flag) = text.parse::<bool>() {
        return flag.into();
    }
    if let Ok(number) = text.parse::<i64>() {
        return number.into();
    }
    text.to_owned().into()
}

/// Every error figment found, each with its key and source.
/// Each starts with the dotted key as written in the file (figment names a key from the
/// environment by its upper-case variable path), when the message does not already.
fn describe(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|error| {
            let key = error.path.join(".").to_ascii_lowercase();
            let message = error.to_string();
            if key.is_empty() || message.contains(&format!("\"{key}\"")) {
                message
            } else {
                format!("{key}: {message}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses_and_matches_the_defaults_it_documents() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kinora.example.toml");
        let config = Config::load(Some(&path), &[]).unwrap();
        assert_eq!(
            config.server.listen,
            SocketAddr::from(([127, 0, 0, 1], 9000))
        );
        assert_eq!(config.database.url, "sqlite://data/kinora.db");
        assert_eq!(
            config,
            Config::default(),
            "the example documents the defaults"
        );
    }

    #[test]
    fn files_then_overrides_win_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kinora.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:9100\"\n[transcoding]\nworkers = 3\n",
        )
        .unwrap();
        let config = Config::load(Some(&path), &["transcoding.workers=5".into()]).unwrap();
        assert_eq!(config.server.listen.port(), 9100);
        assert_eq!(config.transcoding.workers, 5);
        assert!(!config.federation.allow_private_addresses);
        let config =
            Config::load(None, &["federation.allow_private_addresses=true".into()]).unwrap();
        assert!(config.federation.allow_private_addresses);
    }

    #[test]
    fn the_instance_section_is_checked_as_run_time_changes_are() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instance.toml");
        for (text, named) in [
            (
                "[instance]\ntranscoding_resolutions = [240, 250]\n",
                "transcoding.resolutions",
            ),
            ("[instance]\nname = \"  \"\n", "instance.name"),
            (
                "[instance]\nmax_channels_per_user = 0\n",
                "videoChannels.maxPerUser",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let message = Config::load(Some(&path), &[]).unwrap_err().to_string();
            assert!(
                message.starts_with("instance: ") && message.contains(named),
                "{text}: {message}"
            );
        }
        std::fs::write(&path, "[instance]\ntranscoding_resolutions = [720, 240]\n").unwrap();
        let config = Config::load(Some(&path), &[]).unwrap();
        assert_eq!(config.instance.transcoding_resolutions, vec![720, 240]);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[server]\nlisten_adress = \"127.0.0.1:1\"\n").unwrap();
        let message = Config::load(Some(&path), &[]).unwrap_err().to_string();
        assert!(message.contains("listen_adress"), "{message}");
        assert!(message.contains("bad.toml"), "{message}");
        std::fs::write(&path, "[sever]\nlisten = \"127.0.0.1:1\"\n").unwrap();
        let message = Config::load(Some(&path), &[]).unwrap_err().to_string();
        assert!(
            message.contains("sever") && message.contains("bad.toml"),
            "{message}"
        );
        std::fs::write(&path, "[transcoding]\nworkers = \"many\"\n").unwrap();
        let message = Config::load(Some(&path), &[]).unwrap_err().to_string();
        assert!(
            message.contains("workers") && message.contains("bad.toml"),
            "{message}"
        );
    }

    #[test]
    fn bad_values_are_refused() {
        let error = Config::load(None, &["server.public_url=http://x/".into()]).unwrap_err();
        assert!(
            error.to_string().starts_with("server.public_url"),
            "{error}"
        );
        let error = Config::load(None, &["seeder.reconcile_interval_secs=0".into()]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("seeder.reconcile_interval_secs"),
            "{error}"
        );
        let error = Config::load(None, &["database.url=mysql://x".into()]).unwrap_err();
        assert!(error.to_string().starts_with("database.url"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stun.toml");
        std::fs::write(
            &path,
            "[p2p]\nstun_servers = [\"https://stun.example.org\"]\n",
        )
        .unwrap();
        let error = Config::load(Some(&path), &[]).unwrap_err().to_string();
        assert!(error.starts_with("p2p.stun_servers"), "{error}");
        assert!(Config::load(Some(Path::new("/nonexistent/kinora.toml")), &[]).is_err());
        assert!(matches!(
            Config::load(None, &["novalue".into()]),
            Err(ConfigError::BadOverride(_))
        ));
    }
}
