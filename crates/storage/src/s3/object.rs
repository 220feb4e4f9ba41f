//! What reads return: object metadata, listings and streamed bodies.

use std::fmt;

use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use futures_util::stream;

use crate::{StorageError, StorageKey};

/// Size and entity tag of a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// The entity tag the server gave it (quoted, as S3 returns it).
    pub etag: Option<String>,
}

/// An object found by [`crate::S3Storage::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// Its key.
    pub key: StorageKey,
    /// Size in bytes.
    pub size: u64,
}

/// The bytes of an object (or of a range of it), streamed from the server.
pub struct ObjectBody {
    pub(super) stream: ByteStream,
    pub(super) length: u64,
    pub(super) total_size: Option<u64>,
    pub(super) content_range: Option<String>,
    pub(super) etag: Option<String>,
    pub(super) key: String,
}

impl fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectBody")
            .field("key", &self.key)
            .field("length", &self.length)
            .field("total_size", &self.total_size)
            .finish_non_exhaustive()
    }
}

impl ObjectBody {
    /// How many bytes this body holds (the range's length for a range read).
    pub fn content_length(&self) -> u64 {
        self.length
    }

    /// The whole object's size, when the server said it (always for a range read).
    pub fn total_size(&self) -> Option<u64> {
        self.total_size
    }

    /// The `Content-Range` the server answered a range read with (`bytes 0-99/1000`).
    pub fn content_range(&self) -> Option<&str> {
        self.content_range.as_deref()
    }

    /// The object's entity tag (quoted, as S3 returns it).
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    fn read_error(&self, error: impl std::error::Error + Send + Sync + 'static) -> StorageError {
        StorageError::Io {
            operation: "download",
            key: self.key.clone(),
            source: std::io::Error::other(error),
        }
    }

    /// The next chunk, or `None` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, StorageError> {
        match self.stream.try_next().await {
            Ok(chunk) => Ok(chunk),
            Err(error) => Err(self.read_error(error)),
        }
    }

    /// Reads the whole body into memory (for small objects).
    pub async fn collect(self) -> Result<Bytes, StorageError> {
        let key = self.key;
        self.stream
            .collect()
            .await
            .map(|aggregated| aggregated.into_bytes())
            .map_err(|error| StorageError::Io {
                operation: "download",
                key,
                source: std::io::Error::other(error),
            })
    }

    /// The body as a stream of chunks (for an HTTP response).
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<Bytes, StorageError>> {
        stream::try_unfold(self, |mut body| async move {
            Ok(body.next_chunk().await?.map(|chunk| (chunk, body)))
        })
    }

    /// The body as an [`tokio::io::AsyncBufRead`] (to copy it to a file).
    pub fn into_async_read(self) -> impl tokio::io::AsyncBufRead {
        self.stream.into_async_read()
    }
}
