//! Backups of a whole instance, taken while it serves, checked, and restored onto an empty
//! machine (`kinora backup create | verify | restore`).
//!
//! A backup is a directory (mode 0700, files 0600: it holds every actor's private key):
//! - `database.sqlite` (SQLite's `VACUUM INTO`) or `database.pgdump` (`pg_dump`): one
//!   consistent snapshot, with the actors' keys, so other instances keep accepting the
//!   restored instance's signatures;
//! - `config.toml`: the configuration in force (file, environment and `--set` merged);
//! - `media/<key>`: every file of local storage (not `tmp/`);
//! - `manifest.json`, written last: every file above with its size and SHA-256, and the S3
//!   objects listed (the bucket is copied by the operator's own means).
//!
//! The database is copied first, media after: a file deleted in between is missing from the
//! backup (its video was deleted after the snapshot; the restored instance answers 404 for
//! that file), a file added in between is an unreferenced extra.
//!
//! A restore checks everything before it changes anything: the manifest, the target database
//! (empty, same backend, a schema this build knows), local storage (empty), the public URL
//! (actor ids are made of it). It copies media into a staging directory, hashing every byte;
//! only when all of it matches does it put the database in place, then move the media in.

mod files;
mod manifest;
mod restore;

use std::path::Path;

use kinora_db::Db;
use kinora_db::snapshot::SnapshotError;
use kinora_storage::MediaStorage;

pub use manifest::{CONFIG_FILE, DatabaseEntry, FileEntry, MANIFEST, MEDIA_DIR, Manifest, S3Entry};
pub use restore::{RestoreReport, RestoreTarget, restore};

use futures_util::StreamExt;

use files::{Hashed, copy_hashed, create_private, create_private_dir, hash_file, key_path};

/// Files copied at once: hashing one while the disk reads or writes another (the SHA-256 of
/// every byte would otherwise add its time to the copy's).
const COPIES_AT_ONCE: usize = 3;

/// Why a backup, a check or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The backup does not match its manifest, or the manifest is unusable. Nothing was
    /// changed.
    #[error("the backup is damaged; nothing was changed:\n  {}", .0.join("\n  "))]
    Damaged(Vec<String>),
    /// The operation was refused before anything was changed.
    #[error("{0}; nothing was changed")]
    Refused(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The database copy could not be made or put back.
    #[error("database: {0}")]
    Snapshot(#[from] SnapshotError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] kinora_db::DbError),
    /// Listing S3 failed.
    #[error("storage: {0}")]
    Storage(#[from] kinora_storage::StorageError),
}

impl BackupError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        BackupError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// A step of a backup or a restore, for the command to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupEvent {
    /// The database was copied (or restored).
    Database {
        /// Size of its copy.
        bytes: u64,
    },
    /// Media files copied so far.
    Media {
        /// Files done.
        done: usize,
        /// Files in all.
        total: usize,
        /// Bytes done.
        bytes: u64,
    },
    /// A media file was deleted between the listing and its copy.
    Vanished {
        /// Its storage key.
        key: String,
    },
}

/// What [`create`] backs up.
#[derive(Debug, Clone, Copy)]
pub struct BackupSource<'a> {
    /// The instance's database.
    pub db: &'a Db,
    /// Its URL (for `pg_dump`).
    pub database_url: &'a str,
    /// Its storage.
    pub storage: &'a MediaStorage,
    /// `server.public_url`.
    pub public_url: &'a str,
    /// The configuration in force, as TOML.
    pub config_toml: &'a str,
    /// This build's version.
    pub kinora_version: &'a str,
}

/// What [`create`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Media files copied.
    pub media_files: usize,
    /// Bytes of every file copied, database included.
    pub bytes: u64,
    /// Media files deleted while the backup ran (not in it).
    pub vanished: usize,
    /// S3 objects listed.
    pub s3_objects: usize,
}

/// What [`verify`] checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files checked.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// The manifest.
    pub manifest: Manifest,
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| BackupError::Io {
            path: String::new(),
            source: std::io::Error::other(error.to_string()),
        })?
}

fn entry(path: &str, hashed: Hashed) -> FileEntry {
    FileEntry {
        path: path.to_owned(),
        size: hashed.size,
        sha256: hashed.sha256,
    }
}

