//! PostgreSQL migrations run under `lock_timeout` and `statement_timeout` (MG-01): a migration
//! that waits for a lock another session holds fails after the lock timeout instead of hanging
//! (and queueing every query behind it), a statement running too long is cancelled, neither
//! setting leaks into the pool, and an index built `CONCURRENTLY` in a `-- no-transaction`
//! migration applies. Real PostgreSQL, migrations written to a temporary directory.

use std::time::{Duration, Instant};

use kinora_db::testing::TestDb;
use kinora_db::{DatabaseConfig, Db};
use sqlx::migrate::Migrator;

/// A migrator over `files` (name, SQL) written to a temporary directory.
async fn migrator(files: &[(&str, &str)]) -> (tempfile::TempDir, Migrator) {
    let dir = tempfile::tempdir().unwrap();
    for (name, sql) in files {
        std::fs::write(dir.path().join(name), sql).unwrap();
    }
    let migrator = Migrator::new(dir.path()).await.unwrap();
    (dir, migrator)
}

/// A pool of one connection on the test database, with these migration timeouts (seconds).
async fn strict_pool(test_db: &TestDb, lock: u64, statement: u64) -> Db {
    Db::connect(&DatabaseConfig {
        max_connections: 1,
        migration_lock_timeout_secs: lock,
        migration_statement_timeout_secs: statement,
        ..test_db.config.clone()
    })
    .await
    .unwrap()
}

async fn show(db: &Db, setting: &str) -> String {
    let (value,): (String,) = sqlx::query_as(&format!("SHOW {setting}"))
        .fetch_one(db.pool())
        .await
        .unwrap();
    value
}

/// Applies `migrator`, failing the test if it takes longer than 30 s; answers the error text.
async fn apply_within_limit(db: &Db, migrator: &Migrator) -> (Result<(), String>, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(30), db.apply_migrations(migrator))
        .await
        .expect("the migration hung: no lock_timeout or statement_timeout in effect");
    (result.map_err(|e| e.to_string()), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_blocked_by_a_lock_fails_after_lock_timeout() {
    let test_db = TestDb::postgres_unmigrated().await;
    let db = strict_pool(&test_db, 1, 6).await;
    sqlx::query("CREATE TABLE watched (id BIGINT PRIMARY KEY)")
        .execute(db.pool())
        .await
        .unwrap();
    // Another session reads the table in a transaction it keeps open.
    let mut reader = test_db.db.pool().begin().await.unwrap();
    sqlx::query("SELECT count(*) FROM watched")
        .execute(&mut *reader)
        .await
        .unwrap();

    let (_dir, add_column) = migrator(&[(
        "1_add_note.sql",
        "ALTER TABLE watched ADD COLUMN note TEXT;",
    )])
    .await;
    let (result, took) = apply_within_limit(&db, &add_column).await;
    let error = result.expect_err("the ALTER cannot take its lock while the reader holds one");
    assert!(error.contains("lock timeout"), "{error}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(6),
        "{took:?}"
    );
    // The pool's sessions carry no migration setting.
    assert_eq!(show(&db, "lock_timeout").await, "0");
    assert_eq!(show(&db, "statement_timeout").await, "0");

    // Once the reader is gone the same migration applies (nothing was recorded half-way).
    reader.rollback().await.unwrap();
    let (result, _) = apply_within_limit(&db, &add_column).await;
    result.unwrap();
    sqlx::query("INSERT INTO watched (id, note) VALUES (1, 'x')")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    test_db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_statement_running_too_long_is_cancelled() {
    let test_db = TestDb::postgres_unmigrated().await;
    let db = strict_pool(&test_db, 6, 1).await;
    let (_dir, slow) = migrator(&[("1_slow.sql", "SELECT pg_sleep(20);")]).await;
    let (result, took) = apply_within_limit(&db, &slow).await;
    let error = result.expect_err("statement_timeout cancels the sleep");
    assert!(error.contains("statement timeout"), "{error}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    db.close().await;
    test_db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_is_built_concurrently_outside_a_transaction() {
    let test_db = TestDb::postgres_unmigrated().await;
    let db = strict_pool(&test_db, 1, 1).await;
    let (_dir, migrations) = migrator(&[
        (
            "1_table.sql",
            "CREATE TABLE watched (id BIGINT PRIMARY KEY, note TEXT);\n\
             INSERT INTO watched SELECT n, 'note ' || n FROM generate_series(1, 1000) AS n;",
        ),
        (
            "2_note_index.sql",
            "-- no-transaction\n\
             CREATE INDEX CONCURRENTLY IF NOT EXISTS watched_note ON watched (note);",
        ),
    ])
    .await;
    let (result, _) = apply_within_limit(&db, &migrations).await;
    result.unwrap();
    let (valid,): (bool,) = sqlx::query_as(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'watched_note'::regclass",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(valid);
    db.close().await;
    test_db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinoras_own_migrations_apply_under_the_default_timeouts() {
    let test_db = TestDb::postgres_unmigrated().await;
    test_db.db.migrate().await.unwrap();
    assert!(test_db.db.migration_status().await.unwrap().is_current());
    assert_eq!(show(&test_db.db, "lock_timeout").await, "0");
    test_db.finish().await;
}
