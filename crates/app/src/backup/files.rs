//! File work of backups, all blocking (run it on a blocking thread): copying with the
//! SHA-256 taken on the way, hashing in place, and listing local media.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BackupError;

/// Read and write in 1 MiB blocks.
const BLOCK: usize = 1 << 20;

/// Size and SHA-256 (lowercase hex) of a file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// Bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// Creates a private file (mode 0600 on Unix: backups hold private keys and secrets).
pub fn create_private(path: &Path) -> Result<File, BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|source| BackupError::io(path, source))
}

/// Creates a directory and its parents, private (mode 0700 on Unix).
pub fn create_private_dir(path: &Path) -> Result<(), BackupError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .map_err(|source| BackupError::io(path, source))
}

/// Hashes what `reader` gives, writing it to `writer` on the way if there is one.
fn pump(
    mut reader: impl Read,
    mut writer: Option<&mut File>,
    source: &Path,
    target: &Path,
) -> Result<Hashed, BackupError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; BLOCK];
    let mut size = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(BackupError::io(source, error)),
        };
        hasher.update(&buffer[..read]);
        size += read as u64;
        if let Some(writer) = writer.as_deref_mut() {
            writer
                .write_all(&buffer[..read])
                .map_err(|error| BackupError::io(target, error))?;
        }
    }
    Ok(Hashed {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Flushes everything written to the file system that holds `path` to disk (`syncfs`): one
/// call after a whole copy, where a flush per file would wait for the disk file by file.
pub fn sync_filesystem(path: &Path) -> Result<(), BackupError> {
    let directory = File::open(path).map_err(|source| BackupError::io(path, source))?;
    rustix::fs::syncfs(&directory).map_err(|error| BackupError::io(path, error.into()))
}

/// Opens a regular file for reading without following a symbolic link at its place.
pub fn open_regular(path: &Path) -> Result<File, BackupError> {
    let metadata =
        std::fs::symlink_metadata(path).map_err(|source| BackupError::io(path, source))?;
    if !metadata.is_file() {
        return Err(BackupError::Damaged(vec![format!(
            "{} is not a regular file (a link or a directory)",
            path.display()
        )]));
    }
    File::open(path).map_err(|source| BackupError::io(path, source))
}

/// Copies `source` to the new private file `target` (its directory is created), hashing it.
/// Nothing is flushed to disk: see [`sync_filesystem`].
pub fn copy_hashed(source: &Path, target: &Path) -> Result<Hashed, BackupError> {
    let reader = open_regular(source)?;
    if let Some(parent) = target.parent() {
        create_private_dir(parent)?;
    }
    let mut writer = create_private(target)?;
    pump(reader, Some(&mut writer), source, target)
}

/// Hashes a file in place.
pub fn hash_file(path: &Path) -> Result<Hashed, BackupError> {
    pump(open_regular(path)?, None, path, path)
}

/// Every entry under `dir` that is not a directory (files, links, others), as
/// `/`-separated paths with their type; a missing `dir` has none.
pub fn walk(dir: &Path) -> Result<Vec<(String, std::fs::FileType)>, BackupError> {
    let mut found = Vec::new();
    let mut pending: Vec<(PathBuf, String)> = vec![(dir.to_path_buf(), String::new())];
    while let Some((current, prefix)) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(BackupError::io(&current, source)),
        };
        for entry in entries {
            let entry = entry.map_err(|source| BackupError::io(&current, source))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                tracing::warn!(path = %entry.path().display(), "skipping a name that is not UTF-8");
                continue;
            };
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry
                .file_type()
                .map_err(|source| BackupError::io(&entry.path(), source))?;
            if kind.is_dir() {
                pending.push((entry.path(), path));
            } else {
                found.push((path, kind));
            }
        }
    }
    Ok(found)
}

/// Every regular file under the local storage root that belongs to the instance, as
/// `/`-separated keys, sorted: everything but `tmp/` (uploads in flight, working
/// directories) and hidden names (write probes). Links are skipped: Kinora never makes any.
pub fn local_media(root: &Path) -> Result<Vec<String>, BackupError> {
    let mut keys: Vec<String> = walk(root)?
        .into_iter()
        .filter(|(key, kind)| {
            kind.is_file()
                && !key.starts_with("tmp/")
                && !key.split('/').any(|segment| segment.starts_with('.'))
        })
        .map(|(key, _)| key)
        .collect();
    keys.sort();
    Ok(keys)
}

/// The local path of a `/`-separated key under `root`.
pub fn key_path(root: &Path, key: &str) -> PathBuf {
    key.split('/')
        .fold(root.to_path_buf(), |path, segment| path.join(segment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_media_skips_work_hidden_files_and_links() {
        let root = tempfile::tempdir().unwrap();
        for key in [
            "thumbnails/a.jpg",
            "streaming-playlists/hls/u/m.m3u8",
            "tmp/work/x/partial.mp4",
            "tmp/resumable-uploads/y",
            ".kinora-write-test-1",
            "avatars/b.png",
        ] {
            let path = key_path(root.path(), key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, key).unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", root.path().join("thumbnails/link.jpg")).unwrap();
        assert_eq!(
            local_media(root.path()).unwrap(),
            vec![
                "avatars/b.png",
                "streaming-playlists/hls/u/m.m3u8",
                "thumbnails/a.jpg"
            ]
        );
    }

    #[test]
    fn copies_carry_the_hash_and_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        std::fs::write(&source, b"abc").unwrap();
        let copied = copy_hashed(&source, &dir.path().join("a/b/target")).unwrap();
        assert_eq!(
            copied,
            Hashed {
                size: 3,
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                    .to_owned()
            }
        );
        assert_eq!(hash_file(&dir.path().join("a/b/target")).unwrap(), copied);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("a/b/target"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            std::os::unix::fs::symlink(&source, dir.path().join("link")).unwrap();
            assert!(matches!(
                hash_file(&dir.path().join("link")),
                Err(BackupError::Damaged(_))
            ));
        }
    }
}
