//! Benchmark: fan-out of one new video to 1,000 followers on 1,000 distinct hosts through
//! Kinora's real delivery path, against RSA-2048 signatures per second on the same cores in the
//! same run (BENCHMARKS.md, "Federation fan-out"; DESIGN.md §6 asks for ≥ 0.5×). Not a test:
//! it asserts no timing, it measures.
//!
//! ```sh
//! cargo bench --locked -p kinora-federation --bench fanout
//! ```
//!
//! Setup, untimed: a migrated SQLite database in a temporary directory with one local channel
//! actor and its RSA-2048 key (made by `kinora_app::actors::generate_actor_keys`, as the
//! server does), and `KINORA_BENCH_FOLLOWERS` (default 1,000) receivers, each an HTTP server on
//! its own port of 127.0.0.1 — a distinct host for the delivery worker (one `remote_hosts` row,
//! one lease, one connection each) — that checks the Host, Date and Digest and verifies the
//! signature with the channel's public key before answering 202 (401 otherwise).
//!
//! Each of `KINORA_BENCH_ROUNDS` rounds (default 3) times:
//! (a) a plain loop of RSA-2048 PKCS#1 v1.5 SHA-256 signatures (the same key, the same
//!     blinded signing with the OS RNG as `sign_request`) on one thread for 2 s;
//! (b) the fan-out: one Create(Video) (PeerTube's video fixture, 13 KB) stored in
//!     `outbox_activities` with a `deliveries` row per follower in one transaction, as the
//!     outbox does, then the `DeliveryWorker` (real `OutboundClient`, private addresses allowed,
//!     `KINORA_BENCH_CONCURRENCY` hosts at once, default `[federation] delivery_concurrency`)
//!     until every row is `delivered`; the receivers' verification runs on the same cores;
//! (c) for information, the same signature loop on every core at once.
//!
//! Prints a markdown table: deliveries/s, signatures/s and the ratio (b)/(a), median and each
//! round in brackets.

mod receivers;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kinora_db::outbox::NewActivity;
use kinora_db::{DatabaseConfig, Db, now_millis};
use kinora_federation::FederationConfig;
use kinora_federation::delivery::DeliveryWorker;
use kinora_federation::http_client::{OutboundClient, OutboundConfig};
use kinora_federation::urls::LocalUrls;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::RandomizedSigner;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const VIDEO: &str = include_str!("../../tests/fixtures/peertube-video.json");
const PUBLIC_URL: &str = "http://bench.test";
/// How long one signature loop runs.
const SIGN_LOOP: Duration = Duration::from_secs(2);
/// A fan-out that makes no progress for this long is a failure of the benchmark.
const STALL: Duration = Duration::from_secs(60);

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fanout benchmark failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One round's numbers.
struct Round {
    signatures_one_core: f64,
    signatures_all_cores: f64,
    deliveries: f64,
    queueing: Duration,
}

