//! Several `kinora serve` processes on one database and one storage (behind a proxy) behave as
//! one instance. This module holds what makes that so outside the request paths:
//!
//! - [`Cluster`]: this process's id and its database, and whether it shares with other
//!   processes (on PostgreSQL; an SQLite file is served by one process);
//! - [`Lease`]: work done by one process of the cluster at a time (the seeder, housekeeping),
//!   a row of `cluster_leases` renewed by its holder and taken over once expired.
//!
//! The trackers' shared swarms are `crate::tracker_shared` and `crate::tracker_http`; login
//! limits are counted in the database by `kinora_app::login_limits`; jobs and deliveries were
//! already leased rows (`kinora_jobs`, `kinora_db::deliveries`). ARCHITECTURE.md, "Which state
//! lives where", lists it all.

use std::time::Duration;

use kinora_db::{Backend, Db};

/// This server process among the others on the same database.
#[derive(Clone)]
pub struct Cluster {
    /// Unique per process start: `<pid>-<random>`.
    pub process_id: String,
    /// The database.
    pub db: Db,
    /// The database URL (to listen for PostgreSQL notifications).
    pub database_url: String,
}

impl Cluster {
    /// This process on `db`.
    pub fn new(db: Db, database_url: &str) -> Self {
        Self {
            process_id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            db,
            database_url: database_url.to_owned(),
        }
    }

    /// Whether other processes may share this database (PostgreSQL), so that the trackers
    /// must share their swarms through it.
    pub fn is_shared(&self) -> bool {
        self.db.backend() == Backend::Postgres
    }

    /// The lease `name`, held for `ttl` at a time by this process when it takes it.
    pub fn lease(&self, name: &'static str, ttl: Duration) -> Lease {
        Lease {
            db: self.db.clone(),
            name,
            holder: self.process_id.clone(),
            ttl,
        }
    }
}

/// A named piece of work one process of the cluster does at a time.
pub struct Lease {
    db: Db,
    name: &'static str,
    holder: String,
    ttl: Duration,
}

impl Lease {
    /// Takes or renews the lease for its time to live; false when another live process holds
    /// it (or the database cannot be reached: then nobody should act on stale knowledge).
    pub async fn hold(&self) -> bool {
        let now = kinora_db::now_millis();
        let until = now + i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2);
        match kinora_db::leases::acquire(self.db.pool(), self.name, &self.holder, now, until).await
        {
            Ok(held) => held,
            Err(error) => {
                tracing::warn!(lease = self.name, %error, "cannot take or renew the lease");
                false
            }
        }
    }

    /// Gives the lease back (a clean shutdown), so that another process takes it at once.
    pub async fn release(&self) {
        if let Err(error) =
            kinora_db::leases::release(self.db.pool(), self.name, &self.holder).await
        {
            tracing::warn!(lease = self.name, %error, "cannot give the lease back");
        }
    }

    /// The name of the lease.
    pub fn name(&self) -> &'static str {
        self.name
    }
}
