//! Kinora's database access: every SQL statement of the project lives here.
//!
//! One pool type ([`Db`]) serves SQLite (the default, a WAL-mode file in the data directory) and
//! PostgreSQL (chosen by a `postgres://` URL) through sqlx's `Any` driver. Statements are written
//! once in the dialect both accept (`$1` placeholders, `RETURNING`, epoch-millisecond integers
//! for times); the few that must differ (job claiming uses `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL) branch on [`Backend`]. Migrations live in `../../migrations/{sqlite,postgres}`.
//!
//! Depends only on `kinora-core`. Start reading at [`Db::connect`], then one module per
//! aggregate: [`users`], [`actors`], [`tokens`], [`jobs`], [`videos`], [`comments`].

pub mod abuses;
pub mod accounts;
pub mod actor_aliases;
pub mod actor_images;
pub mod actors;
pub mod blocklists;
pub mod channels;
pub mod comment_reviews;
pub mod comments;
mod config;
pub mod custom_config;
pub mod deliveries;
pub mod follows;
pub mod inbox;
pub mod instance_stats;
pub mod jobs;
pub mod leases;
pub mod login_limits;
mod migrations;
pub mod notifications;
pub mod oauth_clients;
pub mod outbox;
pub mod playlist_positions;
pub mod playlists;
mod positions;
pub mod quotas;
pub mod ratings;
pub mod redundancies;
pub mod relays;
pub mod remote_videos;
pub mod seedable;
pub mod snapshot;
pub mod subscriptions;
pub mod swarms;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod tracker_http_peers;
pub mod tracker_peers;
pub mod uploads;
pub mod user_emails;
pub mod user_exports;
pub mod user_history;
pub mod user_imports;
pub mod user_preferences;
pub mod users;
pub mod video_blacklist;
pub mod video_captions;
pub mod video_chapters;
pub mod video_filters;
pub mod video_lists;
pub mod video_live_endings;
pub mod video_lives;
pub mod video_schedules;
pub mod videos;
pub mod views;

use std::time::{SystemTime, UNIX_EPOCH};

pub use config::DatabaseConfig;
pub use migrations::{MigrationStatus, known_migrations};
pub use sqlx::AnyConnection as Connection;
pub use sqlx::Error as SqlError;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

/// A database transaction; commit it with `tx.commit().await`, or drop it to roll back.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database server a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (WAL mode).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if it names one Kinora supports.
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// The backend of an open connection.
    pub fn of(connection: &Connection) -> Self {
        if connection.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }
}

/// Why a database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported database.
    #[error("database.url {0:?} must start with sqlite:// or postgres://")]
    UnsupportedUrl(String),
    /// The SQLite file's directory could not be created.
    #[error("cannot create the directory of the SQLite file {path}: {source}")]
    SqliteDirectory {
        /// The directory.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The schema is not at the level this build needs.
    #[error("{0}")]
    Schema(String),
    /// A unique constraint refused the write (a name or key already taken).
    #[error("already exists: {0}")]
    Conflict(String),
    /// Migrating failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database answered with an error, or could not be reached.
    #[error("database error: {0}")]
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db_error) = &error
            && db_error.is_unique_violation()
        {
            return DbError::Conflict(db_error.message().to_owned());
        }
        DbError::Sql(error)
    }
}

impl DbError {
    /// Whether the database could not be reached or went away: no connection within the pool's
    /// `acquire_timeout_secs` (the server is down or restarting), a broken connection, or
    /// PostgreSQL refusing work while it shuts down or starts (SQLSTATE classes `08` and
    /// `57P`). Trying again later may succeed, so requests answer 503 rather than 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Sql(error) => sql_unavailable(error),
            DbError::Migrate(sqlx::migrate::MigrateError::Execute(error)) => sql_unavailable(error),
            _ => false,
        }
    }
}

/// [`DbError::is_unavailable`] for an sqlx error.
fn sql_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(error) => error
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// Result of a database operation.
pub type DbResult<T> = Result<T, DbError>;

/// A connection pool to the instance's database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    migration_timeouts: migrations::MigrationTimeouts,
}

impl Db {
    /// Opens a pool. SQLite files (and their directory) are created when missing and put in WAL
    /// mode; every SQLite connection waits for locks instead of failing and enforces foreign keys.
    pub async fn connect(config: &DatabaseConfig) -> DbResult<Self> {
        install_default_drivers();
        let backend = Backend::from_url(&config.url)
            .ok_or_else(|| DbError::UnsupportedUrl(config.url.clone()))?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(&config.url)?,
            Backend::Postgres => config.url.clone(),
        };
        let busy_timeout = config.busy_timeout_ms;
        let pool = AnyPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(std::time::Duration::from_secs(config.acquire_timeout_secs))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if Backend::of(connection) == Backend::Sqlite {
                        connection
                            .execute(format!("PRAGMA busy_timeout = {busy_timeout}").as_str())
                            .await?;
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection.execute("PRAGMA synchronous = NORMAL").await?;
                        connection.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
            backend,
            migration_timeouts: migrations::MigrationTimeouts::of(config),
        })
    }

    /// The backend this pool talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for single statements.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction meant to write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it waits for other writers instead of failing half-way.
    pub async fn begin(&self) -> DbResult<Tx> {
        let statement = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        Ok(self.pool.begin_with(statement).await?)
    }

    /// Answers whether the database is reachable (one trivial query).
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the directory of an SQLite file and asks sqlx to create the file too.
fn prepare_sqlite_url(url: &str) -> DbResult<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::SqliteDirectory {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Records that row `id` of `table` (a table of stored files: `file_name`, `location`) has its
/// file at `to` now, if it is still that file at `from`; answers whether it switched.
pub(crate) async fn switch_file_location<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    table: &'static str,
    id: i64,
    file_name: &str,
    from: &str,
    to: &str,
) -> DbResult<bool> {
    let result = sqlx::query(&format!(
        "UPDATE {table} SET location = $4 WHERE id = $1 AND file_name = $2 AND location = $3"
    ))
    .bind(id)
    .bind(file_name)
    .bind(from)
    .bind(to)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_databases_are_told_from_other_errors() {
        assert!(DbError::Sql(sqlx::Error::PoolTimedOut).is_unavailable());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(DbError::Sql(sqlx::Error::Io(refused)).is_unavailable());
        assert!(!DbError::Sql(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!DbError::Conflict("taken".into()).is_unavailable());
    }

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://h/db"), None);
    }

    #[test]
    fn sqlite_url_gets_create_mode_and_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/kinora.db");
        let url = prepare_sqlite_url(&format!("sqlite://{}", file.display())).unwrap();
        assert!(url.ends_with("?mode=rwc"), "{url}");
        assert!(dir.path().join("a/b").is_dir());
        let url = prepare_sqlite_url("sqlite://:memory:?cache=shared").unwrap();
        assert_eq!(url, "sqlite://:memory:?cache=shared&mode=rwc");
    }
}
