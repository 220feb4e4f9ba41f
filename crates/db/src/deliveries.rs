//! Deliveries of outbox activities to remote inboxes, and each remote host's delivery state.
//!
//! Deliveries go out per host, in id order, one sender per host at a time (a lease on the host's
//! row). Backoff and dead marking are per host: a host that fails waits longer and longer, and
//! one that has failed for long enough is marked dead and only probed now and then.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// Queues `activity_id` for each of `inboxes`, each with its host (the host's row is created
/// when missing). An inbox that already has this activity is skipped.
pub async fn insert_many(
    connection: &mut Connection,
    activity_id: i64,
    inboxes: &[(String, String)],
    now: i64,
) -> DbResult<usize> {
    let mut added = 0;
    for (host, inbox) in inboxes {
        sqlx::query(
            "INSERT INTO remote_hosts (host, updated_at) VALUES ($1, $2) \
             ON CONFLICT (host) DO NOTHING",
        )
        .bind(host)
        .bind(now)
        .execute(&mut *connection)
        .await?;
        let result = sqlx::query(
            "INSERT INTO deliveries (activity_id, host, inbox_url, state, created_at, updated_at) \
             VALUES ($1, $2, $3, 'pending', $4, $4) ON CONFLICT (activity_id, inbox_url) DO NOTHING",
        )
        .bind(activity_id)
        .bind(host)
        .bind(inbox)
        .bind(now)
        .execute(&mut *connection)
        .await?;
        added += result.rows_affected() as usize;
    }
    Ok(added)
}

/// Takes the lease of up to `limit` hosts that have pending deliveries, are due and are not
/// leased by another sender. Returns their names.
pub async fn claim_hosts(
    pool: &sqlx::AnyPool,
    owner: &str,
    lease_until: i64,
    now: i64,
    limit: i64,
) -> DbResult<Vec<String>> {
    let candidates: Vec<(String,)> = sqlx::query_as(
        "SELECT h.host FROM remote_hosts h WHERE h.next_attempt_at <= $1 \
         AND (h.lease_expires_at IS NULL OR h.lease_expires_at < $1) \
         AND EXISTS (SELECT 1 FROM deliveries d WHERE d.host = h.host AND d.state = 'pending') \
         ORDER BY h.next_attempt_at, h.host LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut claimed = Vec::new();
    for (host,) in candidates {
        let result = sqlx::query(
            "UPDATE remote_hosts SET lease_owner = $1, lease_expires_at = $2 WHERE host = $3 \
             AND (lease_expires_at IS NULL OR lease_expires_at < $4)",
        )
        .bind(owner)
        .bind(lease_until)
        .bind(&host)
        .bind(now)
        .execute(pool)
        .await?;
        if result.rows_affected() == 1 {
            claimed.push(host);
        }
    }
    Ok(claimed)
}

/// Extends the lease of a host this sender holds. Returns false when the lease was lost.
pub async fn renew_lease(
    pool: &sqlx::AnyPool,
    host: &str,
    owner: &str,
    lease_until: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE remote_hosts SET lease_expires_at = $1 WHERE host = $2 AND lease_owner = $3",
    )
    .bind(lease_until)
    .bind(host)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Gives a host's lease back.
pub async fn release_host(pool: &sqlx::AnyPool, host: &str, owner: &str) -> DbResult<()> {
    sqlx::query(
        "UPDATE remote_hosts SET lease_owner = NULL, lease_expires_at = NULL \
         WHERE host = $1 AND lease_owner = $2",
    )
    .bind(host)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(())
}

/// The next delivery due to a host, with the activity to send.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingDelivery {
    /// The delivery.
    pub id: i64,
    /// The inbox.
    pub inbox_url: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// The activity's signer (none: the instance actor).
    pub actor_id: Option<i64>,
    /// The JSON to send.
    pub body: String,
}

/// The oldest pending delivery of a host.
pub async fn next_pending<'e>(
    executor: impl Executor<'e, Database = Any>,
    host: &str,
) -> DbResult<Option<PendingDelivery>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.inbox_url, d.attempts, a.actor_id, a.body FROM deliveries d \
         JOIN outbox_activities a ON a.id = d.activity_id \
         WHERE d.host = $1 AND d.state = 'pending' ORDER BY d.id LIMIT 1",
    )
    .bind(host)
    .fetch_optional(executor)
    .await?)
}

