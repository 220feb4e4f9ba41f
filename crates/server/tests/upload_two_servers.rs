//! UP-04: two `kinora serve` processes on the same database and the same storage root (a
//! rolling restart, or two behind a proxy) receive the same resumable upload's chunk at once,
//! with different bytes. One writer wins; the other gets 423 and never touches the file, so the
//! acknowledged original is exactly the winner's bytes (SHA-256). SQLite and PostgreSQL.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::instance::{Instance, fixtures, start};
use common::process::{Server, free_port, write_config};
use kinora_db::testing::TestDb;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A second server on `database_url` whose storage root is `first`'s.
fn start_second(first: &Path, dir: &Path, database_url: &str) -> (Server, String) {
    std::os::unix::fs::symlink(first.join("storage"), dir.join("storage")).unwrap();
    let port = free_port();
    let config = write_config(dir, port, database_url, "[transcoding]\nworkers = 0\n");
    (Server::start(&config), format!("http://localhost:{port}"))
}

async fn open_session(instance: &Instance, total: usize) -> String {
    let response = instance
        .http
        .post(format!("{}/api/v1/videos/upload-resumable", instance.base))
        .bearer_auth(&instance.token)
        .header("x-upload-content-length", total.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&json!({"name": "Raced", "channelId": instance.channel, "filename": "raced.mp4"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// PUTs all of `bytes` as one chunk to `base` + `location`; with `pace`, the body trickles in
/// 20 pieces `pace` apart (the first 2 KiB at once). Answers the status and JSON body.
async fn put_whole(
    instance: &Instance,
    base: &str,
    location: &str,
    bytes: Vec<u8>,
    pace: Option<Duration>,
) -> (u16, Value) {
    let total = bytes.len();
    let body = match pace {
        None => reqwest::Body::from(bytes),
        Some(pace) => {
            let mut pieces = vec![bytes[..2048].to_vec()];
            pieces.extend(bytes[2048..].chunks(total / 20 + 1).map(<[u8]>::to_vec));
            let stream = futures_util::stream::unfold(
                (pieces.into_iter(), true),
                move |(mut rest, first)| async move {
                    let piece = rest.next()?;
                    if !first {
                        tokio::time::sleep(pace).await;
                    }
                    Some((Ok::<_, std::io::Error>(piece), (rest, false)))
                },
            );
            reqwest::Body::wrap_stream(stream)
        }
    };
    let response = instance
        .http
        .put(format!("{base}{location}"))
        .bearer_auth(&instance.token)
        .header("content-range", format!("bytes 0-{}/{total}", total - 1))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One race: `slow` starts first and trickles, `fast` comes `delay` later at once.
struct Race<'a> {
    slow: (&'a str, &'a [u8]),
    fast: (&'a str, &'a [u8]),
    delay: Duration,
}

async fn race(instance: &Instance, storage: &Path, race: Race<'_>) {
    let location = open_session(instance, race.slow.1.len()).await;
    let slow = put_whole(
        instance,
        race.slow.0,
        &location,
        race.slow.1.to_vec(),
        Some(Duration::from_millis(100)),
    );
    let fast = async {
        tokio::time::sleep(race.delay).await;
        put_whole(instance, race.fast.0, &location, race.fast.1.to_vec(), None).await
    };
    let ((slow_status, slow_json), (fast_status, fast_json)) = tokio::join!(slow, fast);
    // The first writer holds the session: the second is refused with 423, and is told why.
    assert_eq!(fast_status, 423, "{fast_json}");
    assert_eq!(fast_json["code"], "upload_locked", "{fast_json}");
    assert_eq!(slow_status, 200, "{slow_json}");
    let uuid = slow_json["video"]["uuid"].as_str().unwrap();
    let original = std::fs::read(storage.join("original-video-files").join(uuid)).unwrap();
    assert_eq!(
        sha256(&original),
        sha256(race.slow.1),
        "the acknowledged original is exactly the winner's bytes"
    );
    // The session is finished: either server answers the same video.
    for base in [race.slow.0, race.fast.0] {
        let (status, json) = put_whole(instance, base, &location, race.fast.1.to_vec(), None).await;
        assert_eq!((status, json["video"]["uuid"].as_str()), (200, Some(uuid)));
    }
}

/// Both writers trickle and start together: exactly one is acknowledged, with its own bytes.
async fn simultaneous(instance: &Instance, storage: &Path, writers: [(&str, &[u8]); 2]) {
    let location = open_session(instance, writers[0].1.len()).await;
    let pace = Some(Duration::from_millis(50));
    let (a, b) = tokio::join!(
        put_whole(
            instance,
            writers[0].0,
            &location,
            writers[0].1.to_vec(),
            pace
        ),
        put_whole(
            instance,
            writers[1].0,
            &location,
            writers[1].1.to_vec(),
            pace
        ),
    );
    let outcomes = [a, b];
    let winners: Vec<usize> = (0..2).filter(|&i| outcomes[i].0 == 200).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let (winner, loser) = (winners[0], 1 - winners[0]);
    assert_eq!(outcomes[loser].0, 423, "{outcomes:?}");
    let uuid = outcomes[winner].1["video"]["uuid"].as_str().unwrap();
    let original = std::fs::read(storage.join("original-video-files").join(uuid)).unwrap();
    assert_eq!(sha256(&original), sha256(writers[winner].1));
}

async fn two_servers_one_writer(database_url: &str) {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let instance = start(dir_a.path(), database_url, 0, "").await;
    let (second, base_b) = start_second(dir_a.path(), dir_b.path(), database_url);
    let storage = dir_a.path().join("storage");
    let x = std::fs::read(fixtures().join("video_short.mp4")).unwrap();
    // Same length and head (it passes the content check), different bytes after 2 KiB.
    let y: Vec<u8> = x
        .iter()
        .enumerate()
        .map(|(i, b)| if i >= 2048 { b ^ 0x5A } else { *b })
        .collect();
    let base_a = instance.base.clone();
    let delay = Duration::from_millis(500);
    race(
        &instance,
        &storage,
        Race {
            slow: (&base_a, &x),
            fast: (&base_b, &y),
            delay,
        },
    )
    .await;
    race(
        &instance,
        &storage,
        Race {
            slow: (&base_b, &y),
            fast: (&base_a, &x),
            delay,
        },
    )
    .await;
    for _ in 0..3 {
        simultaneous(&instance, &storage, [(&base_a, &x), (&base_b, &y)]).await;
    }
    second.terminate();
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_one_writer_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    two_servers_one_writer(&format!(
        "sqlite://{}",
        dir.path().join("kinora.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_one_writer_on_postgres() {
    let db = TestDb::postgres_unmigrated().await;
    two_servers_one_writer(&db.config.url).await;
    db.finish().await;
}
