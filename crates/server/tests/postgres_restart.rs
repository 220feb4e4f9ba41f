//! PostgreSQL restarted under load (issue 21): `kinora serve` (with a transcoder) on a
//! PostgreSQL server of the test's own ([`common::own_postgres`]), reads and writes going on,
//! and the database stopped for several seconds, then started again. While it is down every
//! request is answered 503 problem+json (`database_unavailable`, with `Retry-After`) within the
//! pool's acquire timeout, none hangs, and the process stays up; once the database is back,
//! requests succeed again without restarting Kinora, every acknowledged write is there, and the
//! videos whose transcodes were queued before are published.

use crate::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::instance::{Instance, fixtures, upload_multipart, wait_published};
use common::own_postgres::OwnPostgres;
use common::process::{Server, free_port, root_session, write_config};
use serde_json::Value;

/// The pool's `acquire_timeout_secs` in this test: how long a request may wait for a
/// connection, so the bound of an answer while the database is down.
const ACQUIRE_TIMEOUT_SECS: u64 = 3;
/// The longest any request may take, outage or not (the acquire timeout and a margin).
const ANSWER_BOUND: Duration = Duration::from_secs(ACQUIRE_TIMEOUT_SECS + 3);

/// One request of the load: when it started, how long it took, its status (0: no answer) and
/// its problem code, if any.
#[derive(Debug, Clone)]
struct Sample {
    what: &'static str,
    started: Instant,
    took: Duration,
    status: u16,
    code: Option<String>,
    retry_after: bool,
    problem_json: bool,
}

async fn sample(what: &'static str, request: reqwest::RequestBuilder) -> (Sample, Value) {
    let started = Instant::now();
    let (status, code, retry_after, problem_json, body) = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            let problem_json = response.headers().get("content-type").is_some_and(|v| {
                v.to_str()
                    .unwrap_or("")
                    .starts_with("application/problem+json")
            });
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let code = body["code"].as_str().map(str::to_owned);
            (status, code, retry_after, problem_json, body)
        }
        Err(error) => {
            eprintln!("{what}: no answer: {error}");
            (0, None, false, false, Value::Null)
        }
    };
    (
        Sample {
            what,
            started,
            took: started.elapsed(),
            status,
            code,
            retry_after,
            problem_json,
        },
        body,
    )
}

