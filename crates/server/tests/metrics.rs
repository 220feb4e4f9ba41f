//! Issue 21's operator metrics and request ids, against a real `kinora serve`: its metrics
//! listener (never the public one) answers Prometheus's text format, parsed here strictly;
//! request counts and latencies are labelled by route template; the job queue (depth and age
//! per kind) and the delivery backlog per host are read from the database at each scrape, on
//! SQLite and PostgreSQL; a storage failure is counted and makes `/readyz` answer 503; request
//! ids are kept from a trusted proxy only, echoed, and carried by the request's JSON log lines.

use crate::common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::instance::Instance;
use common::process::{Server, free_port, root_session};
use common::prometheus::{Samples, parse_exposition, value};
use kinora_db::testing::TestDb;
use kinora_db::{Db, now_millis};
use kinora_jobs::Job;
use serde_json::Value;

/// A running instance with its metrics listener.
struct Metered {
    instance: Instance,
    metrics: SocketAddr,
    dir: tempfile::TempDir,
}

/// Starts `kinora serve` on `database_url` with no transcoder, JSON logs (`RUST_LOG` =
/// `log_filter`), its metrics listener on, and 127.0.0.2 as its trusted proxy.
async fn start(database_url: &str, log_filter: &str) -> Metered {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = dir.path().join("kinora.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"http://localhost:{port}\"\n\
             shutdown_grace_secs = 5\ntrusted_proxies = [\"127.0.0.2\"]\n\
             [database]\nurl = \"{database_url}\"\n[storage.local]\nroot = \"{}\"\n\
             [transcoding]\nworkers = 0\n[seeder]\nenabled = false\n[log]\nformat = \"json\"\n\
             [metrics]\nenabled = true\nlisten = \"{metrics}\"\ndelivery_hosts = 2\n",
            dir.path().join("storage").display()
        ),
    )
    .unwrap();
    let server = Server::start_logging(&config, log_filter);
    let password = server.password.clone().expect("first start");
    let (http, token, me) = root_session(port, &password).await;
    let instance = Instance {
        server,
        port,
        base: format!("http://localhost:{port}"),
        token,
        channel: me["videoChannels"][0]["id"].as_i64().unwrap(),
        http,
    };
    Metered {
        instance,
        metrics,
        dir,
    }
}

impl Metered {
    async fn scrape(&self) -> Samples {
        let response = reqwest::get(format!("http://{}/metrics", self.metrics))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        parse_exposition(&response.text().await.unwrap())
    }
}

/// A client whose connections come from `source` (127.0.0.1 or the trusted 127.0.0.2).
/// A transcode job for `video_id` (every resolution).
fn transcode_job(video_id: i64) -> Job {
    Job::Transcode {
        video_id,
        resolutions: None,
    }
}

fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// Requests to a templated route are counted and timed under the template (never the ids),
/// by method and status class; the public listener has no `/metrics`.
async fn requests_are_counted_by_route_template(site: &Metered) {
    let route = [
        ("method", "GET"),
        ("route", "/api/v1/videos/{id}"),
        ("status", "4xx"),
    ];
    let before = site.scrape().await;
    for id in ["987654", "987655", "987656"] {
        let response = site
            .instance
            .http
            .get(format!("{}/api/v1/videos/{id}", site.instance.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    }
    let after = site.scrape().await;
    let counted = |samples: &Samples, name: &str| value(samples, name, &route);
    assert_eq!(
        counted(&after, "kinora_http_requests_total")
            - counted(&before, "kinora_http_requests_total"),
        3.0
    );
    let histogram = "kinora_http_request_duration_seconds_count";
    assert_eq!(
        counted(&after, histogram) - counted(&before, histogram),
        3.0
    );
    let mut infinite = route.to_vec();
    infinite.push(("le", "+Inf"));
    assert_eq!(
        value(
            &after,
            "kinora_http_request_duration_seconds_bucket",
            &infinite
        ),
        counted(&after, histogram)
    );
    assert!(counted(&after, "kinora_http_request_duration_seconds_sum") > 0.0);
    for (name, labels) in after.keys() {
        assert!(
            !labels.iter().any(|(_, v)| v.contains("98765")),
            "a raw path in {name}{labels:?}"
        );
    }

    let public = site
        .instance
        .http
        .get(format!("{}/metrics", site.instance.base))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("kinora_"));
    let other = reqwest::get(format!("http://{}/api/v1/config", site.metrics))
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        404,
        "the metrics listener serves nothing else"
    );
}

