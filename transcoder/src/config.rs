//! The configuration a transcoder reads: the `[database]`, `[storage]`, `[transcoding]`,
//! `[live]` and `[log]` sections of the shared file (other sections are ignored), or, when `kinora serve` started
//! it, the server's effective settings passed in `KINORA_TRANSCODER_SETTINGS` (JSON).

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use kinora_core::transcoding::TranscodingConfig;
use kinora_db::DatabaseConfig;
use kinora_storage::StorageConfig;
use serde::{Deserialize, Serialize};

/// The environment variable through which `kinora serve` hands its settings to its children.
pub const SETTINGS_VARIABLE: &str = "KINORA_TRANSCODER_SETTINGS";

/// The sections of the shared configuration a transcoder reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TranscoderConfig {
    /// `[database]`.
    pub database: DatabaseConfig,
    /// `[storage]`.
    pub storage: StorageConfig,
    /// `[transcoding]`.
    pub transcoding: TranscodingConfig,
    /// `[log]`: its `level` and `format` (`text` or `json`), as the server reads them.
    pub log: LogSection,
    /// `[live]`: the RTMP ingest (`kinora-transcoder live`).
    pub live: kinora_core::live::LiveConfig,
}

/// The `[log]` keys a transcoder uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSection {
    /// A tracing filter; `RUST_LOG` overrides it.
    pub level: String,
    /// `text` for people, `json` for log collectors (one object per line).
    pub format: String,
}

impl Default for LogSection {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: "text".to_owned(),
        }
    }
}

impl TranscoderConfig {
    /// Loads the settings: from `KINORA_TRANSCODER_SETTINGS` when set, else defaults → file →
    /// `KINORA__…` environment, where `database.url` must be given (there is no default).
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        if let Ok(json) = std::env::var(SETTINGS_VARIABLE) {
            return Ok(serde_json::from_str(&json)?);
        }
        // What the file and the environment say, without the defaults.
        let mut given = Figment::new();
        if let Some(file) = file {
            anyhow::ensure!(
                file.is_file(),
                "configuration file {} does not exist",
                file.display()
            );
            given = given.merge(Toml::file_exact(file));
        }
        given = given.merge(Env::prefixed("KINORA__").split("__"));
        // The server's SQLite default would be a new, empty database here: a transcoder must be
        // told where the server's is.
        anyhow::ensure!(
            given.find_value("database.url").is_ok(),
            "database.url is not set: a transcoder works on the server's database; set it in \
             the configuration file's [database] section or in KINORA__DATABASE__URL"
        );
        Figment::from(Serialized::defaults(Self::default()))
            .merge(given)
            .extract()
            .map_err(|error| anyhow::anyhow!(describe(error)))
    }
}

/// Every error figment found, each starting with its dotted key as written in the file (figment
/// names a key from the environment by its upper-case variable path).
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
