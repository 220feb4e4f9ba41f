//! Writing objects: one request for small files, a multipart upload for large ones, aborted on
//! failure so that nothing half-written ever becomes visible.

use std::path::Path;

use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::S3Storage;
use super::error::classify;
use crate::{StorageError, StorageKey};

/// S3 allows at most this many parts in one upload.
const MAX_PARTS: u64 = 10_000;
/// Parts in flight at once during a multipart upload.
const PARALLEL_PARTS: usize = 4;
/// How much of the file one read takes (and so one chunk of the request body). The SDK's
/// default, 4 KiB, costs a blocking-pool round trip per 4 KiB read: several CPU-seconds per
/// GiB.
const READ_BUFFER_SIZE: usize = 256 * 1024;

/// The `Content-Type` stored with an object, from its extension (objects may be served straight
/// from the bucket or a CDN, which repeat it).
pub(crate) fn content_type_for(key: &StorageKey) -> &'static str {
    let name = key.as_str().rsplit('/').next().unwrap_or_default();
    let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension {
        "m3u8" => "application/vnd.apple.mpegurl",
        "ts" => "video/mp2t",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "torrent" => "application/x-bittorrent",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn read_error(
    key: &StorageKey,
    error: impl std::error::Error + Send + Sync + 'static,
) -> StorageError {
    StorageError::Io {
        operation: "read for upload",
        key: key.to_string(),
        source: std::io::Error::other(error),
    }
}

/// One part of a multipart upload: its number (from 1), where it starts and how long it is.
#[derive(Debug, Clone, Copy)]
struct Part {
    number: i32,
    offset: u64,
    length: u64,
}

fn plan_parts(size: u64, configured_part_size: u64) -> Vec<Part> {
    let part_size = configured_part_size.max(size.div_ceil(MAX_PARTS));
    let mut parts = Vec::new();
    let mut offset = 0;
    let mut number = 1;
    while offset < size {
        let length = part_size.min(size - offset);
        parts.push(Part {
            number,
            offset,
            length,
        });
        offset += length;
        number += 1;
    }
    parts
}

/// Aborts a multipart upload if it is dropped armed: covers errors and a cancelled future.
struct AbortOnDrop {
    client: aws_sdk_s3::Client,
    bucket: String,
    object_key: String,
    upload_id: String,
    armed: bool,
}

impl AbortOnDrop {
    async fn abort_now(mut self) {
        self.armed = false;
        abort(
            self.client.clone(),
            self.bucket.clone(),
            self.object_key.clone(),
            self.upload_id.clone(),
        )
        .await;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(abort(
                self.client.clone(),
                std::mem::take(&mut self.bucket),
                std::mem::take(&mut self.object_key),
                std::mem::take(&mut self.upload_id),
            ));
        }
    }
}

async fn abort(client: aws_sdk_s3::Client, bucket: String, object_key: String, upload_id: String) {
    let request = client
        .abort_multipart_upload()
        .bucket(&bucket)
        .key(&object_key)
        .upload_id(&upload_id)
        .send();
    match tokio::time::timeout(std::time::Duration::from_secs(30), request).await {
        Ok(Ok(_)) => tracing::debug!(key = %object_key, "aborted an unfinished multipart upload"),
        Ok(Err(error)) => tracing::warn!(
            key = %object_key,
            error = %aws_sdk_s3::error::DisplayErrorContext(&error),
            "could not abort an unfinished multipart upload (a bucket lifecycle rule removes it)"
        ),
        Err(_) => tracing::warn!(key = %object_key, "aborting a multipart upload timed out"),
    }
}

impl S3Storage {
    /// Stores the bytes of a file under `key`, streaming from disk. Files larger than
    /// `multipart_part_size` go up as a multipart upload (parts in parallel, each retried by
    /// the SDK); the object appears only when every part arrived, and a failed upload is
    /// aborted.
    pub async fn put_file(&self, key: &StorageKey, path: &Path) -> Result<(), StorageError> {
        let size = tokio::fs::metadata(path)
            .await
            .map_err(|source| StorageError::Io {
                operation: "read for upload",
                key: key.to_string(),
                source,
            })?
            .len();
        if size <= self.config.multipart_part_size {
            let body = ByteStream::read_from()
                .path(path)
                .buffer_size(READ_BUFFER_SIZE)
                .build()
                .await
                .map_err(|error| read_error(key, error))?;
            return self.put_body(key, body, size).await;
        }
        self.put_multipart(key, path, size).await
    }

    /// Stores `bytes` under `key` in one request.
    pub async fn put_bytes(
        &self,
        key: &StorageKey,
        bytes: impl Into<Bytes>,
    ) -> Result<(), StorageError> {
        let bytes = bytes.into();
        let size = bytes.len() as u64;
        self.put_body(key, ByteStream::from(bytes), size).await
    }

    async fn put_body(
        &self,
        key: &StorageKey,
        body: ByteStream,
        size: u64,
    ) -> Result<(), StorageError> {
        self.client
            .put_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .content_type(content_type_for(key))
            .content_length(to_i64(size))
            .body(body)
            .customize()
            .config_override(self.transfer_timeouts(size))
            .send()
            .await
            .map_err(|error| classify(self.context("upload", key), error))?;
        Ok(())
    }