/// Jobs queued in the database show at the next scrape: depth per kind and state, and the age
/// of the oldest due one (a job due later counts in the depth, not in the age).
async fn the_job_queue_is_read_at_scrape_time(site: &Metered, db: &Db) {
    let before = site.scrape().await;
    let transcode = |state| [("kind", "transcode"), ("state", state)];
    assert_eq!(value(&before, "kinora_jobs", &transcode("queued")), 0.0);
    assert_eq!(
        value(
            &before,
            "kinora_jobs_oldest_due_age_seconds",
            &[("kind", "transcode")]
        ),
        0.0
    );
    assert_eq!(value(&before, "kinora_database_up", &[]), 1.0);
    let now = now_millis();
    let mut tx = db.begin().await.unwrap();
    kinora_jobs::enqueue_at(&mut tx, &transcode_job(910_001), now - 120_000)
        .await
        .unwrap();
    kinora_jobs::enqueue_at(&mut tx, &transcode_job(910_002), now + 3_600_000)
        .await
        .unwrap();
    let dead = kinora_jobs::enqueue_at(&mut tx, &transcode_job(910_003), now)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE jobs SET state = 'dead' WHERE id = $1")
        .bind(dead)
        .execute(db.pool())
        .await
        .unwrap();

    let after = site.scrape().await;
    assert_eq!(value(&after, "kinora_jobs", &transcode("queued")), 2.0);
    assert_eq!(value(&after, "kinora_jobs", &transcode("dead")), 1.0);
    assert_eq!(value(&after, "kinora_jobs", &transcode("running")), 0.0);
    let age = value(
        &after,
        "kinora_jobs_oldest_due_age_seconds",
        &[("kind", "transcode")],
    );
    assert!(
        (120.0..300.0).contains(&age),
        "age of the oldest due transcode: {age}"
    );
    // Every kind is listed, even without jobs.
    assert_eq!(
        value(
            &after,
            "kinora_jobs",
            &[("kind", "mirror-video"), ("state", "queued")]
        ),
        0.0
    );
    assert!(after.contains_key(&(
        "kinora_jobs".to_owned(),
        vec![
            ("kind".to_owned(), "mirror-video".to_owned()),
            ("state".to_owned(), "queued".to_owned())
        ]
    )));
}

/// Pending deliveries per host: the hosts with the most are named (`delivery_hosts = 2`), the
/// rest summed under `(other)`.
async fn the_delivery_backlog_names_the_busiest_hosts(site: &Metered, db: &Db) {
    let now = now_millis();
    let mut tx = db.begin().await.unwrap();
    let activity = kinora_db::outbox::insert(
        &mut tx,
        &kinora_db::outbox::NewActivity {
            url: "http://localhost/activities/metrics-test",
            actor_id: None,
            kind: "Create",
            object_url: None,
            public: true,
            body: "{}",
        },
        now,
    )
    .await
    .unwrap();
    let mut inboxes = Vec::new();
    for (host, count) in [
        ("a.invalid", 3),
        ("b.invalid", 2),
        ("c.invalid", 1),
        ("d.invalid", 1),
    ] {
        for n in 0..count {
            inboxes.push((host.to_owned(), format!("https://{host}/users/u{n}/inbox")));
        }
    }
    kinora_db::deliveries::insert_many(&mut tx, activity, &inboxes, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let samples = site.scrape().await;
    let backlog = |host| value(&samples, "kinora_delivery_backlog", &[("host", host)]);
    assert_eq!(
        (
            backlog("a.invalid"),
            backlog("b.invalid"),
            backlog("(other)")
        ),
        (3.0, 2.0, 2.0)
    );
    assert!(
        !samples
            .keys()
            .any(|(_, labels)| labels.iter().any(|(_, v)| v == "c.invalid"))
    );
    assert_eq!(value(&samples, "kinora_delivery_backlog_hosts", &[]), 4.0);
}

/// The JSON log lines of the server that carry `request_id` in their request span.
fn lines_of_request(server: &Server, id: &str) -> Vec<Value> {
    server
        .log_lines()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == id)
        .collect()
}

/// Request ids: a client's own is replaced unless it comes through the trusted proxy and is
/// well-formed; the id is echoed and carried by every JSON log line of the request.
async fn request_ids_come_from_trusted_proxies_only(site: &Metered) {
    let url = format!("http://127.0.0.1:{}/api/v1/config", site.instance.port);
    let get = |source: &str, id: Option<&str>| {
        let mut request = client_from(source).get(&url);
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    let echoed = |response: &reqwest::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };

    let proxied = get("127.0.0.2", Some("edge-7f3a.42")).await.unwrap();
    assert_eq!(echoed(&proxied), "edge-7f3a.42");
    let spoofed = get("127.0.0.1", Some("spoofed-by-client-1")).await.unwrap();
    let replaced = echoed(&spoofed);
    assert_ne!(replaced, "spoofed-by-client-1");
    assert!(uuid::Uuid::parse_str(&replaced).is_ok(), "{replaced}");
    let malformed = get("127.0.0.2", Some("two words")).await.unwrap();
    assert!(uuid::Uuid::parse_str(&echoed(&malformed)).is_ok());
    let generated = get("127.0.0.1", None).await.unwrap();
    assert!(uuid::Uuid::parse_str(&echoed(&generated)).is_ok());

    // tower-http logs the start and the end of each request (DEBUG here), inside its span.
    let lines = common::eventually(
        Duration::from_secs(10),
        "the request's log lines",
        || async {
            let lines = lines_of_request(&site.instance.server, "edge-7f3a.42");
            (lines.len() >= 2).then_some(lines)
        },
    )
    .await;
    let messages: Vec<&str> = lines
        .iter()
        .map(|line| line["fields"]["message"].as_str().unwrap_or(""))
        .collect();
    assert!(
        messages.contains(&"started processing request"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"finished processing request"),
        "{messages:?}"
    );
    for line in &lines {
        assert_eq!(line["span"]["path"], "/api/v1/config", "{line}");
    }
    common::eventually(
        Duration::from_secs(10),
        "the replacing id in the log",
        || async { (lines_of_request(&site.instance.server, &replaced).len() >= 2).then_some(()) },
    )
    .await;
    let log = site.instance.server.log_lines().join("\n");
    assert!(
        !log.contains("spoofed-by-client-1"),
        "a client's own id reached the log"
    );
    assert!(!log.contains("two words"));
}