/// Records a delivery's end (`delivered` or `failed`, with the error of a failure).
pub async fn finish(
    pool: &sqlx::AnyPool,
    id: i64,
    state: &str,
    error: Option<&str>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE deliveries SET state = $1, attempts = attempts + 1, last_error = $2, \
         updated_at = $3 WHERE id = $4",
    )
    .bind(state)
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Counts a failed attempt of a delivery that stays pending.
pub async fn count_attempt(pool: &sqlx::AnyPool, id: i64, error: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE deliveries SET attempts = attempts + 1, last_error = $1, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records that a host answered: its failures are forgotten and it is alive again.
pub async fn host_succeeded(pool: &sqlx::AnyPool, host: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE remote_hosts SET failures = 0, failing_since = NULL, dead = 0, last_error = NULL, \
         next_attempt_at = 0, last_success_at = $1, updated_at = $1 WHERE host = $2",
    )
    .bind(now)
    .bind(host)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a failure of a host: nothing goes to it before `next_attempt_at`; `dead` marks it
/// dead (or keeps it so). `counts` is false for answers that are not the host's fault (429).
pub async fn host_failed(
    pool: &sqlx::AnyPool,
    host: &str,
    error: &str,
    next_attempt_at: i64,
    dead: bool,
    counts: bool,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE remote_hosts SET failures = failures + $1, \
         failing_since = CASE WHEN $1 = 1 THEN COALESCE(failing_since, $2) ELSE failing_since END, \
         next_attempt_at = $3, dead = $4, last_error = $5, updated_at = $2 WHERE host = $6",
    )
    .bind(i64::from(counts))
    .bind(now)
    .bind(next_attempt_at)
    .bind(i64::from(dead))
    .bind(error)
    .bind(host)
    .execute(pool)
    .await?;
    Ok(())
}

/// A remote host's delivery state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HostRow {
    /// `host[:port]`.
    pub host: String,
    /// Failures in a row.
    pub failures: i64,
    /// Since when it has been failing, epoch milliseconds.
    pub failing_since: Option<i64>,
    /// Nothing is sent before this, epoch milliseconds.
    pub next_attempt_at: i64,
    /// 1 when marked dead.
    pub dead: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// The last time it answered, epoch milliseconds.
    pub last_success_at: Option<i64>,
    /// 1 when its videos are mirrored here.
    pub redundancy_allowed: i64,
}

/// Finds a host's state.
pub async fn find_host<'e>(
    executor: impl Executor<'e, Database = Any>,
    host: &str,
) -> DbResult<Option<HostRow>> {
    Ok(sqlx::query_as(
        "SELECT host, failures, failing_since, next_attempt_at, dead, last_error, \
         last_success_at, redundancy_allowed FROM remote_hosts WHERE host = $1",
    )
    .bind(host)
    .fetch_optional(executor)
    .await?)
}

/// Sets whether a host's videos are mirrored here (the host's row is created when missing).
pub async fn set_redundancy_allowed(
    pool: &sqlx::AnyPool,
    host: &str,
    allowed: bool,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO remote_hosts (host, redundancy_allowed, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (host) DO UPDATE SET redundancy_allowed = excluded.redundancy_allowed, \
         updated_at = excluded.updated_at",
    )
    .bind(host)
    .bind(i64::from(allowed))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Counts of deliveries by state (`pending`, `delivered`, `failed`), for metrics and tests.
pub async fn count_by_state(pool: &sqlx::AnyPool) -> DbResult<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
            .fetch_all(pool)
            .await?,
    )
}

/// The pending deliveries of one remote host, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HostBacklog {
    /// The remote host.
    pub host: String,
    /// Deliveries waiting to go out.
    pub pending: i64,
    /// When the oldest of them was queued (epoch milliseconds).
    pub oldest_created_at: i64,
}

/// The `limit` remote hosts with the most pending deliveries (most first), and the number of
/// pending deliveries and of hosts with any, all hosts included.
pub async fn backlog_by_host(
    pool: &sqlx::AnyPool,
    limit: i64,
) -> DbResult<(Vec<HostBacklog>, i64, i64)> {
    let top = sqlx::query_as(
        "SELECT host, COUNT(*) AS pending, MIN(created_at) AS oldest_created_at \
         FROM deliveries WHERE state = 'pending' \
         GROUP BY host ORDER BY COUNT(*) DESC, host LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let (pending, hosts): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT host) FROM deliveries WHERE state = 'pending'",
    )
    .fetch_one(pool)
    .await?;
    Ok((top, pending, hosts))
}

/// Deletes deliveries that ended before `before` (epoch milliseconds).
pub async fn delete_finished_before(pool: &sqlx::AnyPool, before: i64) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM deliveries WHERE state <> 'pending' AND updated_at < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}
