//! Work done once per cluster (issue 21), with two `kinora serve` processes of one instance on
//! one PostgreSQL database: 1,000 deliveries queued while both run arrive exactly once each at
//! a receiving server; a process killed with SIGKILL in the middle of delivering leaves the
//! rest to the other, which sends every delivery (only the one in flight at the kill may come
//! twice: deliveries are at least once, and receivers drop an activity id they have seen);
//! the seeder runs in one process, and the other takes over when its holder is killed.

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::post;
use common::cluster::Pair;
use common::eventually;
use kinora_db::Db;

/// What the receiving server got: (inbox name, delivery number) → times received.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<HashMap<(String, u64), u32>>>);

impl Received {
    fn distinct(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn total(&self) -> u32 {
        self.0.lock().unwrap().values().sum()
    }

    fn repeated(&self) -> Vec<((String, u64), u32)> {
        let mut repeated: Vec<_> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, times)| **times > 1)
            .map(|(key, times)| (key.clone(), *times))
            .collect();
        repeated.sort();
        repeated
    }
}

/// Serves `POST /inbox/{name}/{n}` (202 after `pace`, counted); answers the port.
async fn start_inboxes(received: Received, pace: Duration) -> u16 {
    let router = Router::new().route(
        "/inbox/{name}/{n}",
        post(move |Path((name, n)): Path<(String, u64)>| {
            let received = received.clone();
            async move {
                tokio::time::sleep(pace).await;
                *received.0.lock().unwrap().entry((name, n)).or_default() += 1;
                StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

/// The instance actor's id, once its keys exist.
async fn instance_actor(db: &Db) -> i64 {
    eventually(
        Duration::from_secs(60),
        "the instance actor's keys",
        || async {
            let row: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM actors WHERE host IS NULL AND kind = 'Application' \
             AND private_key_pem IS NOT NULL",
            )
            .fetch_optional(db.pool())
            .await
            .unwrap();
            row.map(|(id,)| id)
        },
    )
    .await
}

/// Queues `count` activities, numbered from 0, from `actor` to inboxes named `name` on the
/// remote host `host` (a label: the URLs go to 127.0.0.1:`port`), in one transaction.
async fn queue(db: &Db, actor: i64, host: &str, port: u16, name: &str, count: u64) {
    let now = kinora_db::now_millis();
    let mut tx = db.begin().await.unwrap();
    sqlx::query("INSERT INTO remote_hosts (host, updated_at) VALUES ($1, $2)")
        .bind(host)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    for n in 0..count {
        let url = format!("http://kinora.test/a/{name}/{n}");
        let body = format!(
            r#"{{"type":"Announce","id":"{url}","actor":"http://kinora.test/accounts/peertube","object":"http://kinora.test/v/{n}"}}"#
        );
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO outbox_activities (url, actor_id, kind, object_url, public, body, \
             created_at) VALUES ($1, $2, 'Announce', NULL, 0, $3, $4) RETURNING id",
        )
        .bind(&url)
        .bind(actor)
        .bind(&body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO deliveries (activity_id, host, inbox_url, state, created_at, \
             updated_at) VALUES ($1, $2, $3, 'pending', $4, $4)",
        )
        .bind(id)
        .bind(host)
        .bind(format!("http://127.0.0.1:{port}/inbox/{name}/{n}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_deliveries_queued_with_two_processes_arrive_once_each() {
    let pair = Pair::start(0, FEDERATION).await;
    let db = pair.db.db.clone();
    let actor = instance_actor(&db).await;
    let received = Received::default();
    let port = start_inboxes(received.clone(), Duration::from_millis(2)).await;
    // Twenty remote hosts of fifty deliveries: both processes' workers claim hosts at once.
    for host in 0..20 {
        let name = format!("h{host}");
        queue(
            &db,
            actor,
            &format!("{name}.localhost:{port}"),
            port,
            &name,
            50,
        )
        .await;
    }
    eventually(Duration::from_secs(120), "1,000 deliveries", || async {
        (received.total() >= 1000).then_some(())
    })
    .await;
    // Nothing more arrives later.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(received.repeated(), vec![], "delivered twice");
    assert_eq!((received.distinct(), received.total()), (1000, 1000));
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'"
        )
        .await,
        1000
    );
    pair.finish().await;
}

/// The pid in a lease owner such as `delivery-<pid>-<random>`.
fn owner_pid(owner: &str) -> u32 {
    owner.split('-').nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_while_delivering_leaves_the_rest_to_the_other() {
    let mut pair = Pair::start(0, FEDERATION).await;
    let db = pair.db.db.clone();
    let actor = instance_actor(&db).await;
    let received = Received::default();
    // Slow inbox: the host's queue takes about 20 s to send.
    let port = start_inboxes(received.clone(), Duration::from_millis(100)).await;
    let host = format!("slow.localhost:{port}");
    queue(&db, actor, &host, port, "slow", 200).await;
    let owner: String = eventually(Duration::from_secs(30), "a sender on the host", || async {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT lease_owner FROM remote_hosts WHERE host = $1")
                .bind(&host)
                .fetch_optional(db.pool())
                .await
                .unwrap();
        row.and_then(|(owner,)| owner)
            .filter(|_| received.distinct() >= 20)
    })
    .await;
    let pid = owner_pid(&owner);
    let first_holds = pair.first.server.child.id() == pid;
    assert!(
        first_holds || pair.second.server.child.id() == pid,
        "{owner}"
    );
    // SIGKILL: no lease given back, nothing finished; the other process waits out the lease.
    if first_holds {
        pair.first.server.child.kill().unwrap();
        pair.first.server.child.wait().unwrap();
    } else {
        pair.second.server.child.kill().unwrap();
        pair.second.server.child.wait().unwrap();
    }
    let before = received.distinct();
    assert!(before < 200, "the kill came too late: {before}");
    eventually(
        Duration::from_secs(150),
        "the other process finishes",
        || async { (received.distinct() == 200).then_some(()) },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let repeated = received.repeated();
    assert!(
        repeated.len() <= 1,
        "only the delivery in flight may come twice: {repeated:?}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'"
        )
        .await,
        200
    );
    let survivor: String = sqlx::query_as::<_, (Option<String>,)>(
        "SELECT lease_owner FROM remote_hosts WHERE host = $1",
    )
    .bind(&host)
    .fetch_one(db.pool())
    .await
    .unwrap()
    .0
    .unwrap_or_default();
    assert!(
        survivor.is_empty() || owner_pid(&survivor) != pid,
        "{survivor}"
    );
    // Tear down what is left: the surviving process.
    let Pair {
        first,
        second,
        db: test_db,
        dir: _dir,
    } = pair;
    if first_holds {
        second.server.terminate();
        drop(first);
    } else {
        first.server.terminate();
        drop(second);
    }
    test_db.finish().await;
}

/// The holder of a cluster lease: its pid, if the lease is held and not expired.
async fn lease_holder(db: &Db, name: &str) -> Option<u32> {
    let (holder, until) = kinora_db::leases::holder(db.pool(), name).await.unwrap()?;
    (until > kinora_db::now_millis()).then(|| holder.split('-').next().unwrap().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeder_and_housekeeping_run_in_one_process_and_move_when_it_dies() {
    let pair = Pair::start(0, "").await;
    let db = pair.db.db.clone();
    let pids = [pair.first.server.child.id(), pair.second.server.child.id()];
    for name in ["seeder", "housekeeping"] {
        let holder = eventually(Duration::from_secs(30), name, || lease_holder(&db, name)).await;
        assert!(pids.contains(&holder), "{name}: {holder} of {pids:?}");
    }
    // The same holder keeps the seeder lease while it lives.
    let seeding = lease_holder(&db, "seeder").await.unwrap();
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(lease_holder(&db, "seeder").await, Some(seeding));
    let Pair {
        mut first,
        mut second,
        db: test_db,
        dir: _dir,
    } = pair;
    let (killed, survivor) = if first.server.child.id() == seeding {
        (&mut first.server, &mut second.server)
    } else {
        (&mut second.server, &mut first.server)
    };
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    let other = survivor.child.id();
    // The lease runs out (30 s) and the survivor, renewing every 10 s, takes it.
    eventually(Duration::from_secs(60), "the survivor seeds", || async {
        (lease_holder(&db, "seeder").await == Some(other)).then_some(())
    })
    .await;
    if first.server.child.id() == other {
        first.server.terminate();
        drop(second);
    } else {
        second.server.terminate();
        drop(first);
    }
    // A clean stop gives the lease back at once.
    assert_eq!(
        kinora_db::leases::holder(db.pool(), "seeder")
            .await
            .unwrap(),
        None
    );
    test_db.finish().await;
}
