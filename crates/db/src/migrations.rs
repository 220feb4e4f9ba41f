//! Schema migrations: apply them, or tell how far the database is from this build.

use sqlx::migrate::Migrator;

use crate::{Backend, Db, DbError, DbResult};

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
        self.migrator().run(&self.pool).await?;
        Ok(())
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
