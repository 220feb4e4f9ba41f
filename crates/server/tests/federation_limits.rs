//! Limits and fail-closed behaviour of a real instance's inbox (issue 7, research/security.md
//! §1.1, §1.4): key ids pointing at private addresses when those are not allowed, oversized and
//! deeply nested bodies, endless and looping reply chains served by a fake origin, and a dead
//! host that writes to us. Each case runs on SQLite and on PostgreSQL.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::HeaderMap;
use common::fake_origin::{
    FakeOrigin, activity, key, post_signed_as, post_signed_bytes, signed_headers,
};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::videos::insert_video;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A TCP listener on 127.0.0.1 that counts the connections made to it; answers its port.
async fn connection_recorder() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, connections)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sig_08_key_ids_on_private_addresses_are_never_fetched() {
    for database in DATABASES {
        // No `allow_private_addresses`: the production default.
        let site = Site::start(database, "").await;
        let (port, connections) = connection_recorder().await;
        // The recorder does count a connection: made here, before the cases.
        drop(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(connections.load(Ordering::SeqCst), 1);
        let key_ids = [
            format!("http://127.0.0.1:{port}/actor#main-key"),
            format!("https://127.0.0.1:{port}/actor#main-key"),
            format!("https://localhost:{port}/actor#main-key"),
            format!("https://[::]:{port}/#k"),
            format!("https://[::1]:{port}/#k"),
            format!("https://[::ffff:127.0.0.1]:{port}/#k"),
            format!("https://0.0.0.0:{port}/#k"),
            "https://127.0.0.1:6379/#k".to_owned(),
            "https://169.254.169.254/latest/meta-data/#k".to_owned(),
            "http://[::]:6379/#k".to_owned(),
        ];
        for key_id in &key_ids {
            let actor = key_id.split('#').next().unwrap();
            let follow = activity(
                "Follow",
                &format!("{actor}/follows/1"),
                actor,
                json!(site.url("/accounts/root")),
            );
            let (status, answer) = post_signed_as(&site.inbox(), key_id, &follow).await;
            assert_eq!(status, 401, "{database:?} {key_id}: {answer}");
        }
        assert_eq!(
            connections.load(Ordering::SeqCst),
            1,
            "{database:?}: the instance connected to a private address"
        );
        assert_eq!(site.stored_activities().await, 0);
        assert_eq!(
            site.count("SELECT COUNT(*) FROM actors WHERE host IS NOT NULL")
                .await,
            0
        );
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// Sends only the head of `POST /inbox` (with `headers` and a Content-Length of `length`)
/// and reads the answer until the server closes; answers its status and text.
async fn post_head_only(port: u16, headers: &HeaderMap, length: usize) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut head =
        format!("POST /inbox HTTP/1.1\r\nhost: localhost:{port}\r\ncontent-length: {length}\r\n");
    for (name, value) in headers {
        if name != "host" {
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server answered from the head alone and closed")
    .unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dos_03_oversized_and_deeply_nested_bodies_are_refused_without_harm() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let xavier = b.url("/accounts/xavier");
        let http = reqwest::Client::new();

        // 10 MB announced by its Content-Length, unsigned and signed: 413 from the request head
        // alone (not a byte of the body is sent, so a server that read it would never answer).
        let big = vec![b' '; 10 * 1024 * 1024];
        let (status, answer) =
            post_head_only(site.instance.port, &HeaderMap::new(), big.len()).await;
        assert_eq!(status, 413, "{database:?}: {answer}");
        assert!(answer.contains("body_too_large"), "{answer}");
        let signed = signed_headers(&site.inbox(), &key(&xavier), &big);
        let (status, answer) = post_head_only(site.instance.port, &signed, big.len()).await;
        assert_eq!(status, 413, "{database:?}: {answer}");
        // Streamed without a length: cut off at the limit (the sender may see the connection
        // closed before the answer while it is still writing).
        let chunks = futures_util::stream::iter(
            (0..160).map(|_| Ok::<_, std::io::Error>(vec![b'['; 64 * 1024])),
        );
        let response = http
            .post(site.inbox())
            .header("content-type", "application/activity+json")
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await;
        if let Ok(response) = response {
            assert_eq!(response.status(), 413, "{database:?}");
        }

        // 100,000 levels of nesting, arrays and objects, signed or not: 400, no crash.
        let arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        let mut in_activity = activity("Create", &b.url("/deep"), &xavier, json!("x")).to_string();
        in_activity.insert_str(1, &format!("\"deep\":{arrays},"));
        for body in [arrays, objects, in_activity] {
            let response = http
                .post(site.inbox())
                .header("content-type", "application/activity+json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{database:?}");
            let (status, _) =
                post_signed_bytes(&site.inbox(), &key(&xavier), body.into_bytes()).await;
            assert_eq!(status, 400, "{database:?}");
        }
        assert_eq!(site.stored_activities().await, 0);
        assert_eq!(b.fetched(), Vec::<String>::new(), "nothing was fetched");

        // Still serving, and still taking activities.
        let config = http.get(site.url("/api/v1/config")).send().await.unwrap();
        assert_eq!(config.status(), 200);
        let follow = activity(
            "Follow",
            &b.url("/follows/1"),
            &xavier,
            json!(site.url("/accounts/root")),
        );
        let (status, answer) = b.post_signed(&site.inbox(), &key(&xavier), &follow).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dos_04_reply_chains_stop_at_the_depth_limit_and_cycles_are_caught() {
    const DEPTH: usize = 30;
    for database in DATABASES {
        let config = format!("{PRIVATE_ALLOWED}max_reply_depth = {DEPTH}\n");
        let site = Site::start(database, &config).await;
        let b = FakeOrigin::start().await;
        let talker = b.url("/accounts/talker");
        let send = |n: &str, note: Value| {
            let create = activity("Create", &b.url(&format!("/activities/{n}")), &talker, note);
            let inbox = site.inbox();
            let key_id = key(&talker);
            async move {
                let (status, answer) = post_signed_as(&inbox, &key_id, &create).await;
                assert_eq!(status, 202, "{answer}");
            }
        };

        // A chain 10,000 long (the origin would go on for ever): followed DEPTH links deep.
        send(
            "chain",
            b.note("/chain/0", "/chain/1", "the end of a long chain"),
        )
        .await;
        site.settled().await;
        let chain_fetches = b.fetch_count("/chain/");
        assert!(
            (DEPTH - 1..=DEPTH + 1).contains(&chain_fetches),
            "{database:?}: {chain_fetches} links fetched"
        );
        // A cycle A → B → A: B is fetched once, then the loop is seen.
        send("cycle", b.note("/cycle/a", "/cycle/b", "A answers B")).await;
        site.settled().await;
        assert_eq!(b.fetch_count("/cycle/b"), 1, "{database:?}");
        assert_eq!(b.fetch_count("/cycle/a"), 0, "{database:?}");
        assert_eq!(site.count("SELECT COUNT(*) FROM video_comments").await, 0);
        let refused = site
            .count("SELECT COUNT(*) FROM jobs WHERE kind = 'process-inbox' AND state = 'done'")
            .await;
        assert_eq!(refused, 2, "{database:?}: {:?}", site.job_errors().await);

        // The worker survived: a reply a few links deep on our video is taken in, whole.
        let video = insert_video(&site.db, site.instance.channel, "Commented", 1, 1, 0).await;
        let video_url = site.url(&format!("/videos/watch/{}", video.uuid));
        b.serve_document("/thread/1", b.note("/thread/1", &video_url, "first"));
        b.serve_document("/thread/2", b.note("/thread/2", "/thread/1", "second"));
        send("thread", b.note("/thread/3", "/thread/2", "third")).await;
        site.settled().await;
        assert_eq!(
            site.count("SELECT COUNT(*) FROM video_comments").await,
            3,
            "{database:?}: {:?}",
            site.job_errors().await
        );
        assert_eq!(b.fetch_count("/chain/"), chain_fetches, "no refetch");
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fd_01_an_inbound_message_alone_does_not_revive_a_dead_host() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let far_future = kinora_db::now_millis() + 20 * 3600 * 1000;
        let failing_since = kinora_db::now_millis() - 30 * 24 * 3600 * 1000;
        sqlx::query(
            "INSERT INTO remote_hosts (host, failures, failing_since, next_attempt_at, dead, \
             last_error, updated_at) VALUES ($1, 40, $2, $3, 1, 'connection refused', $2)",
        )
        .bind(&b.host)
        .bind(failing_since)
        .bind(far_future)
        .execute(site.db.pool())
        .await
        .unwrap();
        let xavier = b.url("/accounts/xavier");
        let follow = activity(
            "Follow",
            &b.url("/follows/1"),
            &xavier,
            json!(site.url("/accounts/root")),
        );
        let (status, answer) = b.post_signed(&site.inbox(), &key(&xavier), &follow).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        assert_eq!(site.count("SELECT COUNT(*) FROM actor_follows").await, 1);
        let state: (i64, i64, i64, Option<i64>) = sqlx::query_as(
            "SELECT dead, failures, next_attempt_at, failing_since FROM remote_hosts \
             WHERE host = $1",
        )
        .bind(&b.host)
        .fetch_one(site.db.pool())
        .await
        .unwrap();
        assert_eq!(
            state,
            (1, 40, far_future, Some(failing_since)),
            "{database:?}"
        );
        // The Accept for the follow is queued, and waits for the dead host's next probe.
        let started = std::time::Instant::now();
        while site.count("SELECT COUNT(*) FROM deliveries").await == 0 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "no Accept queued"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let pending = site
            .count("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
            .await;
        assert_eq!(pending, 1, "{database:?}");
        assert!(
            b.received().is_empty(),
            "{database:?}: the dead host was sent to"
        );
        let still: (i64, i64) =
            sqlx::query_as("SELECT dead, next_attempt_at FROM remote_hosts WHERE host = $1")
                .bind(&b.host)
                .fetch_one(site.db.pool())
                .await
                .unwrap();
        assert_eq!(still, (1, far_future), "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
