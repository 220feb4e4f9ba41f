//! The job queue's table: insert, claim with a lease, heartbeat, finish, fail, release, retry.
//!
//! Every state change that ends a running job checks `lease_owner`, so a worker whose lease
//! expired (and whose job another worker took over) can no longer finish or fail it.

use sqlx::{Any, Executor};

use crate::{Backend, Connection, DbResult};

const COLUMNS: &str = "id, kind, payload, unique_key, state, attempts, max_attempts, run_at, \
                       lease_owner, lease_expires_at, progress, last_error, created_at, \
                       updated_at, finished_at";

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    /// Numeric id.
    pub id: i64,
    /// What kind of work (the typed job's tag).
    pub kind: String,
    /// The typed job, JSON.
    pub payload: String,
    /// At most one queued or running job carries a given key.
    pub unique_key: Option<String>,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    /// Attempts started so far.
    pub attempts: i64,
    /// Attempts allowed before the job goes to the dead letters.
    pub max_attempts: i64,
    /// Not claimed before this time, epoch milliseconds.
    pub run_at: i64,
    /// The worker holding the lease.
    pub lease_owner: Option<String>,
    /// When the lease runs out unless renewed, epoch milliseconds.
    pub lease_expires_at: Option<i64>,
    /// Progress reported by the worker, percent.
    pub progress: Option<i64>,
    /// The last failure's reason.
    pub last_error: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
    /// When it ended (done or dead), epoch milliseconds.
    pub finished_at: Option<i64>,
}

/// What is needed to queue a job.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Kind of work.
    pub kind: &'a str,
    /// Typed job, JSON.
    pub payload: &'a str,
    /// Deduplication key.
    pub unique_key: Option<&'a str>,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// Earliest start, epoch milliseconds.
    pub run_at: i64,
}

/// Queues a job. Returns `None` when a queued or running job already holds its unique key.
pub async fn insert(
    connection: &mut Connection,
    job: &NewJob<'_>,
    now: i64,
) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO jobs (kind, payload, unique_key, state, attempts, max_attempts, run_at, \
         created_at, updated_at) VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $6) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(job.kind)
    .bind(job.payload)
    .bind(job.unique_key)
    .bind(job.max_attempts)
    .bind(job.run_at)
    .bind(now)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Puts back every running job of `kinds` whose lease ran out: queued again, or dead when it
/// has used all its attempts. Returns the jobs that went dead.
pub async fn requeue_expired(
    connection: &mut Connection,
    kinds: &[&str],
    now: i64,
) -> DbResult<Vec<JobRow>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "UPDATE jobs SET \
           state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
           finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
           last_error = 'lease expired: the worker stopped answering (killed or hung)', \
           lease_owner = NULL, lease_expires_at = NULL, run_at = $1, updated_at = $1 \
         WHERE state = 'running' AND lease_expires_at < $1 AND kind IN ({}) \
         RETURNING {COLUMNS}",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, JobRow>(&sql).bind(now);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let changed = query.fetch_all(&mut *connection).await?;
    Ok(changed
        .into_iter()
        .filter(|row| row.state == "dead")
        .collect())
}

/// Claims the oldest due job of one of `kinds` for `owner`, with a lease until
/// `lease_expires_at`. Two workers never claim the same job.
pub async fn claim(
    connection: &mut Connection,
    kinds: &[&str],
    owner: &str,
    lease_expires_at: i64,
    now: i64,
) -> DbResult<Option<JobRow>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let kind_placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
    let lock = match Backend::of(connection) {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, \
         lease_expires_at = $2, progress = NULL, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
                     AND kind IN ({}) ORDER BY run_at, id LIMIT 1 {lock}) \
         RETURNING {COLUMNS}",
        kind_placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql)
        .bind(owner)
        .bind(lease_expires_at)
        .bind(now);
    for kind in kinds {
        query = query.bind(*kind);
    }
    Ok(query.fetch_optional(&mut *connection).await?)
}

