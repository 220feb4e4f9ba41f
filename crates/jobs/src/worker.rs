//! The worker loop: claim, heartbeat, run, then finish, retry or bury; release on shutdown.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kinora_db::{Connection, Db, jobs::JobRow, now_millis};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::{Job, JobError, JobKind, RetryPolicy};

/// How a worker claims and runs jobs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// This worker's name in `lease_owner`; unique among all running workers.
    pub owner: String,
    /// The kinds of job this worker runs.
    pub kinds: Vec<JobKind>,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// How often a running job's lease is renewed.
    pub heartbeat: Duration,
    /// How long to wait before looking again when no job is due.
    pub poll_interval: Duration,
    /// Jobs run at the same time.
    pub concurrency: usize,
    /// Waits between attempts.
    pub retry: RetryPolicy,
    /// On shutdown, how long running jobs may take before they are stopped and released.
    pub shutdown_grace: Duration,
}

impl WorkerConfig {
    /// A configuration with sensible timings for `owner` running `kinds`.
    pub fn new(owner: impl Into<String>, kinds: Vec<JobKind>) -> Self {
        Self {
            owner: owner.into(),
            kinds,
            lease: Duration::from_secs(60),
            heartbeat: Duration::from_secs(15),
            poll_interval: Duration::from_millis(500),
            concurrency: 2,
            retry: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Why a job attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    /// What went wrong; kept as the job's `last_error`.
    pub message: String,
    /// True when retrying cannot help: the job goes straight to the dead letters.
    pub permanent: bool,
}

impl JobFailure {
    /// A failure worth retrying later.
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }

    /// A failure retrying cannot fix.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

impl<E: std::fmt::Display> From<E> for JobFailure {
    fn from(error: E) -> Self {
        JobFailure::retryable(error.to_string())
    }
}

/// Runs jobs of the kinds a worker was configured for.
pub trait JobHandler: Send + Sync + 'static {
    /// Does the work of one attempt. Returning `Ok` finishes the job (unless the handler already
    /// did with [`JobContext::complete_in`]).
    fn handle(
        &self,
        context: JobContext,
        job: Job,
    ) -> impl Future<Output = Result<(), JobFailure>> + Send;

    /// Called once when a job of this handler goes to the dead letters (failed for good, or
    /// its worker died on the last attempt), so its owner can record the failure.
    fn buried(&self, db: &Db, job: Job, reason: &str) -> impl Future<Output = ()> + Send {
        let _ = (db, job, reason);
        async {}
    }
}

/// What a handler knows about the attempt it runs.
#[derive(Debug, Clone)]
pub struct JobContext {
    id: i64,
    attempt: i64,
    owner: Arc<str>,
    db: Db,
    progress: Arc<AtomicI64>,
    completed: Arc<AtomicBool>,
}

impl JobContext {
    /// The job's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Which attempt this is (1 for the first).
    pub fn attempt(&self) -> i64 {
        self.attempt
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Records progress in percent; it is stored with the next heartbeat.
    pub fn report_progress(&self, percent: i64) {
        self.progress
            .store(percent.clamp(0, 100), Ordering::Relaxed);
    }

    /// Marks the job done inside the handler's own transaction, so the job ends if and only if
    /// the handler's changes commit. Fails with [`JobError::LeaseLost`] when another worker has
    /// taken the job over: the handler must then roll back.
    pub async fn complete_in(&self, connection: &mut Connection) -> Result<(), JobError> {
        if kinora_db::jobs::complete(&mut *connection, self.id, &self.owner, now_millis()).await? {
            self.completed.store(true, Ordering::Relaxed);
            Ok(())
        } else {
            Err(JobError::LeaseLost(self.id))
        }
    }
}

/// Claims jobs and runs them with a handler until told to stop.
pub struct Worker<H> {
    db: Db,
    config: WorkerConfig,
    handler: Arc<H>,
}

impl<H: JobHandler> Worker<H> {
    /// A worker on `db` running `handler`.
    pub fn new(db: Db, config: WorkerConfig, handler: H) -> Self {
        Self {
            db,
            config,
            handler: Arc::new(handler),
        }
    }

