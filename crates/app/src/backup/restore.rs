//! `kinora backup restore`: checks everything, stages and hashes every byte, then puts the
//! database in place and moves the media in. See the module above for the order and why.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use kinora_db::{Backend, DatabaseConfig, Db};
use kinora_storage::MediaStorage;
use uuid::Uuid;

use super::files::{copy_hashed, hash_file, key_path, local_media, sync_filesystem};
use super::{BackupError, BackupEvent, FileEntry, Manifest, blocking};

/// Where [`restore`] puts a backup: the configuration of the machine restored onto.
#[derive(Debug, Clone, Copy)]
pub struct RestoreTarget<'a> {
    /// `[database]`: an empty database.
    pub database: &'a DatabaseConfig,
    /// The storage; its local root must hold no media.
    pub storage: &'a MediaStorage,
    /// `server.public_url`: must be the backup's.
    pub public_url: &'a str,
}

/// What [`restore`] put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// Media files restored.
    pub media_files: usize,
    /// Bytes restored, database included.
    pub bytes: u64,
    /// The backup's manifest.
    pub manifest: Manifest,
    /// S3 objects the manifest lists that the configured buckets lack (or hold with another
    /// size), as `bucket/key`: the bucket copy still has to be put back. `None` when the
    /// manifest lists objects but `[storage.s3]` is not configured.
    pub s3_missing: Option<Vec<String>>,
}

/// Files made on the way, removed unless the restore completes.
struct Staged {
    paths: Vec<PathBuf>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        for path in &self.paths {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Checks that `got` is what the manifest says `entry` is.
fn compare(entry: &FileEntry, got: &super::Hashed, problems: &mut Vec<String>) -> bool {
    if got.size != entry.size {
        problems.push(format!(
            "{}: {} bytes, the manifest says {}",
            entry.path, got.size, entry.size
        ));
        false
    } else if got.sha256 != entry.sha256 {
        problems.push(format!(
            "{}: its SHA-256 differs from the manifest's",
            entry.path
        ));
        false
    } else {
        true
    }
}

/// Restores the backup in `dir` onto `target`. Refused, with nothing changed, when the
/// backup is damaged or the target is not empty.
pub async fn restore(
    dir: &Path,
    target: RestoreTarget<'_>,
    mut progress: impl FnMut(BackupEvent),
) -> Result<RestoreReport, BackupError> {
    let manifest = {
        let dir = dir.to_path_buf();
        blocking(move || Manifest::read(&dir)).await?
    };
    check_target(&manifest, target).await?;
    let root = target.storage.local().root().to_path_buf();
    let mut staged = Staged { paths: Vec::new() };

    // Everything is read and hashed before anything is changed.
    let mut problems = Vec::new();
    let mut bytes = 0u64;
    let config_entry = manifest
        .files
        .iter()
        .find(|entry| entry.path == super::CONFIG_FILE);
    let database_entry = manifest
        .files
        .iter()
        .find(|entry| entry.path == manifest.database.file)
        .expect("checked by Manifest::check")
        .clone();
    let sqlite_target = match Backend::from_url(&target.database.url) {
        Some(Backend::Sqlite) => Some(
            kinora_db::snapshot::sqlite_file(&target.database.url).ok_or_else(|| {
                BackupError::Refused(format!(
                    "database.url {:?} names no SQLite file to restore into",
                    target.database.url
                ))
            })?,
        ),
        _ => None,
    };
    // An SQLite copy is hashed as it is copied next to its place (below); a PostgreSQL dump
    // is read by pg_restore, so it is hashed here.
    let dump = sqlite_target.is_none().then_some(&database_entry);
    for entry in config_entry.into_iter().chain(dump) {
        let path = Manifest::path_in(dir, entry);
        let hashed = blocking(move || hash_file(&path)).await;
        check_hashed(entry, hashed, &mut problems, &mut bytes)?;
    }
    let staging = root.join(format!("tmp/restore-{}", Uuid::new_v4()));
    staged.paths.push(staging.clone());
    let media: Vec<&FileEntry> = manifest
        .files
        .iter()
        .filter(|entry| entry.media_key().is_some())
        .collect();
    let total = media.len();
    {
        let copies = futures_util::stream::iter(media.iter().map(|entry| {
            let key = entry.media_key().expect("filtered");
            let from = Manifest::path_in(dir, entry);
            let to = key_path(&staging, key);
            async move { (*entry, blocking(move || copy_hashed(&from, &to)).await) }
        }))
        .buffered(super::COPIES_AT_ONCE);
        tokio::pin!(copies);
        let mut done = 0;
        while let Some((entry, hashed)) = copies.next().await {
            done += 1;
            check_hashed(entry, hashed, &mut problems, &mut bytes)?;
            if done % 100 == 0 || done == total {
                progress(BackupEvent::Media { done, total, bytes });
            }
        }
    }
    if !problems.is_empty() {
        return Err(BackupError::Damaged(problems));
    }
    {
        let root = root.clone();
        blocking(move || sync_filesystem(&root)).await?;
    }

    // The database: SQLite's file is copied next to its place and renamed over the empty one;
    // PostgreSQL's dump is restored in one transaction.
    let database_copy = Manifest::path_in(dir, &database_entry);
    match sqlite_target {
        Some(file) => {
            let temporary = sibling(&file, &format!("restore-{}", Uuid::new_v4()));
            staged.paths.push(temporary.clone());
            let copied = {
                let temporary = temporary.clone();
                blocking(move || copy_hashed(&database_copy, &temporary)).await
            };
            check_hashed(&database_entry, copied, &mut problems, &mut bytes)?;
            if !problems.is_empty() {
                return Err(BackupError::Damaged(problems));
            }
            let directory = temporary
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            blocking(move || sync_filesystem(&directory)).await?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(sibling(&file, suffix));
            }
            std::fs::rename(&temporary, &file).map_err(|error| BackupError::io(&file, error))?;
        }
        None => kinora_db::snapshot::pg_restore(&target.database.url, &database_copy).await?,
    }
    progress(BackupEvent::Database {
        bytes: database_entry.size,
    });

    for entry in &media {
        let key = entry.media_key().expect("filtered");
        let from = key_path(&staging, key);
        let to = key_path(&root, key);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|error| BackupError::io(parent, error))?;
        }
        std::fs::rename(&from, &to).map_err(|error| BackupError::io(&to, error))?;
    }
    {
        let root = root.clone();
        blocking(move || sync_filesystem(&root)).await?;
    }
    drop(staged);
    let s3_missing = missing_s3_objects(&manifest, target.storage).await?;
    Ok(RestoreReport {
        media_files: media.len(),
        bytes,
        manifest,
        s3_missing,
    })
}

