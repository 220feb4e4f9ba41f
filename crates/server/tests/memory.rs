//! Memory after use: a real `kinora serve` gives back what a burst of work allocated. Eight
//! logins (Argon2id takes 19 MiB each), an upload and 1,000 API requests leave the resident
//! memory near where it was before them once the allocator has had time to return it (with
//! glibc's malloc each thread's arena kept its share: about +20 MB per login up to ~100 MB).
//! On SQLite and PostgreSQL.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, fixtures, upload_multipart};
use common::process::{Server, free_port, root_session, write_config};
use futures_util::StreamExt;
use kinora_db::testing::TestDb;

/// How much more the process may hold once the burst is over (MiB).
const GROWTH_LIMIT_MIB: f64 = 12.0;

/// The process's resident memory (VmRSS), in MiB.
fn resident_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

async fn memory_returns_after_logins_an_upload_and_requests(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(
        dir.path(),
        port,
        database_url,
        "[transcoding]\nworkers = 0\n",
    );
    let server = Server::start(&config);
    let password = server.password.clone().unwrap();
    let pid = server.child.id();
    // Before any login (creating root hashed its password: glibc gave that first block back).
    let before = resident_mib(pid);

    // Eight logins, two at a time (the runtime's two workers hash).
    let mut session = None;
    for _ in 0..4 {
        let (first, _) = tokio::join!(root_session(port, &password), root_session(port, &password));
        session = Some(first);
    }
    let (http, token, me) = session.unwrap();
    let instance = Instance {
        server,
        port,
        base: format!("http://localhost:{port}"),
        token,
        channel: me["videoChannels"][0]["id"].as_i64().unwrap(),
        http,
    };
    let video = upload_multipart(&instance, &fixtures().join("video_short.mp4"), 1).await;
    let uuid = video["video"]["uuid"].as_str().unwrap().to_owned();
    let paths = [
        "/api/v1/videos?count=15".to_owned(),
        "/api/v1/config".to_owned(),
        format!("/api/v1/videos/{uuid}"),
        "/api/v1/search/videos?search=fixture".to_owned(),
    ];
    let statuses: Vec<u16> = futures_util::stream::iter(0..1000)
        .map(|i| {
            let url = format!("{}{}", instance.base, paths[i % paths.len()]);
            let request = instance.http.get(url).bearer_auth(&instance.token);
            async move { request.send().await.unwrap().status().as_u16() }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let busy = resident_mib(pid);

    let settled = eventually(
        Duration::from_secs(45),
        "resident memory back near where it started",
        || async {
            let now = resident_mib(pid);
            eprintln!("RSS before {before:.1} MiB, after the burst {busy:.1}, now {now:.1}");
            (now <= before + GROWTH_LIMIT_MIB).then_some(now)
        },
    )
    .await;
    eprintln!("settled at {settled:.1} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_returns_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    memory_returns_after_logins_an_upload_and_requests(&format!(
        "sqlite://{}",
        dir.path().join("kinora.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_returns_on_postgres() {
    let db = TestDb::postgres_unmigrated().await;
    memory_returns_after_logins_an_upload_and_requests(&db.config.url).await;
    db.finish().await;
}
