//! One file of local storage answered over HTTP: the whole file or one byte range, with `ETag`
//! and `Last-Modified`, `If-None-Match`, `If-Modified-Since`, `If-Range` and `HEAD`.
//!
//! A player asks for one segment at a time, a byte range of a few hundred KiB. An answer up to
//! [`ONE_READ`] bytes whose file and bytes are in the kernel's caches (a video being watched)
//! is answered on the runtime's thread, with flags that make the kernel refuse rather than wait
//! on the disk ([`answer_cached`]); otherwise it is opened, checked and read in one go on the
//! blocking pool, a single hop off the runtime. A longer one streams [`STREAM_CHUNK`] bytes at
//! a time. A `Range` this module cannot take (several ranges, another unit, malformed) is
//! ignored and the whole file answered, as HTTP allows; one that starts past the end is a 416.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_app::ByteRange;

use crate::ApiError;

/// The longest answer read in one go (a segment range is well below).
pub(crate) const ONE_READ: u64 = 1024 * 1024;
/// Bytes per read when a longer answer streams.
const STREAM_CHUNK: usize = 256 * 1024;

/// What the request's headers ask for, read before going to the blocking pool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Conditions {
    head: bool,
    range: Option<ByteRange>,
    if_none_match: Option<String>,
    if_modified_since: Option<SystemTime>,
    if_range: Option<String>,
}

impl Conditions {
    fn read(method: &Method, headers: &HeaderMap) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
        };
        Conditions {
            head: method == Method::HEAD,
            range: text(header::RANGE).and_then(ByteRange::parse_header),
            if_none_match: text(header::IF_NONE_MATCH).map(str::to_owned),
            if_modified_since: text(header::IF_MODIFIED_SINCE)
                .and_then(|value| httpdate::parse_http_date(value).ok()),
            if_range: text(header::IF_RANGE).map(str::to_owned),
        }
    }
}

/// The file's validators.
struct Validators {
    etag: String,
    /// Whole seconds since the epoch (HTTP dates have no finer grain).
    modified: SystemTime,
}

impl Validators {
    fn of(metadata: &std::fs::Metadata) -> Self {
        let seconds = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |elapsed| elapsed.as_secs());
        Validators {
            etag: format!("\"{:x}-{:x}\"", metadata.len(), seconds),
            modified: UNIX_EPOCH + Duration::from_secs(seconds),
        }
    }

    /// Whether a client holding what `conditions` describe has the file already.
    fn not_modified(&self, conditions: &Conditions) -> bool {
        match &conditions.if_none_match {
            Some(tags) => tags
                .split(',')
                .any(|tag| tag.trim() == self.etag || tag.trim() == "*"),
            None => conditions
                .if_modified_since
                .is_some_and(|since| self.modified <= since),
        }
    }

    /// Whether the `Range` stands: no `If-Range`, or one naming this file's ETag or date.
    fn range_applies(&self, conditions: &Conditions) -> bool {
        match conditions.if_range.as_deref() {
            None => true,
            Some(value) if value.starts_with('"') => value == self.etag,
            Some(value) => httpdate::parse_http_date(value).is_ok_and(|date| date == self.modified),
        }
    }
}

/// The bytes `first..=last` a range names in a file of `length` bytes; `None` when it starts
/// past the end (or the file is empty).
fn resolve(range: ByteRange, length: u64) -> Option<(u64, u64)> {
    if length == 0 {
        return None;
    }
    let (first, last) = match range {
        ByteRange::Span { first, last } => (first, last.min(length - 1)),
        ByteRange::From(first) => (first, length - 1),
        ByteRange::Suffix(suffix) => (length.saturating_sub(suffix), length - 1),
    };
    (first < length).then_some((first, last))
}

/// What the blocking part found.
enum Found {
    Missing,
    NotModified(Validators),
    Unsatisfiable(u64),
    Content {
        validators: Validators,
        status: StatusCode,
        /// `first..=last` of `length`, for `Content-Range`, when partial.
        content_range: Option<(u64, u64, u64)>,
        size: u64,
        body: Content,
    },
}

enum Content {
    Empty,
    Read(Bytes),
    Stream(File, u64),
}

/// How the range is read: on the blocking pool, whatever it takes; or on the runtime's thread,
/// only from the page cache (`None` when that would wait on the disk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Blocking,
    CachedOnly,
}