/// Backs the instance up into `dir`, a new or empty directory, while it keeps serving.
pub async fn create(
    source: BackupSource<'_>,
    dir: &Path,
    mut progress: impl FnMut(BackupEvent),
) -> Result<BackupReport, BackupError> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(BackupError::Refused(format!(
            "{} is not empty: a backup goes into a new or empty directory",
            dir.display()
        )));
    }
    create_private_dir(dir)?;
    let created_at = kinora_core::dates::iso_date(kinora_db::now_millis());

    let (backend, database_file) = match source.db.backend() {
        kinora_db::Backend::Sqlite => ("sqlite", "database.sqlite"),
        kinora_db::Backend::Postgres => ("postgres", "database.pgdump"),
    };
    let database_path = dir.join(database_file);
    match source.db.backend() {
        kinora_db::Backend::Sqlite => source.db.snapshot_sqlite_into(&database_path).await?,
        kinora_db::Backend::Postgres => {
            kinora_db::snapshot::pg_dump(source.database_url, &database_path).await?
        }
    }
    make_private(&database_path)?;
    let schema_version = source.db.schema_version().await?;
    let hashed = {
        let path = database_path.clone();
        blocking(move || hash_file(&path)).await?
    };
    let mut bytes = hashed.size;
    progress(BackupEvent::Database { bytes: hashed.size });
    let mut files = vec![entry(database_file, hashed)];

    let config_path = dir.join(CONFIG_FILE);
    {
        use std::io::Write;
        let mut file = create_private(&config_path)?;
        file.write_all(source.config_toml.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|error| BackupError::io(&config_path, error))?;
    }
    let hashed = blocking(move || hash_file(&config_path)).await?;
    bytes += hashed.size;
    files.push(entry(CONFIG_FILE, hashed));

    let root = source.storage.local().root().to_path_buf();
    let keys = {
        let root = root.clone();
        blocking(move || files::local_media(&root)).await?
    };
    let total = keys.len();
    let mut report = BackupReport {
        media_files: 0,
        bytes: 0,
        vanished: 0,
        s3_objects: 0,
    };
    let copies = futures_util::stream::iter(keys.into_iter().map(|key| {
        let from = key_path(&root, &key);
        let path = format!("{MEDIA_DIR}/{key}");
        let to = key_path(dir, &path);
        async move {
            let copied = blocking(move || copy_hashed(&from, &to)).await;
            (key, path, copied)
        }
    }))
    .buffered(COPIES_AT_ONCE);
    tokio::pin!(copies);
    let mut done = 0;
    while let Some((key, path, copied)) = copies.next().await {
        done += 1;
        match copied {
            Ok(hashed) => {
                bytes += hashed.size;
                report.media_files += 1;
                files.push(entry(&path, hashed));
            }
            Err(BackupError::Io { source: error, .. })
                if error.kind() == std::io::ErrorKind::NotFound =>
            {
                report.vanished += 1;
                progress(BackupEvent::Vanished { key });
            }
            Err(error) => return Err(error),
        }
        if done % 100 == 0 || done == total {
            progress(BackupEvent::Media { done, total, bytes });
        }
    }

    let s3_objects: Vec<S3Entry> = source
        .storage
        .list_s3_objects()
        .await?
        .into_iter()
        .map(|(bucket, key, size)| S3Entry { bucket, key, size })
        .collect();
    report.s3_objects = s3_objects.len();
    {
        let dir = dir.to_path_buf();
        blocking(move || files::sync_filesystem(&dir)).await?;
    }
    report.bytes = bytes;

    let manifest = Manifest {
        format: manifest::FORMAT.to_owned(),
        version: manifest::VERSION,
        created_at,
        kinora_version: source.kinora_version.to_owned(),
        public_url: source.public_url.to_owned(),
        database: DatabaseEntry {
            backend: backend.to_owned(),
            file: database_file.to_owned(),
            schema_version,
        },
        files,
        s3_objects,
    };
    write_manifest(dir, &manifest)?;
    Ok(report)
}

fn make_private(path: &Path) -> Result<(), BackupError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|error| BackupError::io(path, error))?;
    }
    let _ = path;
    Ok(())
}

/// Writes the manifest under a temporary name, flushes it, then renames it into place: a
/// backup has its manifest only once it is whole.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    use std::io::Write;
    let temporary = dir.join(format!("{MANIFEST}.partial"));
    let text = serde_json::to_vec_pretty(manifest).map_err(|error| BackupError::Io {
        path: temporary.display().to_string(),
        source: std::io::Error::other(error),
    })?;
    let mut file = create_private(&temporary)?;
    file.write_all(&text)
        .and_then(|()| file.sync_all())
        .map_err(|error| BackupError::io(&temporary, error))?;
    let target = dir.join(MANIFEST);
    std::fs::rename(&temporary, &target).map_err(|error| BackupError::io(&target, error))?;
    if let Ok(directory) = std::fs::File::open(dir) {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// Checks a backup: the manifest, every file's size and SHA-256, and that the directory holds
/// nothing the manifest does not list. Reports every problem found, not only the first.
pub async fn verify(dir: &Path) -> Result<VerifyReport, BackupError> {
    let dir = dir.to_path_buf();
    blocking(move || {
        let manifest = Manifest::read(&dir)?;
        let mut problems = Vec::new();
        let mut bytes = 0;
        for entry in &manifest.files {
            let path = Manifest::path_in(&dir, entry);
            match hash_file(&path) {
                Ok(hashed) if hashed.size != entry.size => problems.push(format!(
                    "{}: {} bytes, the manifest says {}",
                    entry.path, hashed.size, entry.size
                )),
                Ok(hashed) if hashed.sha256 != entry.sha256 => problems.push(format!(
                    "{}: its SHA-256 differs from the manifest's",
                    entry.path
                )),
                Ok(hashed) => bytes += hashed.size,
                Err(BackupError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    problems.push(format!("{}: missing", entry.path));
                }
                Err(BackupError::Damaged(found)) => problems.extend(found),
                Err(error) => return Err(error),
            }
        }
        let listed: std::collections::HashSet<&str> = manifest
            .files
            .iter()
            .map(|file| file.path.as_str())
            .collect();
        for (path, _) in files::walk(&dir)? {
            if path != MANIFEST && !listed.contains(path.as_str()) {
                problems.push(format!("{path}: not in the manifest"));
            }
        }
        if !problems.is_empty() {
            return Err(BackupError::Damaged(problems));
        }
        Ok(VerifyReport {
            files: manifest.files.len(),
            bytes,
            manifest,
        })
    })
    .await
}