async fn run() -> Result<(), Failure> {
    let followers = env_number("KINORA_BENCH_FOLLOWERS", 1000);
    let rounds = env_number("KINORA_BENCH_ROUNDS", 3).max(1);
    let concurrency = env_number(
        "KINORA_BENCH_CONCURRENCY",
        FederationConfig::default().delivery_concurrency,
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let dir = tempfile::tempdir()?;
    let db = Db::connect(&DatabaseConfig {
        url: format!("sqlite://{}", dir.path().join("kinora.db").display()),
        ..DatabaseConfig::default()
    })
    .await?;
    db.migrate().await?;
    let actor_id = channel_actor(&db).await?;
    let private_pem = kinora_db::actors::find_private_key(db.pool(), actor_id)
        .await?
        .ok_or("the channel has no key")?;
    let public_pem = kinora_db::actors::find_public_key(db.pool(), actor_id)
        .await?
        .ok_or("the channel has no key")?;
    let private_key = RsaPrivateKey::from_pkcs8_pem(&private_pem)?;
    let receivers =
        receivers::start(followers, RsaPublicKey::from_public_key_pem(&public_pem)?).await?;
    eprintln!(
        "{followers} receivers on 127.0.0.1, {cores} cores, delivery concurrency {concurrency}"
    );

    let config = FederationConfig {
        allow_private_addresses: true,
        delivery_concurrency: concurrency,
        ..FederationConfig::default()
    };
    let client = OutboundClient::new(&OutboundConfig::for_federation(&config, PUBLIC_URL))?;
    let wake = Arc::new(Notify::new());
    let worker = Arc::new(DeliveryWorker::new(
        db.clone(),
        client,
        LocalUrls::new(PUBLIC_URL),
        config,
        actor_id,
        wake.clone(),
    ));
    let shutdown = CancellationToken::new();
    let worker_task = tokio::spawn(worker.run(shutdown.clone()));

    let mut results = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let signatures_one_core = signatures_per_second(&private_key, 1).await?;
        let (queueing, elapsed) =
            fan_out(&db, actor_id, round, &receivers, &wake, followers).await?;
        let signatures_all_cores = signatures_per_second(&private_key, cores).await?;
        let deliveries = followers as f64 / elapsed.as_secs_f64();
        eprintln!(
            "round {}: {deliveries:.0} deliveries/s ({:.2} s, queueing {:.0} ms), \
             {signatures_one_core:.0} signatures/s on one core, \
             {signatures_all_cores:.0} on {cores}",
            round + 1,
            elapsed.as_secs_f64(),
            queueing.as_secs_f64() * 1000.0
        );
        results.push(Round {
            signatures_one_core,
            signatures_all_cores,
            deliveries,
            queueing,
        });
    }
    shutdown.cancel();
    worker_task.await?;
    if receivers.counters.refused() > 0 {
        return Err(format!("{} deliveries refused", receivers.counters.refused()).into());
    }
    print_table(&results, followers, cores, concurrency);
    Ok(())
}

/// A local channel actor with its key pair, made the way the server makes them.
async fn channel_actor(db: &Db) -> Result<i64, Failure> {
    let mut tx = db.begin().await?;
    let id = kinora_db::actors::insert_local_actor(&mut tx, "Group", "bench_channel", now_millis())
        .await?;
    tx.commit().await?;
    kinora_app::actors::generate_actor_keys(db, id).await?;
    Ok(id)
}

/// The Create(Video) of round `round`: PeerTube's video fixture under a fresh id.
fn create_video(round: usize) -> Result<(String, String), Failure> {
    let mut video: Value = serde_json::from_str(VIDEO)?;
    let video_id = format!("{PUBLIC_URL}/videos/watch/bench-{round}");
    video["id"] = json!(video_id);
    let activity_id = format!("{video_id}/activity");
    let create = json!({
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "type": "Create",
        "id": activity_id,
        "actor": format!("{PUBLIC_URL}/video-channels/bench_channel"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{PUBLIC_URL}/video-channels/bench_channel/followers")],
        "object": video,
    });
    Ok((activity_id, serde_json::to_string(&create)?))
}

/// Stores the activity and its deliveries in one transaction, wakes the worker and waits
/// until every delivery is `delivered`. Answers the time the transaction took and the whole.
async fn fan_out(
    db: &Db,
    actor_id: i64,
    round: usize,
    receivers: &receivers::Receivers,
    wake: &Notify,
    followers: usize,
) -> Result<(Duration, Duration), Failure> {
    let (activity_id, body) = create_video(round)?;
    let object_url = format!("{PUBLIC_URL}/videos/watch/bench-{round}");
    let delivered_before = delivered(db).await?;
    let verified_before = receivers.counters.verified();
    let started = Instant::now();
    let now = now_millis();
    let mut tx = db.begin().await?;
    let activity = NewActivity {
        url: &activity_id,
        actor_id: Some(actor_id),
        kind: "Create",
        object_url: Some(&object_url),
        public: true,
        body: &body,
    };
    let stored = kinora_db::outbox::insert(&mut tx, &activity, now).await?;
    kinora_db::deliveries::insert_many(&mut tx, stored, &receivers.inboxes, now).await?;
    tx.commit().await?;
    let queueing = started.elapsed();
    wake.notify_one();
    let mut progress = (verified_before, Instant::now());
    while receivers.counters.verified() < verified_before + followers {
        tokio::time::sleep(Duration::from_millis(5)).await;
        stalled(&mut progress, receivers.counters.verified())?;
    }
    while delivered(db).await? < delivered_before + followers as i64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        stalled(&mut progress, receivers.counters.verified() + 1)?;
    }
    Ok((queueing, started.elapsed()))
}

