//! librqbit storage that only reads the media files it is given.
//!
//! librqbit's own filesystem storage opens every file read-write, creates missing ones, calls
//! `set_len` after the check (truncating a file longer than its torrent says) and writes pieces
//! it lacks. The seeder shares files the server published and must never change them, so this
//! storage opens each file read-only at the path the seeder names (not under librqbit's output
//! folder), refuses a file whose length is not the torrent's, refuses every write and deletion,
//! and only compares lengths where librqbit asks for `set_len`. It counts the bytes it reads,
//! so fast-resume can be observed.

use std::any::TypeId;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use librqbit::storage::filesystem::FilesystemStorageFactory;
use librqbit::storage::{BoxStorageFactory, StorageFactory, StorageFactoryExt, TorrentStorage};
use librqbit::{ManagedTorrentShared, TorrentMetadata};

/// Makes a [`ReadOnlyStorage`] over the given files, one path per file of the torrent in the
/// torrent's order. With no paths it refuses every torrent (the session's default factory, so a
/// torrent librqbit restores by itself never gets storage that could write).
#[derive(Clone)]
pub(crate) struct ReadOnlyStorageFactory {
    paths: Arc<[PathBuf]>,
    bytes_read: Arc<AtomicU64>,
}

impl ReadOnlyStorageFactory {
    /// A factory for a torrent whose files are at `paths`; reads are added to `bytes_read`.
    pub(crate) fn new(paths: Vec<PathBuf>, bytes_read: Arc<AtomicU64>) -> Self {
        Self {
            paths: paths.into(),
            bytes_read,
        }
    }
}

impl StorageFactory for ReadOnlyStorageFactory {
    type Storage = ReadOnlyStorage;

    fn create(
        &self,
        _shared: &ManagedTorrentShared,
        metadata: &TorrentMetadata,
    ) -> anyhow::Result<ReadOnlyStorage> {
        let files = metadata.file_infos.len();
        if files != self.paths.len() {
            bail!(
                "the torrent has {files} files but the seeder named {} paths",
                self.paths.len()
            );
        }
        Ok(ReadOnlyStorage {
            paths: self.paths.clone(),
            files: Vec::new(),
            bytes_read: self.bytes_read.clone(),
        })
    }

    /// librqbit's JSON session persistence (which also keeps the fast-resume bitfields) refuses
    /// any factory but its filesystem one, because it restores torrents on its own with the
    /// session's default factory. This storage lays files out on disk like that one (it only
    /// reads them) and the session's default factory is a path-less one that refuses every
    /// torrent, so a restored torrent could never be opened for writing: answering yes for
    /// `FilesystemStorageFactory` is what lets fast-resume work with read-only files.
    fn is_type_id(&self, type_id: TypeId) -> bool {
        type_id == TypeId::of::<Self>() || type_id == TypeId::of::<FilesystemStorageFactory>()
    }

    fn clone_box(&self) -> BoxStorageFactory {
        self.clone().boxed()
    }
}

/// The files of one torrent, opened read-only once their lengths matched the torrent's.
pub(crate) struct ReadOnlyStorage {
    paths: Arc<[PathBuf]>,
    files: Vec<Arc<File>>,
    bytes_read: Arc<AtomicU64>,
}

/// Opens `path` read-only and checks that it is a regular file of exactly `length` bytes.
fn open_checked(path: &Path, length: u64) -> anyhow::Result<File> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        bail!("{} is not a regular file", path.display());
    }
    if metadata.len() != length {
        bail!(
            "{} is {} bytes but its torrent says {length}; the seeder never changes a file",
            path.display(),
            metadata.len()
        );
    }
    Ok(file)
}

impl ReadOnlyStorage {
    fn file(&self, file_id: usize) -> anyhow::Result<&File> {
        self.files
            .get(file_id)
            .map(AsRef::as_ref)
            .with_context(|| format!("file {file_id} is not open"))
    }

    fn path(&self, file_id: usize) -> &Path {
        self.paths
            .get(file_id)
            .map_or(Path::new("?"), AsRef::as_ref)
    }
}