/// Extends a lease and records progress. Returns false when `owner` no longer holds it.
pub async fn heartbeat<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    owner: &str,
    lease_expires_at: i64,
    progress: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE jobs SET lease_expires_at = $1, progress = COALESCE($2, progress), updated_at = $3 \
         WHERE id = $4 AND lease_owner = $5 AND state = 'running'",
    )
    .bind(lease_expires_at)
    .bind(progress)
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Marks a job done. Returns false when `owner` no longer holds its lease.
pub async fn complete<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    owner: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE jobs SET state = 'done', progress = 100, lease_owner = NULL, \
         lease_expires_at = NULL, finished_at = $1, updated_at = $1 \
         WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
    )
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records a failed attempt: queued again at `retry_at`, or dead when `retry_at` is `None`.
/// Returns false when `owner` no longer holds the lease.
pub async fn fail<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    owner: &str,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE jobs SET \
           state = CASE WHEN $1 IS NULL THEN 'dead' ELSE 'queued' END, \
           run_at = COALESCE($1, run_at), \
           finished_at = CASE WHEN $1 IS NULL THEN $2 ELSE NULL END, \
           last_error = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = $2 \
         WHERE id = $4 AND lease_owner = $5 AND state = 'running'",
    )
    .bind(retry_at)
    .bind(now)
    .bind(error)
    .bind(id)
    .bind(owner)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Gives a running job back without counting the attempt (a worker shutting down cleanly).
pub async fn release<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    owner: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, \
         lease_expires_at = NULL, run_at = $1, updated_at = $1 \
         WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
    )
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Queues a dead job again with a fresh set of attempts (an administrator's retry).
pub async fn retry_dead<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, finished_at = NULL, \
         updated_at = $1 WHERE id = $2 AND state = 'dead'",
    )
    .bind(now)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Finds a job by id.
pub async fn find<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<JobRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// Lists jobs in a state, newest change first.
pub async fn list_by_state<'e>(
    executor: impl Executor<'e, Database = Any>,
    state: &str,
    limit: i64,
) -> DbResult<Vec<JobRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE state = $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    ))
    .bind(state)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// Counts jobs in a state.
pub async fn count_by_state<'e>(
    executor: impl Executor<'e, Database = Any>,
    state: &str,
) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE state = $1")
        .bind(state)
        .fetch_one(executor)
        .await?;
    Ok(count)
}

/// How many jobs of one kind are in one state, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueueCount {
    /// The job kind (`kind` column).
    pub kind: String,
    /// `queued`, `running` or `dead`.
    pub state: String,
    /// How many.
    pub count: i64,
    /// For queued jobs: when the longest-waiting one that is due (`run_at <= now`) became due
    /// (epoch milliseconds); `None` when none is due (or for other states).
    pub oldest_due_at: Option<i64>,
}

/// Jobs that are not done, counted by kind and state, with the oldest due queued job of each
/// kind (cluster-wide: read at scrape time, whichever process is scraped).
pub async fn count_by_kind_and_state<'e>(
    executor: impl Executor<'e, Database = Any>,
    now: i64,
) -> DbResult<Vec<QueueCount>> {
    Ok(sqlx::query_as(
        "SELECT kind, state, COUNT(*) AS count, \
         MIN(CASE WHEN state = 'queued' AND run_at <= $1 THEN run_at END) AS oldest_due_at \
         FROM jobs WHERE state IN ('queued', 'running', 'dead') \
         GROUP BY kind, state ORDER BY kind, state",
    )
    .bind(now)
    .fetch_all(executor)
    .await?)
}

/// Deletes finished (done) jobs that ended before `cutoff`; dead ones are kept for admins.
pub async fn delete_done_before<'e>(
    executor: impl Executor<'e, Database = Any>,
    cutoff: i64,
) -> DbResult<u64> {
    let result = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
        .bind(cutoff)
        .execute(executor)
        .await?;
    Ok(result.rows_affected())
}
