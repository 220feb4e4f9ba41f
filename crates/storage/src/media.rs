//! [`MediaStorage`]: one handle over every place a video's files can live — local disk, the
//! private S3 location and the public S3 locations — addressed by a [`Location`] (recorded per
//! video in the database) and a [`StorageKey`].

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::health::counted;
use crate::{
    Backend, ByteRange, FileKind, LocalStorage, ObjectBody, S3Config, S3KindConfig, S3Storage,
    StorageConfig, StorageError, StorageKey,
};

/// Where a video's files are: the value stored in the database next to the video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// Local disk, served by the server.
    Local,
    /// The private S3 location of each kind, proxied by the server.
    S3Private,
    /// The public S3 location of each kind that has one (linked straight to the bucket or
    /// CDN); kinds without one use the private location.
    S3Public,
}

impl Location {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Local => "local",
            Location::S3Private => "s3-private",
            Location::S3Public => "s3-public",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "local" => Some(Location::Local),
            "s3-private" => Some(Location::S3Private),
            "s3-public" => Some(Location::S3Public),
            _ => None,
        }
    }

    /// Whether the files are in S3.
    pub fn is_s3(self) -> bool {
        self != Location::Local
    }
}

/// A stored file's size and SHA-256, to check a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDigest {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
}

/// The S3 locations of one kind of file.
#[derive(Debug, Clone)]
struct KindLocations {
    private: S3Storage,
    public: Option<S3Storage>,
}

#[derive(Debug, Clone)]
struct S3Locations {
    main: S3Storage,
    originals: KindLocations,
    hls: KindLocations,
    images: KindLocations,
    torrents: KindLocations,
}

impl S3Locations {
    fn connect(config: &S3Config) -> Result<Self, StorageError> {
        config.validate()?;
        let main = S3Storage::connect(config)?;
        let kind = |kind: &S3KindConfig| -> Result<KindLocations, StorageError> {
            let private = config
                .location(kind, false)
                .expect("a private location exists");
            let public = config
                .location(kind, true)
                .map(|public| S3Storage::connect(&public))
                .transpose()?;
            Ok(KindLocations {
                private: S3Storage::connect(&private)?,
                public,
            })
        };
        Ok(Self {
            originals: kind(&config.originals)?,
            hls: kind(&config.hls)?,
            images: kind(&config.images)?,
            torrents: kind(&config.torrents)?,
            main,
        })
    }

    fn of(&self, kind: FileKind) -> Option<&KindLocations> {
        match kind {
            FileKind::Original => Some(&self.originals),
            FileKind::Hls => Some(&self.hls),
            FileKind::Image => Some(&self.images),
            FileKind::Torrent => Some(&self.torrents),
            FileKind::Temporary => None,
        }
    }

    /// Each distinct location once: `(storage, public)`.
    fn distinct(&self) -> Vec<(&S3Storage, bool)> {
        let mut seen: Vec<(&S3Storage, bool)> = vec![(&self.main, false)];
        for kind in [&self.originals, &self.hls, &self.images, &self.torrents] {
            for (storage, public) in [(Some(&kind.private), false), (kind.public.as_ref(), true)] {
                if let Some(storage) = storage
                    && !seen.iter().any(|(other, _)| same_place(other, storage))
                {
                    seen.push((storage, public));
                }
            }
        }
        seen
    }
}

fn same_place(a: &S3Storage, b: &S3Storage) -> bool {
    a.config().bucket == b.config().bucket && a.config().prefix == b.config().prefix
}

/// Every place files live, behind one interface. Local disk is always there: besides the
/// local backend's files it holds uploads in flight and working directories.
#[derive(Debug, Clone)]
pub struct MediaStorage {
    local: LocalStorage,
    backend: Backend,
    s3: Option<S3Locations>,
}

impl MediaStorage {
    /// Opens local disk and, when `[storage.s3]` names a bucket, builds the S3 clients (no
    /// request yet: see [`MediaStorage::self_test`]).
    pub fn open(config: &StorageConfig) -> Result<Self, StorageError> {
        if config.backend == Backend::S3 && !config.has_s3() {
            return Err(StorageError::S3Config(
                "storage.backend = \"s3\" needs [storage.s3].bucket".to_owned(),
            ));
        }
        let local = LocalStorage::open(&config.local)?;
        let s3 = if config.has_s3() {
            Some(S3Locations::connect(&config.s3)?)
        } else {
            None
        };
        Ok(Self {
            local,
            backend: config.backend,
            s3,
        })
    }

    /// Local disk: uploads in flight, working directories and the local backend's files.
    pub fn local(&self) -> &LocalStorage {
        &self.local
    }

    /// Where new files go.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether S3 is configured.
    pub fn has_s3(&self) -> bool {
        self.s3.is_some()
    }

