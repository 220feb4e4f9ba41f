//! Throw-away databases for tests: an SQLite file in a temporary directory, or a fresh
//! PostgreSQL database on the server named by `KINORA_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`), dropped when the test ends.

use sqlx::Connection as _;

use crate::{DatabaseConfig, Db};

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("KINORA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A migrated database that exists for one test.
pub struct TestDb {
    /// The pool.
    pub db: Db,
    /// The configuration that opens it (for child processes).
    pub config: DatabaseConfig,
    postgres_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, migrated SQLite database.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("kinora.db").display()),
            ..DatabaseConfig::default()
        };
        let db = Db::connect(&config).await.expect("open SQLite");
        db.migrate().await.expect("migrate SQLite");
        Self {
            db,
            config,
            postgres_name: None,
            _dir: Some(dir),
        }
    }

    /// A fresh, migrated PostgreSQL database.
    pub async fn postgres() -> Self {
        let mut this = Self::postgres_unmigrated().await;
        this.db.migrate().await.expect("migrate PostgreSQL");
        this.config.auto_migrate = true;
        this
    }

    /// A fresh, empty PostgreSQL database (no migrations applied).
    pub async fn postgres_unmigrated() -> Self {
        sqlx::any::install_default_drivers();
        let admin = postgres_admin_url();
        let name = format!("kinora_t_{}", uuid::Uuid::new_v4().simple());
        let mut connection = sqlx::AnyConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is needed by this test: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .expect("create test database");
        let _ = connection.close().await;
        let config = DatabaseConfig {
            url: replace_database(&admin, &name),
            max_connections: 4,
            ..DatabaseConfig::default()
        };
        let db = Db::connect(&config).await.expect("open PostgreSQL");
        Self {
            db,
            config,
            postgres_name: Some(name),
            _dir: None,
        }
    }

    /// A fresh, empty SQLite database (no migrations applied).
    pub async fn sqlite_unmigrated() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("kinora.db").display()),
            ..DatabaseConfig::default()
        };
        let db = Db::connect(&config).await.expect("open SQLite");
        Self {
            db,
            config,
            postgres_name: None,
            _dir: Some(dir),
        }
    }

    /// Closes the pool and drops the PostgreSQL database (the SQLite directory goes with `self`).
    pub async fn finish(self) {
        self.db.close().await;
        if let Some(name) = &self.postgres_name
            && let Ok(mut connection) = sqlx::AnyConnection::connect(&postgres_admin_url()).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut connection)
                .await;
            let _ = connection.close().await;
        }
    }
}

/// Swaps the database name of a PostgreSQL URL.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{database}?{query}"),
        None => format!("{host_part}/{database}"),
    }
}

/// Writes each `async fn name(db: Db) { … }` test twice: once on SQLite, once on PostgreSQL
/// (modules `name::sqlite` and `name::postgres`).
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident : Db) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($db: $crate::Db) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let test_db = $crate::testing::TestDb::sqlite().await;
                    run(test_db.db.clone()).await;
                    test_db.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let test_db = $crate::testing::TestDb::postgres().await;
                    run(test_db.db.clone()).await;
                    test_db.finish().await;
                }
            }
        )*
    };
}

/// A video to insert in tests: public, waiting for transcoding, original on local disk, PeerTube's
/// defaults elsewhere; change fields with struct update syntax.
pub fn sample_video<'a>(
    uuid: &'a str,
    short_uuid: &'a str,
    channel_id: i64,
) -> crate::videos::NewVideo<'a> {
    crate::videos::NewVideo {
        uuid,
        short_uuid,
        channel_id,
        name: "Test video",
        description: None,
        support: None,
        privacy: 1,
        category: None,
        licence: None,
        language: None,
        nsfw: false,
        comments_policy: 1,
        download_enabled: true,
        wait_transcoding: true,
        tags_json: "[]",
        state: 2,
        original_filename: "in.mp4",
        original_size: 1,
        original_location: "local",
    }
}

/// A publication with placeholder HLS file names, on local disk, for tests that need a
/// published video.
pub fn sample_publication() -> crate::videos::Publication<'static> {
    crate::videos::Publication {
        duration: 1,
        hls_master_file: "a-master.m3u8",
        hls_segments_file: "a-segments-sha256.json",
        thumbnail_file: None,
        preview_file: None,
        storyboard_file: None,
        storyboard_json: None,
        media_location: "local",
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h:1/test?sslmode=disable", "x"),
            "postgres://h:1/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
