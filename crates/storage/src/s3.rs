//! The S3 backend: one bucket (and key prefix) on AWS or any S3-compatible server, through
//! aws-sdk-s3 over rustls (ring).
//!
//! Reads and writes name objects only by [`StorageKey`]; the object key is `prefix + key`.
//! Uploads are in `s3/upload.rs`, the settings in `s3/config.rs`, the error mapping in
//! `s3/error.rs`. Every request has a connect timeout and a per-attempt timeout, and the SDK
//! retries failed attempts (standard mode, 3 attempts).

mod config;
mod download;
mod error;
mod object;
mod upload;

use std::fmt;
use std::time::Duration;

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::ProvideErrorMetadata as _;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use uuid::Uuid;

pub use config::{DEFAULT_PART_SIZE, MIN_PART_SIZE, S3Config, S3KindConfig, Secret};
pub use object::{ListedObject, ObjectBody, ObjectInfo};
pub(crate) use upload::content_type_for;

use crate::{ByteRange, StorageError, StorageKey};
use error::{Context, classify, status_of};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Per attempt, for requests without a large body.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Transfers of a body get this much time per attempt, plus its size at this rate.
const TRANSFER_BASE_TIMEOUT: Duration = Duration::from_secs(60);
const MIN_TRANSFER_BYTES_PER_SECOND: u64 = 256 * 1024;
const MAX_ATTEMPTS: u32 = 3;
/// Deletions in flight at once in [`S3Storage::delete_prefix`].
const PARALLEL_DELETES: usize = 8;

/// An S3 bucket used as storage.
#[derive(Clone)]
pub struct S3Storage {
    client: aws_sdk_s3::Client,
    /// The same settings without credentials: what an anonymous visitor can do.
    anonymous: aws_sdk_s3::Client,
    config: S3Config,
    endpoint_label: String,
}

impl fmt::Debug for S3Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Storage")
            .field("endpoint", &self.endpoint_label)
            .field("bucket", &self.config.bucket)
            .field("prefix", &self.config.prefix)
            .finish_non_exhaustive()
    }
}

fn timeouts(attempt: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(attempt)
        .build()
}

