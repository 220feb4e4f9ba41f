//! The `[storage.s3]` configuration section, the secret wrapper and the URL rules.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::StorageError;

/// The smallest part S3 accepts in a multipart upload (except the last one): 5 MiB.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// The largest part S3 accepts: 5 GiB.
const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// The default part size: 16 MiB.
pub const DEFAULT_PART_SIZE: u64 = 16 * 1024 * 1024;

/// A secret value (such as an S3 secret access key). Its `Debug` and `Display` print `***`, so
/// it never reaches logs or error messages; [`Secret::expose`] is the one way to read it.
/// It (de)serializes as the plain string so that configuration layers can carry it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: pass it only to the code that needs it, never to a formatter.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The `[storage.s3]` configuration section: one bucket (with an optional key prefix) on AWS
/// or on any S3-compatible server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Config {
    /// The server's base URL (`http://127.0.0.1:3900`, `https://s3.example.com`); without a
    /// scheme, `https://` is assumed. Absent: AWS, from `region`.
    pub endpoint: Option<String>,
    /// The region used for signing (`us-east-1` by default; Garage uses `garage`).
    pub region: String,
    /// The bucket that holds every file.
    pub bucket: String,
    /// Prepended to every key (`kinora/` keeps the files under one folder of a shared bucket).
    pub prefix: String,
    /// The access key id; absent: `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// The secret access key; absent: `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<Secret>,
    /// Address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most
    /// self-hosted servers need it).
    pub force_path_style: bool,
    /// Public URLs start here instead of at the bucket (a CDN in front of it), e.g.
    /// `https://cdn.example.com/media`.
    pub public_base_url: Option<String>,
    /// Files larger than this go up in parts of this size (bytes; at least 5 MiB).
    pub multipart_part_size: u64,
    /// `[storage.s3.originals]`: where uploaded originals go (never public).
    pub originals: S3KindConfig,
    /// `[storage.s3.hls]`: where HLS playlists and fragmented MP4s go.
    pub hls: S3KindConfig,
    /// `[storage.s3.images]`: where thumbnails, previews and storyboards go.
    pub images: S3KindConfig,
    /// `[storage.s3.torrents]`: where torrent files go.
    pub torrents: S3KindConfig,
}

/// Where one kind of file goes, when not simply in `[storage.s3]`'s bucket and prefix, and
/// whether it is public.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3KindConfig {
    /// Another bucket for this kind (absent: `[storage.s3].bucket`).
    pub bucket: Option<String>,
    /// Another key prefix for this kind (absent: `[storage.s3].prefix`).
    pub prefix: Option<String>,
    /// The files of public and unlisted videos of this kind are readable by anyone at their
    /// public URL (the operator makes the bucket or prefix public), and the API links them
    /// there instead of proxying them. Private videos' files stay in `[storage.s3]`'s own
    /// (private) bucket and prefix. A public kind needs its own bucket or prefix.
    pub public: bool,
    /// Public URLs of this kind start here (absent: `[storage.s3].public_base_url`, else the
    /// bucket's own URL).
    pub public_base_url: Option<String>,
}

impl Default for S3Config {
    fn default() -> Self {
        Self {
            endpoint: None,
            region: "us-east-1".to_owned(),
            bucket: String::new(),
            prefix: String::new(),
            access_key_id: None,
            secret_access_key: None,
            force_path_style: false,
            public_base_url: None,
            multipart_part_size: DEFAULT_PART_SIZE,
            originals: S3KindConfig::default(),
            hls: S3KindConfig::default(),
            images: S3KindConfig::default(),
            torrents: S3KindConfig::default(),
        }
    }
}

fn invalid(message: impl Into<String>) -> StorageError {
    StorageError::S3Config(message.into())
}

