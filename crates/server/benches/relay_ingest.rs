//! Benchmark: relay ingest (BENCHMARKS.md, "Relay ingest"). Not a test: it asserts no timing,
//! it measures.
//!
//! ```sh
//! cargo bench --locked -p kinora-server --bench relay_ingest
//! # KINORA_BENCH_ANNOUNCES (10000), KINORA_BENCH_SENDERS (16) change the run
//! ```
//!
//! Starts a real `kinora serve` (SQLite, no transcoders; relay budgets and inbox limits raised
//! so that they do not bite) and, in this process, a fake relay and a fake origin on 127.0.0.1
//! (the test suite's `FakeOrigin`). The instance subscribes to the relay, which accepts. Then
//! `KINORA_BENCH_ANNOUNCES` signed `Announce`s of distinct videos of the origin are posted by
//! `KINORA_BENCH_SENDERS` concurrent senders, as fast as the inbox takes them; the server
//! fetches each video from the origin (and its channel once) and adds it to the catalogue.
//! Prints: the posting rate (Announces/s answered 202), the ingest rate (catalogue entries/s,
//! from the first post until the last entry), and the server's resident memory (VmRSS) before,
//! at its peak during the burst (sampled every 50 ms) and after.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::fake_origin::FakeOrigin;
use common::inbox_site::{Database, Site};
use common::relay::{OPEN_INBOX, accepted_relay, announce_to};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let announces = env_number("KINORA_BENCH_ANNOUNCES", 10_000);
    let senders = env_number("KINORA_BENCH_SENDERS", 16).max(1);
    let budget = announces * 2;
    let config = format!(
        "{OPEN_INBOX}relay_objects_per_hour = {budget}\nrelay_max_pending_fetches = {budget}\n"
    );
    let site = Site::start(Database::Sqlite, &config).await;
    let inbox = site.inbox();
    let pid = site.instance.server.child.id();
    let (relay, _) = accepted_relay(&site).await;
    let origin = FakeOrigin::start().await;
    let relay = Arc::new(relay);
    let rss_before = rss_kib(pid);

    let peak = Arc::new(AtomicU64::new(rss_before));
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let next = Arc::new(AtomicU64::new(0));
    let accepted = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..senders {
        let (inbox, relay, origin, next, accepted) = (
            inbox.clone(),
            relay.clone(),
            origin.clone(),
            next.clone(),
            accepted.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= announces {
                    break;
                }
                let object = origin.url(&format!("/numbered-videos/{n}"));
                if announce_to(&inbox, &relay, n, &object).await == 202 {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    let posted = started.elapsed();
    let taken = accepted.load(Ordering::Relaxed) as i64;
    loop {
        let entries = site
            .count("SELECT COUNT(*) FROM videos WHERE url IS NOT NULL")
            .await;
        let open = site
            .count("SELECT COUNT(*) FROM relay_objects WHERE state = 'pending'")
            .await;
        if entries >= taken || open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ingested = started.elapsed();
    let entries = site
        .count("SELECT COUNT(*) FROM videos WHERE url IS NOT NULL")
        .await;
    sampling.abort();
    let rss_after = rss_kib(pid);
    println!(
        "| announces | senders | answered 202 | posted in | Announces/s posted | catalogue entries | ingested in | entries/s | RSS before | RSS peak | RSS after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {announces} | {senders} | {taken} | {:.1} s | {:.0} | {entries} | {:.1} s | {:.0} | {:.1} MiB | {:.1} MiB | {:.1} MiB |",
        posted.as_secs_f64(),
        taken as f64 / posted.as_secs_f64(),
        ingested.as_secs_f64(),
        entries as f64 / ingested.as_secs_f64(),
        rss_before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        rss_after as f64 / 1024.0,
    );
    site.finish().await;
}
