//! The recording of a broadcast kept for its replay: the stream as the broadcaster sent it,
//! as FLV, in `live-replays/<videoUUID>/<sessionId>.flv` of local storage, which the
//! broadcast's ending makes the replay video's original. A resumed broadcast appends to its
//! session's recording, its timestamps shifted to follow the last recorded one, so the replay
//! is one continuous stream. A failed write stops the recording (the broadcast goes on; the
//! replay has what was recorded).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tokio::io::{AsyncWriteExt, BufWriter};

use super::flv::{self, TagKind};

/// The gap left between the last recorded tag and the first of a resumed broadcast, ms.
const RESUME_GAP_MS: u32 = 40;

/// A recording being written.
pub(crate) struct Recording {
    path: PathBuf,
    file: Option<BufWriter<tokio::fs::File>>,
    /// Added to the broadcast's timestamps.
    offset_ms: u32,
}

impl Recording {
    /// Opens the recording at `path`: a new one, or for a resumed broadcast the session's
    /// earlier one to append to.
    pub(crate) async fn open(path: &Path, resumed: bool) -> std::io::Result<Self> {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let last = if resumed {
            let owned = path.to_owned();
            tokio::task::spawn_blocking(move || last_recorded_timestamp(&owned))
                .await
                .map_err(std::io::Error::other)??
        } else {
            None
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(last.is_some())
            .truncate(last.is_none())
            .open(path)
            .await?;
        if last.is_none() {
            file.write_all(&flv::header()).await?;
        }
        Ok(Self {
            path: path.to_owned(),
            file: Some(BufWriter::with_capacity(256 * 1024, file)),
            offset_ms: last.map_or(0, |last| last.saturating_add(RESUME_GAP_MS)),
        })
    }

    /// Records one message.
    pub(crate) async fn write(&mut self, kind: TagKind, timestamp_ms: u32, body: &[u8]) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let Some(tag) = flv::tag(kind, timestamp_ms.saturating_add(self.offset_ms), body) else {
            return;
        };
        if let Err(error) = file.write_all(&tag).await {
            tracing::warn!(%error, path = %self.path.display(), "the replay's recording stopped");
            self.file = None;
        }
    }

    /// Writes what is buffered to disk.
    pub(crate) async fn close(mut self) {
        if let Some(mut file) = self.file.take() {
            let flushed = match file.flush().await {
                Ok(()) => file.into_inner().sync_all().await,
                Err(error) => Err(error),
            };
            if let Err(error) = flushed {
                tracing::warn!(%error, path = %self.path.display(), "could not complete the replay's recording");
            }
        }
    }
}

/// The last timestamp of the recording at `path`; `None` when there is none to follow: missing,
/// empty, or ending with no complete tag (its writer was killed mid-write). The recording is
/// then started anew — the earlier part is lost rather than appended to out of order.
fn last_recorded_timestamp(path: &Path) -> std::io::Result<Option<u32>> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let len = file.metadata()?.len();
    let header = flv::header().len() as u64;
    if len < header + 4 {
        return Ok(None);
    }
    let mut trailer = [0; 4];
    file.seek(SeekFrom::Start(len - 4))?;
    file.read_exact(&mut trailer)?;
    let size = u64::from(u32::from_be_bytes(trailer));
    let tail_len = (size + 4 + header).min(len);
    let mut tail = vec![0; usize::try_from(tail_len).map_err(std::io::Error::other)?];
    file.seek(SeekFrom::Start(len - tail_len))?;
    file.read_exact(&mut tail)?;
    Ok(flv::last_timestamp(&tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_resumed_recording_continues_after_its_last_timestamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replays/one.flv");
        let mut first = Recording::open(&path, false).await.unwrap();
        first.write(TagKind::Video, 0, &[1; 10]).await;
        first.write(TagKind::Video, 5_000, &[2; 10]).await;
        first.close().await;
        let mut resumed = Recording::open(&path, true).await.unwrap();
        resumed.write(TagKind::Video, 0, &[3; 10]).await;
        resumed.write(TagKind::Audio, 1_000, &[4; 10]).await;
        resumed.close().await;
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..3], b"FLV");
        assert_eq!(
            bytes.windows(3).filter(|w| w == b"FLV").count(),
            1,
            "one header"
        );
        assert_eq!(flv::last_timestamp(&bytes), Some(5_000 + 40 + 1_000));
        // A new (not resumed) recording replaces what was there.
        let fresh = Recording::open(&path, false).await.unwrap();
        fresh.close().await;
        assert_eq!(std::fs::read(&path).unwrap(), flv::header());
    }
}
