//! `manifest.json`: what a backup holds, each file with its size and SHA-256. It is written
//! last, so a backup without one is incomplete. Reading it checks its shape before anything
//! trusts it: every path relative, made of plain segments, under a known place, listed once.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::BackupError;

/// The manifest's file name inside a backup directory.
pub const MANIFEST: &str = "manifest.json";
/// The value of [`Manifest::format`].
pub const FORMAT: &str = "kinora-backup";
/// The manifest layout this build writes and reads.
pub const VERSION: u32 = 1;
/// The configuration's file name inside a backup directory.
pub const CONFIG_FILE: &str = "config.toml";
/// The directory local media is copied into (`media/<storage key>`).
pub const MEDIA_DIR: &str = "media";
/// The largest manifest read (a million files fit in far less).
const MANIFEST_LIMIT: u64 = 256 << 20;

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout's version ([`VERSION`]).
    pub version: u32,
    /// When the backup started (RFC 3339, UTC).
    pub created_at: String,
    /// The Kinora version that wrote it.
    pub kinora_version: String,
    /// The instance's public URL: actor ids are made of it, so a restore keeps it.
    pub public_url: String,
    /// The database copy.
    pub database: DatabaseEntry,
    /// Every file of the backup directory except the manifest: the database copy, the
    /// configuration and local media.
    pub files: Vec<FileEntry>,
    /// Media in S3, listed (not copied): the bucket is backed up by its own means.
    pub s3_objects: Vec<S3Entry>,
}

/// The database copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DatabaseEntry {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Its file in the backup (also listed in [`Manifest::files`]).
    pub file: String,
    /// The newest migration applied when it was taken.
    pub schema_version: Option<i64>,
}

/// One file of the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileEntry {
    /// Its path inside the backup directory, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its content, lowercase hex.
    pub sha256: String,
}

/// One object in S3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Entry {
    /// The bucket.
    pub bucket: String,
    /// The object's key in it.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

impl FileEntry {
    /// The storage key of a media file (`media/<key>`), `None` for other files.
    pub fn media_key(&self) -> Option<&str> {
        self.path
            .strip_prefix(MEDIA_DIR)
            .and_then(|rest| rest.strip_prefix('/'))
    }
}

/// Whether `path` is a plain relative path: `/`-separated segments, none empty, `.` or `..`,
/// no backslash or NUL.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 1024
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
        && Path::new(path)
            .components()
            .all(|component| matches!(component, Component::Normal(_)))
}

