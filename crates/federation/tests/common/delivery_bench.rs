//! The delivery worker's test bench: inboxes on 127.0.0.1 that record what they receive,
//! queues of deliveries written straight into the tables, a worker to start and stop, and the
//! state of each remote host.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::post;
use kinora_db::Db;
use kinora_db::testing::TestDb;
use kinora_federation::FederationConfig;
use kinora_federation::delivery::DeliveryWorker;
use kinora_federation::http_client::OutboundClient;
use kinora_federation::urls::LocalUrls;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What an inbox server received: (inbox name, delivery number) in arrival order.
#[derive(Clone, Default)]
pub struct Received(Arc<Mutex<Vec<(String, u64)>>>);

impl Received {
    /// Everything, in arrival order.
    pub fn all(&self) -> Vec<(String, u64)> {
        self.0.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn total(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// The numbers that arrived at inbox `inbox`, in order.
    pub fn of(&self, inbox: &str) -> Vec<u64> {
        self.all()
            .into_iter()
            .filter(|(name, _)| name == inbox)
            .map(|(_, n)| n)
            .collect()
    }
}

/// Serves `POST /inbox/{name}/{n}` (202, recorded) on `port` (0: any); answers the port.
pub async fn start_inboxes(port: u16, received: Received) -> u16 {
    let router = Router::new().route(
        "/inbox/{name}/{n}",
        post(move |Path((name, n)): Path<(String, u64)>| {
            let received = received.clone();
            async move {
                received.0.lock().unwrap().push((name, n));
                StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

/// A port nothing listens on (yet).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The instance actor, with PeerTube's test key; answers its id.
pub async fn instance_actor(db: &Db) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = kinora_db::actors::insert_local_actor(&mut tx, "Application", "peertube", 1)
        .await
        .unwrap();
    kinora_db::actors::set_keys(
        &mut tx,
        id,
        &super::fixtures::peertube_public_key(),
        &super::fixtures::peertube_private_key(),
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Queues `count` activities (numbered from `first`) to `inbox` on `host`, each its own row:
/// multi-row inserts, so that large queues are quick to build.
pub async fn queue(
    db: &Db,
    actor: i64,
    host: &str,
    base: &str,
    name: &str,
    first: u64,
    count: u64,
) {
    let now = kinora_db::now_millis();
    let mut tx = db.begin().await.unwrap();
    sqlx::query(&format!(
        "INSERT INTO remote_hosts (host, updated_at) VALUES ('{host}', {now}) \
         ON CONFLICT (host) DO NOTHING"
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    let mut n = first;
    while n < first + count {
        let end = (n + 500).min(first + count);
        let activities: Vec<String> = (n..end)
            .map(|i| {
                let body = format!(
                    r#"{{"type":"Announce","id":"http://kinora.test/a/{name}/{i}","actor":"http://kinora.test/accounts/peertube","object":"http://kinora.test/v/{i}"}}"#
                );
                format!(
                    "('http://kinora.test/a/{name}/{i}', {actor}, 'Announce', NULL, 0, '{body}', {now})"
                )
            })
            .collect();
        let mut ids: Vec<(i64,)> = sqlx::query_as(&format!(
            "INSERT INTO outbox_activities (url, actor_id, kind, object_url, public, body, \
             created_at) VALUES {} RETURNING id",
            activities.join(",")
        ))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        ids.sort_unstable();
        let deliveries: Vec<String> = ids
            .iter()
            .zip(n..end)
            .map(|((id,), i)| {
                format!("({id}, '{host}', '{base}/inbox/{name}/{i}', 'pending', {now}, {now})")
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO deliveries (activity_id, host, inbox_url, state, created_at, \
             updated_at) VALUES {}",
            deliveries.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        n = end;
    }
    tx.commit().await.unwrap();
}

/// A worker on `db`, running until the token is cancelled.
pub fn start_worker(
    db: &Db,
    actor: i64,
    config: &FederationConfig,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let client = OutboundClient::new(&super::servers::client_config(true)).unwrap();
    let worker = Arc::new(DeliveryWorker::new(
        db.clone(),
        client,
        LocalUrls::new("http://kinora.test"),
        config.clone(),
        actor,
        Arc::new(Notify::new()),
    ));
    let stop = CancellationToken::new();
    let handle = tokio::spawn(worker.run(stop.clone()));
    (stop, handle)
}

/// (failures, next_attempt_at, dead, failing_since) of a host.
pub async fn host_state(db: &Db, host: &str) -> (i64, i64, i64, Option<i64>) {
    let row = kinora_db::deliveries::find_host(db.pool(), host)
        .await
        .unwrap()
        .unwrap();
    (
        row.failures,
        row.next_attempt_at,
        row.dead,
        row.failing_since,
    )
}

/// The wait the worker set at a host's last failure: `next_attempt_at` less the moment the
/// failure was recorded (`updated_at`), so it does not depend on when the test reads it.
pub async fn backoff_set(db: &Db, host: &str) -> i64 {
    let (wait,): (i64,) =
        sqlx::query_as("SELECT next_attempt_at - updated_at FROM remote_hosts WHERE host = $1")
            .bind(host)
            .fetch_one(db.pool())
            .await
            .unwrap();
    wait
}

/// The number a `SELECT COUNT(*) …` answers.
pub async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

/// Pending deliveries of a host.
pub async fn pending(db: &Db, host: &str) -> i64 {
    count(
        db,
        &format!("SELECT COUNT(*) FROM deliveries WHERE host = '{host}' AND state = 'pending'"),
    )
    .await
}

/// Polls `probe` until it holds, for at most `limit`.
pub async fn until<F, Fut>(limit: Duration, what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !probe().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Makes a host due now, as if its backoff had passed.
pub async fn backoff_passes(db: &Db, host: &str) {
    sqlx::query("UPDATE remote_hosts SET next_attempt_at = 0 WHERE host = $1")
        .bind(host)
        .execute(db.pool())
        .await
        .unwrap();
}

/// A fresh SQLite and a fresh PostgreSQL database.
pub async fn databases() -> [TestDb; 2] {
    [TestDb::sqlite().await, TestDb::postgres().await]
}
