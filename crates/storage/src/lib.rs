//! Kinora's object storage: where every file the instance keeps lives.
//!
//! Today this crate owns the `[storage]` configuration section and prepares the local-disk root;
//! the key layout, streaming put/get and the S3 backend arrive with the upload and object-storage
//! work. Depends only on `kinora-core`. Start reading at [`StorageConfig`].

use std::path::{Path, PathBuf};

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
}

/// Local-disk storage rooted at one directory.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    /// Creates the root directory if needed and checks that it is writable.
    pub fn open(config: &LocalStorageConfig) -> Result<Self, StorageError> {
        let root = config.root.clone();
        let fail = |source| StorageError::Root {
            path: root.clone(),
            source,
        };
        std::fs::create_dir_all(&root).map_err(fail)?;
        let probe = root.join(".kinora-write-test");
        std::fs::write(&probe, b"ok").map_err(fail)?;
        std::fs::remove_file(&probe).map_err(fail)?;
        Ok(Self { root })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_creates_the_root() {
        let dir = std::env::temp_dir().join(format!("kinora-storage-{}", std::process::id()));
        let config = LocalStorageConfig {
            root: dir.join("nested/root"),
        };
        let storage = LocalStorage::open(&config).unwrap();
        assert!(storage.root().is_dir());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn open_refuses_a_root_that_is_a_file() {
        let file = std::env::temp_dir().join(format!("kinora-storage-file-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let error = LocalStorage::open(&LocalStorageConfig { root: file.clone() }).unwrap_err();
        assert!(error.to_string().contains("is not usable"));
        std::fs::remove_file(&file).unwrap();
    }
}