    /// Claims and runs jobs until `shutdown` is cancelled; then stops claiming, lets running
    /// jobs finish within the grace period and releases the leases of those that did not.
    pub async fn run(self, shutdown: CancellationToken) {
        let semaphore = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let running: Arc<Mutex<HashSet<i64>>> = Arc::default();
        let mut tasks = JoinSet::new();
        loop {
            while tasks.try_join_next().is_some() {}
            let permit = tokio::select! {
                permit = semaphore.clone().acquire_owned() => permit.expect("semaphore open"),
                () = shutdown.cancelled() => break,
            };
            match self.claim().await {
                Ok(Some(row)) => {
                    running.lock().expect("running set").insert(row.id);
                    let attempt = Attempt {
                        db: self.db.clone(),
                        config: self.config.clone(),
                        handler: self.handler.clone(),
                    };
                    let running = running.clone();
                    tasks.spawn(async move {
                        let id = row.id;
                        attempt.run(row).await;
                        running.lock().expect("running set").remove(&id);
                        drop(permit);
                    });
                }
                Ok(None) => {
                    drop(permit);
                    tokio::select! {
                        () = tokio::time::sleep(self.config.poll_interval) => {}
                        () = shutdown.cancelled() => break,
                    }
                }
                Err(error) => {
                    drop(permit);
                    tracing::warn!(%error, "claiming a job failed");
                    tokio::select! {
                        () = tokio::time::sleep(self.config.poll_interval) => {}
                        () = shutdown.cancelled() => break,
                    }
                }
            }
        }
        self.drain(tasks, running).await;
    }

    /// Claims one due job and runs it to its end. Returns false when no job was due.
    pub async fn run_one(&self) -> Result<bool, JobError> {
        let Some(row) = self.claim().await? else {
            return Ok(false);
        };
        Attempt {
            db: self.db.clone(),
            config: self.config.clone(),
            handler: self.handler.clone(),
        }
        .run(row)
        .await;
        Ok(true)
    }

    async fn claim(&self) -> Result<Option<JobRow>, JobError> {
        let now = now_millis();
        let kinds: Vec<&str> = self.config.kinds.iter().map(|k| k.as_str()).collect();
        let mut connection = self
            .db
            .pool()
            .acquire()
            .await
            .map_err(kinora_db::DbError::from)?;
        let buried = kinora_db::jobs::requeue_expired(&mut connection, &kinds, now).await?;
        for row in buried {
            tracing::error!(job = row.id, kind = %row.kind, "job died with its worker on its last attempt");
            if let Ok(job) = serde_json::from_str::<Job>(&row.payload) {
                let reason = row.last_error.as_deref().unwrap_or("lease expired");
                self.handler.buried(&self.db, job, reason).await;
            }
        }
        let lease_until = now + self.config.lease.as_millis() as i64;
        Ok(kinora_db::jobs::claim(
            &mut connection,
            &kinds,
            &self.config.owner,
            lease_until,
            now,
        )
        .await?)
    }

