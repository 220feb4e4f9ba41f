//! Kinora's durable job queue, kept in the instance's database.
//!
//! Jobs are rows written in the same transaction as the state change that causes them
//! ([`enqueue`]), so a change and its follow-up work exist together or not at all. A [`Worker`]
//! claims a due job with a lease, renews it with heartbeats while the handler runs, and then
//! finishes it, retries it later with exponential backoff and jitter, or, after
//! `max_attempts`, moves it to the dead letters with its last error (an administrator can
//! [`retry_dead`] it). A job whose worker dies goes back to the queue when its lease expires;
//! every state change checks that the worker still owns the lease, and a [`JobContext`] can
//! finish the job inside the handler's own transaction so its effects happen exactly once.
//! Unique keys keep the same work from being queued twice.
//!
//! Depends on `kinora-core` and `kinora-db` (the SQL is in `kinora_db::jobs`). Start reading at
//! [`Job`], then [`enqueue`], then [`Worker::run`].

mod job;
mod retry;
mod worker;

pub use job::{Job, JobKind};
pub use retry::RetryPolicy;
pub use worker::{JobContext, JobFailure, JobHandler, Worker, WorkerConfig};

use kinora_db::{Connection, Db, DbError, jobs::JobRow, now_millis};

/// Why a queue operation failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A job could not be encoded.
    #[error("job payload: {0}")]
    Payload(#[from] serde_json::Error),
    /// The worker no longer holds the job's lease (it expired and another worker may run it).
    #[error("lease of job {0} lost")]
    LeaseLost(i64),
}

/// Queues `job` now, on the caller's connection or transaction. Returns the new job's id, or
/// `None` when a queued or running job already has the same unique key.
pub async fn enqueue(connection: &mut Connection, job: &Job) -> Result<Option<i64>, JobError> {
    enqueue_at(connection, job, now_millis()).await
}

/// Queues `job` to run no earlier than `run_at` (epoch milliseconds).
pub async fn enqueue_at(
    connection: &mut Connection,
    job: &Job,
    run_at: i64,
) -> Result<Option<i64>, JobError> {
    let payload = serde_json::to_string(job)?;
    let unique_key = job.unique_key();
    let id = kinora_db::jobs::insert(
        connection,
        &kinora_db::jobs::NewJob {
            kind: job.kind().as_str(),
            payload: &payload,
            unique_key: unique_key.as_deref(),
            max_attempts: job.max_attempts(),
            run_at,
        },
        now_millis(),
    )
    .await?;
    Ok(id)
}

/// Queues a dead job again with a fresh set of attempts. Returns false if it was not dead.
pub async fn retry_dead(db: &Db, id: i64) -> Result<bool, JobError> {
    Ok(kinora_db::jobs::retry_dead(db.pool(), id, now_millis()).await?)
}

/// Lists jobs in a state (`queued`, `running`, `done`, `dead`), most recently changed first.
pub async fn list(db: &Db, state: &str, limit: i64) -> Result<Vec<JobRow>, JobError> {
    Ok(kinora_db::jobs::list_by_state(db.pool(), state, limit).await?)
}
