//! PV-03 between two real `kinora serve` processes: B follows a channel of A, and A's video
//! changes privacy again and again. Whenever it stops being public or unlisted (private,
//! internal) it disappears from B; whenever it is public or unlisted again it comes back
//! (each time under new activity ids, which B has not seen yet); A's deletion at the end still
//! reaches B. Once with A on SQLite and B on PostgreSQL, once the other way round.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{
    Instance, ap_document, api_request, channel_followers, publish_with_torrents, start,
};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// Sets the privacy of A's video (1 public, 2 unlisted, 3 private, 4 internal).
async fn set_privacy(a: &Instance, uuid: &str, privacy: i64) {
    let (status, body) = api_request(
        a,
        reqwest::Method::PUT,
        &format!("/api/v1/videos/{uuid}"),
        Some(json!({ "privacy": privacy })),
    )
    .await;
    assert_eq!(status, 204, "privacy {privacy}: {body}");
}

/// Waits until B has the video with `privacy` (listed among B's remote videos when public).
async fn wait_on_b(b: &Instance, uuid: &str, privacy: i64, what: &str) {
    eventually(Duration::from_secs(60), what, || async {
        let (status, video) = get(b, &format!("/api/v1/videos/{uuid}")).await;
        if status != 200 || video["privacy"]["id"] != privacy {
            return None;
        }
        if privacy == 1 {
            let (_, list) = get(b, "/api/v1/videos?isLocal=false").await;
            list["data"]
                .as_array()?
                .iter()
                .find(|v| v["uuid"] == uuid)?;
        }
        Some(())
    })
    .await;
}

/// Waits until B no longer has the video.
async fn wait_gone_from_b(b: &Instance, uuid: &str, what: &str) {
    eventually(Duration::from_secs(60), what, || async {
        (get(b, &format!("/api/v1/videos/{uuid}")).await.0 == 404).then_some(())
    })
    .await;
}

async fn privacy_changes_reach_a_follower(
    db_a: &str,
    dir_a: &std::path::Path,
    db_b: &str,
    dir_b: &std::path::Path,
) {
    let a = start(dir_a, db_a, 1, FEDERATION).await;
    let b = start(dir_b, db_b, 1, FEDERATION).await;
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

    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    wait_on_b(&b, &uuid, 1, "the new video on B").await;

    for (privacy, what) in [
        (3, "made private: gone from B"),
        (1, "public again: back on B"),
        (3, "private a second time: gone from B again"),
        (2, "unlisted: back on B, unlisted"),
        (1, "unlisted to public: public on B"),
        (4, "internal: gone from B"),
        (1, "internal to public: back on B"),
    ] {
        set_privacy(&a, &uuid, privacy).await;
        if matches!(privacy, 3 | 4) {
            wait_gone_from_b(&b, &uuid, what).await;
        } else {
            wait_on_b(&b, &uuid, privacy, what).await;
        }
    }

    // A's video lists the Announces of this round only: its channel's and its instance's.
    let announces = ap_document(&a, &format!("/videos/watch/{uuid}/announces")).await;
    assert_eq!(announces["totalItems"], 2, "{announces}");

    // Deleted after all that: the Delete has an id of its own too, and reaches B.
    let (status, body) = api_request(
        &a,
        reqwest::Method::DELETE,
        &format!("/api/v1/videos/{uuid}"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    wait_gone_from_b(&b, &uuid, "deleted: gone from B").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_changes_reach_a_follower_from_sqlite_to_postgres() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let postgres = kinora_db::testing::TestDb::postgres().await;
    privacy_changes_reach_a_follower(&db_a, dir_a.path(), &postgres.config.url, dir_b.path()).await;
    postgres.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_changes_reach_a_follower_from_postgres_to_sqlite() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    privacy_changes_reach_a_follower(&postgres.config.url, dir_a.path(), &db_b, dir_b.path()).await;
    postgres.finish().await;
}
