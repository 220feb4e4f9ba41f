//! Notifications between two real `kinora serve` processes (A on SQLite, B on PostgreSQL): B's
//! user subscribes to A's channel and A's owner is told of the new follower; A publishes a
//! video (transcoded by A's transcoder) and its owner is told it is published, B's subscriber
//! that a channel they follow has a new video (once, whatever else arrives about it); B's user
//! comments on it and A's owner is told, with the comment's author from B.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{Instance, api_request, channel_followers, publish_with_torrents, start};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

/// `instance`'s root user's notifications of type `kind`.
async fn notifications(instance: &Instance, kind: i64) -> Vec<Value> {
    let (status, body) = api_request(
        instance,
        reqwest::Method::GET,
        &format!("/api/v1/users/me/notifications?typeOneOf={kind}&count=100"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_videos_and_comments_are_told_across_instances() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let sqlite = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let a = start(dir_a.path(), &sqlite, 1, FEDERATION).await;
    let b = start(dir_b.path(), &postgres.config.url, 1, FEDERATION).await;

    let (status, body) = api_request(
        &b,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("root_channel@localhost:{}", a.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;
    let follows = notifications(&a, 10).await;
    assert_eq!(follows.len(), 1, "{follows:?}");
    let follow = &follows[0]["actorFollow"];
    assert_eq!(follow["following"]["type"], "channel", "{follow}");
    assert_eq!(follow["following"]["name"], "root_channel");
    assert_eq!(
        follow["follower"]["host"],
        format!("localhost:{}", b.port),
        "{follow}"
    );

    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let published = notifications(&a, 6).await;
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["video"]["uuid"], uuid.as_str());
    assert_eq!(published[0]["read"], false);

    let told = eventually(
        Duration::from_secs(60),
        "B's subscriber is told of A's video",
        || async {
            let found = notifications(&b, 1).await;
            (!found.is_empty()).then_some(found)
        },
    )
    .await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["video"]["uuid"], uuid.as_str());
    assert_eq!(told[0]["video"]["channel"]["name"], "root_channel");
    assert_eq!(
        told[0]["video"]["channel"]["host"],
        format!("localhost:{}", a.port)
    );
    let (_, unread) = api_request(
        &b,
        reqwest::Method::GET,
        "/api/v1/users/me/notifications?unread=true&count=0",
        None,
    )
    .await;
    assert_eq!(unread["total"], 1, "{unread}");

    let (status, body) = api_request(
        &b,
        reqwest::Method::POST,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        Some(json!({ "text": "Lovely shot." })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let comments = eventually(
        Duration::from_secs(30),
        "A's owner is told of B's comment",
        || async {
            let found = notifications(&a, 2).await;
            (!found.is_empty()).then_some(found)
        },
    )
    .await;
    let comment = &comments[0]["comment"];
    assert_eq!(comment["video"]["uuid"], uuid.as_str(), "{comment}");
    assert_eq!(comment["account"]["name"], "root", "{comment}");
    assert_eq!(comment["account"]["host"], format!("localhost:{}", b.port));
    // Still one new-video notification on B: updates of the video told nothing new.
    assert_eq!(notifications(&b, 1).await.len(), 1);
    postgres.finish().await;
}