impl Manifest {
    /// Reads and checks the manifest of the backup in `dir`.
    pub fn read(dir: &Path) -> Result<Self, BackupError> {
        let path = dir.join(MANIFEST);
        let metadata = std::fs::symlink_metadata(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                BackupError::Damaged(vec![format!(
                    "{MANIFEST} is missing: the backup is incomplete (it was interrupted or \
                     truncated)"
                )])
            } else {
                BackupError::io(&path, source)
            }
        })?;
        if !metadata.is_file() {
            return Err(BackupError::Damaged(vec![format!(
                "{MANIFEST} is not a regular file"
            )]));
        }
        if metadata.len() > MANIFEST_LIMIT {
            return Err(BackupError::Damaged(vec![format!(
                "{MANIFEST} is {} bytes, more than the {MANIFEST_LIMIT} a manifest may have",
                metadata.len()
            )]));
        }
        let text = std::fs::read(&path).map_err(|source| BackupError::io(&path, source))?;
        let manifest: Manifest = serde_json::from_slice(&text).map_err(|error| {
            BackupError::Damaged(vec![format!("{MANIFEST} cannot be read: {error}")])
        })?;
        manifest.check()?;
        Ok(manifest)
    }

    /// Checks the manifest's shape: format and version, and every path.
    pub fn check(&self) -> Result<(), BackupError> {
        let mut problems = Vec::new();
        if self.format != FORMAT {
            problems.push(format!("format is {:?}, not {FORMAT:?}", self.format));
        }
        if self.version != VERSION {
            problems.push(format!(
                "layout version {} is not {VERSION}, the one this Kinora reads",
                self.version
            ));
        }
        if !matches!(self.database.backend.as_str(), "sqlite" | "postgres") {
            problems.push(format!(
                "database.backend {:?} is neither sqlite nor postgres",
                self.database.backend
            ));
        }
        let mut seen = HashSet::new();
        for entry in &self.files {
            let path = &entry.path;
            if !is_plain_relative(path) {
                problems.push(format!("{path:?} is not a plain relative path"));
                continue;
            }
            let known_place =
                path == CONFIG_FILE || path == &self.database.file || entry.media_key().is_some();
            if !known_place || path == MANIFEST {
                problems.push(format!(
                    "{path:?} is neither the database, the configuration nor media"
                ));
            }
            if entry.sha256.len() != 64 || hex::decode(&entry.sha256).is_err() {
                problems.push(format!("{path:?} has no valid SHA-256"));
            }
            if !seen.insert(path.as_str()) {
                problems.push(format!("{path:?} is listed twice"));
            }
        }
        if !matches!(
            self.database.file.as_str(),
            "database.sqlite" | "database.pgdump"
        ) {
            problems.push(format!(
                "database.file {:?} is not database.sqlite or database.pgdump",
                self.database.file
            ));
        } else if !seen.contains(self.database.file.as_str()) {
            problems.push(format!(
                "the database copy {} is not in the file list",
                self.database.file
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(BackupError::Damaged(problems))
        }
    }

    /// The local path of an entry inside the backup directory `dir` (checked by
    /// [`Manifest::check`] to stay inside it).
    pub fn path_in(dir: &Path, entry: &FileEntry) -> PathBuf {
        entry
            .path
            .split('/')
            .fold(dir.to_path_buf(), |path, segment| path.join(segment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(paths: &[&str]) -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            version: VERSION,
            created_at: "2026-12-07T00:00:00Z".to_owned(),
            kinora_version: "0.1.0".to_owned(),
            public_url: "https://videos.example".to_owned(),
            database: DatabaseEntry {
                backend: "sqlite".to_owned(),
                file: "database.sqlite".to_owned(),
                schema_version: Some(1),
            },
            files: paths
                .iter()
                .map(|path| FileEntry {
                    path: (*path).to_owned(),
                    size: 1,
                    sha256: "ab".repeat(32),
                })
                .collect(),
            s3_objects: Vec::new(),
        }
    }

    fn problems(manifest: &Manifest) -> Vec<String> {
        match manifest.check() {
            Ok(()) => Vec::new(),
            Err(BackupError::Damaged(problems)) => problems,
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn a_sound_manifest_passes() {
        let sound = manifest(&[
            "database.sqlite",
            "config.toml",
            "media/thumbnails/a.jpg",
            "media/streaming-playlists/hls/u/x-720.m3u8",
        ]);
        assert_eq!(problems(&sound), Vec::<String>::new());
        assert_eq!(sound.files[2].media_key(), Some("thumbnails/a.jpg"));
        assert_eq!(sound.files[1].media_key(), None);
    }

    #[test]
    fn paths_that_leave_the_backup_or_name_other_places_are_refused() {
        for bad in [
            "media/../../etc/passwd",
            "/etc/passwd",
            "media//a",
            "media/./a",
            "media/a\\..\\b",
            "media/",
            "media",
            "other/file",
            "manifest.json",
            "",
        ] {
            let found = problems(&manifest(&["database.sqlite", bad]));
            assert_eq!(found.len(), 1, "{bad:?}: {found:?}");
            assert!(found[0].contains(&format!("{bad:?}")), "{found:?}");
        }
    }

    #[test]
    fn duplicates_bad_hashes_formats_and_a_missing_database_are_refused() {
        let found = problems(&manifest(&[
            "database.sqlite",
            "config.toml",
            "config.toml",
        ]));
        assert_eq!(found, vec!["\"config.toml\" is listed twice".to_owned()]);

        let mut bad_hash = manifest(&["database.sqlite"]);
        bad_hash.files[0].sha256 = "zz".repeat(32);
        assert_eq!(
            problems(&bad_hash),
            vec!["\"database.sqlite\" has no valid SHA-256".to_owned()]
        );

        let found = problems(&manifest(&["config.toml"]));
        assert_eq!(
            found,
            vec!["the database copy database.sqlite is not in the file list".to_owned()]
        );

        let mut other = manifest(&["database.sqlite"]);
        other.format = "tar".to_owned();
        other.version = 2;
        other.database.backend = "mysql".to_owned();
        assert_eq!(problems(&other).len(), 3);

        let mut escaping = manifest(&["database.sqlite"]);
        escaping.database.file = "../database.sqlite".to_owned();
        assert!(
            problems(&escaping)
                .iter()
                .any(|problem| problem.contains("is not database.sqlite or database.pgdump"))
        );
    }

    #[test]
    fn entry_paths_stay_inside_the_directory() {
        let entry = FileEntry {
            path: "media/thumbnails/a.jpg".to_owned(),
            size: 1,
            sha256: String::new(),
        };
        assert_eq!(
            Manifest::path_in(Path::new("/b"), &entry),
            PathBuf::from("/b/media/thumbnails/a.jpg")
        );
    }
}
