//! Moving a channel to another instance (issue 17), between three real `kinora serve`
//! processes: A (PostgreSQL) has `root_channel`, followed by B's root, C's root and a viewer on
//! A itself. B makes a channel `new_home` that lists A's channel among its aliases; A's channel
//! moves there. Then every follower follows `new_home` — B's root in place (the channel is
//! B's own), C's root and A's viewer with a Follow sent to B — and none follows A's channel any
//! more; a video published on `new_home` reaches C, and a comment C writes on it reaches B.
//! Around it, what must be refused: a move before the target lists the old channel, without
//! the password or with a wrong one, to an account, with the videos (not built yet), a second
//! move inside the 30-day cooldown, and a move back (a loop: the target has moved itself).

use crate::common;

use std::time::Duration;

use common::accounts::{as_user, user};
use common::eventually;
use common::instance::{
    Instance, ap_document, api_request, channel_followers, publish_with_torrents, start,
    subscribe_to_root_channel,
};
use kinora_db::testing::TestDb;
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn post(instance: &Instance, path: &str, body: Value) -> (u16, Value) {
    api_request(instance, reqwest::Method::POST, path, Some(body)).await
}

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

fn password(instance: &Instance) -> String {
    instance.server.password.clone().unwrap()
}

/// The `name@host` of every channel a token's holder subscribes to.
async fn subscriptions(instance: &Instance, token: &str) -> Vec<String> {
    let (status, body) = as_user(
        instance,
        token,
        reqwest::Method::GET,
        "/api/v1/users/me/subscriptions?count=100",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|channel| {
            format!(
                "{}@{}",
                channel["name"].as_str().unwrap(),
                channel["host"].as_str().unwrap()
            )
        })
        .collect()
}

/// How many accepted followers a channel of `instance` has, by its followers collection.
async fn followers_of(instance: &Instance, channel: &str) -> i64 {
    ap_document(instance, &format!("/video-channels/{channel}/followers")).await["totalItems"]
        .as_i64()
        .unwrap_or(-1)
}