fn stalled(progress: &mut (usize, Instant), now_at: usize) -> Result<(), Failure> {
    if now_at != progress.0 {
        *progress = (now_at, Instant::now());
    } else if progress.1.elapsed() > STALL {
        return Err(format!("no delivery for {STALL:?} (at {now_at})").into());
    }
    Ok(())
}

async fn delivered(db: &Db) -> Result<i64, Failure> {
    let states = kinora_db::deliveries::count_by_state(db.pool()).await?;
    Ok(states
        .into_iter()
        .find(|(state, _)| state == "delivered")
        .map_or(0, |(_, count)| count))
}

/// RSA-2048 signatures per second over a signing string of a delivery's size, on `threads`
/// threads at once, for [`SIGN_LOOP`].
async fn signatures_per_second(key: &RsaPrivateKey, threads: usize) -> Result<f64, Failure> {
    let text = "(request-target): post /inbox\nhost: 127.0.0.1:40000\n\
                date: Fri, 04 Dec 2026 19:00:00 GMT\n\
                digest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let key = key.clone();
    let counts = tokio::task::spawn_blocking(move || {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let signer = SigningKey::<Sha256>::new(key.clone());
                    scope.spawn(move || {
                        let mut rng = rand_core::OsRng;
                        let started = Instant::now();
                        let mut signed = 0u64;
                        while started.elapsed() < SIGN_LOOP {
                            let _ = signer.sign_with_rng(&mut rng, text.as_bytes());
                            signed += 1;
                        }
                        signed as f64 / started.elapsed().as_secs_f64()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().unwrap_or(0.0))
                .sum::<f64>()
        })
    })
    .await?;
    Ok(counts)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

fn cell(values: Vec<f64>, digits: usize) -> String {
    let each: Vec<String> = values.iter().map(|v| format!("{v:.digits$}")).collect();
    format!("{:.digits$} [{}]", median(values), each.join(", "))
}

fn print_table(results: &[Round], followers: usize, cores: usize, concurrency: usize) {
    let pick = |f: fn(&Round) -> f64| results.iter().map(f).collect::<Vec<_>>();
    println!(
        "\nFan-out of one Create(Video) to {followers} hosts, {cores} cores, \
         delivery_concurrency {concurrency} (median [each round]):\n"
    );
    println!("| measure | value |");
    println!("|---|---|");
    println!("| deliveries/s | {} |", cell(pick(|r| r.deliveries), 0));
    println!(
        "| queueing the {followers} deliveries (ms) | {} |",
        cell(pick(|r| r.queueing.as_secs_f64() * 1000.0), 0)
    );
    println!(
        "| RSA-2048 signatures/s, one core | {} |",
        cell(pick(|r| r.signatures_one_core), 0)
    );
    println!(
        "| RSA-2048 signatures/s, {cores} cores | {} |",
        cell(pick(|r| r.signatures_all_cores), 0)
    );
    println!(
        "| ratio deliveries / signatures (one core) | {} |",
        cell(pick(|r| r.deliveries / r.signatures_one_core), 2)
    );
    println!(
        "| ratio deliveries / signatures ({cores} cores) | {} |",
        cell(pick(|r| r.deliveries / r.signatures_all_cores), 2)
    );
}
