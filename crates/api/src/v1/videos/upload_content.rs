//! The content check both upload protocols run on the first bytes of a file, before those
//! bytes are written: uploads that are plainly not audio or video (by their magic bytes,
//! `kinora_core::media_signature`, never by their name) are refused with 415, empty files with
//! 400. Also the one place that streams a request body to a file through the check.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use futures_util::StreamExt;
use kinora_core::media_signature::{SNIFF_BYTES, Sniff, sniff};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::ApiError;
use crate::v1::videos::storage_error;
use crate::v1::videos::upload_resumable::lease::WriterLease;

/// What a resumable upload must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    /// Audio or video (a video upload).
    Media,
    /// A ZIP archive (a user import).
    Zip,
}

/// The first bytes of every ZIP archive that starts with a file (PeerTube's archives do).
const ZIP_MAGIC: &[u8; 4] = b"PK\x03\x04";

/// Holds the first bytes of an upload until [`sniff`] has decided what they are.
pub(crate) struct ContentGate {
    /// The file's first bytes known so far (stored ones, then held ones).
    head: Vec<u8>,
    /// Where the bytes not yet handed out for writing begin in `head`.
    held_from: usize,
    /// Set once the head was recognised as media: everything passes straight through.
    passed: bool,
    /// What the file must be.
    expected: Expected,
}

impl ContentGate {
    /// A gate for a new file.
    pub(crate) fn new() -> Self {
        Self::resume(Vec::new(), Expected::Media)
    }

    /// A gate for a file whose first bytes, `stored`, are already written (a resumed upload).
    pub(crate) fn resume(stored: Vec<u8>, expected: Expected) -> Self {
        let held_from = stored.len();
        Self {
            head: stored,
            held_from,
            passed: false,
            expected,
        }
    }

    /// The gate for bytes written from `offset` on into the file at `path`: when the head is
    /// not yet decided, the stored bytes before `offset` are read back to decide with.
    pub(crate) async fn at_offset(
        path: &std::path::Path,
        offset: u64,
        expected: Expected,
    ) -> Result<Self, ApiError> {
        if offset >= SNIFF_BYTES as u64 {
            return Ok(Self {
                head: Vec::new(),
                held_from: 0,
                passed: true,
                expected,
            });
        }
        let file = tokio::fs::File::open(path).await.map_err(storage_error)?;
        let mut stored = Vec::with_capacity(offset as usize);
        file.take(offset)
            .read_to_end(&mut stored)
            .await
            .map_err(storage_error)?;
        Ok(Self::resume(stored, expected))
    }

    /// Takes the next bytes of the file; answers the bytes that may be written now (none while
    /// the head is undecided), or the refusal.
    pub(crate) fn feed(&mut self, chunk: Bytes) -> Result<Bytes, ApiError> {
        if self.passed {
            return Ok(chunk);
        }
        self.head.extend_from_slice(&chunk);
        self.decide(false, false)
    }

    /// The end of what arrived: `whole` when it is the end of the file. Answers the bytes
    /// still held, or the refusal; an undecided head of an unfinished file is let through and
    /// checked again with the next chunk.
    pub(crate) fn finish(&mut self, whole: bool) -> Result<Bytes, ApiError> {
        if self.passed {
            return Ok(Bytes::new());
        }
        self.decide(whole, true)
    }