impl S3Storage {
    /// Checks the settings and builds the client; makes no request (see
    /// [`S3Storage::self_test`]). Credentials missing from `config` come from
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    pub fn connect(config: &S3Config) -> Result<Self, StorageError> {
        config.validate()?;
        let credentials = config.resolve_credentials(|name| std::env::var(name).ok())?;
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut base = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .force_path_style(config.force_path_style)
            .http_client(http_client)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(timeouts(ATTEMPT_TIMEOUT))
            // Only what the operation requires: several S3-compatible servers refuse the
            // newer default checksums.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = config.endpoint_url() {
            base = base.endpoint_url(endpoint);
        }
        let signed = base.clone().credentials_provider(Credentials::new(
            credentials.access_key_id,
            credentials.secret_access_key.expose(),
            credentials
                .session_token
                .map(|token| token.expose().to_owned()),
            None,
            "kinora-config",
        ));
        Ok(Self {
            client: aws_sdk_s3::Client::from_conf(signed.build()),
            anonymous: aws_sdk_s3::Client::from_conf(base.allow_no_auth().build()),
            config: config.clone(),
            endpoint_label: config.endpoint_label(),
        })
    }

    /// The settings this storage was built from.
    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// The object key of a storage key: `prefix + key`.
    fn object_key(&self, key: &StorageKey) -> String {
        format!("{}{}", self.config.prefix, key.as_str())
    }

    fn context<'a>(&'a self, operation: &'static str, key: &'a StorageKey) -> Context<'a> {
        Context {
            operation,
            bucket: &self.config.bucket,
            endpoint: &self.endpoint_label,
            key: key.as_str(),
        }
    }

    /// Timeouts for a request that carries `size` bytes.
    fn transfer_timeouts(&self, size: u64) -> aws_sdk_s3::config::Builder {
        let attempt =
            TRANSFER_BASE_TIMEOUT + Duration::from_secs(size / MIN_TRANSFER_BYTES_PER_SECOND);
        aws_sdk_s3::config::Builder::new().timeout_config(timeouts(attempt))
    }

    /// The public URL of a stored object: `public_base_url/prefix+key` when a CDN is set, else
    /// the bucket's own URL (path-style or virtual-host, as configured). Whether the object is
    /// actually readable there is up to the bucket's policy.
    pub fn public_url(&self, key: &StorageKey) -> String {
        self.config.public_object_url(&self.object_key(key))
    }

    /// Reads an object, or the inclusive byte range `(first, last)` of it (HTTP's
    /// `bytes=first-last`; a `last` past the end is cut to the end).
    pub async fn get_range(
        &self,
        key: &StorageKey,
        range: Option<(u64, u64)>,
    ) -> Result<ObjectBody, StorageError> {
        if let Some((first, last)) = range
            && first > last
        {
            return Err(StorageError::RangeNotSatisfiable {
                key: key.to_string(),
            });
        }
        self.get_byte_range(
            key,
            range.map(|(first, last)| ByteRange::Span { first, last }),
        )
        .await
    }

    /// Reads an object, or one byte range of it (all three forms HTTP has).
    pub async fn get_byte_range(
        &self,
        key: &StorageKey,
        range: Option<ByteRange>,
    ) -> Result<ObjectBody, StorageError> {
        let request = self
            .client
            .get_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .set_range(range.map(|range| range.header_value()));
        let output = request
            .send()
            .await
            .map_err(|error| classify(self.context("download", key), error))?;
        let length = output
            .content_length()
            .and_then(|length| u64::try_from(length).ok())
            .unwrap_or(0);
        let content_range = output.content_range().map(str::to_owned);
        let total_size = match &content_range {
            Some(content_range) => content_range
                .rsplit_once('/')
                .and_then(|(_, total)| total.parse().ok()),
            None if range.is_none() => Some(length),
            None => None,
        };
        Ok(ObjectBody {
            length,
            total_size,
            content_range,
            etag: output.e_tag().map(str::to_owned),
            stream: output.body,
            key: key.to_string(),
        })
    }

    /// Size and entity tag of an object, or `None` when there is no such object.
    pub async fn head(&self, key: &StorageKey) -> Result<Option<ObjectInfo>, StorageError> {
        let result = self
            .client
            .head_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(key))
            .send()
            .await;
        match result {
            Ok(output) => Ok(Some(ObjectInfo {
                size: output
                    .content_length()
                    .and_then(|length| u64::try_from(length).ok())
                    .unwrap_or(0),
                etag: output.e_tag().map(str::to_owned),
            })),
            Err(error) if status_of(&error) == Some(404) => Ok(None),
            Err(error) => Err(classify(self.context("head", key), error)),
        }
    }

    /// Deletes an object; a missing one is not an error.
    pub async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        self.delete_object_key(key, self.object_key(key)).await
    }

    async fn delete_object_key(
        &self,
        key: &StorageKey,
        object_key: String,
    ) -> Result<(), StorageError> {
        match self
            .client
            .delete_object()
            .bucket(&self.config.bucket)
            .key(object_key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error)
                if status_of(&error) == Some(404) && error.code() != Some("NoSuchBucket") =>
            {
                Ok(())
            }
            Err(error) => Err(classify(self.context("delete", key), error)),
        }
    }

    /// The objects under a directory key (`key/…`), at any depth. Object keys that Kinora
    /// could not have written are skipped with a warning.
    pub async fn list(&self, directory: &StorageKey) -> Result<Vec<ListedObject>, StorageError> {
        let mut listed = Vec::new();
        for (object_key, size) in self.list_object_keys(directory).await? {
            let relative = object_key
                .strip_prefix(&self.config.prefix)
                .and_then(StorageKey::from_listing);
            match relative {
                Some(key) => listed.push(ListedObject { key, size }),
                None => tracing::warn!(key = %object_key, "skipping an unexpected object key"),
            }
        }
        Ok(listed)
    }

    async fn list_object_keys(
        &self,
        directory: &StorageKey,
    ) -> Result<Vec<(String, u64)>, StorageError> {
        let prefix = format!("{}/", self.object_key(directory));
        let mut continuation: Option<String> = None;
        let mut found = Vec::new();
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.config.bucket)
                .prefix(&prefix)
                .set_continuation_token(continuation.take())
                .send()
                .await
                .map_err(|error| classify(self.context("list", directory), error))?;
            for object in page.contents() {
                if let Some(object_key) = object.key() {
                    let size = object
                        .size()
                        .and_then(|size| u64::try_from(size).ok())
                        .unwrap_or(0);
                    found.push((object_key.to_owned(), size));
                }
            }
            match page.next_continuation_token() {
                Some(token) if page.is_truncated() == Some(true) => {
                    continuation = Some(token.to_owned());
                }
                _ => return Ok(found),
            }
        }
    }

    /// Deletes every object under a directory key (`key/…`); returns how many went.
    pub async fn delete_prefix(&self, directory: &StorageKey) -> Result<usize, StorageError> {
        let object_keys = self.list_object_keys(directory).await?;
        let count = object_keys.len();
        stream::iter(object_keys)
            .map(|(object_key, _)| self.delete_object_key(directory, object_key))
            .buffer_unordered(PARALLEL_DELETES)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(count)
    }

    /// The start-up check: the bucket exists and the credentials work, a probe object can be
    /// written and read back, and an anonymous (unsigned) request for it is refused. The probe
    /// is deleted afterwards. Each failure is a [`StorageError`] that says what to fix.
    pub async fn self_test(&self) -> Result<(), StorageError> {
        let probe = StorageKey::self_test_probe(Uuid::new_v4());
        if let Err(error) = self
            .client
            .head_bucket()
            .bucket(&self.config.bucket)
            .send()
            .await
        {
            return Err(if status_of(&error) == Some(404) {
                StorageError::S3BucketMissing {
                    bucket: self.config.bucket.clone(),
                    endpoint: self.endpoint_label.clone(),
                }
            } else {
                classify(self.context("check bucket", &probe), error)
            });
        }
        let content = format!("kinora storage self-test {probe}");
        self.put_bytes(&probe, content.clone()).await?;
        let checked = self.check_probe(&probe, content.as_bytes()).await;
        let deleted = self.delete(&probe).await;
        checked.and(deleted)
    }

    async fn check_probe(&self, probe: &StorageKey, expected: &[u8]) -> Result<(), StorageError> {
        let read = self.get_range(probe, None).await?.collect().await?;
        if read != expected {
            return Err(StorageError::SelfTest(format!(
                "the probe object {probe} read back with different bytes than were written"
            )));
        }
        let anonymous = self
            .anonymous
            .get_object()
            .bucket(&self.config.bucket)
            .key(self.object_key(probe))
            .send()
            .await;
        match anonymous {
            Ok(_) => Err(StorageError::S3PubliclyReadable {
                bucket: self.config.bucket.clone(),
                url: self.config.bucket_object_url(&self.object_key(probe)),
            }),
            Err(error) => match status_of(&error) {
                Some(401 | 403 | 404) => Ok(()),
                Some(status) => Err(StorageError::SelfTest(format!(
                    "an anonymous read of the probe object answered HTTP {status}, expected 403"
                ))),
                None => Err(classify(self.context("anonymous read", probe), error)),
            },
        }
    }
}
