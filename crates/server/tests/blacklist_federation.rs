//! Video blocks and user bans between two real `kinora serve` processes: B follows A's channel;
//! A blocks its video with `unfederate` and the video disappears from B (and from A's
//! ActivityPub documents); A unblocks it and it comes back to B. A bans a user: the user's
//! token stops working and their video leaves A's list.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::instance::{
    Instance, api_request, channel_followers, fixtures, publish_with_torrents, start,
    wait_published,
};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// An anonymous GET: the status.
async fn anonymous_status(instance: &Instance, path: &str, accept: &str) -> u16 {
    instance
        .http
        .get(format!("{}{path}", instance.base))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn listed_on(instance: &Instance, uuid: &str) -> bool {
    let (_, list) = get(instance, "/api/v1/videos?count=100").await;
    list["data"]
        .as_array()
        .is_some_and(|data| data.iter().any(|v| v["uuid"] == uuid))
}

/// Logs `username` in on `instance`: the access token.
async fn login(instance: &Instance, username: &str, password: &str) -> reqwest::Response {
    let client: Value = instance
        .http
        .get(format!("{}/api/v1/oauth-clients/local", instance.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ];
    instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfederated_block_withdraws_the_video_from_followers_until_unblocked() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
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
    let on_b = |wanted: bool, what: &'static str| {
        let b = &b;
        let uuid = uuid.clone();
        async move {
            eventually(Duration::from_secs(60), what, || async {
                let (status, _) = get(b, &format!("/api/v1/videos/{uuid}")).await;
                let listed = listed_on(b, &uuid).await;
                ((status == 200) == wanted && listed == wanted).then_some(())
            })
            .await;
        }
    };
    on_b(true, "the video on B").await;

    // Blocked with unfederate: gone from B, from A's list and from A's ActivityPub documents.
    let path = format!("/api/v1/videos/{uuid}/blacklist");
    let (status, body) = api_request(
        &a,
        reqwest::Method::POST,
        &path,
        Some(json!({ "reason": "Breaks the rules", "unfederate": true })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    on_b(false, "the video gone from B").await;
    assert!(!listed_on(&a, &uuid).await);
    let object = format!("/videos/watch/{uuid}");
    assert_eq!(
        anonymous_status(&a, &object, "application/activity+json").await,
        404
    );
    assert_eq!(
        anonymous_status(&a, &format!("/api/v1/videos/{uuid}"), "*/*").await,
        404
    );
    // An edit while blocked is held back: B still does not have it.
    let (status, body) = api_request(
        &a,
        reqwest::Method::PUT,
        &format!("/api/v1/videos/{uuid}"),
        Some(json!({ "name": "Renamed while blocked" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(get(&b, &format!("/api/v1/videos/{uuid}")).await.0, 404);

    // Unblocked: back on B, with the edit.
    let (status, body) = api_request(&a, reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204, "{body}");
    on_b(true, "the video back on B").await;
    let (_, details) = get(&b, &format!("/api/v1/videos/{uuid}")).await;
    assert_eq!(details["name"], "Renamed while blocked");
    assert_eq!(
        anonymous_status(&a, &object, "application/activity+json").await,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_banned_users_token_stops_and_their_video_leaves_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/kinora.db", dir.path().display());
    let a = start(dir.path(), &db, 1, "").await;
    let (status, created) = api_request(
        &a,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({ "username": "member", "email": "member@example.com", "password": "member-password" })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let user_id = created["user"]["id"].as_i64().unwrap();
    let token: Value = login(&a, "member", "member-password")
        .await
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let me: Value = a
        .http
        .get(format!("{}/api/v1/users/me", a.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel = me["videoChannels"][0]["id"].as_i64().unwrap();
    let file =
        reqwest::multipart::Part::bytes(std::fs::read(fixtures().join("video_short.mp4")).unwrap())
            .file_name("video_short.mp4");
    let form = reqwest::multipart::Form::new()
        .text("name", "Member video")
        .text("channelId", channel.to_string())
        .part("videofile", file);
    let uploaded: Value = a
        .http
        .post(format!("{}/api/v1/videos/upload", a.base))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uuid = uploaded["video"]["uuid"].as_str().unwrap().to_owned();
    wait_published(&a, &uuid, Duration::from_secs(180)).await;
    assert!(listed_on(&a, &uuid).await);

    let (status, body) = api_request(
        &a,
        reqwest::Method::POST,
        &format!("/api/v1/users/{user_id}/block"),
        Some(json!({ "reason": "Spam account" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let response = a
        .http
        .get(format!("{}/api/v1/users/me", a.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let refused = login(&a, "member", "member-password").await;
    assert_eq!(refused.status(), 400);
    assert!(
        !listed_on(&a, &uuid).await,
        "the banned user's video left the list"
    );
    assert_eq!(
        anonymous_status(&a, &format!("/api/v1/videos/{uuid}"), "*/*").await,
        404
    );
    let (_, shown) = get(&a, &format!("/api/v1/users/{user_id}")).await;
    assert_eq!(shown["blocked"], true);
    assert_eq!(shown["blockedReason"], "Spam account");
}
