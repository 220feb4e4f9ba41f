//! Kinora's object storage: where every file the instance keeps lives, under keys built only
//! from server-generated ids.
//!
//! [`StorageKey`] is the only way to name a stored file: its constructors take UUIDs and
//! [`GeneratedName`]s (names the server made), never a string from a request, so user input can
//! never become a path. [`LocalStorage`] keeps files on local disk and publishes whole
//! directories atomically (write elsewhere, then rename). The S3 backend arrives with the
//! object-storage work. Depends only on `kinora-core`. Start reading at [`StorageKey`].

mod config;
mod key;
mod local;

pub use config::{LocalStorageConfig, StorageConfig};
pub use key::{GeneratedName, StorageKey};
pub use local::LocalStorage;

use std::path::PathBuf;

/// Why storage could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The local root could not be created or is not writable.
    #[error("storage root {path} is not usable: {source}")]
    Root {
        /// The configured root directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file operation failed.
    #[error("storage {operation} of {key} failed: {source}")]
    Io {
        /// What was attempted.
        operation: &'static str,
        /// The key.
        key: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A name is not one the server could have generated.
    #[error("not a generated file name: {0:?}")]
    BadName(String),
}