/// One kind of request (`list`: the public video list, `me`: the caller's account, `write`: a
/// new private playlist) in a loop until `stop`; every sample, and the names of the playlists
/// acknowledged with 200.
async fn load(
    what: &'static str,
    base: String,
    token: String,
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<Sample>>>,
    created: Arc<Mutex<Vec<String>>>,
) {
    // A request that hangs shows as status 0 after 30 s instead of stopping the test.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let (done, _) = match what {
            "list" => sample(what, http.get(format!("{base}/api/v1/videos"))).await,
            "me" => {
                let request = http.get(format!("{base}/api/v1/users/me"));
                sample(what, request.bearer_auth(&token)).await
            }
            _ => {
                let name = format!("Load {n}");
                let form = reqwest::multipart::Form::new()
                    .text("displayName", name.clone())
                    .text("privacy", "3");
                let request = http
                    .post(format!("{base}/api/v1/video-playlists"))
                    .bearer_auth(&token)
                    .multipart(form);
                let answer = sample(what, request).await;
                if answer.0.status == 200 {
                    created.lock().unwrap().push(name);
                }
                answer
            }
        };
        samples.lock().unwrap().push(done);
        n += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_fails_requests_fast_and_kinora_recovers() {
    let mut postgres = OwnPostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(
        dir.path(),
        port,
        &postgres.url(),
        "[transcoding]\nworkers = 1\nlease_secs = 10\n",
    );
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[database]\n",
        &format!("[database]\nacquire_timeout_secs = {ACQUIRE_TIMEOUT_SECS}\n"),
    );
    std::fs::write(&config, text).unwrap();
    let server = Server::start(&config);
    let password = server.password.clone().unwrap();
    let (http, token, me) = root_session(port, &password).await;
    let mut instance = Instance {
        server,
        port,
        base: format!("http://localhost:{port}"),
        token,
        channel: me["videoChannels"][0]["id"].as_i64().unwrap(),
        http,
    };
    // Two transcodes queued (one running) when the database goes away.
    let mut videos = Vec::new();
    for _ in 0..2 {
        let uploaded = upload_multipart(&instance, &fixtures().join("video_short.mp4"), 1).await;
        videos.push(uploaded["video"]["uuid"].as_str().unwrap().to_owned());
    }

    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let created = Arc::new(Mutex::new(Vec::new()));
    let loaders: Vec<_> = ["list", "me", "write"]
        .into_iter()
        .map(|what| {
            tokio::spawn(load(
                what,
                instance.base.clone(),
                instance.token.clone(),
                stop.clone(),
                samples.clone(),
                created.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopping = Instant::now();
    postgres.stop("fast");
    let stopped = Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(
        instance.server.child.try_wait().unwrap().is_none(),
        "kinora exited while the database was down"
    );
    let starting = Instant::now();
    postgres.start_again();
    let started = Instant::now();
    eprintln!(
        "postgres: stop took {:?}, start took {:?}",
        stopped - stopping,
        started - starting
    );
    tokio::time::sleep(Duration::from_secs(20)).await;
    stop.store(true, Ordering::Relaxed);
    for loader in loaders {
        loader.await.unwrap();
    }
    assert!(
        instance.server.child.try_wait().unwrap().is_none(),
        "kinora exited after the restart"
    );

    let samples = samples.lock().unwrap().clone();
    let summary = |from: Instant, to: Instant| {
        let mut counts = std::collections::BTreeMap::new();
        for s in samples
            .iter()
            .filter(|s| s.started >= from && s.started < to)
        {
            *counts
                .entry((s.status, s.code.clone().unwrap_or_default()))
                .or_insert(0) += 1;
        }
        counts
    };
    eprintln!(
        "before: {:?}",
        summary(stopping - Duration::from_secs(60), stopping)
    );
    eprintln!("down: {:?}", summary(stopping, started));
    eprintln!("after: {:?}", summary(started, Instant::now()));
    // Before the stop, everything succeeded.
    for s in samples.iter().filter(|s| s.started + s.took < stopping) {
        assert!((200..300).contains(&s.status), "before the stop: {s:?}");
    }
    // No request hung, none failed as a server error: each was answered within the bound, with
    // success or 503 problem+json saying the database is unavailable and when to come back.
    for s in &samples {
        assert!(s.took <= ANSWER_BOUND, "took too long: {s:?}");
        assert!(
            (200..300).contains(&s.status)
                || (s.status == 503
                    && s.problem_json
                    && s.retry_after
                    && s.code.as_deref() == Some("database_unavailable")),
            "neither success nor 503 database_unavailable: {s:?}"
        );
    }
    // While the server was down, requests of every kind were refused.
    let down: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.started >= stopped && s.started + s.took < starting)
        .collect();
    for what in ["list", "me", "write"] {
        let refused = down.iter().filter(|s| s.what == what).count();
        assert!(
            refused >= 2,
            "{what}: {refused} requests while the database was down"
        );
    }
    assert!(down.iter().all(|s| s.status == 503), "{down:?}");
    // Within 10 s of the start every request succeeds again, to the end.
    let late: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.started >= started + Duration::from_secs(10))
        .collect();
    assert!(
        late.len() >= 20,
        "{} requests after the restart",
        late.len()
    );
    for s in late {
        assert_eq!(s.status / 100, 2, "after the restart: {s:?}");
    }
    // Every acknowledged write is in the database, once.
    let db = kinora_db::Db::connect(&kinora_db::DatabaseConfig {
        url: postgres.url(),
        ..Default::default()
    })
    .await
    .unwrap();
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT display_name FROM video_playlists WHERE display_name LIKE 'Load %'")
            .fetch_all(db.pool())
            .await
            .unwrap();
    db.close().await;
    let names: Vec<&str> = rows.iter().map(|(name,)| name.as_str()).collect();
    let created = created.lock().unwrap().clone();
    assert!(created.len() >= 10, "{} playlists created", created.len());
    for name in &created {
        let times = names.iter().filter(|n| **n == name.as_str()).count();
        assert_eq!(
            times, 1,
            "{name}, acknowledged, is in the database {times} times"
        );
    }
    // The transcodes queued before the restart finish.
    for uuid in &videos {
        wait_published(&instance, uuid, Duration::from_secs(180)).await;
    }
    let panics: Vec<String> = instance
        .server
        .error_lines()
        .into_iter()
        .filter(|line| line.contains("panicked"))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
    instance.server.terminate();
    drop(postgres);
}