    async fn put_multipart(
        &self,
        key: &StorageKey,
        path: &Path,
        size: u64,
    ) -> Result<(), StorageError> {
        let object_key = self.object_key(key);
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.config.bucket)
            .key(&object_key)
            .content_type(content_type_for(key))
            .send()
            .await
            .map_err(|error| classify(self.context("start multipart upload", key), error))?;
        let upload_id = created.upload_id().ok_or_else(|| StorageError::S3 {
            operation: "start multipart upload",
            key: key.to_string(),
            detail: "the server returned no upload id".to_owned(),
        })?;
        let guard = AbortOnDrop {
            client: self.client.clone(),
            bucket: self.config.bucket.clone(),
            object_key: object_key.clone(),
            upload_id: upload_id.to_owned(),
            armed: true,
        };
        match self
            .upload_parts(key, &object_key, upload_id, path, size)
            .await
        {
            Ok(()) => {
                let mut guard = guard;
                guard.armed = false;
                Ok(())
            }
            Err(error) => {
                guard.abort_now().await;
                Err(error)
            }
        }
    }

    async fn upload_parts(
        &self,
        key: &StorageKey,
        object_key: &str,
        upload_id: &str,
        path: &Path,
        size: u64,
    ) -> Result<(), StorageError> {
        let mut pending = plan_parts(size, self.config.multipart_part_size).into_iter();
        let mut running = FuturesUnordered::new();
        let mut completed: Vec<CompletedPart> = Vec::new();
        // The failure of the lowest-numbered part, the first in file order.
        let mut failure: Option<(i32, StorageError)> = None;
        loop {
            // After a failure no part starts, but the running ones finish (or fail): a part
            // still in flight could otherwise land after the abort and stay on the server.
            while failure.is_none() && running.len() < PARALLEL_PARTS {
                let Some(part) = pending.next() else { break };
                running.push(
                    self.upload_part(key, object_key, upload_id, path, part)
                        .map(move |result| result.map_err(|error| (part.number, error))),
                );
            }
            match running.next().await {
                None => break,
                Some(Ok(part)) => completed.push(part),
                Some(Err((number, error))) => {
                    if failure.as_ref().is_none_or(|(first, _)| number < *first) {
                        failure = Some((number, error));
                    }
                }
            }
        }
        if let Some((_, error)) = failure {
            return Err(error);
        }
        completed.sort_by_key(|part| part.part_number());
        self.client
            .complete_multipart_upload()
            .bucket(&self.config.bucket)
            .key(object_key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(completed))
                    .build(),
            )
            .send()
            .await
            .map_err(|error| classify(self.context("complete multipart upload", key), error))?;
        Ok(())
    }

    async fn upload_part(
        &self,
        key: &StorageKey,
        object_key: &str,
        upload_id: &str,
        path: &Path,
        part: Part,
    ) -> Result<CompletedPart, StorageError> {
        let body = ByteStream::read_from()
            .path(path)
            .offset(part.offset)
            .length(Length::Exact(part.length))
            .buffer_size(READ_BUFFER_SIZE)
            .build()
            .await
            .map_err(|error| read_error(key, error))?;
        let uploaded = self
            .client
            .upload_part()
            .bucket(&self.config.bucket)
            .key(object_key)
            .upload_id(upload_id)
            .part_number(part.number)
            .content_length(to_i64(part.length))
            .body(body)
            .customize()
            .config_override(self.transfer_timeouts(part.length))
            .send()
            .await
            .map_err(|error| classify(self.context("upload part", key), error))?;
        let etag = uploaded.e_tag().ok_or_else(|| StorageError::S3 {
            operation: "upload part",
            key: key.to_string(),
            detail: format!("the server returned no ETag for part {}", part.number),
        })?;
        Ok(CompletedPart::builder()
            .part_number(part.number)
            .e_tag(etag)
            .build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_file_exactly() {
        let mib = 1024 * 1024;
        let parts = plan_parts(40 * mib + 3, 16 * mib);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2].offset, 32 * mib);
        assert_eq!(parts[2].length, 8 * mib + 3);
        assert_eq!(
            parts.iter().map(|part| part.length).sum::<u64>(),
            40 * mib + 3
        );
        let huge = plan_parts(200_000 * mib, 5 * mib);
        assert!(huge.len() as u64 <= MAX_PARTS);
        assert_eq!(
            huge.iter().map(|part| part.length).sum::<u64>(),
            200_000 * mib
        );
    }

    #[test]
    fn content_types_follow_the_extension() {
        let video = uuid::Uuid::nil();
        let name = crate::GeneratedName::parse("a-720-fragmented.mp4").unwrap();
        assert_eq!(
            content_type_for(&StorageKey::hls_file(video, &name)),
            "video/mp4"
        );
        assert_eq!(
            content_type_for(&StorageKey::original(video)),
            "application/octet-stream"
        );
    }
}
