//! The recording of a broadcast kept for its replay: the stream as the broadcaster sent it,
//! as FLV, in `live-replays/<videoUUID>/<sessionId>.flv` of local storage, which the
//! broadcast's ending makes the replay video's original. A resumed broadcast appends to its
//! session's recording, its timestamps shifted to follow the last recorded one, so the replay
//! is one continuous stream; a recording whose writer was killed mid-tag is cut back to its last
//! complete tag first. A failed write stops the recording (the broadcast goes on; the replay has
//! what was recorded).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::flv::{self, TagKind};

/// The gap left between the last recorded tag and the first of a resumed broadcast, ms.
const RESUME_GAP_MS: u32 = 40;
/// At most this much of the stream waits in memory: an ingest killed loses no more.
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// A recording being written.
pub(crate) struct Recording {
    path: PathBuf,
    file: Option<BufWriter<tokio::fs::File>>,
    /// Added to the broadcast's timestamps.
    offset_ms: u32,
    last_flush: Instant,
}

impl Recording {
    /// Opens the recording at `path`: a new one, or for a resumed broadcast the session's
    /// earlier one to append to.
    pub(crate) async fn open(path: &Path, resumed: bool) -> std::io::Result<Self> {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let end = if resumed {
            let owned = path.to_owned();
            tokio::task::spawn_blocking(move || recorded_end(&owned))
                .await
                .map_err(std::io::Error::other)??
        } else {
            None
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(end.is_none())
            .open(path)
            .await?;
        let last = match end {
            Some(RecordedEnd { length, last_ms }) => {
                // A torn last tag is cut off; the next ones follow the last complete one.
                file.set_len(length).await?;
                file.seek(SeekFrom::Start(length)).await?;
                Some(last_ms)
            }
            None => {
                file.write_all(&flv::header()).await?;
                None
            }
        };
        Ok(Self {
            path: path.to_owned(),
            file: Some(BufWriter::with_capacity(64 * 1024, file)),
            offset_ms: last.map_or(0, |last| last.saturating_add(RESUME_GAP_MS)),
            last_flush: Instant::now(),
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
        let mut written = file.write_all(&tag).await;
        if written.is_ok() && self.last_flush.elapsed() >= FLUSH_INTERVAL {
            written = file.flush().await;
            self.last_flush = Instant::now();
        }
        if let Err(error) = written {
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

/// Where a recording's complete tags end, and the last one's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecordedEnd {
    /// Bytes up to the end of the last complete tag.
    length: u64,
    /// That tag's timestamp, ms.
    last_ms: u32,
}

/// The end of the recording at `path`; `None` when it holds no complete tag (missing, empty,
/// or cut before its first). Its trailer is tried first; when that is torn (the writer was
/// killed mid-tag), the tags are walked from the start, reading their headers only.
fn recorded_end(path: &Path) -> std::io::Result<Option<RecordedEnd>> {
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
    if let Some(last_ms) = flv::last_timestamp(&tail) {
        return Ok(Some(RecordedEnd {
            length: len,
            last_ms,
        }));
    }
    file.seek(SeekFrom::Start(header))?;
    let mut reader = std::io::BufReader::new(file);
    let mut position = header;
    let mut end = None;
    let mut tag_header = [0; 11];
    while reader.read_exact(&mut tag_header).is_ok() {
        let body = u64::from(u32::from_be_bytes([
            0,
            tag_header[1],
            tag_header[2],
            tag_header[3],
        ]));
        let next = position + 11 + body + 4;
        if !matches!(tag_header[0], 8 | 9) || next > len {
            break;
        }
        end = Some(RecordedEnd {
            length: next,
            last_ms: u32::from_be_bytes([
                tag_header[7],
                tag_header[4],
                tag_header[5],
                tag_header[6],
            ]),
        });
        reader.seek_relative(i64::try_from(body + 4).map_err(std::io::Error::other)?)?;
        position = next;
    }
    Ok(end)
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
        // A recording torn mid-tag (its writer killed) is cut back to its last complete tag.
        let complete = bytes.len();
        let mut torn = bytes.clone();
        torn.extend(flv::tag(TagKind::Video, 9_999, &[5; 100]).unwrap());
        torn.truncate(complete + 50);
        std::fs::write(&path, &torn).unwrap();
        let mut resumed = Recording::open(&path, true).await.unwrap();
        resumed.write(TagKind::Video, 0, &[6; 10]).await;
        resumed.close().await;
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), complete + 10 + 15, "the torn tag is gone");
        assert_eq!(flv::last_timestamp(&bytes), Some(5_000 + 40 + 1_000 + 40));
        // A new (not resumed) recording replaces what was there.
        let fresh = Recording::open(&path, false).await.unwrap();
        fresh.close().await;
        assert_eq!(std::fs::read(&path).unwrap(), flv::header());
    }
}
