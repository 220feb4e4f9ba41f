//! The `[storage]` configuration section.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::S3Config;

/// Where new files go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Local disk under `[storage.local].root`.
    #[default]
    Local,
    /// The S3 bucket(s) of `[storage.s3]`.
    S3,
}

/// The `[storage]` configuration section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Where new files go: `"local"` or `"s3"`. Files already stored stay where they are (each
    /// video records its location) until `kinora storage migrate` moves them.
    pub backend: Backend,
    /// Settings of the local-disk backend; its root also holds uploads in flight and working
    /// directories whatever the backend.
    pub local: LocalStorageConfig,
    /// Settings of the S3 backend (used when `backend = "s3"`, or when `bucket` is set so that
    /// files stored there earlier stay reachable).
    pub s3: S3Config,
}

impl StorageConfig {
    /// Whether `[storage.s3]` is configured (a bucket is named).
    pub fn has_s3(&self) -> bool {
        !self.s3.bucket.is_empty()
    }
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