    /// `at_end`: nothing more arrives in this request, so undecided bytes are written now.
    fn decide(&mut self, whole: bool, at_end: bool) -> Result<Bytes, ApiError> {
        if self.expected == Expected::Zip {
            return self.decide_zip(whole, at_end);
        }
        match sniff(&self.head, whole) {
            Sniff::Media(_) => {
                self.passed = true;
                Ok(self.release())
            }
            Sniff::NeedMore if at_end => Ok(self.release()),
            Sniff::NeedMore => Ok(Bytes::new()),
            Sniff::Empty => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "empty_file",
                "The file is empty: nothing was stored.",
            )),
            Sniff::NotMedia => Err(not_media()),
        }
    }

    /// [`Self::decide`] for a ZIP archive: its first four bytes are the local file header's.
    fn decide_zip(&mut self, whole: bool, at_end: bool) -> Result<Bytes, ApiError> {
        let known = self.head.len().min(ZIP_MAGIC.len());
        if self.head[..known] != ZIP_MAGIC[..known] || (whole && self.head.len() < ZIP_MAGIC.len())
        {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_a_zip_archive",
                "The file is not a ZIP archive (a user archive as PeerTube or Kinora writes it). \
                 Nothing was stored.",
            ));
        }
        if self.head.len() >= ZIP_MAGIC.len() {
            self.passed = true;
            Ok(self.release())
        } else if at_end {
            Ok(self.release())
        } else {
            Ok(Bytes::new())
        }
    }

    /// Hands out the held bytes (and forgets them once the head is decided).
    fn release(&mut self) -> Bytes {
        let out = Bytes::copy_from_slice(&self.head[self.held_from..]);
        self.held_from = self.head.len();
        if self.passed {
            self.head = Vec::new();
            self.held_from = 0;
        }
        out
    }
}

/// 415: the bytes match no container or audio format the transcoder accepts.
fn not_media() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "not_a_media_file",
        "The file is not audio or video: its first bytes match none of the supported formats \
         (MP4, MOV, M4A, 3GP, WebM, Matroska, AVI, FLV, MPEG-TS, MPEG-PS, Ogg, WMV/WMA, MXF, \
         NUT, MP3, AAC, WAV, FLAC, AIFF). Nothing was stored.",
    )
}

/// Streams a request body through `gate` to the file `open` opens (called only once bytes
/// are let through, so a refused upload never creates or touches it), each piece only while
/// `lease` holds the session (UP-04), refusing more than
/// `limit` bytes. `whole_at` is the byte count at which the body completes the file. Data
/// reaches the disk (fsync) before this returns the count of bytes received.
pub(crate) async fn write_checked<F, Fut>(
    body: Body,
    gate: &mut ContentGate,
    lease: &mut WriterLease,
    limit: u64,
    whole_at: u64,
    open: F,
) -> Result<u64, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = std::io::Result<tokio::fs::File>>,
{
    let mut stream = body.into_data_stream();
    let mut sink = LazyFile::new(open);
    let mut received: u64 = 0;
    let mut refusal = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "body_interrupted",
                format!("The upload was interrupted: {error}"),
            )
        })?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "max_file_size_reached",
                "The upload is larger than announced or allowed.",
            ));
        }
        if refusal.is_none() {
            match gate.feed(chunk) {
                Ok(bytes) => sink.write_leased(bytes, lease).await?,
                // The rest of the chunk is read and dropped, so the client hears the answer.
                Err(error) => refusal = Some(error),
            }
        }
    }
    if let Some(error) = refusal {
        return Err(error);
    }
    sink.write_leased(gate.finish(received == whole_at)?, lease)
        .await?;
    lease.ensure().await?;
    sink.sync().await?;
    Ok(received)
}

/// Reads and drops a refused request's body (at most `limit` bytes), so that the client hears
/// the answer on a connection that stays usable.
pub(crate) async fn drain(body: Body, limit: u64) {
    let mut stream = body.into_data_stream();
    let mut read: u64 = 0;
    // A client that stops sending (a Content-Length it never fills) is not waited for: the
    // answer goes out and the connection, its body unread, is closed.
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(DRAIN_IDLE, stream.next()).await {
        read += chunk.len() as u64;
        if read > limit {
            break;
        }
    }
}

/// Longest wait for the next bytes of a body being drained.
const DRAIN_IDLE: std::time::Duration = std::time::Duration::from_secs(2);

/// A file opened on its first write.
pub(crate) struct LazyFile<F> {
    open: Option<F>,
    file: Option<tokio::fs::File>,
}