impl S3Config {
    /// Checks the settings that can be checked without the network.
    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        if !is_bucket_name(&self.bucket) {
            return Err(invalid(format!(
                "bucket {:?} is not a valid bucket name (3-63 characters: a-z, 0-9, '.', '-')",
                self.bucket
            )));
        }
        if self.region.is_empty()
            || !self
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(format!(
                "region {:?} is not a region name",
                self.region
            )));
        }
        check_prefix("prefix", &self.prefix)?;
        self.validate_kinds()?;
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&self.multipart_part_size) {
            return Err(invalid(format!(
                "multipart_part_size {} must be between 5 MiB ({MIN_PART_SIZE}) and 5 GiB",
                self.multipart_part_size
            )));
        }
        for (name, url) in [
            ("endpoint", &self.endpoint),
            ("public_base_url", &self.public_base_url),
        ] {
            if let Some(url) = url
                && (url.trim().is_empty() || url.contains(char::is_whitespace))
            {
                return Err(invalid(format!("{name} {url:?} is not a URL")));
            }
        }
        Ok(())
    }

    fn kinds(&self) -> [(&'static str, &S3KindConfig); 4] {
        [
            ("originals", &self.originals),
            ("hls", &self.hls),
            ("images", &self.images),
            ("torrents", &self.torrents),
        ]
    }

    fn validate_kinds(&self) -> Result<(), StorageError> {
        if self.originals.public {
            return Err(invalid("[storage.s3.originals] cannot be public"));
        }
        for (name, kind) in self.kinds() {
            if let Some(bucket) = &kind.bucket
                && !is_bucket_name(bucket)
            {
                return Err(invalid(format!(
                    "[storage.s3.{name}] bucket {bucket:?} is not a valid bucket name"
                )));
            }
            if let Some(prefix) = &kind.prefix {
                check_prefix(&format!("[storage.s3.{name}] prefix"), prefix)?;
            }
            if let Some(url) = &kind.public_base_url
                && (url.trim().is_empty() || url.contains(char::is_whitespace))
            {
                return Err(invalid(format!(
                    "[storage.s3.{name}] public_base_url {url:?} is not a URL"
                )));
            }
            let bucket = kind.bucket.as_deref().unwrap_or(&self.bucket);
            let prefix = kind.prefix.as_deref().unwrap_or(&self.prefix);
            if kind.public && bucket == self.bucket && self.prefix.starts_with(prefix) {
                return Err(invalid(format!(
                    "[storage.s3.{name}] is public, so it needs its own bucket or a prefix \
                     that does not contain the private prefix {:?}: private videos' files \
                     would be readable by anyone",
                    self.prefix
                )));
            }
        }
        Ok(())
    }

    /// The settings of one location: `kind`'s public bucket and prefix (`None` when the kind
    /// is not public), or where its private files go.
    pub(crate) fn location(&self, kind: &S3KindConfig, public: bool) -> Option<S3Config> {
        if public && !kind.public {
            return None;
        }
        let mut location = S3Config {
            originals: S3KindConfig::default(),
            hls: S3KindConfig::default(),
            images: S3KindConfig::default(),
            torrents: S3KindConfig::default(),
            ..self.clone()
        };
        if kind.public == public {
            if let Some(bucket) = &kind.bucket {
                location.bucket = bucket.clone();
            }
            if let Some(prefix) = &kind.prefix {
                location.prefix = prefix.clone();
            }
            if let Some(url) = &kind.public_base_url {
                location.public_base_url = Some(url.clone());
            }
        }
        Some(location)
    }

    /// The endpoint with a scheme (`https://` when none is given) and no trailing slash.
    pub(crate) fn endpoint_url(&self) -> Option<String> {
        self.endpoint.as_deref().map(|endpoint| {
            let endpoint = endpoint.trim_end_matches('/');
            if endpoint.contains("://") {
                endpoint.to_owned()
            } else {
                format!("https://{endpoint}")
            }
        })
    }

    /// Where the server is, for error messages.
    pub(crate) fn endpoint_label(&self) -> String {
        self.endpoint_url()
            .unwrap_or_else(|| format!("AWS S3 ({})", self.region))
    }

    /// The URL of an object key (prefix included) on the S3 endpoint itself.
    pub(crate) fn bucket_object_url(&self, object_key: &str) -> String {
        let endpoint = self
            .endpoint_url()
            .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", self.region));
        if self.force_path_style {
            return format!("{endpoint}/{}/{object_key}", self.bucket);
        }
        match endpoint.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}.{rest}/{object_key}", self.bucket),
            None => format!("{endpoint}/{}/{object_key}", self.bucket),
        }
    }

    /// The public URL of an object key (prefix included): the CDN's when set, else the bucket's.
    pub(crate) fn public_object_url(&self, object_key: &str) -> String {
        match &self.public_base_url {
            Some(base) => format!("{}/{object_key}", base.trim_end_matches('/')),
            None => self.bucket_object_url(object_key),
        }
    }

    /// The access key pair: from the settings, else from the standard AWS variables (read
    /// through `env`). A session token is used only when both keys come from the environment.
    pub(crate) fn resolve_credentials(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ResolvedCredentials, StorageError> {
        let from_env = self.access_key_id.is_none() && self.secret_access_key.is_none();
        let access_key_id = self
            .access_key_id
            .clone()
            .or_else(|| env("AWS_ACCESS_KEY_ID"))
            .filter(|id| !id.is_empty());
        let secret = self
            .secret_access_key
            .clone()
            .or_else(|| env("AWS_SECRET_ACCESS_KEY").map(Secret::new))
            .filter(|secret| !secret.expose().is_empty());
        match (access_key_id, secret) {
            (Some(access_key_id), Some(secret_access_key)) => Ok(ResolvedCredentials {
                access_key_id,
                secret_access_key,
                session_token: if from_env {
                    env("AWS_SESSION_TOKEN")
                        .filter(|token| !token.is_empty())
                        .map(Secret::new)
                } else {
                    None
                },
            }),
            _ => Err(invalid(
                "no S3 credentials: set access_key_id and secret_access_key in [storage.s3], \
                 or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment",
            )),
        }
    }
}

/// Credentials after the fallback to the environment.
#[derive(Debug)]
pub(crate) struct ResolvedCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

fn check_prefix(name: &str, prefix: &str) -> Result<(), StorageError> {
    let prefix_ok = !prefix.starts_with('/')
        && prefix.len() <= 200
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        && prefix
            .split('/')
            .all(|segment| segment != ".." && segment != ".");
    if prefix_ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "{name} {prefix:?} must be relative and use only A-Z, a-z, 0-9, '-', '_', '.', '/'"
        )))
    }
}

fn is_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
