//! A real `kinora serve` on SQLite or PostgreSQL, with the test holding its database too, for
//! inbox tests: what the instance stored is read from its tables, and a helper waits until it
//! has acted on every activity it accepted.

use std::path::Path;
use std::time::{Duration, Instant};

use kinora_db::testing::TestDb;
use kinora_db::{DatabaseConfig, Db};

use super::instance::{Instance, start};

/// The databases every inbox case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file in the instance's directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `KINORA_TEST_POSTGRES_URL`.
    Postgres,
}

/// Both databases, in the order the cases run.
pub const DATABASES: [Database; 2] = [Database::Sqlite, Database::Postgres];

/// Lets the outbound client reach the fake origins on 127.0.0.1.
pub const PRIVATE_ALLOWED: &str = "[federation]\nallow_private_addresses = true\n";

/// A running instance and its database.
pub struct Site {
    pub instance: Instance,
    pub db: Db,
    postgres: Option<TestDb>,
    _dir: tempfile::TempDir,
}

impl Site {
    /// Starts an instance on `database` (no transcoders) with `extra` in its config file.
    pub async fn start(database: Database, extra: &str) -> Site {
        Site::start_with_transcoders(database, extra, 0).await
    }

    /// [`Site::start`] with `transcoders` transcoding workers, for cases that publish uploads.
    pub async fn start_with_transcoders(database: Database, extra: &str, transcoders: u32) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let postgres = match database {
            Database::Sqlite => None,
            Database::Postgres => Some(TestDb::postgres().await),
        };
        let url = match &postgres {
            Some(postgres) => postgres.config.url.clone(),
            None => format!("sqlite://{}", dir.path().join("kinora.db").display()),
        };
        let instance = start(dir.path(), &url, transcoders, extra).await;
        let db = match &postgres {
            Some(postgres) => postgres.db.clone(),
            None => open(&url).await,
        };
        let site = Site {
            instance,
            db,
            postgres,
            _dir: dir,
        };
        // Local actors get their keys just after start: wait, so that the cases see them fixed.
        let started = Instant::now();
        while site
            .count("SELECT COUNT(*) FROM actors WHERE host IS NULL AND public_key_pem IS NULL")
            .await
            > 0
        {
            assert!(started.elapsed() < Duration::from_secs(60), "no actor keys");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        site
    }

    /// The instance's directory.
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// `host:port` of the instance.
    pub fn host(&self) -> String {
        format!("localhost:{}", self.instance.port)
    }

    /// The URL of `path` on the instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.instance.base)
    }

    /// The shared inbox.
    pub fn inbox(&self) -> String {
        self.url("/inbox")
    }

    /// The number a `SELECT COUNT(*) …` answers.
    pub async fn count(&self, sql: &str) -> i64 {
        super::harness::count(&self.db, sql).await
    }

    /// One text column of the first row a query answers (none: no row or NULL).
    pub async fn text(&self, sql: &str) -> Option<String> {
        let row: Option<(Option<String>,)> = sqlx::query_as(sql)
            .fetch_optional(self.db.pool())
            .await
            .unwrap();
        row.and_then(|(text,)| text)
    }

    /// Activities stored by the inbox.
    pub async fn stored_activities(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM inbox_activities").await
    }

    /// Waits until every stored activity's processing job has ended (done or dead) and none is
    /// queued or running; panics after 60 s (a job retried later counts as not ended).
    pub async fn settled(&self) {
        let started = Instant::now();
        loop {
            let activities = self.stored_activities().await;
            let ended = self
                .count(
                    "SELECT COUNT(*) FROM jobs WHERE kind = 'process-inbox' \
                     AND state IN ('done', 'dead')",
                )
                .await;
            let open = self
                .count(
                    "SELECT COUNT(*) FROM jobs WHERE kind = 'process-inbox' \
                     AND state IN ('queued', 'running')",
                )
                .await;
            if open == 0 && ended >= activities {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "inbox jobs not ended: {open} open, {ended} ended of {activities}: {:?}",
                self.job_errors().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The last errors of the inbox jobs, for failure messages.
    pub async fn job_errors(&self) -> Vec<(String, Option<String>)> {
        sqlx::query_as("SELECT state, last_error FROM jobs WHERE kind = 'process-inbox'")
            .fetch_all(self.db.pool())
            .await
            .unwrap()
    }

    /// Checks that nothing the instance was sent counted as a fault of its own: no job in the
    /// dead letters, and no line logged at ERROR.
    pub async fn assert_no_faults(&self) {
        let dead: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT kind, last_error FROM jobs WHERE state = 'dead'")
                .fetch_all(self.db.pool())
                .await
                .unwrap();
        assert!(dead.is_empty(), "dead letters: {dead:?}");
        let errors = self.instance.server.error_lines();
        assert!(errors.is_empty(), "logged at ERROR: {errors:#?}");
    }

    /// Stops the instance and drops its PostgreSQL database.
    pub async fn finish(self) {
        let Site {
            instance, postgres, ..
        } = self;
        drop(instance);
        if let Some(postgres) = postgres {
            postgres.finish().await;
        }
    }
}

/// Opens an existing database without migrating it.
async fn open(url: &str) -> Db {
    Db::connect(&DatabaseConfig {
        url: url.to_owned(),
        auto_migrate: false,
        ..DatabaseConfig::default()
    })
    .await
    .unwrap()
}
