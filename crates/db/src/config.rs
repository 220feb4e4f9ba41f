//! The `[database]` configuration section.

use serde::{Deserialize, Serialize};

/// The `[database]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (default `sqlite://data/kinora.db`) or `postgres://USER@HOST:PORT/DB`.
    pub url: String,
    /// Most connections the pool keeps open.
    pub max_connections: u32,
    /// Seconds to wait for a free connection before failing a request.
    pub acquire_timeout_secs: u64,
    /// SQLite only: milliseconds to wait for another writer's lock.
    pub busy_timeout_ms: u64,
    /// Apply pending migrations when `kinora serve` starts. When false, the server refuses to
    /// start on an out-of-date schema and says to run `kinora migrate`.
    pub auto_migrate: bool,
    /// PostgreSQL only: seconds a migration statement may wait for a lock (`lock_timeout`)
    /// before it fails, so a migration never queues every query behind it; 0 waits forever.
    pub migration_lock_timeout_secs: u64,
    /// PostgreSQL only: seconds one migration statement may run (`statement_timeout`); 0 has
    /// no limit.
    pub migration_statement_timeout_secs: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/kinora.db".to_owned(),
            max_connections: 8,
            acquire_timeout_secs: 10,
            busy_timeout_ms: 10_000,
            auto_migrate: true,
            migration_lock_timeout_secs: 10,
            migration_statement_timeout_secs: 3600,
        }
    }
}