impl TorrentStorage for ReadOnlyStorage {
    fn init(
        &mut self,
        _shared: &ManagedTorrentShared,
        metadata: &TorrentMetadata,
    ) -> anyhow::Result<()> {
        let mut files = Vec::with_capacity(self.paths.len());
        for (path, info) in self.paths.iter().zip(&metadata.file_infos) {
            if info.attrs.padding {
                bail!("torrents with padding files are not seeded");
            }
            files.push(Arc::new(open_checked(path, info.len)?));
        }
        self.files = files;
        Ok(())
    }

    fn pread_exact(&self, file_id: usize, offset: u64, buf: &mut [u8]) -> anyhow::Result<()> {
        self.file(file_id)?
            .read_exact_at(buf, offset)
            .with_context(|| format!("reading {}", self.path(file_id).display()))?;
        self.bytes_read
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn pwrite_all(&self, file_id: usize, offset: u64, _buf: &[u8]) -> anyhow::Result<()> {
        bail!(
            "refused to write {} at {offset}: the seeder only reads",
            self.path(file_id).display()
        )
    }

    fn remove_file(&self, file_id: usize, _filename: &Path) -> anyhow::Result<()> {
        bail!(
            "refused to delete {}: the seeder only reads",
            self.path(file_id).display()
        )
    }

    fn remove_directory_if_empty(&self, path: &Path) -> anyhow::Result<()> {
        bail!(
            "refused to remove {}: the seeder only reads",
            path.display()
        )
    }

    /// Checks the length instead of setting it.
    fn ensure_file_length(&self, file_id: usize, length: u64) -> anyhow::Result<()> {
        let actual = self.file(file_id)?.metadata()?.len();
        if actual != length {
            bail!(
                "{} is {actual} bytes, not {length}; left as it is",
                self.path(file_id).display()
            );
        }
        Ok(())
    }

    fn take(&self) -> anyhow::Result<Box<dyn TorrentStorage>> {
        Ok(Box::new(Self {
            paths: self.paths.clone(),
            files: self.files.clone(),
            bytes_read: self.bytes_read.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn storage_over(path: &Path) -> (ReadOnlyStorage, Arc<AtomicU64>) {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let length = std::fs::metadata(path).unwrap().len();
        let storage = ReadOnlyStorage {
            paths: vec![path.to_path_buf()].into(),
            files: vec![Arc::new(open_checked(path, length).unwrap())],
            bytes_read: bytes_read.clone(),
        };
        (storage, bytes_read)
    }

    #[test]
    fn reads_are_counted_and_writes_deletions_and_resizes_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("media.mp4");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(b"0123456789")
            .unwrap();
        let (storage, bytes_read) = storage_over(&path);
        let mut buf = [0; 4];
        storage.pread_exact(0, 3, &mut buf).unwrap();
        assert_eq!(&buf, b"3456");
        assert_eq!(bytes_read.load(Ordering::Relaxed), 4);
        assert!(storage.pread_exact(0, 8, &mut buf).is_err(), "past the end");
        assert!(storage.pread_exact(1, 0, &mut buf).is_err(), "no such file");

        assert!(storage.pwrite_all(0, 0, b"xx").is_err());
        let slices = [std::io::IoSlice::new(b"a"), std::io::IoSlice::new(b"b")];
        assert!(storage.pwrite_all_vectored(0, 0, slices).is_err());
        assert!(storage.remove_file(0, Path::new("media.mp4")).is_err());
        assert!(storage.remove_directory_if_empty(Path::new("")).is_err());
        assert!(storage.ensure_file_length(0, 10).is_ok());
        assert!(storage.ensure_file_length(0, 4).is_err());
        assert!(storage.ensure_file_length(0, 20).is_err());
        let taken = storage.take().unwrap();
        taken.pread_exact(0, 0, &mut buf).unwrap();
        assert_eq!(&buf, b"0123");
        assert_eq!(std::fs::read(&path).unwrap(), b"0123456789");
    }

    #[test]
    fn only_regular_files_of_the_torrent_length_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("media.mp4");
        std::fs::write(&path, b"0123456789").unwrap();
        assert!(open_checked(&path, 10).is_ok());
        let error = open_checked(&path, 9).unwrap_err().to_string();
        assert!(error.contains("10 bytes"), "{error}");
        assert!(open_checked(&path, 11).is_err());
        assert!(open_checked(dir.path(), 0).is_err(), "a directory");
        assert!(open_checked(&dir.path().join("missing"), 0).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"0123456789");
    }
}