    /// The start-up check of every S3 location: each private one passes
    /// [`S3Storage::self_test`] (a private object is not readable anonymously); in each public
    /// one a probe written is readable anonymously at its public URL. Nothing to do without S3.
    pub async fn self_test(&self) -> Result<(), StorageError> {
        let Some(s3) = &self.s3 else {
            return Ok(());
        };
        for (storage, public) in s3.distinct() {
            if public {
                crate::health::check_public_location(storage).await?;
            } else {
                storage.self_test().await?;
            }
        }
        Ok(())
    }

    /// The readiness probe: the local root is writable and each distinct S3 location answers
    /// (a `HEAD` of a key that does not exist: "not found" is an answer). Failures are counted
    /// like every other storage fault (operation `check`).
    pub async fn check_ready(&self) -> Result<(), StorageError> {
        let probe = self.local.create_work_directory();
        let local = probe.and_then(|(key, _)| self.local.delete(&key));
        counted("check", Location::Local, local)?;
        if let Some(s3) = &self.s3 {
            for (storage, _) in s3.distinct() {
                let probe = StorageKey::self_test_probe(Uuid::new_v4());
                counted("check", Location::S3Private, storage.head(&probe).await)?;
            }
        }
        Ok(())
    }

    /// Where the media of a new video goes: local disk, or S3 (its public locations when the
    /// video is public or unlisted).
    pub fn location_for_media(&self, public: bool) -> Location {
        match (self.backend, public) {
            (Backend::Local, _) => Location::Local,
            (Backend::S3, true) => Location::S3Public,
            (Backend::S3, false) => Location::S3Private,
        }
    }

    /// Where the original of a new video goes, once it is stored for good.
    pub fn location_for_originals(&self) -> Location {
        self.location_for_media(false)
    }

    fn s3_for(&self, location: Location, key: &StorageKey) -> Result<&S3Storage, StorageError> {
        let s3 = self.s3.as_ref().ok_or_else(|| {
            StorageError::S3Config(format!(
                "{key} is stored in S3 ({}) but [storage.s3] is not configured",
                location.as_str()
            ))
        })?;
        Ok(match (location, s3.of(key.kind())) {
            (Location::S3Public, Some(kind)) => kind.public.as_ref().unwrap_or(&kind.private),
            (_, Some(kind)) => &kind.private,
            (_, None) => &s3.main,
        })
    }

    /// Whether `key` at `a` and at `b` is the same stored object (a kind without a public
    /// location keeps public files in its private one).
    pub fn same_place(&self, a: Location, b: Location, key: &StorageKey) -> bool {
        match (a, b) {
            (Location::Local, Location::Local) => true,
            (Location::Local, _) | (_, Location::Local) => false,
            _ => match (self.s3_for(a, key), self.s3_for(b, key)) {
                (Ok(a), Ok(b)) => same_place(a, b),
                _ => false,
            },
        }
    }

    /// The local path of a file stored locally; `None` for a file in S3.
    pub fn local_path(&self, location: Location, key: &StorageKey) -> Option<PathBuf> {
        (location == Location::Local).then(|| self.local.path(key))
    }

    /// The URL anyone can fetch the file at, when it is in a public S3 location.
    pub fn public_url(&self, location: Location, key: &StorageKey) -> Option<String> {
        if location != Location::S3Public {
            return None;
        }
        let kind = self.s3.as_ref()?.of(key.kind())?;
        kind.public.as_ref().map(|public| public.public_url(key))
    }

    /// Stores a finished local file (on the local disk's file system) under `key`: renamed
    /// into place locally, or uploaded to S3 and then removed. Nothing is visible under `key`
    /// until the whole file is.
    pub async fn store_file(
        &self,
        location: Location,
        source: &Path,
        key: &StorageKey,
    ) -> Result<(), StorageError> {
        if location == Location::Local {
            return counted("store", location, self.local.move_file_into(source, key));
        }
        counted("store", location, self.put(location, key, source).await)?;
        let _ = tokio::fs::remove_file(source).await;
        Ok(())
    }

    async fn put(&self, to: Location, key: &StorageKey, source: &Path) -> Result<(), StorageError> {
        self.s3_for(to, key)?.put_file(key, source).await
    }

    /// Copies a stored file to `destination` on local disk (the transcoder's input).
    pub async fn fetch_to_file(
        &self,
        location: Location,
        key: &StorageKey,
        destination: &Path,
    ) -> Result<(), StorageError> {
        let fetched = self.fetch_uncounted(location, key, destination).await;
        counted("fetch", location, fetched)
    }