    async fn drain(&self, mut tasks: JoinSet<()>, running: Arc<Mutex<HashSet<i64>>>) {
        let finished = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(self.config.shutdown_grace, finished)
            .await
            .is_err()
        {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        let left: Vec<i64> = running.lock().expect("running set").drain().collect();
        for id in left {
            match kinora_db::jobs::release(self.db.pool(), id, &self.config.owner, now_millis())
                .await
            {
                Ok(true) => tracing::info!(job = id, "released the lease of an unfinished job"),
                Ok(false) => {}
                Err(error) => tracing::warn!(job = id, %error, "could not release a job"),
            }
        }
    }
}

/// One attempt at one claimed job.
struct Attempt<H> {
    db: Db,
    config: WorkerConfig,
    handler: Arc<H>,
}

impl<H: JobHandler> Attempt<H> {
    async fn run(self, row: JobRow) {
        let owner: Arc<str> = Arc::from(self.config.owner.as_str());
        let job: Job = match serde_json::from_str(&row.payload) {
            Ok(job) => job,
            Err(error) => {
                let message = format!("payload not understood: {error}");
                self.record_failure(&row, JobFailure::permanent(message))
                    .await;
                return;
            }
        };
        let context = JobContext {
            id: row.id,
            attempt: row.attempts,
            owner: owner.clone(),
            db: self.db.clone(),
            progress: Arc::new(AtomicI64::new(-1)),
            completed: Arc::new(AtomicBool::new(false)),
        };
        let lease_lost = CancellationToken::new();
        let heartbeat = tokio::spawn(beat(
            self.db.clone(),
            row.id,
            owner.clone(),
            self.config.lease,
            self.config.heartbeat,
            context.progress.clone(),
            lease_lost.clone(),
        ));
        let started = std::time::Instant::now();
        let outcome = tokio::select! {
            result = self.handler.handle(context.clone(), job) => Some(result),
            () = lease_lost.cancelled() => None,
        };
        heartbeat.abort();
        let seconds = started.elapsed().as_secs_f64();
        match outcome {
            None => {
                record_outcome(&row.kind, "lease-lost", seconds);
                tracing::warn!(job = row.id, "lease lost; abandoned the attempt")
            }
            Some(Ok(())) => {
                record_outcome(&row.kind, "done", seconds);
                if !context.completed.load(Ordering::Relaxed) {
                    match kinora_db::jobs::complete(self.db.pool(), row.id, &owner, now_millis())
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = row.id, "finished after losing the lease")
                        }
                        Err(error) => tracing::warn!(job = row.id, %error, "could not mark done"),
                    }
                }
                tracing::debug!(job = row.id, kind = %row.kind, "job done");
            }
            Some(Err(failure)) => {
                let final_failure = failure.permanent || row.attempts >= row.max_attempts;
                record_outcome(
                    &row.kind,
                    if final_failure { "dead" } else { "retry" },
                    seconds,
                );
                self.record_failure(&row, failure).await
            }
        }
    }

    async fn record_failure(&self, row: &JobRow, failure: JobFailure) {
        let now = now_millis();
        let retry_at = if failure.permanent || row.attempts >= row.max_attempts {
            None
        } else {
            Some(now + self.config.retry.delay_after(row.attempts).as_millis() as i64)
        };
        match retry_at {
            Some(_) => tracing::warn!(job = row.id, kind = %row.kind, attempt = row.attempts,
                                      error = %failure.message, "job failed; will retry"),
            None => tracing::error!(job = row.id, kind = %row.kind, attempt = row.attempts,
                                    error = %failure.message, "job failed for good (dead letter)"),
        }
        let result = kinora_db::jobs::fail(
            self.db.pool(),
            row.id,
            &self.config.owner,
            &failure.message,
            retry_at,
            now,
        )
        .await;
        match result {
            Ok(true) if retry_at.is_none() => {
                if let Ok(job) = serde_json::from_str::<Job>(&row.payload) {
                    self.handler.buried(&self.db, job, &failure.message).await;
                }
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(job = row.id, %error, "could not record the failure"),
        }
    }
}

/// Counts one attempt of a `kind` job by how it ended (`done`, `retry`, `dead`, `lease-lost`)
/// and records how long it ran (in this process's metrics recorder, if one is installed).
fn record_outcome(kind: &str, outcome: &'static str, seconds: f64) {
    let labels = [("kind", kind.to_owned()), ("outcome", outcome.to_owned())];
    metrics::counter!("kinora_job_attempts_total", &labels).increment(1);
    metrics::histogram!("kinora_job_duration_seconds", &labels).record(seconds);
}

/// Renews the lease every `interval` until aborted; cancels `lease_lost` if the lease is gone.
async fn beat(
    db: Db,
    id: i64,
    owner: Arc<str>,
    lease: Duration,
    interval: Duration,
    progress: Arc<AtomicI64>,
    lease_lost: CancellationToken,
) {
    loop {
        tokio::time::sleep(interval).await;
        let now = now_millis();
        let percent = progress.load(Ordering::Relaxed);
        let reported = (percent >= 0).then_some(percent);
        let until = now + lease.as_millis() as i64;
        match kinora_db::jobs::heartbeat(db.pool(), id, &owner, until, reported, now).await {
            Ok(true) => {}
            Ok(false) => {
                lease_lost.cancel();
                return;
            }
            Err(error) => tracing::warn!(job = id, %error, "heartbeat failed"),
        }
    }
}