impl<F, Fut> LazyFile<F>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = std::io::Result<tokio::fs::File>>,
{
    /// Nothing is opened yet.
    pub(crate) fn new(open: F) -> Self {
        Self {
            open: Some(open),
            file: None,
        }
    }

    /// Writes `bytes` (opening the file first if needed); nothing happens for no bytes.
    pub(crate) async fn write(&mut self, bytes: Bytes) -> Result<(), ApiError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.opened().await?;
        if let Some(file) = self.file.as_mut() {
            file.write_all(&bytes).await.map_err(storage_error)?;
        }
        Ok(())
    }

    /// Writes `bytes` only while `lease` is held (checked before each piece).
    async fn write_leased(
        &mut self,
        bytes: Bytes,
        lease: &mut WriterLease,
    ) -> Result<(), ApiError> {
        if bytes.is_empty() {
            return Ok(());
        }
        lease.ensure().await?;
        self.write(bytes).await
    }

    async fn opened(&mut self) -> Result<(), ApiError> {
        if let Some(open) = self.open.take() {
            self.file = Some(open().await.map_err(storage_error)?);
        }
        Ok(())
    }

    /// Flushes and fsyncs what was written (opening the file if nothing was, so it exists).
    pub(crate) async fn sync(&mut self) -> Result<(), ApiError> {
        self.opened().await?;
        if let Some(file) = self.file.as_mut() {
            file.flush().await.map_err(storage_error)?;
            file.sync_data().await.map_err(storage_error)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_held_until_the_head_is_known() {
        let mut gate = ContentGate::new();
        assert!(gate.feed(Bytes::from_static(b"\0\0")).unwrap().is_empty());
        let out = gate.feed(Bytes::from_static(b"\0\x20ftypisom")).unwrap();
        assert_eq!(&out[..], b"\0\0\0\x20ftypisom");
        assert_eq!(
            &gate.feed(Bytes::from_static(b"rest")).unwrap()[..],
            b"rest"
        );
        assert!(gate.finish(true).unwrap().is_empty());
    }

    #[test]
    fn text_and_empty_files_are_refused() {
        let mut gate = ContentGate::new();
        assert!(gate.feed(Bytes::from_static(b"hello")).unwrap().is_empty());
        assert_eq!(
            gate.finish(true).unwrap_err().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            ContentGate::new().finish(true).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        // A resumed upload whose stored head is text is refused on its next chunk.
        let mut gate = ContentGate::resume(b"<!DOCTYPE html>".to_vec(), Expected::Media);
        let refused = gate.feed(Bytes::from(vec![b' '; SNIFF_BYTES]));
        assert_eq!(
            refused.unwrap_err().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // A short first chunk of an unfinished file is written and checked later.
        let mut gate = ContentGate::new();
        assert!(gate.feed(Bytes::from_static(b"hel")).unwrap().is_empty());
        assert_eq!(&gate.finish(false).unwrap()[..], b"hel");
    }

    #[test]
    fn an_import_takes_only_a_zip() {
        let mut gate = ContentGate::resume(Vec::new(), Expected::Zip);
        assert!(gate.feed(Bytes::from_static(b"PK")).unwrap().is_empty());
        assert_eq!(
            &gate.feed(Bytes::from_static(b"\x03\x04rest")).unwrap()[..],
            b"PK\x03\x04rest"
        );
        // A video, text, or a ZIP cut short is refused.
        for head in [&b"\0\0\0\x20ftypisom"[..], b"hello", b"PK\x05\x06"] {
            let mut gate = ContentGate::resume(Vec::new(), Expected::Zip);
            assert_eq!(
                gate.feed(Bytes::copy_from_slice(head))
                    .unwrap_err()
                    .status(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{head:?}"
            );
        }
        let mut gate = ContentGate::resume(Vec::new(), Expected::Zip);
        assert!(gate.feed(Bytes::from_static(b"PK")).unwrap().is_empty());
        assert_eq!(
            gate.finish(true).unwrap_err().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
}