    async fn fetch_uncounted(
        &self,
        location: Location,
        key: &StorageKey,
        destination: &Path,
    ) -> Result<(), StorageError> {
        let io = |operation| {
            let key = key.to_string();
            move |source| StorageError::Io {
                operation,
                key,
                source,
            }
        };
        if let Some(path) = self.local_path(location, key) {
            if !path.is_file() {
                return Err(StorageError::NotFound {
                    key: key.to_string(),
                });
            }
            if std::fs::hard_link(&path, destination).is_err() {
                tokio::fs::copy(&path, destination)
                    .await
                    .map_err(io("copy"))?;
            }
            return Ok(());
        }
        self.s3_for(location, key)?
            .download_to_file(key, destination)
            .await?;
        Ok(())
    }

    /// Reads a file in S3, or one byte range of it (for the server's proxy of private files).
    /// Local files are served from [`MediaStorage::local_path`].
    pub async fn read_s3(
        &self,
        location: Location,
        key: &StorageKey,
        range: Option<ByteRange>,
    ) -> Result<ObjectBody, StorageError> {
        let read = async { self.s3_for(location, key)?.get_byte_range(key, range).await };
        counted("read", location, read.await)
    }

    /// Deletes a file; a missing one is not an error.
    pub async fn delete(&self, location: Location, key: &StorageKey) -> Result<(), StorageError> {
        let deleted = match location {
            Location::Local => self.local.delete(key),
            _ => async { self.s3_for(location, key)?.delete(key).await }.await,
        };
        counted("delete", location, deleted)
    }

    /// Deletes a directory key and everything under it.
    pub async fn delete_directory(
        &self,
        location: Location,
        key: &StorageKey,
    ) -> Result<(), StorageError> {
        let deleted = match location {
            Location::Local => self.local.delete(key),
            _ => async { self.s3_for(location, key)?.delete_prefix(key).await }
                .await
                .map(|_| ()),
        };
        counted("delete", location, deleted)
    }

    /// Size of a stored file, or `None` when it is not there.
    pub async fn size(
        &self,
        location: Location,
        key: &StorageKey,
    ) -> Result<Option<u64>, StorageError> {
        if let Some(path) = self.local_path(location, key) {
            return match tokio::fs::metadata(&path).await {
                Ok(metadata) => Ok(Some(metadata.len())),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => counted(
                    "stat",
                    location,
                    Err(StorageError::Io {
                        operation: "stat",
                        key: key.to_string(),
                        source,
                    }),
                ),
            };
        }
        let head = async { self.s3_for(location, key)?.head(key).await };
        Ok(counted("stat", location, head.await)?.map(|info| info.size))
    }

    /// Size and SHA-256 of a stored file, or `None` when it is not there.
    pub async fn digest(
        &self,
        location: Location,
        key: &StorageKey,
    ) -> Result<Option<FileDigest>, StorageError> {
        counted("read", location, self.digest_uncounted(location, key).await)
    }

    async fn digest_uncounted(
        &self,
        location: Location,
        key: &StorageKey,
    ) -> Result<Option<FileDigest>, StorageError> {
        if let Some(path) = self.local_path(location, key) {
            let key = key.to_string();
            let key_text = key.clone();
            return tokio::task::spawn_blocking(move || digest_file(&path, key))
                .await
                .map_err(|error| StorageError::Io {
                    operation: "read",
                    key: key_text,
                    source: std::io::Error::other(error),
                })?;
        }
        let mut body = match self.s3_for(location, key)?.get_range(key, None).await {
            Ok(body) => body,
            Err(StorageError::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        let mut hasher = Sha256::new();
        let mut size = 0;
        while let Some(chunk) = body.next_chunk().await? {
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        Ok(Some(FileDigest {
            size,
            sha256: hasher.finalize().into(),
        }))
    }

    /// Copies a stored file from one location to another (the old copy stays).
    pub async fn copy(
        &self,
        from: Location,
        to: Location,
        key: &StorageKey,
    ) -> Result<(), StorageError> {
        if let Some(source) = self.local_path(from, key) {
            if to == Location::Local {
                return Ok(());
            }
            return counted("store", to, self.put(to, key, &source).await);
        }
        let (work_key, work) = self.local.create_work_directory()?;
        let staged = work.join("copy");
        let result = async {
            self.fetch_to_file(from, key, &staged).await?;
            self.store_file(to, &staged, key).await
        }
        .await;
        let _ = self.local.delete(&work_key);
        result
    }
}

fn digest_file(path: &Path, key: String) -> Result<Option<FileDigest>, StorageError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StorageError::Io {
                operation: "read",
                key,
                source,
            });
        }
    };
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher).map_err(|source| StorageError::Io {
        operation: "read",
        key,
        source,
    })?;
    Ok(Some(FileDigest {
        size,
        sha256: hasher.finalize().into(),
    }))
}

#[path = "media_listing.rs"]
mod listing;

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
