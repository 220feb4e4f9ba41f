//! Benchmark: notification fan-out (BENCHMARKS.md, "Notification fan-out"). Not a test: it
//! asserts no timing, it measures.
//!
//! ```sh
//! cargo bench --locked -p kinora-server --bench notification_fanout
//! # KINORA_BENCH_SUBSCRIBERS (10000), KINORA_BENCH_DATABASE (sqlite or postgres) change the run
//! ```
//!
//! Starts a real `kinora serve` (no transcoders) sending e-mail to a real SMTP server
//! (aiosmtpd, `tests/smtp/capture.py`) and gives its `root_channel` `KINORA_BENCH_SUBSCRIBERS`
//! local subscribers (users, accounts and subscriptions written straight into its database),
//! each wanting new videos on the web and by e-mail, and a private video. Eight clients ask `GET /api/v1/users/me`
//! (a request that reads the database each time) in a loop for three seconds: the idle latency.
//! Then the owner makes the video public (`PUT /api/v1/videos/{id}`), which writes one
//! notification per subscriber in the request's transaction, while the clients go on. Prints
//! how long the request took, how many notifications exist once it answered (and how many of them
//! wait to be e-mailed), the clients' latencies (p50, p99, max) idle and during the fan-out; then
//! how long until the SMTP server holds every e-mail, against the reference: Python's smtplib
//! sending as many messages of the same size over one connection to the same server
//! (`tests/smtp/send_reference.py`), as a ratio of messages per second.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::inbox_site::{Database, Site};
use common::videos::insert_video;

const CLIENTS: usize = 8;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

/// Adds `count` local users, each with an account subscribed to channel `channel` and wanting
/// its new videos by e-mail too.
async fn subscribers(site: &Site, channel: i64, count: u64) {
    let mut tx = site.db.begin().await.expect("transaction");
    for n in 0..count {
        let name = format!("fan{n}");
        let (actor,): (i64,) = sqlx::query_as(
            "INSERT INTO actors (kind, preferred_username, created_at, updated_at) \
             VALUES ('Person', $1, 1, 1) RETURNING id",
        )
        .bind(&name)
        .fetch_one(&mut *tx)
        .await
        .expect("actor");
        let (user,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, email, password_hash, role, video_quota, \
             video_quota_daily, created_at, updated_at) VALUES ($1, $2, 'none', 2, -1, -1, 1, 1) \
             RETURNING id",
        )
        .bind(&name)
        .bind(format!("{name}@example.com"))
        .fetch_one(&mut *tx)
        .await
        .expect("user");
        let (account,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (actor_id, user_id, display_name, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, 1) RETURNING id",
        )
        .bind(actor)
        .bind(user)
        .bind(&name)
        .fetch_one(&mut *tx)
        .await
        .expect("account");
        sqlx::query(
            "INSERT INTO subscriptions (account_id, channel_id, created_at) VALUES ($1, $2, 1)",
        )
        .bind(account)
        .bind(channel)
        .execute(&mut *tx)
        .await
        .expect("subscription");
        sqlx::query(
            "INSERT INTO user_notification_settings (user_id, setting, value) \
             VALUES ($1, 'newVideoFromSubscription', 3)",
        )
        .bind(user)
        .execute(&mut *tx)
        .await
        .expect("setting");
    }
    tx.commit().await.expect("commit");
}

/// p50, p99 and max of `samples`, in milliseconds.
fn summary(samples: &mut [Duration]) -> (f64, f64, f64) {
    samples.sort_unstable();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    (at(0.5), at(0.99), at(1.0))
}

/// Runs the clients until `stop`; their latencies.
fn clients(site: &Site, stop: Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<Vec<Duration>>> {
    (0..CLIENTS)
        .map(|_| {
            let (http, url, token, stop) = (
                site.instance.http.clone(),
                site.url("/api/v1/users/me"),
                site.instance.token.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let answer = http.get(&url).bearer_auth(&token).send().await;
                    if answer.is_ok_and(|a| a.status().is_success()) {
                        latencies.push(started.elapsed());
                    }
                }
                latencies
            })
        })
        .collect()
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<Vec<Duration>>>) -> Vec<Duration> {
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client"));
    }
    all
}

