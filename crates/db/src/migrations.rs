//! Schema migrations: apply them, or tell how far the database is from this build.
//!
//! On PostgreSQL every migration session runs under `lock_timeout` and `statement_timeout`
//! (`[database] migration_lock_timeout_secs`, `migration_statement_timeout_secs`): a migration
//! waiting for a lock that a long transaction holds fails after a few seconds instead of queueing
//! every query of the site behind it. The session takes sqlx's migration lock first, without a
//! limit (a second process starting at the same time waits for the first one's migrations), and
//! is closed afterwards, so neither the lock nor the settings reach other users of the pool.
//! Indexes on tables that already hold rows are built `CONCURRENTLY` in a migration of their own
//! that starts with `-- no-transaction` and holds that one statement (`scripts/lint-migrations`
//! checks every new PostgreSQL migration).

use std::time::Duration;

use sqlx::Executor;
use sqlx::migrate::{Migrate, Migrator};

use crate::{Backend, DatabaseConfig, Db, DbError, DbResult};

static SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");

/// How the database's schema compares with the migrations this build carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Versions this build has that the database has not applied, oldest first.
    pub pending: Vec<i64>,
    /// Versions the database has applied that this build does not know (a newer Kinora ran).
    pub unknown: Vec<i64>,
}

impl MigrationStatus {
    /// True when the schema is exactly what this build expects.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }
}

/// The limits PostgreSQL migration sessions run under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MigrationTimeouts {
    lock: Duration,
    statement: Duration,
}

impl MigrationTimeouts {
    /// The limits of the `[database]` section.
    pub(crate) fn of(config: &DatabaseConfig) -> Self {
        Self {
            lock: Duration::from_secs(config.migration_lock_timeout_secs),
            statement: Duration::from_secs(config.migration_statement_timeout_secs),
        }
    }
}

impl Db {
    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }

    /// Applies every pending migration. Refuses a database migrated by a newer build.
    pub async fn migrate(&self) -> DbResult<()> {
        let status = self.migration_status().await?;
        if !status.unknown.is_empty() {
            return Err(DbError::Schema(format!(
                "the database has migrations {:?} that this build does not know: it was \
                 migrated by a newer Kinora; run that version or restore a backup",
                status.unknown
            )));
        }
        self.apply_migrations(self.migrator()).await
    }

    /// Applies `migrator`'s pending migrations ([`Db::migrate`] applies Kinora's own); on
    /// PostgreSQL in a session of their own under the configured timeouts (see the module).
    pub async fn apply_migrations(&self, migrator: &Migrator) -> DbResult<()> {
        if self.backend == Backend::Sqlite {
            migrator.run(&self.pool).await?;
            return Ok(());
        }
        let mut connection = self.pool.acquire().await?;
        let result = run_with_timeouts(&mut connection, migrator, self.migration_timeouts).await;
        // Ending the session drops the migration lock and the settings with it.
        let _ = connection.close().await;
        result
    }

    /// Compares the applied migrations with the ones this build carries.
    pub async fn migration_status(&self) -> DbResult<MigrationStatus> {
        let table_exists: Option<(String,)> = match self.backend {
            Backend::Sqlite => sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_optional(&self.pool)
            .await?,
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
                )
                .fetch_optional(&self.pool)
                .await?
            }
        };
        let applied: Vec<i64> = if table_exists.is_some() {
            sqlx::query_as::<_, (i64,)>(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(version,)| version)
            .collect()
        } else {
            Vec::new()
        };
        let known: Vec<i64> = self.migrator().iter().map(|m| m.version).collect();
        Ok(MigrationStatus {
            pending: known
                .iter()
                .copied()
                .filter(|v| !applied.contains(v))
                .collect(),
            unknown: applied
                .iter()
                .copied()
                .filter(|v| !known.contains(v))
                .collect(),
        })
    }

    /// The newest migration applied to the database (`None` on an empty one).
    pub async fn schema_version(&self) -> DbResult<Option<i64>> {
        let status = self.migration_status().await?;
        let known = known_migrations(self.backend);
        let applied_known = known
            .iter()
            .copied()
            .filter(|version| !status.pending.contains(version));
        Ok(applied_known.chain(status.unknown.iter().copied()).max())
    }

    /// Fails with a clear message unless the schema is current.
    pub async fn require_current_schema(&self) -> DbResult<()> {
        let status = self.migration_status().await?;
        if !status.unknown.is_empty() {
            return Err(DbError::Schema(format!(
                "the database has migrations {:?} that this build does not know: it was \
                 migrated by a newer Kinora",
                status.unknown
            )));
        }
        if !status.pending.is_empty() {
            return Err(DbError::Schema(format!(
                "the database schema is out of date: {} migration(s) pending ({:?}); run \
                 `kinora migrate --config FILE` or set database.auto_migrate = true",
                status.pending.len(),
                status.pending
            )));
        }
        Ok(())
    }
}

/// Takes sqlx's migration lock (waiting as long as another process migrates), sets the
/// timeouts, then applies the migrations. sqlx takes its lock again inside `run`, at once: the
/// session holds it already (PostgreSQL's advisory locks count per session).
async fn run_with_timeouts(
    connection: &mut sqlx::AnyConnection,
    migrator: &Migrator,
    timeouts: MigrationTimeouts,
) -> DbResult<()> {
    connection.lock().await?;
    connection
        .execute(format!("SET lock_timeout = {}", timeouts.lock.as_millis()).as_str())
        .await?;
    connection
        .execute(format!("SET statement_timeout = {}", timeouts.statement.as_millis()).as_str())
        .await?;
    migrator.run(&mut *connection).await?;
    Ok(())
}

/// The versions of the migrations this build carries for `backend`, oldest first.
pub fn known_migrations(backend: Backend) -> Vec<i64> {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    migrator.iter().map(|migration| migration.version).collect()
}
