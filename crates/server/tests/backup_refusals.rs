//! What `kinora backup` refuses, each case on a real backup of a real instance: a tampered,
//! truncated or incomplete backup, a manifest that points outside the backup, a link in place
//! of a file, a file the manifest does not list, another public URL or database kind, a newer
//! schema, a non-empty target. A refused restore changes nothing: the target database has no
//! table and its storage no file.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::instance::{Instance, start};
use common::process::{kinora_with_config, printed, write_config};
use kinora_db::{DatabaseConfig, Db};
use serde_json::Value;

/// Runs a command that must fail with exit code 1 and say `expected`.
fn refused(config: &Path, args: &[&str], expected: &str) {
    let output = kinora_with_config(config, args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{args:?}: {}",
        printed(&output)
    );
    assert!(
        printed(&output).contains(expected),
        "{args:?} should say {expected:?}: {}",
        printed(&output)
    );
}

/// A copy of the backup, changed by `edit`.
fn damaged(backup: &Path, name: &str, edit: impl FnOnce(&Path)) -> PathBuf {
    let copy = backup.with_file_name(name);
    let status = Command::new("cp")
        .arg("-a")
        .arg(backup)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    edit(&copy);
    copy
}

fn manifest(backup: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap()
}

fn write_manifest(backup: &Path, manifest: &Value) {
    std::fs::write(
        backup.join("manifest.json"),
        serde_json::to_vec(manifest).unwrap(),
    )
    .unwrap();
}

/// Every file under `dir` (none when it does not exist).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

/// The empty machine a restore is tried on.
struct Target {
    dir: tempfile::TempDir,
    config: PathBuf,
    url: String,
}

impl Target {
    fn new(port: u16) -> Target {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/kinora.db", dir.path().display());
        let config = write_config(dir.path(), port, &url, "");
        Target { dir, config, url }
    }

    /// Nothing was restored: no table in the database, no file in storage (not even a
    /// staging leftover).
    async fn assert_untouched(&self) {
        let db = Db::connect(&DatabaseConfig {
            url: self.url.clone(),
            ..DatabaseConfig::default()
        })
        .await
        .unwrap();
        assert!(!db.has_tables().await.unwrap());
        db.close().await;
        assert_eq!(
            files_under(&self.dir.path().join("storage")),
            Vec::<PathBuf>::new()
        );
    }

    async fn refuses(&self, backup: &Path, expected: &str) {
        refused(
            &self.config,
            &["backup", "restore", "--from", backup.to_str().unwrap()],
            expected,
        );
        self.assert_untouched().await;
    }
}