fn problem_says(body: &Value, words: &str) -> bool {
    body.to_string().contains(words)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_moves_with_its_followers_to_another_instance() {
    let postgres = TestDb::postgres().await;
    let (dir_a, dir_b, dir_c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let sqlite = |dir: &tempfile::TempDir| format!("sqlite://{}/kinora.db", dir.path().display());
    let a = start(dir_a.path(), &postgres.config.url, 0, FEDERATION).await;
    let b = start(dir_b.path(), &sqlite(&dir_b), 1, FEDERATION).await;
    let c = start(dir_c.path(), &sqlite(&dir_c), 0, FEDERATION).await;
    let (host_a, host_b) = (
        format!("localhost:{}", a.port),
        format!("localhost:{}", b.port),
    );
    let old_url = format!("{}/video-channels/root_channel", a.base);
    let new_url = format!("{}/video-channels/new_home", b.base);

    // Followers: B's root, C's root, and a viewer on A.
    subscribe_to_root_channel(&b, &a).await;
    subscribe_to_root_channel(&c, &a).await;
    let viewer = user(&a, "viewer").await;
    let (status, body) = as_user(
        &a,
        &viewer,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": "root_channel" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");

    // B's new channel.
    let (status, body) = post(
        &b,
        "/api/v1/video-channels",
        json!({ "name": "new_home", "displayName": "New home" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let move_path = "/api/v1/video-channels/root_channel/move";
    let target = format!("new_home@{host_b}");
    // Before the target lists A's channel, the move is refused, naming what is missing.
    let (status, body) = post(
        &a,
        move_path,
        json!({ "target": target, "currentPassword": password(&a) }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(problem_says(&body, "alsoKnownAs"), "{body}");

    // B lists A's channel among new_home's aliases; its Group shows alsoKnownAs.
    let (status, body) = post(
        &b,
        "/api/v1/video-channels/new_home/aliases",
        json!({ "uri": format!("root_channel@{host_a}") }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["aliases"], json!([old_url]));
    let group = ap_document(&b, "/video-channels/new_home").await;
    assert_eq!(group["alsoKnownAs"], json!([old_url]), "{group}");
    // An account is no alias of a channel; nor is a channel itself.
    let (status, body) = post(
        &b,
        "/api/v1/video-channels/new_home/aliases",
        json!({ "uri": format!("root@{host_a}") }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = post(
        &b,
        "/api/v1/video-channels/new_home/aliases",
        json!({ "uri": "new_home" }),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // No password, a wrong one, the videos too, an account as target: refused, nothing moved.
    for (body, status_wanted, words) in [
        (json!({ "target": target }), 400, "currentPassword"),
        (
            json!({ "target": target, "currentPassword": "not-the-password" }),
            400,
            "currentPassword",
        ),
        (
            json!({ "target": target, "currentPassword": password(&a), "withVideos": true }),
            400,
            "withVideos",
        ),
        (
            json!({ "target": format!("root@{host_b}"), "currentPassword": password(&a) }),
            400,
            "an account",
        ),
        (json!({ "currentPassword": password(&a) }), 400, "target"),
    ] {
        let (status, answer) = post(&a, move_path, body.clone()).await;
        assert_eq!(status, status_wanted, "{body}: {answer}");
        assert!(problem_says(&answer, words), "{body}: {answer}");
    }
    assert!(
        ap_document(&a, "/video-channels/root_channel")
            .await
            .get("movedTo")
            .is_none()
    );

    // The move.
    let (status, body) = post(
        &a,
        move_path,
        json!({ "target": target, "currentPassword": password(&a) }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["movedTo"], new_url.as_str());
    assert_eq!(body["localFollowersMoved"], 1, "A's viewer: {body}");
    let group = ap_document(&a, "/video-channels/root_channel").await;
    assert_eq!(group["movedTo"], new_url.as_str(), "{group}");
    let (_, channel) = get(&a, "/api/v1/video-channels/root_channel").await;
    assert_eq!(channel["movedTo"], new_url.as_str(), "{channel}");
    let (_, channel) = get(&b, "/api/v1/video-channels/new_home").await;
    assert!(channel.get("movedTo").is_none(), "{channel}");

    // Every follower now follows new_home, and none A's channel.
    let new_handle = format!("new_home@{host_b}");
    eventually(
        Duration::from_secs(60),
        "A's viewer follows new_home",
        || async { (subscriptions(&a, &viewer).await == vec![new_handle.clone()]).then_some(()) },
    )
    .await;
    eventually(
        Duration::from_secs(60),
        "C's root follows new_home",
        || async { (subscriptions(&c, &c.token).await == vec![new_handle.clone()]).then_some(()) },
    )
    .await;
    eventually(
        Duration::from_secs(60),
        "B's root follows new_home, in place",
        || async { (subscriptions(&b, &b.token).await == vec![new_handle.clone()]).then_some(()) },
    )
    .await;
    eventually(
        Duration::from_secs(60),
        "new_home has C and A's viewer as followers",
        || async { (followers_of(&b, "new_home").await == 2).then_some(()) },
    )
    .await;
    let (_, channel) = get(&b, "/api/v1/video-channels/new_home").await;
    assert_eq!(channel["followersCount"], 3, "and B's root: {channel}");
    // C shows where A's channel went, as A's document says.
    eventually(
        Duration::from_secs(60),
        "C shows A's channel moved",
        || async {
            let (_, channel) =
                get(&c, &format!("/api/v1/video-channels/root_channel@{host_a}")).await;
            (channel["movedTo"] == new_url.as_str()).then_some(())
        },
    )
    .await;
    eventually(
        Duration::from_secs(60),
        "A's channel has no follower left",
        || async { (channel_followers(&a).await == 0).then_some(()) },
    )
    .await;

    // A video published on new_home reaches C; a comment C writes on it reaches B.
    let new_channel_id = get(&b, "/api/v1/video-channels/new_home").await.1["id"]
        .as_i64()
        .unwrap();
    let b_on_new_home = Instance {
        channel: new_channel_id,
        ..b
    };
    let published = publish_with_torrents(&b_on_new_home, "video_short.mp4").await;
    let b = b_on_new_home;
    let uuid = published["uuid"].as_str().unwrap().to_owned();
    eventually(
        Duration::from_secs(60),
        "C has new_home's video",
        || async { (get(&c, &format!("/api/v1/videos/{uuid}")).await.0 == 200).then_some(()) },
    )
    .await;
    let (status, body) = post(
        &c,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "Found you at your new home" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(60), "C's comment on B", || async {
        let (_, threads) = get(&b, &format!("/api/v1/videos/{uuid}/comment-threads")).await;
        threads["data"]
            .as_array()
            .is_some_and(|data| {
                data.iter()
                    .any(|comment| comment["text"] == "Found you at your new home")
            })
            .then_some(())
    })
    .await;

    // A second move inside 30 days is refused.
    let (status, body) = post(
        &a,
        move_path,
        json!({ "target": target, "currentPassword": password(&a) }),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(problem_says(&body, "30 days"), "{body}");

    // A move back (A's channel lists new_home, new_home moves to it) is a loop: refused, as
    // A's channel has moved itself.
    let (status, body) = post(
        &a,
        "/api/v1/video-channels/root_channel/aliases",
        json!({ "uri": new_handle }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        &b,
        "/api/v1/video-channels/new_home/move",
        json!({ "target": format!("root_channel@{host_a}"), "currentPassword": password(&b) }),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(problem_says(&body, "has moved itself"), "{body}");
    assert!(
        ap_document(&b, "/video-channels/new_home")
            .await
            .get("movedTo")
            .is_none()
    );

    // Removing an alias.
    let (status, body) = api_request(
        &b,
        reqwest::Method::DELETE,
        &format!("/api/v1/video-channels/new_home/aliases?uri=root_channel@{host_a}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["aliases"], json!([]));
    let (status, _) = api_request(
        &b,
        reqwest::Method::DELETE,
        &format!("/api/v1/video-channels/new_home/aliases?uri=root_channel@{host_a}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    drop((a, b, c));
    postgres.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_lists_aliases_and_moves_within_one_instance() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let a = start(dir.path(), &url, 0, FEDERATION).await;
    let other = user(&a, "other").await;
    // `other` lists root as its alias; root moves to `other`.
    let (status, body) = as_user(
        &a,
        &other,
        reqwest::Method::POST,
        "/api/v1/users/me/aliases",
        Some(json!({ "uri": "root" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let root_url = format!("{}/accounts/root", a.base);
    assert_eq!(body["aliases"], json!([root_url]));
    let (status, body) = as_user(
        &a,
        &other,
        reqwest::Method::GET,
        "/api/v1/users/me/aliases",
        None,
    )
    .await;
    assert_eq!((status, body["aliases"].clone()), (200, json!([root_url])));
    let person = ap_document(&a, "/accounts/other").await;
    assert_eq!(person["alsoKnownAs"], json!([root_url]), "{person}");
    // A channel is no target for an account.
    let (status, body) = post(
        &a,
        "/api/v1/users/me/move",
        json!({ "target": "root_channel", "currentPassword": password(&a) }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = post(
        &a,
        "/api/v1/users/me/move",
        json!({ "target": "other", "currentPassword": password(&a) }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["movedTo"], format!("{}/accounts/other", a.base));
    let person = ap_document(&a, "/accounts/root").await;
    assert_eq!(
        person["movedTo"],
        format!("{}/accounts/other", a.base),
        "{person}"
    );
    // Someone else's channel cannot be moved, nor its aliases read.
    let (status, _) = as_user(
        &a,
        &other,
        reqwest::Method::POST,
        "/api/v1/video-channels/root_channel/move",
        Some(json!({ "target": "other_channel", "currentPassword": "user-password" })),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = as_user(
        &a,
        &other,
        reqwest::Method::GET,
        "/api/v1/video-channels/root_channel/aliases",
        None,
    )
    .await;
    assert_eq!(status, 403);
    // Without a token: 401.
    let response = reqwest::get(format!("{}/api/v1/users/me/aliases", a.base))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}