/// The manifest's S3 objects that the configured buckets do not hold with their size.
async fn missing_s3_objects(
    manifest: &Manifest,
    storage: &MediaStorage,
) -> Result<Option<Vec<String>>, BackupError> {
    if manifest.s3_objects.is_empty() {
        return Ok(Some(Vec::new()));
    }
    if !storage.has_s3() {
        return Ok(None);
    }
    let present: std::collections::HashSet<(String, String, u64)> =
        storage.list_s3_objects().await?.into_iter().collect();
    Ok(Some(
        manifest
            .s3_objects
            .iter()
            .filter(|object| {
                !present.contains(&(object.bucket.clone(), object.key.clone(), object.size))
            })
            .map(|object| format!("{}/{}", object.bucket, object.key))
            .collect(),
    ))
}

/// `file` with `suffix` appended to its name.
fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Adds what is wrong with a hashed file to `problems`; a file the backup lacks or cannot
/// give is a problem too, other errors (the target's disk) end the restore.
fn check_hashed(
    entry: &FileEntry,
    hashed: Result<super::Hashed, BackupError>,
    problems: &mut Vec<String>,
    bytes: &mut u64,
) -> Result<(), BackupError> {
    match hashed {
        Ok(hashed) => {
            if compare(entry, &hashed, problems) {
                *bytes += hashed.size;
            }
            Ok(())
        }
        Err(BackupError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            problems.push(format!("{}: missing", entry.path));
            Ok(())
        }
        Err(BackupError::Damaged(found)) => {
            problems.extend(found);
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Refuses a target that is not the backup's kind or not empty.
async fn check_target(manifest: &Manifest, target: RestoreTarget<'_>) -> Result<(), BackupError> {
    if manifest.public_url != target.public_url {
        return Err(BackupError::Refused(format!(
            "the backup is of {}, but server.public_url is {}: actor ids and signatures are \
             made of the public URL, so a restore keeps it",
            manifest.public_url, target.public_url
        )));
    }
    let backend = Backend::from_url(&target.database.url).ok_or_else(|| {
        BackupError::Refused(format!(
            "database.url {:?} names no supported database",
            target.database.url
        ))
    })?;
    let backend_name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    if manifest.database.backend != backend_name {
        return Err(BackupError::Refused(format!(
            "the backup holds a {} database, but database.url is {backend_name}",
            manifest.database.backend
        )));
    }
    if let Some(version) = manifest.database.schema_version
        && !kinora_db::known_migrations(backend).contains(&version)
    {
        return Err(BackupError::Refused(format!(
            "the backup's database has migration {version}, which this build does not know: \
             it was made by a newer Kinora ({}); restore it with that version",
            manifest.kinora_version
        )));
    }
    let db = Db::connect(target.database).await?;
    let has_tables = db.has_tables().await;
    db.close().await;
    if has_tables? {
        return Err(BackupError::Refused(
            "the database is not empty: a restore goes onto an empty database (create a new \
             one, or remove this one's tables if you mean to replace it)"
                .to_owned(),
        ));
    }
    let root = target.storage.local().root().to_path_buf();
    let present = blocking(move || local_media(&root)).await?;
    if let Some(first) = present.first() {
        return Err(BackupError::Refused(format!(
            "local storage {} already holds {} file(s) ({first}, …): a restore goes onto an \
             empty storage root",
            target.storage.local().root().display(),
            present.len()
        )));
    }
    Ok(())
}
