//! The `[storage]` configuration section.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The `[storage]` configuration section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Settings of the local-disk backend.
    pub local: LocalStorageConfig,
}

/// The `[storage.local]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalStorageConfig {
    /// Directory that holds every stored file (created if missing).
    pub root: PathBuf,
}

impl Default for LocalStorageConfig {
    fn default() -> Self {
        Self {
            root: PathBuf::from("data/storage"),
        }
    }
}
