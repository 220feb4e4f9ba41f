//! An instance's mute of a whole server, between three real `kinora serve` processes: A mutes
//! B's host. B's comments already on A disappear there, B's video A took from C's `Announce`
//! leaves A's lists, B's follow of A is gone; A's inbox refuses B's activities (403, signed by
//! B, or by C forwarding what B wrote); B's content relayed by C — an `Announce` of B's video,
//! a reply to a comment of B — never enters; and A sends B nothing (A's new video reaches C,
//! not B; a delivery waiting for B's host is dropped). B is on PostgreSQL, A and C on SQLite.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::{PUBLIC, activity, key, post_signed_with};
use common::instance::{Instance, api_request, channel_followers, publish_with_torrents, start};
use kinora_db::{DatabaseConfig, Db};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

async fn post(instance: &Instance, path: &str, body: Value) -> (u16, Value) {
    api_request(instance, reqwest::Method::POST, path, Some(body)).await
}

/// `follower` subscribes to `origin`'s `root_channel`.
async fn follow(follower: &Instance, origin: &Instance) {
    let uri = format!("root_channel@localhost:{}", origin.port);
    let (status, body) = post(
        follower,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": uri }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

/// Anonymous GET (what every visitor sees, through the shared list cache).
async fn anonymous(instance: &Instance, path: &str) -> (u16, Value) {
    let response = instance
        .http
        .get(format!("{}{path}", instance.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Waits until `instance` has video `uuid` in its list of remote videos.
async fn wait_listed(instance: &Instance, uuid: &str, what: &str) {
    eventually(Duration::from_secs(60), what, || async {
        let (_, list) = anonymous(instance, "/api/v1/videos?isLocal=false&count=100").await;
        list["data"]
            .as_array()?
            .iter()
            .find(|v| v["uuid"] == uuid)
            .map(|_| ())
    })
    .await;
}

async fn listed(instance: &Instance, path: &str, uuid: &str) -> bool {
    let (_, list) = anonymous(instance, path).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["uuid"] == uuid)
}

async fn comment_texts(instance: &Instance, uuid: &str) -> Vec<String> {
    let (_, threads) = anonymous(instance, &format!("/api/v1/videos/{uuid}/comment-threads")).await;
    threads["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn open_db(url: &str) -> Db {
    Db::connect(&DatabaseConfig {
        url: url.to_owned(),
        max_connections: 2,
        ..DatabaseConfig::default()
    })
    .await
    .unwrap()
}

/// The private key of a local actor of an instance's database.
async fn private_key(db: &Db, name: &str) -> String {
    let (pem,): (String,) = sqlx::query_as(
        "SELECT private_key_pem FROM actors WHERE host IS NULL AND preferred_username = $1",
    )
    .bind(name)
    .fetch_one(db.pool())
    .await
    .unwrap();
    pem
}

/// POSTs `activity` to `to`'s shared inbox signed by `signer` (an actor URL) with `pem`.
async fn send(to: &Instance, pem: &str, signer: &str, activity: &Value) -> u16 {
    let inbox = format!("{}/inbox", to.base);
    post_signed_with(
        Some(pem),
        &inbox,
        &key(signer),
        activity.to_string().into_bytes(),
    )
    .await
    .0
}

/// A Note by `author` on video `uuid` of `origin`, replying to `reply_to`, with a made-up id
/// on `on`'s host.
fn note(on: &Instance, author: &str, reply_to: &str, text: &str, n: u32) -> Value {
    let id = format!("{}/videos/watch/made-up/comments/{n}", on.base);
    json!({
        "type": "Note", "id": id, "url": id, "attributedTo": author, "inReplyTo": reply_to,
        "content": text, "mediaType": "text/markdown", "published": "2026-12-06T10:00:00.000Z",
        "to": [PUBLIC], "cc": [],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_muted_server_is_shut_out() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let sqlite = |dir: &tempfile::TempDir| format!("sqlite://{}/kinora.db", dir.path().display());
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let a = start(dirs[0].path(), &sqlite(&dirs[0]), 1, FEDERATION).await;
    let b = start(dirs[1].path(), &postgres.config.url, 1, FEDERATION).await;
    let c = start(dirs[2].path(), &sqlite(&dirs[2]), 1, FEDERATION).await;
    let b_host = format!("localhost:{}", b.port);
    // B and C follow A; C follows B; A follows C (so A takes what C's channel announces).
    follow(&b, &a).await;
    follow(&c, &a).await;
    follow(&c, &b).await;
    follow(&a, &c).await;
    for (instance, followers) in [(&a, 2), (&b, 1), (&c, 1)] {
        eventually(Duration::from_secs(30), "follows accepted", || async {
            (channel_followers(instance).await == followers).then_some(())
        })
        .await;
    }

    let a_video = publish_with_torrents(&a, "video_short.mp4").await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_first = publish_with_torrents(&b, "video_short.mp4").await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_second = publish_with_torrents(&b, "video_short.mp4").await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_listed(&b, &a_video, "A's video on B").await;
    wait_listed(&c, &a_video, "A's video on C").await;
    wait_listed(&c, &b_first, "B's first video on C").await;
    wait_listed(&c, &b_second, "B's second video on C").await;
    assert!(
        !listed(&a, "/api/v1/videos?count=100", &b_first).await,
        "A does not follow B"
    );

    // Before the mute: B's comment reaches A, and C's Announce of B's video brings it to A.
    let (status, body) = post(
        &b,
        &format!("/api/v1/videos/{a_video}/comment-threads"),
        json!({"text": "B before"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(30), "B's comment on A", || async {
        comment_texts(&a, &a_video)
            .await
            .contains(&"B before".to_owned())
            .then_some(())
    })
    .await;
    let a_db = open_db(&sqlite(&dirs[0])).await;
    let b_db = open_db(&postgres.config.url).await;
    let c_db = open_db(&sqlite(&dirs[2])).await;
    let c_channel = format!("{}/video-channels/root_channel", c.base);
    let c_root = format!("{}/accounts/root", c.base);
    let c_channel_key = private_key(&c_db, "root_channel").await;
    let c_root_key = private_key(&c_db, "root").await;
    let announce = |uuid: &str, n: u32| {
        activity(
            "Announce",
            &format!("{c_channel}/announces/test-{n}"),
            &c_channel,
            json!(format!("{}/videos/watch/{uuid}", b.base)),
        )
    };
    assert_eq!(
        send(&a, &c_channel_key, &c_channel, &announce(&b_first, 1)).await,
        202
    );
    wait_listed(&a, &b_first, "B's video on A through C's Announce").await;

    // A mutes B's server.
    let (status, body) = post(
        &a,
        "/api/v1/server/blocklist/servers",
        json!({"host": b_host}),
    )
    .await;
    assert_eq!(status, 204, "{body}");

    // What A had of B leaves its catalogue; B's follow of A is gone.
    assert!(
        !comment_texts(&a, &a_video)
            .await
            .contains(&"B before".to_owned())
    );
    for path in [
        "/api/v1/videos?count=100",
        "/api/v1/search/videos?search=video&count=100",
    ] {
        assert!(!listed(&a, path, &b_first).await, "{path}");
    }
    assert_eq!(channel_followers(&a).await, 1, "only C follows A now");
    assert_eq!(
        anonymous(&a, &format!("/api/v1/videos/{b_first}")).await.0,
        404,
        "B's video A already had is not shown by its URL either"
    );

    // A's inbox refuses B (403, before fetching anything), and B's words forwarded by C.
    let b_root = format!("{}/accounts/root", b.base);
    let b_key = private_key(&b_db, "root").await;
    let b_note = note(
        &b,
        &b_root,
        &format!("{}/videos/watch/{a_video}", a.base),
        "B signed",
        1,
    );
    let b_create = activity(
        "Create",
        &format!("{}/activity", b_note["id"].as_str().unwrap()),
        &b_root,
        b_note,
    );
    assert_eq!(send(&a, &b_key, &b_root, &b_create).await, 403);
    assert_eq!(
        send(&a, &c_root_key, &c_root, &b_create).await,
        403,
        "forwarded by C"
    );

    // B's natural comment after the mute never shows on A; nor does C's reply to it (its
    // parent is on B), nor B's second video announced by C.
    let (status, body) = post(
        &b,
        &format!("/api/v1/videos/{a_video}/comment-threads"),
        json!({"text": "B after"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let b_comment_url = body["comment"]["url"].as_str().unwrap().to_owned();
    let c_note = note(&c, &c_root, &b_comment_url, "C answers B", 2);
    let c_create = activity(
        "Create",
        &format!("{}/activity", c_note["id"].as_str().unwrap()),
        &c_root,
        c_note,
    );
    assert_eq!(send(&a, &c_root_key, &c_root, &c_create).await, 202);
    assert_eq!(
        send(&a, &c_channel_key, &c_channel, &announce(&b_second, 2)).await,
        202
    );

    // A's next video reaches C but not B; a delivery waiting for B's host is dropped unsent.
    let a_next = publish_with_torrents(&a, "video_short.mp4").await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_listed(&c, &a_next, "A's next video on C").await;
    let (activity_id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM outbox_activities")
        .fetch_one(a_db.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO deliveries (activity_id, host, inbox_url, state, created_at, updated_at) VALUES ($1, $2, $3, 'pending', 1, 1)")
        .bind(activity_id).bind(&b_host).bind(format!("{}/inbox", b.base)).execute(a_db.pool()).await.unwrap();
    eventually(
        Duration::from_secs(60),
        "the delivery to B dropped",
        || async {
            let states: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT state, last_error FROM deliveries WHERE host = $1 AND created_at = 1",
            )
            .bind(&b_host)
            .fetch_all(a_db.pool())
            .await
            .unwrap();
            (states == [("failed".to_owned(), Some("host muted".to_owned()))]).then_some(())
        },
    )
    .await;
    let (delivered,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE host = $1 AND activity_id = $2 AND state = 'delivered'")
        .bind(&b_host).bind(activity_id).fetch_one(a_db.pool()).await.unwrap();
    assert_eq!(delivered, 0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        get(&b, &format!("/api/v1/videos/{a_next}")).await.0,
        404,
        "B never got A's next video"
    );
    assert_eq!(
        anonymous(&a, &format!("/api/v1/videos/{b_second}")).await.0,
        404,
        "C's Announce of B's video refused"
    );
    let texts = comment_texts(&a, &a_video).await;
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("B after") || t.contains("B signed")),
        "{texts:?}"
    );
    let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM video_comments WHERE text LIKE '%B after%' OR text LIKE '%C answers B%'")
        .fetch_one(a_db.pool()).await.unwrap();
    assert_eq!(stored, 0, "nothing of B came in through C's reply");

    // Unmuted, B's old comment shows again (the filter hid it; nothing was lost).
    let response = a
        .http
        .delete(format!(
            "{}/api/v1/server/blocklist/servers/{b_host}",
            a.base
        ))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(
        comment_texts(&a, &a_video)
            .await
            .contains(&"B before".to_owned())
    );
    assert_eq!(
        anonymous(&a, &format!("/api/v1/videos/{b_first}")).await.0,
        200,
        "B's video is back once unmuted"
    );
    for db in [a_db, b_db, c_db] {
        db.close().await;
    }
    drop((a, b, c));
    postgres.finish().await;
}