/// A storage failure (the work directory's parent made a file: nothing can be created there,
/// even by root) makes `/readyz` answer 503 naming storage, and is counted by operation and
/// backend; once repaired, ready again.
async fn a_storage_failure_is_counted_and_makes_readyz_fail(site: &Metered) {
    let work = site.dir.path().join("storage/tmp/work");
    let errors = [("backend", "local"), ("operation", "check")];
    let before = value(&site.scrape().await, "kinora_storage_errors_total", &errors);
    let ready = format!("{}/readyz", site.instance.base);
    assert_eq!(reqwest::get(&ready).await.unwrap().status(), 200);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.parent().unwrap()).unwrap();
    std::fs::write(&work, b"not a directory").unwrap();
    let refused = reqwest::get(&ready).await.unwrap();
    assert_eq!(refused.status(), 503);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("storage"),
        "{problem}"
    );
    let after = value(&site.scrape().await, "kinora_storage_errors_total", &errors);
    assert_eq!(after - before, 1.0);
    std::fs::remove_file(&work).unwrap();
    assert_eq!(reqwest::get(&ready).await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_request_ids_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    // The server creates and migrates the database; the test reads and writes it alongside.
    let site_db = async {
        kinora_db::Db::connect(&kinora_db::DatabaseConfig {
            url: url.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
    };
    run_against(&url, site_db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_request_ids_on_postgres() {
    let test_db = TestDb::postgres().await;
    let url = test_db.config.url.clone();
    let db = test_db.db.clone();
    run_against(&url, async move { db }).await;
    test_db.finish().await;
}

/// Starts the server first (it migrates the database), then opens the test's own pool.
async fn run_against(url: &str, db: impl std::future::Future<Output = Db>) {
    let site = start(url, "tower_http=debug,warn").await;
    let db = db.await;
    requests_are_counted_by_route_template(&site).await;
    the_job_queue_is_read_at_scrape_time(&site, &db).await;
    the_delivery_backlog_names_the_busiest_hosts(&site, &db).await;
    request_ids_come_from_trusted_proxies_only(&site).await;
    a_storage_failure_is_counted_and_makes_readyz_fail(&site).await;
    site.instance.server.terminate();
    db.close().await;
}

/// The transcoders `kinora serve` starts report each transcode; its metrics count them by
/// outcome: a real clip transcoded (`done`), bytes no decoder accepts (`failed`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcode_durations_come_from_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let instance = common::instance::start(
        dir.path(),
        &url,
        1,
        &format!("[metrics]\nenabled = true\nlisten = \"{metrics}\"\n"),
    )
    .await;
    let scrape = || async {
        let text = reqwest::get(format!("http://{metrics}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        parse_exposition(&text)
    };
    let count = |samples: &Samples, outcome| {
        value(
            samples,
            "kinora_transcode_duration_seconds_count",
            &[("outcome", outcome)],
        )
    };
    let before = scrape().await;
    assert_eq!(
        (count(&before, "done"), count(&before, "failed")),
        (0.0, 0.0)
    );

    let clip = common::instance::fixtures().join("video_very_short_240p.mp4");
    let uploaded = common::instance::upload_multipart(&instance, &clip, 1).await;
    let uuid = uploaded["video"]["uuid"].as_str().unwrap();
    common::instance::wait_published(&instance, uuid, Duration::from_secs(120)).await;
    let undecodable = dir.path().join("undecodable.mp4");
    std::fs::write(&undecodable, common::mp4_like_bytes(64 * 1024)).unwrap();
    common::instance::upload_multipart(&instance, &undecodable, 1).await;

    let after = common::eventually(
        Duration::from_secs(120),
        "a failed transcode counted",
        || async {
            let samples = scrape().await;
            (count(&samples, "failed") >= 1.0).then_some(samples)
        },
    )
    .await;
    assert_eq!(count(&after, "done"), 1.0);
    let seconds = value(
        &after,
        "kinora_transcode_duration_seconds_sum",
        &[("outcome", "done")],
    );
    assert!(seconds > 0.0 && seconds < 120.0, "{seconds}");
    let within = value(
        &after,
        "kinora_transcode_duration_seconds_bucket",
        &[("outcome", "done"), ("le", "+Inf")],
    );
    assert_eq!(within, 1.0);
    instance.server.terminate();
}
