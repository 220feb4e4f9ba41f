//! Local-disk storage: files under one root, published atomically by renaming.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::{LocalStorageConfig, StorageError, StorageKey};

/// Local-disk storage rooted at one directory.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

fn io_error(
    operation: &'static str,
    key: &StorageKey,
) -> impl FnOnce(std::io::Error) -> StorageError {
    let key = key.to_string();
    move |source| StorageError::Io {
        operation,
        key,
        source,
    }
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
        let probe = root.join(format!(".kinora-write-test-{}", Uuid::new_v4().simple()));
        std::fs::write(&probe, b"ok").map_err(fail)?;
        std::fs::remove_file(&probe).map_err(fail)?;
        Ok(Self { root })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The local path of a key (for serving and for the transcoder's input).
    pub fn path(&self, key: &StorageKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    /// Creates the parent directories of a key.
    pub fn prepare(&self, key: &StorageKey) -> Result<PathBuf, StorageError> {
        let path = self.path(key);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error("create directory", key))?;
        }
        Ok(path)
    }

    /// Makes a fresh private working directory (for uploads in flight and transcoding output).
    pub fn create_work_directory(&self) -> Result<(StorageKey, PathBuf), StorageError> {
        let key = StorageKey::work_directory(Uuid::new_v4());
        let path = self.path(&key);
        std::fs::create_dir_all(&path).map_err(io_error("create directory", &key))?;
        Ok((key, path))
    }

    /// Moves a finished local file to `key` (same file system: an atomic rename), after
    /// flushing it to disk.
    pub fn move_file_into(&self, source: &Path, key: &StorageKey) -> Result<(), StorageError> {
        let target = self.prepare(key)?;
        std::fs::File::open(source)
            .and_then(|file| file.sync_all())
            .map_err(io_error("sync", key))?;
        std::fs::rename(source, &target).map_err(io_error("rename", key))?;
        sync_parent(&target);
        Ok(())
    }

    /// Replaces the directory at `key` with `source` atomically: readers see either the old
    /// directory or the complete new one, never a partial one.
    pub fn publish_directory(&self, source: &Path, key: &StorageKey) -> Result<(), StorageError> {
        let target = self.prepare(key)?;
        sync_tree(source);
        if target.exists() {
            let retired = self.prepare(&StorageKey::work_directory(Uuid::new_v4()))?;
            std::fs::rename(&target, &retired).map_err(io_error("retire", key))?;
            std::fs::rename(source, &target).map_err(io_error("rename", key))?;
            let _ = std::fs::remove_dir_all(&retired);
        } else {
            std::fs::rename(source, &target).map_err(io_error("rename", key))?;
        }
        sync_parent(&target);
        Ok(())
    }

    /// Deletes working directories (and unfinished resumable uploads' siblings) not touched for
    /// `older_than`: what a process killed mid-work left behind. Returns how many went.
    pub fn purge_stale_work(&self, older_than: std::time::Duration) -> Result<usize, StorageError> {
        let directory = self.root.join("tmp/work");
        let entries = match std::fs::read_dir(&directory) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(source) => {
                return Err(StorageError::Io {
                    operation: "list",
                    key: "tmp/work".to_owned(),
                    source,
                });
            }
        };
        let mut purged = 0;
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > older_than);
            if stale && std::fs::remove_dir_all(entry.path()).is_ok() {
                purged += 1;
            }
        }
        Ok(purged)
    }

    /// Deletes a file or a directory; a missing one is not an error.
    pub fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        let path = self.path(key);
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error("delete", key)(error))
            }
            _ => Ok(()),
        }
    }
}

fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent()
        && let Ok(directory) = std::fs::File::open(parent)
    {
        let _ = directory.sync_all();
    }
}

fn sync_tree(directory: &Path) {
    if let Ok(entries) = std::fs::read_dir(directory) {
        for entry in entries.flatten() {
            if let Ok(file) = std::fs::File::open(entry.path()) {
                let _ = file.sync_all();
            }
        }
    }
    if let Ok(file) = std::fs::File::open(directory) {
        let _ = file.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeneratedName;

    fn storage() -> (tempfile::TempDir, LocalStorage) {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::open(&LocalStorageConfig {
            root: dir.path().join("root"),
        })
        .unwrap();
        (dir, storage)
    }

    #[test]
    fn open_creates_the_root_and_refuses_a_file() {
        let (dir, storage) = storage();
        assert!(storage.root().is_dir());
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let error = LocalStorage::open(&LocalStorageConfig { root: file }).unwrap_err();
        assert!(error.to_string().contains("is not usable"));
    }

    #[test]
    fn directories_are_published_whole_and_replaced_whole() {
        let (_dir, storage) = storage();
        let video = Uuid::new_v4();
        let key = StorageKey::hls_directory(video);
        let (_, work) = storage.create_work_directory().unwrap();
        std::fs::write(work.join("a-master.m3u8"), b"one").unwrap();
        storage.publish_directory(&work, &key).unwrap();
        let name = GeneratedName::parse("a-master.m3u8").unwrap();
        assert_eq!(
            std::fs::read(storage.path(&StorageKey::hls_file(video, &name))).unwrap(),
            b"one"
        );

        let (_, work) = storage.create_work_directory().unwrap();
        std::fs::write(work.join("b-master.m3u8"), b"two").unwrap();
        storage.publish_directory(&work, &key).unwrap();
        assert!(
            !storage.path(&StorageKey::hls_file(video, &name)).exists(),
            "old files replaced"
        );
        storage.delete(&key).unwrap();
        assert!(!storage.path(&key).exists());
        storage.delete(&key).unwrap();
    }

    #[test]
    fn stale_work_directories_are_purged_and_fresh_ones_kept() {
        let (_dir, storage) = storage();
        assert_eq!(
            storage.purge_stale_work(std::time::Duration::ZERO).unwrap(),
            0
        );
        let (_, old) = storage.create_work_directory().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let (_, fresh) = storage.create_work_directory().unwrap();
        let purged = storage
            .purge_stale_work(std::time::Duration::from_millis(20))
            .unwrap();
        assert_eq!(purged, 1);
        assert!(!old.exists());
        assert!(fresh.exists());
    }

    #[test]
    fn files_move_in() {
        let (_dir, storage) = storage();
        let (_, work) = storage.create_work_directory().unwrap();
        let source = work.join("upload");
        std::fs::write(&source, b"video bytes").unwrap();
        let key = StorageKey::original(Uuid::new_v4());
        storage.move_file_into(&source, &key).unwrap();
        assert_eq!(std::fs::read(storage.path(&key)).unwrap(), b"video bytes");
        assert!(!source.exists());
    }
}
