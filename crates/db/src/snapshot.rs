//! Whole-database copies for backups, taken while the server keeps serving:
//! - SQLite: `VACUUM INTO` writes a consistent, compacted copy of the file from one read
//!   transaction (writers go on in WAL mode); restoring puts that file in place.
//! - PostgreSQL: `pg_dump --format=custom` (one snapshot, its own consistent view) and
//!   `pg_restore --single-transaction` (all or nothing). The password never appears on a
//!   command line: it is passed in `PGPASSWORD`.
//!
//! A restore only goes onto an empty database ([`Db::has_tables`] is false): nothing of an
//! existing instance is ever overwritten.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::{Backend, Db, DbError, DbResult};

/// Why a copy could not be made or put back.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The database refused or failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// `pg_dump` or `pg_restore` could not run or failed.
    #[error("{tool} failed: {message}")]
    Tool {
        /// `pg_dump` or `pg_restore`.
        tool: &'static str,
        /// Its exit status and the end of what it printed.
        message: String,
    },
    /// The URL is not one this module can copy (an in-memory SQLite database).
    #[error("database.url {0:?} names no file or server to copy")]
    Unsupported(String),
}

/// The file an `sqlite:` URL names (`None` for an in-memory database or another backend).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

impl Db {
    /// Whether the database holds any table (an empty one is the only one a restore goes
    /// onto). PostgreSQL: any table outside the system schemas.
    pub async fn has_tables(&self) -> DbResult<bool> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            }
        };
        let (count,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
        Ok(count > 0)
    }

    /// SQLite: writes a consistent copy of the whole database to `target` (which must not
    /// exist) while other connections keep reading and writing.
    pub async fn snapshot_sqlite_into(&self, target: &Path) -> Result<(), SnapshotError> {
        let path = target.to_str().ok_or_else(|| SnapshotError::Io {
            path: target.to_owned(),
            source: std::io::Error::other("the path is not UTF-8"),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_owned())
            .execute(&self.pool)
            .await
            .map_err(DbError::from)?;
        Ok(())
    }
}

/// The parts of a `postgres://` URL that `pg_dump` and `pg_restore` take: the URL without its
/// password, and the password (percent-decoded) for `PGPASSWORD`.
fn postgres_target(url: &str) -> (String, Option<String>) {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return (url.to_owned(), None);
    };
    let password = parsed.password().map(|password| {
        percent_encoding::percent_decode_str(password)
            .decode_utf8_lossy()
            .into_owned()
    });
    if password.is_none() || parsed.set_password(None).is_err() {
        return (url.to_owned(), None);
    }
    (parsed.to_string(), password)
}

/// Runs `pg_dump` or `pg_restore` against `url` with `args`; fails with the end of its error
/// output.
async fn run_tool(
    tool: &'static str,
    url: &str,
    args: &[&std::ffi::OsStr],
) -> Result<(), SnapshotError> {
    let (target, password) = postgres_target(url);
    let mut command = tokio::process::Command::new(tool);
    command
        .args(args)
        .arg(format!("--dbname={target}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .map_err(|source| SnapshotError::Tool {
            tool,
            message: format!("cannot run it ({source}); install PostgreSQL's client programs"),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    Err(SnapshotError::Tool {
        tool,
        message: format!(
            "{}: {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ),
    })
}

/// PostgreSQL: writes the whole database at `url` to `target` with `pg_dump` (custom format,
/// without owners or privileges, so it restores under another role).
pub async fn pg_dump(url: &str, target: &Path) -> Result<(), SnapshotError> {
    run_tool(
        "pg_dump",
        url,
        &[
            "--format=custom".as_ref(),
            "--no-owner".as_ref(),
            "--no-privileges".as_ref(),
            "--file".as_ref(),
            target.as_os_str(),
        ],
    )
    .await
}

/// PostgreSQL: restores a [`pg_dump`] file into the (empty) database at `url`, in one
/// transaction: on any error nothing is left behind.
pub async fn pg_restore(url: &str, dump: &Path) -> Result<(), SnapshotError> {
    run_tool(
        "pg_restore",
        url,
        &[
            "--no-owner".as_ref(),
            "--no-privileges".as_ref(),
            "--exit-on-error".as_ref(),
            "--single-transaction".as_ref(),
            dump.as_os_str(),
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://data/kinora.db"),
            Some(PathBuf::from("data/kinora.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/k.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/k.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x@h/db"), None);
    }

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            postgres_target("postgres://kinora:s%40cret@db:5432/kinora?sslmode=disable"),
            (
                "postgres://kinora@db:5432/kinora?sslmode=disable".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            postgres_target("postgresql://k:a+b@db/k").1,
            Some("a+b".to_owned()),
            "a plus stays a plus"
        );
        assert_eq!(
            postgres_target("postgres://postgres@127.0.0.1:5432/test"),
            ("postgres://postgres@127.0.0.1:5432/test".to_owned(), None)
        );
        assert_eq!(
            postgres_target("postgres://127.0.0.1/a@b"),
            ("postgres://127.0.0.1/a@b".to_owned(), None)
        );
    }
}
