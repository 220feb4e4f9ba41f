//! Kinora's object storage: where every file the instance keeps lives, under keys built only
//! from server-generated ids.
//!
//! [`StorageKey`] is the only way to name a stored file: its constructors take UUIDs and
//! [`GeneratedName`]s (names the server made), never a string from a request, so user input can
//! never become a path. [`LocalStorage`] keeps files on local disk and publishes whole
//! directories atomically (write elsewhere, then rename). Depends only on `kinora-core`. Start
//! reading at [`StorageKey`].
//!
//! # One handle for the rest of Kinora
//!
//! [`MediaStorage`] is what the server and the transcoders hold: `storage.backend` (`local` or
//! `s3`) says where new files go, and every video records the [`Location`] of its files
//! (`local`, `s3-private`, `s3-public`), so files stored under another backend stay reachable
//! until `kinora storage migrate` moves them. Per kind of file ([`FileKind`]: originals, HLS,
//! images, torrents) `[storage.s3.<kind>]` can name another bucket or prefix and make the kind
//! public: public and unlisted videos' files of a public kind are then linked straight to the
//! bucket or CDN; every other file in S3 is proxied by the server.
//!
//! # The S3 backend
//!
//! [`S3Storage`] keeps the same keys in one bucket of AWS or any S3-compatible server (Garage,
//! MinIO, R2, B2, s3s), configured by [`S3Config`] (`[storage.s3]`): `endpoint` (absent: AWS),
//! `region`, `bucket`, `prefix` (prepended to every key), `access_key_id` and
//! `secret_access_key` (absent: the standard `AWS_*` environment variables), `force_path_style`,
//! `public_base_url` (a CDN) and `multipart_part_size` (16 MiB by default, at least 5 MiB).
//!
//! - Object key = `prefix + StorageKey`; public URL = `public_base_url/prefix+key`, else the
//!   bucket's path-style or virtual-host URL ([`S3Storage::public_url`]).
//! - [`S3Storage::put_file`] streams from disk; above the part size it is a multipart upload
//!   whose object appears only once complete, and which is aborted on failure (or when the
//!   future is dropped), so nothing half-written is ever visible. The SDK retries each request.
//! - [`S3Storage::get_range`] streams an object or an inclusive byte range; [`S3Storage::head`],
//!   [`S3Storage::delete`], [`S3Storage::list`] and [`S3Storage::delete_prefix`] (directory keys)
//!   complete the set.
//! - [`S3Storage::self_test`] runs at start-up: the bucket exists, the credentials work, a probe
//!   can be written and read back, and an unsigned request for it is refused.
//! - Secrets live in [`Secret`], whose `Debug` prints `***`; errors never include them.
//! - Every request has a connect timeout and a per-attempt timeout (scaled by body size for
//!   uploads); HTTP goes through rustls with ring, no OpenSSL.

mod config;
mod health;
mod key;
mod local;
mod media;
mod range;
mod s3;

pub use config::{Backend, LocalStorageConfig, StorageConfig};
pub use key::{FileKind, GeneratedName, StorageKey};
pub use local::LocalStorage;
pub use media::{FileDigest, Location, MediaStorage};
pub use range::ByteRange;
pub use s3::{
    DEFAULT_PART_SIZE, ListedObject, MIN_PART_SIZE, ObjectBody, ObjectInfo, S3Config, S3KindConfig,
    S3Storage, Secret,
};

use std::path::PathBuf;

/// Why storage could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The local root could not be created or is not writable.
    #[error("storage root {path} is not usable: {source}")]
    Root {
        /// The configured root directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file operation failed.
    #[error("storage {operation} of {key} failed: {source}")]
    Io {
        /// What was attempted.
        operation: &'static str,
        /// The key.
        key: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A name is not one the server could have generated.
    #[error("not a generated file name: {0:?}")]
    BadName(String),
    /// The `[storage.s3]` settings are invalid or incomplete.
    #[error("invalid [storage.s3] settings: {0}")]
    S3Config(String),
    /// The S3 server could not be reached (refused, timed out, TLS failure, DNS).
    #[error("S3 endpoint {endpoint} is unreachable ({operation}): {detail}")]
    S3Unreachable {
        /// What was attempted.
        operation: &'static str,
        /// The configured endpoint.
        endpoint: String,
        /// What the connection attempt said.
        detail: String,
    },
    /// The bucket does not exist.
    #[error(
        "S3 bucket {bucket:?} does not exist at {endpoint}: create it or fix [storage.s3].bucket"
    )]
    S3BucketMissing {
        /// The configured bucket.
        bucket: String,
        /// The configured endpoint.
        endpoint: String,
    },
    /// The server refused the request: wrong credentials or missing permission.
    #[error(
        "S3 refused {operation} in bucket {bucket:?} ({code}): check access_key_id and \
         secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the key's \
         permissions on the bucket"
    )]
    S3Refused {
        /// What was attempted.
        operation: &'static str,
        /// The configured bucket.
        bucket: String,
        /// The server's error code (or HTTP status).
        code: String,
    },
    /// A private object can be read without credentials.
    #[error(
        "S3 bucket {bucket:?} lets anyone read private objects: an unsigned GET of {url} \
         succeeded; remove public access from the bucket"
    )]
    S3PubliclyReadable {
        /// The configured bucket.
        bucket: String,
        /// The URL that answered anonymously.
        url: String,
    },
    /// A public location's files cannot be read anonymously at their public URL.
    #[error(
        "S3 public location in bucket {bucket:?} is not readable anonymously: GET {url} \
         {detail}; make the bucket (or prefix) public, fix public_base_url, or set \
         public = false for that kind"
    )]
    S3PublicUnreadable {
        /// The bucket.
        bucket: String,
        /// The public URL tried.
        url: String,
        /// What the request said.
        detail: String,
    },
    /// The S3 start-up self-test found another problem.
    #[error("S3 self-test failed: {0}")]
    SelfTest(String),
    /// Any other failure of an S3 request.
    #[error("S3 {operation} of {key} failed: {detail}")]
    S3 {
        /// What was attempted.
        operation: &'static str,
        /// The key.
        key: String,
        /// The server's code and the SDK's explanation.
        detail: String,
    },
    /// There is no object under this key.
    #[error("no stored object {key}")]
    NotFound {
        /// The key.
        key: String,
    },
    /// The requested byte range lies outside the object.
    #[error("byte range not satisfiable for {key}")]
    RangeNotSatisfiable {
        /// The key.
        key: String,
    },
}
