//! Downloading an object into a local file: one GET for a small object, ranged GETs in
//! parallel for a large one (as the AWS CLI does), each range written at its offset. A single
//! streamed GET is bound by the server's speed on one connection; several ranges at once are
//! not.

use std::path::Path;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::S3Storage;
use crate::{StorageError, StorageKey};

/// Ranges in flight at once in [`S3Storage::download_to_file`].
const PARALLEL_RANGES: usize = 8;
/// The buffer between a range's stream and the file (one write per MiB).
const WRITE_BUFFER_SIZE: usize = 1024 * 1024;

/// The local side of a download failed (create, write or sync the file).
fn file_error(key: &StorageKey, source: std::io::Error) -> StorageError {
    StorageError::Io {
        operation: "download to file",
        key: key.to_string(),
        source,
    }
}

/// Removes the download file if dropped armed: a failed or cancelled download leaves no
/// partial file behind.
struct PartialFile<'a> {
    path: &'a Path,
    armed: bool,
}

impl Drop for PartialFile<'_> {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(self.path);
        }
    }
}

impl S3Storage {
    /// Downloads the object under `key` into the file at `path` (created, or replaced if it
    /// exists) and returns its size in bytes.
    ///
    /// A HEAD request gives the size ([`StorageError::NotFound`] when there is no such object;
    /// no file is created then). An object of at most `multipart_part_size` bytes comes in one
    /// GET; a larger one as `multipart_part_size` ranges, up to 8 in flight, each written at
    /// its offset in the file, which is sized up front. Every range must bring exactly the
    /// bytes asked for (an object replaced during the download fails it). The file is synced
    /// to disk before this returns. On any error, and if the future is dropped, the partial
    /// file is deleted.
    pub async fn download_to_file(
        &self,
        key: &StorageKey,
        path: &Path,
    ) -> Result<u64, StorageError> {
        let size = self
            .head(key)
            .await?
            .ok_or_else(|| StorageError::NotFound {
                key: key.to_string(),
            })?
            .size;
        let file = tokio::fs::File::create(path)
            .await
            .map_err(|source| file_error(key, source))?;
        let mut partial = PartialFile { path, armed: true };
        let part_size = self.config.multipart_part_size;
        if size <= part_size {
            self.download_range(key, file, None, size).await?;
        } else {
            file.set_len(size)
                .await
                .map_err(|source| file_error(key, source))?;
            let ranges = (0..size)
                .step_by(usize::try_from(part_size).unwrap_or(usize::MAX))
                .map(|first| (first, (first + part_size).min(size) - 1));
            stream::iter(ranges)
                .map(|(first, last)| async move {
                    let mut file = tokio::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .await
                        .map_err(|source| file_error(key, source))?;
                    file.seek(std::io::SeekFrom::Start(first))
                        .await
                        .map_err(|source| file_error(key, source))?;
                    self.download_range(key, file, Some((first, last)), last - first + 1)
                        .await
                })
                .buffer_unordered(PARALLEL_RANGES)
                .try_collect::<Vec<()>>()
                .await?;
            // Every range's writes are flushed: a sync through any handle covers them.
            file.sync_all()
                .await
                .map_err(|source| file_error(key, source))?;
        }
        partial.armed = false;
        Ok(size)
    }

    /// Reads the inclusive byte range `range` of the object (all of it for `None`) into
    /// `file` at its current position, checks that exactly `expected` bytes came, flushes
    /// and, for the whole object, syncs the file.
    async fn download_range(
        &self,
        key: &StorageKey,
        file: tokio::fs::File,
        range: Option<(u64, u64)>,
        expected: u64,
    ) -> Result<(), StorageError> {
        let mut body = self.get_range(key, range).await?;
        let what = match range {
            Some((first, last)) => format!("range {first}-{last}"),
            None => "the object".to_owned(),
        };
        let short = |received: u64| StorageError::S3 {
            operation: "download",
            key: key.to_string(),
            detail: format!(
                "{what} came with {received} bytes, expected {expected} (was the object \
                 replaced during the download?)"
            ),
        };
        if body.content_length() != expected {
            return Err(short(body.content_length()));
        }
        let mut writer = BufWriter::with_capacity(WRITE_BUFFER_SIZE, file);
        let mut received = 0;
        while let Some(chunk) = body.next_chunk().await? {
            received += chunk.len() as u64;
            if received > expected {
                return Err(short(received));
            }
            writer
                .write_all(&chunk)
                .await
                .map_err(|source| file_error(key, source))?;
        }
        if received != expected {
            return Err(short(received));
        }
        // A tokio file's write completes in the background: flush waits for it (and reports
        // its error).
        writer
            .flush()
            .await
            .map_err(|source| file_error(key, source))?;
        if range.is_none() {
            writer
                .into_inner()
                .sync_all()
                .await
                .map_err(|source| file_error(key, source))?;
        }
        Ok(())
    }
}
