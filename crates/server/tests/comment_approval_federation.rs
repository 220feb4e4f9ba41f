//! Comments held for review between two real `kinora serve` processes: B follows a channel of
//! A whose video requires approval. B's comment is held on A (and on B) until A's owner
//! approves it; then B gets `ApproveReply` and shows it to everyone. A local user's held
//! comment on A reaches B only once approved. With a third instance C also following A, B's
//! approved comment reaches C too (forwarded by A, fetched from B), and never before.

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

/// The texts of a video's threads as a viewer (`None`: anonymous) sees them, with their
/// `heldForReview`.
async fn thread_texts(instance: &Instance, uuid: &str, token: Option<&str>) -> Vec<(String, bool)> {
    let mut request = instance.http.get(format!(
        "{}/api/v1/videos/{uuid}/comment-threads",
        instance.base
    ));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    body["data"]
        .as_array()
        .map(|data| {
            data.iter()
                .map(|c| {
                    let text = c["text"].as_str().unwrap_or_default().to_owned();
                    (text, c["heldForReview"] == true)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A new user on `instance` (made by its admin) and their access token.
async fn user_token(instance: &Instance, name: &str) -> String {
    let (status, body) = post(
        instance,
        "/api/v1/users",
        json!({ "username": name, "email": format!("{name}@example.com"), "password": "secret-password" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, client) = get(instance, "/api/v1/oauth-clients/local").await;
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", name),
        ("password", "secret-password"),
    ];
    let response = instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_comments_cross_instances_once_approved() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
    let (status, body) = post(
        &b,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": format!("root_channel@localhost:{}", a.port) }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;

    // A's video requires approval; B's copy says so.
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let response = a
        .http
        .put(format!("{}/api/v1/videos/{uuid}", a.base))
        .bearer_auth(&a.token)
        .json(&json!({ "commentsPolicy": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually(Duration::from_secs(60), "policy 3 on B", || async {
        let (status, video) = get(&b, &format!("/api/v1/videos/{uuid}")).await;
        (status == 200 && video["commentsPolicy"]["id"] == 3).then_some(())
    })
    .await;

    // B's root comments: held on B (shown to its author only) and, once delivered, on A.
    let (status, body) = post(
        &b,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "Held from B" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["comment"]["heldForReview"], true);
    assert!(thread_texts(&b, &uuid, None).await.is_empty());
    let queue = "/api/v1/users/me/videos/comments?isHeldForReview=true";
    let queued = eventually(
        Duration::from_secs(30),
        "B's comment in A's queue",
        || async {
            let (_, body) = get(&a, queue).await;
            body["data"]
                .as_array()
                .and_then(|data| data.iter().find(|c| c["text"] == "Held from B").cloned())
        },
    )
    .await;
    assert_eq!(queued["heldForReview"], true);
    assert!(
        thread_texts(&a, &uuid, None).await.is_empty(),
        "nobody else on A sees it"
    );
    assert_eq!(
        thread_texts(&a, &uuid, Some(&a.token)).await,
        vec![("Held from B".to_owned(), true)],
        "A's owner sees it"
    );

    // A's owner approves: A shows it; B hears ApproveReply and shows it too.
    let id = queued["id"].as_i64().unwrap();
    let (status, body) = post(
        &a,
        &format!("/api/v1/videos/{uuid}/comments/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        thread_texts(&a, &uuid, None).await,
        vec![("Held from B".to_owned(), false)]
    );
    eventually(Duration::from_secs(30), "the approval on B", || async {
        let texts = thread_texts(&b, &uuid, None).await;
        (texts == vec![("Held from B".to_owned(), false)]).then_some(())
    })
    .await;

    // A local stranger's comment on A: held, not on B; approved, it reaches B.
    let carol = user_token(&a, "carol").await;
    let response = a
        .http
        .post(format!("{}/api/v1/videos/{uuid}/comment-threads", a.base))
        .bearer_auth(&carol)
        .json(&json!({ "text": "Held on A" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["comment"]["heldForReview"], true);
    let local = body["comment"]["id"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !thread_texts(&b, &uuid, None)
            .await
            .iter()
            .any(|(text, _)| text == "Held on A"),
        "a held comment is not federated"
    );
    let (status, body) = post(
        &a,
        &format!("/api/v1/videos/{uuid}/comments/{local}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(
        Duration::from_secs(30),
        "the approved comment on B",
        || async {
            let texts = thread_texts(&b, &uuid, None).await;
            texts
                .iter()
                .any(|(text, held)| text == "Held on A" && !held)
                .then_some(())
        },
    )
    .await;
}

/// Starts an instance whose root user follows `root_channel` of `a`.
async fn following(dir: &std::path::Path, a: &Instance) -> Instance {
    let db = format!("sqlite://{}/kinora.db", dir.display());
    let instance = start(dir, &db, 1, FEDERATION).await;
    let (status, body) = post(
        &instance,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": format!("root_channel@localhost:{}", a.port) }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    instance
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_remote_comments_reach_the_videos_other_followers() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let db_a = format!("sqlite://{}/kinora.db", dirs[0].path().display());
    let a = start(dirs[0].path(), &db_a, 1, FEDERATION).await;
    let b = following(dirs[1].path(), &a).await;
    let c = following(dirs[2].path(), &a).await;
    eventually(
        Duration::from_secs(30),
        "A has B and C as followers",
        || async { (channel_followers(&a).await == 2).then_some(()) },
    )
    .await;

    // A's video requires approval; B and C have it with that policy.
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    let response = a
        .http
        .put(format!("{}/api/v1/videos/{uuid}", a.base))
        .bearer_auth(&a.token)
        .json(&json!({ "commentsPolicy": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    for follower in [&b, &c] {
        eventually(
            Duration::from_secs(60),
            "policy 3 on the follower",
            || async {
                let (status, video) = get(follower, &format!("/api/v1/videos/{uuid}")).await;
                (status == 200 && video["commentsPolicy"]["id"] == 3).then_some(())
            },
        )
        .await;
    }

    // B's comment is held on A; C hears nothing of it.
    let (status, body) = post(
        &b,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "Held from B" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let on_b = body["comment"]["id"].as_i64().unwrap();
    let queue = "/api/v1/users/me/videos/comments?isHeldForReview=true";
    let queued = eventually(
        Duration::from_secs(30),
        "B's comment in A's queue",
        || async {
            let (_, body) = get(&a, queue).await;
            body["data"]
                .as_array()
                .and_then(|data| data.iter().find(|c| c["text"] == "Held from B").cloned())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        thread_texts(&c, &uuid, None).await.is_empty(),
        "a held comment does not reach C"
    );

    // Approved on A: B's Note carries the approval, and C shows the comment.
    let id = queued["id"].as_i64().unwrap();
    let (status, body) = post(
        &a,
        &format!("/api/v1/videos/{uuid}/comments/{id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let note_url = format!("{}/videos/watch/{uuid}/comments/{on_b}", b.base);
    let note = eventually(
        Duration::from_secs(30),
        "the approval in B's Note",
        || async {
            let response = b
                .http
                .get(&note_url)
                .header("accept", "application/activity+json")
                .send()
                .await
                .ok()?;
            let note: Value = response.json().await.ok()?;
            note["replyApproval"].is_string().then_some(note)
        },
    )
    .await;
    assert_eq!(note["type"], "Note", "{note}");
    assert_eq!(note["content"], "Held from B", "{note}");
    eventually(
        Duration::from_secs(30),
        "the approved comment on C",
        || async {
            let texts = thread_texts(&c, &uuid, None).await;
            (texts == vec![("Held from B".to_owned(), false)]).then_some(())
        },
    )
    .await;
}
