//! Reading an uploaded archive: documents (`peertube/*.json`, bounded) and files, each looked
//! up by its name in the ZIP (never joined to a directory), only plain files (no links), each
//! bounded by the limit of what it is whatever its header claims.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::MAX_DOCUMENT_BYTES;
use crate::{AppError, AppResult};

pub(super) fn broken(message: impl std::fmt::Display) -> AppError {
    AppError::Unprocessable(format!("the archive cannot be read: {message}"))
}

/// The ZIP, opened anew on a blocking thread for each read.
pub(super) struct Archive {
    /// The ZIP on local disk.
    pub(super) path: PathBuf,
}

impl Archive {
    /// Runs `read` on a blocking thread with entry `name` (a plain file), answers what it
    /// answers; `None` when there is no such entry.
    async fn with_entry<T: Send + 'static>(
        &self,
        name: &str,
        read: impl FnOnce(&str, zip::read::ZipFile<'_, std::fs::File>) -> AppResult<T> + Send + 'static,
    ) -> AppResult<Option<T>> {
        let (path, name) = (self.path.clone(), name.to_owned());
        tokio::task::spawn_blocking(move || -> AppResult<Option<T>> {
            let file = std::fs::File::open(&path).map_err(broken)?;
            let mut zip = zip::ZipArchive::new(file).map_err(broken)?;
            let Ok(entry) = zip.by_name(&name) else {
                return Ok(None);
            };
            refuse_non_file(&entry, &name)?;
            read(&name, entry).map(Some)
        })
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?
    }

    /// The bytes of entry `name`, at most `limit`; `None` when there is no such entry.
    pub(super) async fn read(&self, name: &str, limit: u64) -> AppResult<Option<Vec<u8>>> {
        self.with_entry(name, move |name, entry| {
            let too_large = || broken(format!("{name} is larger than {limit} bytes"));
            if entry.size() > limit {
                return Err(too_large());
            }
            let mut bytes = Vec::new();
            entry
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(broken)?;
            if bytes.len() as u64 > limit {
                return Err(too_large());
            }
            Ok(bytes)
        })
        .await
    }

    /// Copies entry `name` (at most `limit` bytes) to `destination`; answers its size, or
    /// `None` when there is no such entry.
    pub(super) async fn extract(
        &self,
        name: &str,
        destination: &Path,
        limit: u64,
    ) -> AppResult<Option<u64>> {
        let destination = destination.to_owned();
        self.with_entry(name, move |name, entry| {
            let too_large = || AppError::TooLarge {
                code: "max_file_size_reached",
                message: format!("{name} is larger than the {limit} bytes allowed"),
            };
            if entry.size() > limit {
                return Err(too_large());
            }
            let mut output = std::fs::File::create(&destination).map_err(broken)?;
            let copied = std::io::copy(&mut entry.take(limit + 1), &mut output).map_err(broken)?;
            if copied > limit {
                let _ = std::fs::remove_file(&destination);
                return Err(too_large());
            }
            Ok(copied)
        })
        .await
    }

    /// `peertube/<name>` as JSON; `Null` when the archive has no such document.
    pub(super) async fn document(&self, name: &str) -> AppResult<Value> {
        match self
            .read(&format!("peertube/{name}"), MAX_DOCUMENT_BYTES)
            .await?
        {
            Some(bytes) => {
                serde_json::from_slice(&bytes).map_err(|error| broken(format!("{name}: {error}")))
            }
            None => Ok(Value::Null),
        }
    }
}

/// Refuses an entry that is a symbolic link or a directory: only plain files are read.
fn refuse_non_file<R: Read>(entry: &zip::read::ZipFile<'_, R>, name: &str) -> AppResult<()> {
    if entry.is_symlink() || entry.is_dir() {
        return Err(broken(format!("{name} is not a plain file")));
    }
    Ok(())
}

/// Refuses a file that is plainly not audio or video (its first bytes, as uploads are checked).
pub(super) async fn ensure_media(path: &Path) -> AppResult<()> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::with_capacity(kinora_core::media_signature::SNIFF_BYTES);
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    file.take(kinora_core::media_signature::SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    match kinora_core::media_signature::sniff(&head, true) {
        kinora_core::media_signature::Sniff::Media(_) => Ok(()),
        _ => Err(AppError::Unprocessable(
            "the archived video file is not audio or video".to_owned(),
        )),
    }
}

/// The ZIP entry an `archiveFiles` path names (`../files/…`, relative to `peertube/`): only
/// plain relative paths under `files/`.
pub(super) fn entry_name(path: &Value) -> Option<String> {
    let path = path.as_str()?;
    let name = path.strip_prefix("../").unwrap_or(path);
    let plain = name.starts_with("files/")
        && name.len() <= 512
        && !name.contains('\\')
        && name
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    plain.then(|| name.to_owned())
}

pub(super) fn text(value: &Value, field: &str) -> Option<String> {
    value[field]
        .as_str()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}