/// Reads `size` bytes at `first`; `None` when `reading` is [`Reading::CachedOnly`] and some of
/// them are not in the page cache.
fn read_range(
    file: &File,
    first: u64,
    size: u64,
    reading: Reading,
) -> std::io::Result<Option<Bytes>> {
    match reading {
        Reading::Blocking => {
            // Read into fresh capacity: `read_to_end` does not zero it first, as `vec![0; n]`
            // would (a memset of the whole range at every request).
            let mut buffer = Vec::with_capacity(size as usize);
            let mut file = file;
            file.seek(SeekFrom::Start(first))?;
            file.take(size).read_to_end(&mut buffer)?;
            if buffer.len() as u64 != size {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            Ok(Some(Bytes::from(buffer)))
        }
        Reading::CachedOnly => {
            let mut buffer = vec![0; size as usize];
            let read = rustix::io::preadv2(
                file,
                &mut [std::io::IoSliceMut::new(&mut buffer)],
                first,
                rustix::io::ReadWriteFlags::NOWAIT,
            );
            // Not all cached (EAGAIN or a short read), or no RWF_NOWAIT here: the pool reads it.
            Ok(match read {
                Ok(read) if read as u64 == size => Some(Bytes::from(buffer)),
                _ => None,
            })
        }
    }
}

/// The answer for `file` (opened) as `conditions` ask; `None` when `reading` is
/// [`Reading::CachedOnly`] and the range is not all in the page cache.
fn answer(file: File, conditions: &Conditions, reading: Reading) -> std::io::Result<Option<Found>> {
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(Some(Found::Missing));
    }
    let validators = Validators::of(&metadata);
    if validators.not_modified(conditions) {
        return Ok(Some(Found::NotModified(validators)));
    }
    let length = metadata.len();
    let range = conditions
        .range
        .filter(|_| validators.range_applies(conditions));
    let (status, first, size, content_range) = match range {
        Some(range) => match resolve(range, length) {
            Some((first, last)) => (
                StatusCode::PARTIAL_CONTENT,
                first,
                last - first + 1,
                Some((first, last, length)),
            ),
            None => return Ok(Some(Found::Unsatisfiable(length))),
        },
        None => (StatusCode::OK, 0, length, None),
    };
    let body = if conditions.head || size == 0 {
        Content::Empty
    } else if size <= ONE_READ {
        match read_range(&file, first, size, reading)? {
            Some(bytes) => Content::Read(bytes),
            None => return Ok(None),
        }
    } else {
        let mut file = file;
        file.seek(SeekFrom::Start(first))?;
        Content::Stream(file, size)
    };
    Ok(Some(Found::Content {
        validators,
        status,
        content_range,
        size,
        body,
    }))
}

/// On the blocking pool: opens the file and answers, reading whatever it takes.
fn open_and_read(path: PathBuf, conditions: Conditions) -> std::io::Result<Found> {
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(error) => return Err(error),
    };
    Ok(answer(file, &conditions, Reading::Blocking)?.unwrap_or(Found::Missing))
}

/// On the runtime's thread, without waiting on the disk: the path resolved from the kernel's
/// lookup cache (`RESOLVE_CACHED`) and the range read from its page cache (`RWF_NOWAIT`), as a
/// segment being watched is. `None` when anything is not cached (or the kernel lacks these
/// flags): the blocking pool answers then.
fn answer_cached(path: &std::path::Path, conditions: &Conditions) -> Option<Found> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    let fd = rustix::fs::openat2(
        rustix::fs::CWD,
        path,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::CACHED,
    )
    .ok()?;
    answer(File::from(fd), conditions, Reading::CachedOnly)
        .ok()
        .flatten()
}

fn validator_headers(headers: &mut HeaderMap, validators: &Validators) {
    if let Ok(value) = HeaderValue::from_str(&validators.etag) {
        headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(validators.modified)) {
        headers.insert(header::LAST_MODIFIED, value);
    }
}

/// Answers the file at `path` (of `content_type`) as `method` and `request` ask.
pub(crate) async fn serve_local(
    path: PathBuf,
    content_type: &'static str,
    method: &Method,
    request: &HeaderMap,
) -> Result<Response, ApiError> {
    let conditions = Conditions::read(method, request);
    let found = match answer_cached(&path, &conditions) {
        Some(found) => found,
        None => tokio::task::spawn_blocking(move || open_and_read(path, conditions))
            .await
            .map_err(|error| kinora_app::AppError::Internal(format!("file read: {error}")))?
            .map_err(|error| kinora_app::AppError::Internal(format!("file read: {error}")))?,
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let (status, content) = match found {
        Found::Missing => return Err(ApiError::not_found("File")),
        Found::NotModified(validators) => {
            validator_headers(&mut headers, &validators);
            return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
        }
        Found::Unsatisfiable(length) => {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
                headers.insert(header::CONTENT_RANGE, value);
            }
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response());
        }
        Found::Content {
            validators,
            status,
            content_range,
            size,
            body,
        } => {
            validator_headers(&mut headers, &validators);
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(header::CONTENT_LENGTH, size.into());
            if let Some((first, last, length)) = content_range
                && let Ok(value) = HeaderValue::from_str(&format!("bytes {first}-{last}/{length}"))
            {
                headers.insert(header::CONTENT_RANGE, value);
            }
            (status, body)
        }
    };
    let body = match content {
        Content::Empty => Body::empty(),
        Content::Read(bytes) => Body::from(bytes),
        Content::Stream(file, size) => {
            let reader = tokio::io::AsyncReadExt::take(tokio::fs::File::from_std(file), size);
            Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
                reader,
                STREAM_CHUNK,
            ))
        }
    };
    Ok((status, headers, body).into_response())
}

#[cfg(test)]
mod tests;