async fn run() {
    let count = env_number("KINORA_BENCH_SUBSCRIBERS", 10_000);
    let (database, label) = match std::env::var("KINORA_BENCH_DATABASE").as_deref() {
        Ok("postgres") => (Database::Postgres, "PostgreSQL"),
        _ => (Database::Sqlite, "SQLite"),
    };
    let smtp = common::smtp::SmtpCapture::start();
    let site = Site::start(database, &smtp.config_section()).await;
    let (channel,): (i64,) = sqlx::query_as(
        "SELECT c.id FROM channels c JOIN accounts a ON a.id = c.account_id \
         JOIN users u ON u.id = a.user_id WHERE u.username = 'root'",
    )
    .fetch_one(site.db.pool())
    .await
    .expect("root's channel");
    subscribers(&site, channel, count).await;
    let video = insert_video(&site.db, channel, "Premiere", 3, 1, 0).await;

    let stop = Arc::new(AtomicBool::new(false));
    let idle = clients(&site, stop.clone());
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let mut idle = collect(idle).await;

    let stop = Arc::new(AtomicBool::new(false));
    let busy = clients(&site, stop.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let answer = site
        .instance
        .http
        .put(site.url(&format!("/api/v1/videos/{}", video.uuid)))
        .bearer_auth(&site.instance.token)
        .json(&serde_json::json!({ "privacy": 1 }))
        .send()
        .await
        .expect("the update");
    let took = started.elapsed().as_secs_f64() * 1000.0;
    assert!(answer.status().is_success(), "{}", answer.status());
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut busy = collect(busy).await;
    let rows = site
        .count("SELECT COUNT(*) FROM user_notifications WHERE kind = 1")
        .await;
    let to_email = site
        .count("SELECT COUNT(*) FROM user_notifications WHERE kind = 1 AND email_state > 0")
        .await;
    // Every e-mail delivered.
    let deadline = Instant::now() + Duration::from_secs(1800);
    while smtp.count() < count as usize {
        assert!(
            Instant::now() < deadline,
            "only {} e-mails after 30 min",
            smtp.count()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mailed = started.elapsed().as_secs_f64();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/smtp/send_reference.py");
    let reference = std::process::Command::new(common::smtp::python())
        .arg(script)
        .arg(smtp.port.to_string())
        .arg(count.to_string())
        .output()
        .expect("the reference sender");
    assert!(reference.status.success(), "{reference:?}");
    let reference_secs: f64 = String::from_utf8_lossy(&reference.stdout)
        .trim()
        .parse()
        .expect("seconds");
    let (idle_p50, idle_p99, idle_max) = summary(&mut idle);
    let (busy_p50, busy_p99, busy_max) = summary(&mut busy);
    println!(
        "| database | subscribers | fan-out request | notifications written (to e-mail) | rows/s | other requests idle p50 / p99 / max | during the fan-out p50 / p99 / max |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {label} | {count} | {took:.0} ms | {rows} ({to_email}) | {:.0} | {idle_p50:.1} / {idle_p99:.1} / {idle_max:.1} ms | {busy_p50:.1} / {busy_p99:.1} / {busy_max:.1} ms |",
        rows as f64 / (took / 1000.0),
    );
    let ours = count as f64 / mailed;
    let theirs = count as f64 / reference_secs;
    println!();
    println!(
        "| database | e-mails | all delivered after the request | Kinora e-mails/s | smtplib e-mails/s (reference) | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {label} | {count} | {mailed:.1} s | {ours:.0} | {theirs:.0} | {:.2} |",
        ours / theirs
    );
    site.finish().await;
}
