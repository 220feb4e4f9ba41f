//! Federation between real `kinora serve` processes on localhost ports, each with its own
//! database: following a remote channel, its videos arriving, comments and likes going to the
//! origin, deletions reaching followers.

mod common;

use std::time::{Duration, Instant};

use common::instance::{Instance, publish_with_torrents, start};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    let response = instance
        .http
        .get(format!("{}{path}", instance.base))
        .bearer_auth(&instance.token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(instance: &Instance, path: &str, body: Value) -> (u16, Value) {
    let response = instance
        .http
        .post(format!("{}{path}", instance.base))
        .bearer_auth(&instance.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls `probe` until it answers `Some`, for at most `limit`.
async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The remote videos an instance lists.
async fn remote_videos(instance: &Instance) -> Vec<Value> {
    get(instance, "/api/v1/videos?isLocal=false").await.1["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_channel_federates_videos_comments_likes_and_deletions() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
    let handle = format!("root_channel@localhost:{}", a.port);

    // B follows A's channel by handle; A accepts.
    let (status, body) = post(
        &b,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": handle }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        let followers: Value = a
            .http
            .get(format!("{}/video-channels/root_channel/followers", a.base))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or(Value::Null);
        (followers["totalItems"].as_i64() == Some(1)).then_some(())
    })
    .await;

    // A publishes: the video reaches B, with A's media URLs.
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let remote = eventually(Duration::from_secs(60), "the video on B", || async {
        remote_videos(&b)
            .await
            .into_iter()
            .find(|v| v["uuid"] == uuid.as_str())
    })
    .await;
    assert_eq!(remote["isLocal"], false);
    let (_, details) = get(&b, &format!("/api/v1/videos/{uuid}")).await;
    let playlist = details["streamingPlaylists"][0]["playlistUrl"]
        .as_str()
        .unwrap();
    assert!(playlist.starts_with(&a.base), "{playlist}");
    assert_eq!(details["channel"]["host"], format!("localhost:{}", a.port));

    // A comment on B reaches A; a like on B is counted on A.
    let (status, body) = post(
        &b,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "Hello from B" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(30), "B's comment on A", || async {
        let (_, threads) = get(&a, &format!("/api/v1/videos/{uuid}/comment-threads")).await;
        threads["data"]
            .as_array()
            .and_then(|data| data.iter().find(|c| c["text"] == "Hello from B").cloned())
    })
    .await;
    let response = b
        .http
        .put(format!("{}/api/v1/videos/{uuid}/rate", b.base))
        .bearer_auth(&b.token)
        .json(&json!({ "rating": "like" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually(Duration::from_secs(30), "B's like on A", || async {
        let (_, video) = get(&a, &format!("/api/v1/videos/{uuid}")).await;
        (video["likes"] == 1).then_some(())
    })
    .await;

    // A deletes it: it disappears from B.
    let response = a
        .http
        .delete(format!("{}/api/v1/videos/{uuid}", a.base))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually(Duration::from_secs(30), "the video gone from B", || async {
        let (status, _) = get(&b, &format!("/api/v1/videos/{uuid}")).await;
        (status == 404).then_some(())
    })
    .await;
}