/// An instance (no transcoding) with a few media files, backed up into `<tmp>/backup`.
async fn backed_up(dir: &Path, backups: &Path) -> (Instance, PathBuf) {
    let url = format!("sqlite://{}/kinora.db", dir.display());
    let instance = start(dir, &url, 0, "").await;
    for (key, content) in [
        ("thumbnails/3f1c.jpg", vec![7u8; 5000]),
        ("avatars/9a0b.png", vec![9u8; 300]),
        (
            "streaming-playlists/hls/u1/u1-master.m3u8",
            b"#EXTM3U\n".to_vec(),
        ),
    ] {
        let path = dir.join("storage").join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let backup = backups.join("backup");
    let output = kinora_with_config(
        &dir.join("kinora.toml"),
        &["backup", "create", "--to", backup.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", printed(&output));
    (instance, backup)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_backups_are_refused_before_anything_changes() {
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let (instance, backup) = backed_up(dir.path(), backups.path()).await;
    let config = dir.path().join("kinora.toml");
    let target = Target::new(instance.port);
    let verify = |path: &Path, expected: &str| {
        refused(
            &config,
            &["backup", "verify", "--from", path.to_str().unwrap()],
            expected,
        );
    };

    // A second backup into the same directory is refused.
    refused(
        &config,
        &["backup", "create", "--to", backup.to_str().unwrap()],
        "is not empty",
    );

    // One byte changed in a media file.
    let tampered = damaged(&backup, "tampered", |copy| {
        let path = copy.join("media/thumbnails/3f1c.jpg");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[100] ^= 1;
        std::fs::write(path, bytes).unwrap();
    });
    let expected = "media/thumbnails/3f1c.jpg: its SHA-256 differs from the manifest's";
    verify(&tampered, expected);
    target.refuses(&tampered, expected).await;

    // Truncated: a shorter database copy; a missing media file; no manifest at all.
    let short = damaged(&backup, "short", |copy| {
        let path = copy.join("database.sqlite");
        let length = std::fs::metadata(&path).unwrap().len();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(length / 2)
            .unwrap();
    });
    verify(&short, "database.sqlite: ");
    target.refuses(&short, "the manifest says").await;
    let no_database = damaged(&backup, "no-database", |copy| {
        std::fs::remove_file(copy.join("database.sqlite")).unwrap();
    });
    target
        .refuses(&no_database, "database.sqlite: missing")
        .await;
    let missing = damaged(&backup, "missing", |copy| {
        std::fs::remove_file(copy.join("media/avatars/9a0b.png")).unwrap();
    });
    verify(&missing, "media/avatars/9a0b.png: missing");
    target
        .refuses(&missing, "media/avatars/9a0b.png: missing")
        .await;
    let incomplete = damaged(&backup, "incomplete", |copy| {
        std::fs::remove_file(copy.join("manifest.json")).unwrap();
    });
    verify(&incomplete, "the backup is incomplete");
    target
        .refuses(&incomplete, "the backup is incomplete")
        .await;
    let garbled = damaged(&backup, "garbled", |copy| {
        std::fs::write(copy.join("manifest.json"), b"{\"format\": \"kinora-back").unwrap();
    });
    target
        .refuses(&garbled, "manifest.json cannot be read")
        .await;

    // A manifest that leads out of the backup, and one that leads the restore out of storage.
    let escaping = damaged(&backup, "escaping", |copy| {
        let mut manifest = manifest(copy);
        manifest["files"][2]["path"] = "media/../../../etc/passwd".into();
        write_manifest(copy, &manifest);
    });
    target
        .refuses(&escaping, "is not a plain relative path")
        .await;

    // A link where a file was, even one that points at the right content.
    let linked = damaged(&backup, "linked", |copy| {
        let path = copy.join("media/thumbnails/3f1c.jpg");
        std::fs::rename(&path, copy.join("elsewhere.jpg")).unwrap();
        std::os::unix::fs::symlink(copy.join("elsewhere.jpg"), &path).unwrap();
    });
    verify(&linked, "is not a regular file");
    target.refuses(&linked, "is not a regular file").await;

    // A file the manifest does not list.
    let extra = damaged(&backup, "extra", |copy| {
        std::fs::write(copy.join("media/thumbnails/extra.jpg"), b"x").unwrap();
    });
    verify(&extra, "media/thumbnails/extra.jpg: not in the manifest");

    // A schema this build does not know (made by a newer Kinora).
    let newer = damaged(&backup, "newer", |copy| {
        let mut manifest = manifest(copy);
        manifest["database"]["schemaVersion"] = 99_991_231_000_000_i64.into();
        write_manifest(copy, &manifest);
    });
    target
        .refuses(&newer, "which this build does not know")
        .await;

    // The sound backup, onto the wrong machines: another public URL; a PostgreSQL database;
    // the running instance itself (not empty).
    let elsewhere = Target::new(common::process::free_port());
    elsewhere.refuses(&backup, "server.public_url is").await;
    let postgres = tempfile::tempdir().unwrap();
    let postgres_config = write_config(
        postgres.path(),
        instance.port,
        &kinora_db::testing::postgres_admin_url(),
        "",
    );
    refused(
        &postgres_config,
        &["backup", "restore", "--from", backup.to_str().unwrap()],
        "the backup holds a sqlite database, but database.url is postgres",
    );
    refused(
        &config,
        &["backup", "restore", "--from", backup.to_str().unwrap()],
        "the database is not empty",
    );

    // And onto the right one, it goes through.
    let output = kinora_with_config(
        &target.config,
        &["backup", "restore", "--from", backup.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", printed(&output));
    let restored = target.dir.path().join("storage/thumbnails/3f1c.jpg");
    assert_eq!(std::fs::read(restored).unwrap(), vec![7u8; 5000]);
    assert!(
        files_under(&target.dir.path().join("storage/tmp")).is_empty(),
        "no staging leftovers"
    );
    drop(instance);
}
