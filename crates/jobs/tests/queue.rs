//! The job queue against real SQLite and PostgreSQL databases.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kinora_db::{DatabaseConfig, Db, backend_tests, jobs as rows, now_millis};
use kinora_jobs::{
    Job, JobContext, JobFailure, JobHandler, JobKind, RetryPolicy, Worker, WorkerConfig, enqueue,
};
use tokio_util::sync::CancellationToken;

const CHILD_DB_URL: &str = "KINORA_JOBS_TEST_CHILD_DB_URL";

fn job(actor_id: i64) -> Job {
    Job::GenerateActorKeys { actor_id }
}

fn fast_config(owner: &str) -> WorkerConfig {
    WorkerConfig {
        lease: Duration::from_millis(1500),
        heartbeat: Duration::from_millis(300),
        poll_interval: Duration::from_millis(50),
        retry: RetryPolicy {
            base: Duration::from_millis(10),
            max: Duration::from_millis(20),
        },
        shutdown_grace: Duration::from_millis(300),
        ..WorkerConfig::new(owner, vec![JobKind::GenerateActorKeys])
    }
}

async fn queue(db: &Db, job: &Job) -> Option<i64> {
    let mut tx = db.begin().await.unwrap();
    let id = enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn create_effects_table(db: &Db) {
    sqlx::query("CREATE TABLE test_effects (job_id BIGINT NOT NULL, worker TEXT NOT NULL)")
        .execute(db.pool())
        .await
        .unwrap();
}

async fn count_effects(db: &Db, job_id: i64) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM test_effects WHERE job_id = $1")
        .bind(job_id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    count
}

/// Records an effect row and finishes the job in the same transaction.
struct RecordEffect {
    worker: &'static str,
}

impl JobHandler for RecordEffect {
    async fn handle(&self, context: JobContext, _job: Job) -> Result<(), JobFailure> {
        let mut tx = context.db().begin().await?;
        sqlx::query("INSERT INTO test_effects (job_id, worker) VALUES ($1, $2)")
            .bind(context.id())
            .bind(self.worker)
            .execute(&mut *tx)
            .await?;
        context.complete_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Fails every attempt, counting them.
struct AlwaysFail {
    calls: Arc<AtomicUsize>,
    permanent: bool,
}

impl JobHandler for AlwaysFail {
    async fn handle(&self, context: JobContext, _job: Job) -> Result<(), JobFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let message = format!("attempt {} broke", context.attempt());
        Err(if self.permanent {
            JobFailure::permanent(message)
        } else {
            JobFailure::retryable(message)
        })
    }
}

/// Never finishes.
struct Hang;

impl JobHandler for Hang {
    async fn handle(&self, _context: JobContext, _job: Job) -> Result<(), JobFailure> {
        std::future::pending().await
    }
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The body of the child process that `a_killed_worker_s_job_is_finished_once_by_another` starts
/// and kills: it claims the job and hangs while heartbeating.
#[test]
#[ignore = "run only as the child process of the kill test"]
fn child_worker_that_hangs() {
    let Ok(url) = std::env::var(CHILD_DB_URL) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = DatabaseConfig {
            url,
            ..DatabaseConfig::default()
        };
        let db = Db::connect(&config).await.unwrap();
        Worker::new(db, fast_config("child"), Hang)
            .run(CancellationToken::new())
            .await;
    });
}

async fn kill_worker_mid_job(db: Db, url: String) {
    create_effects_table(&db).await;
    let id = queue(&db, &job(1)).await.unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_worker_that_hangs",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_DB_URL, url)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the child to claim the job", || async {
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        row.state == "running" && row.lease_owner.as_deref() == Some("child")
    })
    .await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let survivor = Worker::new(
        db.clone(),
        fast_config("survivor"),
        RecordEffect { worker: "survivor" },
    );
    wait_for("the survivor to finish the job", || async {
        survivor.run_one().await.unwrap();
        rows::find(db.pool(), id).await.unwrap().unwrap().state == "done"
    })
    .await;
    let row = rows::find(db.pool(), id).await.unwrap().unwrap();
    assert_eq!(row.attempts, 2, "the killed attempt and the finishing one");
    assert_eq!(
        count_effects(&db, id).await,
        1,
        "effects happen exactly once"
    );
    // Nothing is left to claim.
    assert!(!survivor.run_one().await.unwrap());
    assert_eq!(count_effects(&db, id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_s_job_is_finished_once_by_another_sqlite() {
    let test_db = kinora_db::testing::TestDb::sqlite().await;
    kill_worker_mid_job(test_db.db.clone(), test_db.config.url.clone()).await;
    test_db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_s_job_is_finished_once_by_another_postgres() {
    let test_db = kinora_db::testing::TestDb::postgres().await;
    kill_worker_mid_job(test_db.db.clone(), test_db.config.url.clone()).await;
    test_db.finish().await;
}

backend_tests! {
    async fn a_rolled_back_transaction_leaves_no_job(db: Db) {
        let mut tx = db.begin().await.unwrap();
        let id = enqueue(&mut tx, &job(1)).await.unwrap().unwrap();
        drop(tx); // the handler failed: roll back
        assert!(rows::find(db.pool(), id).await.unwrap().is_none());
        assert_eq!(rows::count_by_state(db.pool(), "queued").await.unwrap(), 0);
    }

    async fn a_unique_key_is_queued_once_at_a_time(db: Db) {
        let first = queue(&db, &job(5)).await;
        assert!(first.is_some());
        assert_eq!(queue(&db, &job(5)).await, None, "same work queued twice");
        assert!(queue(&db, &job(6)).await.is_some(), "other work is not blocked");
        create_effects_table(&db).await;
        let worker = Worker::new(db.clone(), fast_config("w"), RecordEffect { worker: "w" });
        while worker.run_one().await.unwrap() {}
        assert!(queue(&db, &job(5)).await.is_some(), "finished work may be queued again");
    }

    async fn a_lease_holder_that_lost_its_lease_cannot_finish(db: Db) {
        let id = queue(&db, &job(1)).await.unwrap();
        let now = now_millis();
        let mut connection = db.pool().acquire().await.unwrap();
        let kinds = ["generate-actor-keys"];
        let claimed = rows::claim(&mut connection, &kinds, "a", now + 1000, now).await.unwrap();
        assert_eq!(claimed.unwrap().id, id);
        assert!(rows::claim(&mut connection, &kinds, "b", now + 1000, now).await.unwrap().is_none());
        // Time passes beyond the lease: the job returns to the queue and b takes it.
        let later = now + 2000;
        let buried = rows::requeue_expired(&mut connection, &["other-kind"], later).await.unwrap();
        assert!(buried.is_empty());
        assert_eq!(rows::find(db.pool(), id).await.unwrap().unwrap().state, "running", "other kinds are not reaped");
        let buried = rows::requeue_expired(&mut connection, &kinds, later).await.unwrap();
        assert!(buried.is_empty(), "attempts remain: queued, not dead");
        let again = rows::claim(&mut connection, &kinds, "b", later + 1000, later).await.unwrap();
        assert_eq!(again.unwrap().attempts, 2);
        assert!(!rows::complete(db.pool(), id, "a", later).await.unwrap());
        assert!(!rows::heartbeat(db.pool(), id, "a", later + 5000, None, later).await.unwrap());
        assert!(rows::heartbeat(db.pool(), id, "b", later + 5000, Some(40), later).await.unwrap());
        assert_eq!(rows::find(db.pool(), id).await.unwrap().unwrap().progress, Some(40));
        assert!(rows::complete(db.pool(), id, "b", later).await.unwrap());
    }

    async fn failures_retry_with_backoff_then_go_to_the_dead_letters(db: Db) {
        let id = queue(&db, &job(1)).await.unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let mut config = fast_config("w");
        config.retry = RetryPolicy { base: Duration::from_secs(60), max: Duration::from_secs(60) };
        let worker = Worker::new(db.clone(), config, AlwaysFail { calls: calls.clone(), permanent: false });
        assert!(worker.run_one().await.unwrap());
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        assert_eq!(row.state, "queued");
        assert_eq!(row.last_error.as_deref(), Some("attempt 1 broke"));
        assert!(row.run_at >= now_millis() + 25_000, "backoff of about a minute");
        assert!(!worker.run_one().await.unwrap(), "not due before its backoff");
        // Make it due at once for the remaining attempts.
        for attempt in 2..=5 {
            sqlx::query("UPDATE jobs SET run_at = 0 WHERE id = $1").bind(id).execute(db.pool()).await.unwrap();
            assert!(worker.run_one().await.unwrap());
            let row = rows::find(db.pool(), id).await.unwrap().unwrap();
            assert_eq!(row.attempts, attempt);
        }
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        assert_eq!(row.state, "dead");
        assert_eq!(row.last_error.as_deref(), Some("attempt 5 broke"));
        assert!(row.finished_at.is_some());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
        // An administrator retries it.
        assert!(kinora_jobs::retry_dead(&db, id).await.unwrap());
        assert!(!kinora_jobs::retry_dead(&db, id).await.unwrap(), "only dead jobs");
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.attempts), ("queued", 0));
        assert!(worker.run_one().await.unwrap());
        assert_eq!(calls.load(Ordering::SeqCst), 6);
    }

    async fn a_permanent_failure_goes_straight_to_the_dead_letters(db: Db) {
        let id = queue(&db, &job(1)).await.unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let worker = Worker::new(db.clone(), fast_config("w"), AlwaysFail { calls, permanent: true });
        assert!(worker.run_one().await.unwrap());
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.attempts), ("dead", 1));
        let dead = kinora_jobs::list(&db, "dead", 10).await.unwrap();
        assert_eq!(dead.len(), 1);
    }

    async fn an_unreadable_payload_is_buried_with_its_reason(db: Db) {
        sqlx::query("INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
                     VALUES ('generate-actor-keys', '{\"type\":\"nonsense\"}', 'queued', 0, 5, 0, 0, 0)")
            .execute(db.pool()).await.unwrap();
        let worker = Worker::new(db.clone(), fast_config("w"), Hang);
        assert!(worker.run_one().await.unwrap());
        let dead = kinora_jobs::list(&db, "dead", 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert!(dead[0].last_error.as_deref().unwrap().starts_with("payload not understood"));
    }

    async fn shutdown_releases_the_leases_of_unfinished_jobs(db: Db) {
        let id = queue(&db, &job(1)).await.unwrap();
        let shutdown = CancellationToken::new();
        let worker = Worker::new(db.clone(), fast_config("w"), Hang);
        let running = tokio::spawn(worker.run(shutdown.clone()));
        wait_for("the job to be claimed", || async {
            rows::find(db.pool(), id).await.unwrap().unwrap().state == "running"
        }).await;
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), running).await.unwrap().unwrap();
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        assert_eq!(row.state, "queued");
        assert_eq!(row.attempts, 0, "a clean shutdown does not spend an attempt");
        assert!(row.lease_owner.is_none());
    }

    async fn concurrent_workers_run_each_job_exactly_once(db: Db) {
        create_effects_table(&db).await;
        let mut ids = Vec::new();
        for actor in 0..30 {
            ids.push(queue(&db, &job(actor)).await.unwrap());
        }
        let shutdown = CancellationToken::new();
        let mut handles = Vec::new();
        for worker in ["w1", "w2", "w3"] {
            let mut config = fast_config(worker);
            config.concurrency = 3;
            let w = Worker::new(db.clone(), config, RecordEffect { worker });
            handles.push(tokio::spawn(w.run(shutdown.clone())));
        }
        wait_for("every job to be done", || async {
            rows::count_by_state(db.pool(), "done").await.unwrap() == 30
        }).await;
        shutdown.cancel();
        for handle in handles {
            handle.await.unwrap();
        }
        for id in ids {
            assert_eq!(count_effects(&db, id).await, 1, "job {id}");
        }
    }

    async fn finishing_inside_a_rolled_back_transaction_does_not_finish(db: Db) {
        struct CompleteThenFail;
        impl JobHandler for CompleteThenFail {
            async fn handle(&self, context: JobContext, _job: Job) -> Result<(), JobFailure> {
                let mut tx = context.db().begin().await?;
                context.complete_in(&mut tx).await?;
                drop(tx);
                Err(JobFailure::retryable("the rest of the work failed"))
            }
        }
        let id = queue(&db, &job(1)).await.unwrap();
        let worker = Worker::new(db.clone(), fast_config("w"), CompleteThenFail);
        assert!(worker.run_one().await.unwrap());
        let row = rows::find(db.pool(), id).await.unwrap().unwrap();
        assert_eq!(row.state, "queued");
        assert_eq!(row.last_error.as_deref(), Some("the rest of the work failed"));
    }
}
