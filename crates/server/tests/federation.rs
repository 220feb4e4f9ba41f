//! Federation between real `kinora serve` processes on localhost ports, each with its own
//! database: following a remote channel, its videos arriving, comments and likes going to the
//! origin, deletions reaching followers.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, channel_followers, publish_with_torrents, start};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

async fn post(instance: &Instance, path: &str, body: Value) -> (u16, Value) {
    api_request(instance, reqwest::Method::POST, path, Some(body)).await
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

    // Before anyone follows: a video with a comment on A.
    let earlier = publish_with_torrents(&a, "video_short.mp4").await;
    let earlier_uuid = earlier["uuid"].as_str().unwrap().to_owned();
    let (status, body) = post(
        &a,
        &format!("/api/v1/videos/{earlier_uuid}/comment-threads"),
        json!({ "text": "Said before B came" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // B follows A's channel by handle; A accepts.
    let (status, body) = post(
        &b,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": handle }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;

    // The earlier video is back-filled from the channel's outbox, with its comment.
    eventually(
        Duration::from_secs(60),
        "the earlier video on B",
        || async {
            remote_videos(&b)
                .await
                .into_iter()
                .find(|v| v["uuid"] == earlier_uuid.as_str())
        },
    )
    .await;
    eventually(Duration::from_secs(30), "the earlier comment on B", || {
        has_comment(&b, &earlier_uuid, "Said before B came")
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

/// A comment's text on an instance's copy of a video, if it is there.
async fn has_comment(instance: &Instance, uuid: &str, text: &str) -> Option<()> {
    let (_, threads) = get(instance, &format!("/api/v1/videos/{uuid}/comment-threads")).await;
    threads["data"]
        .as_array()
        .and_then(|data| data.iter().find(|c| c["text"] == text))
        .map(|_| ())
}

async fn follow(follower: &Instance, origin: &Instance) {
    let handle = format!("root_channel@localhost:{}", origin.port);
    let (status, body) = post(
        follower,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": handle }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

/// Three instances, each with its own database (B on PostgreSQL): B and C follow a channel of
/// A; A's video reaches both; a comment written on B reaches A and, passed on by A, C; a like on
/// C is counted on A; deliveries pending while B is down arrive once it is back, and those
/// pending while A itself is stopped go out when A restarts; A's deletion reaches B and C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_a_channel_through_restarts() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let sqlite = |dir: &tempfile::TempDir| format!("sqlite://{}/kinora.db", dir.path().display());
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let a = start(dirs[0].path(), &sqlite(&dirs[0]), 1, FEDERATION).await;
    let b = start(dirs[1].path(), &postgres.config.url, 1, FEDERATION).await;
    let c = start(dirs[2].path(), &sqlite(&dirs[2]), 1, FEDERATION).await;
    follow(&b, &a).await;
    follow(&c, &a).await;
    eventually(Duration::from_secs(30), "A has two followers", || async {
        (channel_followers(&a).await == 2).then_some(())
    })
    .await;

    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    for follower in [&b, &c] {
        eventually(
            Duration::from_secs(60),
            "the video on a follower",
            || async {
                remote_videos(follower)
                    .await
                    .into_iter()
                    .find(|v| v["uuid"] == uuid.as_str())
            },
        )
        .await;
    }

    // B's comment: on A (its origin) and on C (A passes it on).
    let (status, body) = post(
        &b,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "Written on B" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(30), "B's comment on A", || {
        has_comment(&a, &uuid, "Written on B")
    })
    .await;
    eventually(Duration::from_secs(30), "B's comment on C", || {
        has_comment(&c, &uuid, "Written on B")
    })
    .await;

    // C's like: counted on A, and A's new count reaches B.
    let response = c
        .http
        .put(format!("{}/api/v1/videos/{uuid}/rate", c.base))
        .bearer_auth(&c.token)
        .json(&json!({ "rating": "like" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually(Duration::from_secs(30), "C's like on A", || async {
        (get(&a, &format!("/api/v1/videos/{uuid}")).await.1["likes"] == 1).then_some(())
    })
    .await;
    eventually(Duration::from_secs(30), "A's count on B", || async {
        (get(&b, &format!("/api/v1/videos/{uuid}")).await.1["likes"] == 1).then_some(())
    })
    .await;

    // B is down while A comments: the delivery waits, and arrives once B is back.
    let Instance {
        server,
        port,
        base,
        token,
        channel,
        http,
    } = b;
    server.terminate();
    let (status, body) = post(
        &a,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "While B was away" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(30), "A's comment on C", || {
        has_comment(&c, &uuid, "While B was away")
    })
    .await;
    // A is stopped too, with the delivery to B still pending: nothing is lost.
    let Instance {
        server: a_server,
        port: a_port,
        base: a_base,
        token: a_token,
        channel: a_channel,
        http: a_http,
    } = a;
    a_server.terminate();
    let b = Instance {
        server: common::process::Server::start(&dirs[1].path().join("kinora.toml")),
        port,
        base,
        token,
        channel,
        http,
    };
    let a = Instance {
        server: common::process::Server::start(&dirs[0].path().join("kinora.toml")),
        port: a_port,
        base: a_base,
        token: a_token,
        channel: a_channel,
        http: a_http,
    };
    eventually(Duration::from_secs(120), "A's pending comment on B", || {
        has_comment(&b, &uuid, "While B was away")
    })
    .await;

    // A deletes the video: gone from B and C.
    let response = a
        .http
        .delete(format!("{}/api/v1/videos/{uuid}", a.base))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    for follower in [&b, &c] {
        eventually(
            Duration::from_secs(120),
            "the video gone from a follower",
            || async {
                (get(follower, &format!("/api/v1/videos/{uuid}")).await.0 == 404).then_some(())
            },
        )
        .await;
    }
    drop((a, b, c));
    postgres.finish().await;
}
