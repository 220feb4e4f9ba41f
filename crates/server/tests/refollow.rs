//! A follow or a rating taken back and given again, between two real `kinora serve` processes:
//! each new Follow, Like and Dislike gets an activity id of its own (a receiver skips ids it
//! has seen, and the outbox skipped ids it had stored), and each Undo names the one sent.
//! B subscribes to A's channel, unsubscribes and subscribes again: A counts B among the
//! channel's followers again and B gets A's new videos. B's user likes A's video, takes the
//! like back and likes it again (then the same with a dislike): A's counts follow each step.
//! Once with A on SQLite and B on PostgreSQL, once the other way round. And in an inbox: an
//! Undo that arrives late, after the Follow or rating that replaced what it undoes, leaves
//! the newer one alone (SQLite and PostgreSQL). And an administrator's follow of an instance
//! and of a channel while that instance is down: answered 204 at once, as PeerTube does, and
//! sent once the instance is back.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::{FakeOrigin, activity, key, post_signed_as};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::instance::{Instance, api_request, channel_followers, publish_with_torrents, start};
use common::videos::insert_video;
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

/// B's root user subscribes to A's `root_channel`.
async fn subscribe(a: &Instance, b: &Instance) {
    let (status, body) = api_request(
        b,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("root_channel@localhost:{}", a.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

/// Waits until A's channel has `count` accepted followers.
async fn wait_followers(a: &Instance, count: i64, what: &str) {
    eventually(Duration::from_secs(30), what, || async {
        (channel_followers(a).await == count).then_some(())
    })
    .await;
}

/// Publishes a video on A and waits until B has it; its uuid.
async fn publish_to_b(a: &Instance, b: &Instance, what: &str) -> String {
    let video = publish_with_torrents(a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(60), what, || async {
        (get(b, &format!("/api/v1/videos/{uuid}")).await.0 == 200).then_some(())
    })
    .await;
    uuid
}

async fn refollow(a: Instance, b: Instance) {
    subscribe(&a, &b).await;
    wait_followers(&a, 1, "A has B's follower").await;

    let (status, body) = api_request(
        &b,
        reqwest::Method::DELETE,
        &format!(
            "/api/v1/users/me/subscriptions/root_channel@localhost:{}",
            a.port
        ),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    wait_followers(&a, 0, "unsubscribed: A no longer has B's follower").await;

    subscribe(&a, &b).await;
    wait_followers(&a, 1, "subscribed again: A has B's follower again").await;
    let (_, channel) = get(&a, "/api/v1/video-channels/root_channel").await;
    assert_eq!(channel["followersCount"], 1, "{channel}");
    // B's follow is accepted again, and A's new videos reach B.
    publish_to_b(&a, &b, "a new video on B after subscribing again").await;
}

/// Rates A's video `uuid` as B's user and waits until A counts `likes` and `dislikes`.
async fn rate(
    a: &Instance,
    b: &Instance,
    uuid: &str,
    step: usize,
    rating: &str,
    likes: i64,
    dislikes: i64,
) {
    let (status, body) = api_request(
        b,
        reqwest::Method::PUT,
        &format!("/api/v1/videos/{uuid}/rate"),
        Some(json!({ "rating": rating })),
    )
    .await;
    assert_eq!(status, 204, "{rating}: {body}");
    let what = format!("step {step}, {rating}: A counts {likes} likes and {dislikes} dislikes");
    eventually(Duration::from_secs(30), &what, || async {
        let (_, video) = get(a, &format!("/api/v1/videos/{uuid}")).await;
        (video["likes"] == likes && video["dislikes"] == dislikes).then_some(())
    })
    .await;
}

async fn rerate(a: Instance, b: Instance) {
    subscribe(&a, &b).await;
    wait_followers(&a, 1, "A has B's follower").await;
    let uuid = publish_to_b(&a, &b, "the new video on B").await;
    for (step, (rating, likes, dislikes)) in [
        ("like", 1, 0),
        ("none", 0, 0),
        ("like", 1, 0),
        ("dislike", 0, 1),
        ("none", 0, 0),
        ("dislike", 0, 1),
        ("like", 1, 0),
    ]
    .into_iter()
    .enumerate()
    {
        rate(&a, &b, &uuid, step, rating, likes, dislikes).await;
    }
}

/// Starts A on SQLite and B on PostgreSQL, or the other way round, and runs `scenario`.
async fn with_instances<F, Fut>(a_on_sqlite: bool, scenario: F)
where
    F: FnOnce(Instance, Instance) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let sqlite = |dir: &tempfile::TempDir| format!("sqlite://{}/kinora.db", dir.path().display());
    let (db_a, db_b) = if a_on_sqlite {
        (sqlite(&dir_a), postgres.config.url.clone())
    } else {
        (postgres.config.url.clone(), sqlite(&dir_b))
    };
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 1, FEDERATION).await;
    scenario(a, b).await;
    postgres.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_again_after_undo_from_sqlite_to_postgres() {
    with_instances(true, refollow).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_again_after_undo_from_postgres_to_sqlite() {
    with_instances(false, refollow).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_again_after_undo_from_sqlite_to_postgres() {
    with_instances(true, rerate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_again_after_undo_from_postgres_to_sqlite() {
    with_instances(false, rerate).await;
}

/// Posts `activity` signed by `actor` to the site's inbox and waits until it is processed.
async fn deliver(site: &Site, actor: &str, activity: &Value) {
    let (status, answer) = post_signed_as(&site.inbox(), &key(actor), activity).await;
    assert_eq!(status, 202, "{answer}");
    site.settled().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_undo_leaves_the_newer_follow_and_rating() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let origin = FakeOrigin::start().await;
        let fan = origin.url("/accounts/fan");
        let root = site.url("/accounts/root");
        let undo = |undone: &Value, n: u32| {
            let id = format!("{}/undo/{n}", undone["id"].as_str().unwrap());
            activity("Undo", &id, &fan, undone.clone())
        };
        let follows = || async {
            site.count("SELECT COUNT(*) FROM actor_follows WHERE state = 'accepted'")
                .await
        };

        let first = activity("Follow", &origin.url("/follows/1"), &fan, json!(root));
        deliver(&site, &fan, &first).await;
        deliver(&site, &fan, &undo(&first, 1)).await;
        assert_eq!(follows().await, 0, "{database:?}");
        let second = activity("Follow", &origin.url("/follows/2"), &fan, json!(root));
        deliver(&site, &fan, &second).await;
        assert_eq!(follows().await, 1, "{database:?}: followed again");
        // The first Follow's Undo again, late (retried by its sender, under another id).
        deliver(&site, &fan, &undo(&first, 2)).await;
        assert_eq!(
            follows().await,
            1,
            "{database:?}: a late Undo of the first Follow"
        );
        deliver(&site, &fan, &undo(&second, 1)).await;
        assert_eq!(follows().await, 0, "{database:?}: the second Follow undone");

        let video = insert_video(&site.db, site.instance.channel, "Rated", 1, 1, 0).await;
        let video_url = site.url(&format!("/videos/watch/{}", video.uuid));
        let counts = || async {
            let sql = format!(
                "SELECT likes * 10 + dislikes FROM videos WHERE id = {}",
                video.id
            );
            site.count(&sql).await
        };
        let dislike = activity(
            "Dislike",
            &origin.url("/dislikes/1"),
            &fan,
            json!(video_url),
        );
        deliver(&site, &fan, &dislike).await;
        assert_eq!(counts().await, 1, "{database:?}: disliked");
        // The user likes it instead: its Like overtakes the Undo of the Dislike.
        let like = activity("Like", &origin.url("/likes/2"), &fan, json!(video_url));
        deliver(&site, &fan, &like).await;
        assert_eq!(counts().await, 10, "{database:?}: liked");
        deliver(&site, &fan, &undo(&dislike, 1)).await;
        assert_eq!(
            counts().await,
            10,
            "{database:?}: a late Undo of the Dislike"
        );
        deliver(&site, &fan, &undo(&like, 1)).await;
        assert_eq!(counts().await, 0, "{database:?}: the Like undone");
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// B's administrator follows A's instance and A's channel while A is down: B answers 204 and
/// follows nothing yet; once A is back, B looks A up again (the job's backoff) and both
/// follows are sent and accepted. Asking again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_asked_while_the_instance_is_down_is_sent_once_it_is_back() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &postgres.config.url, 1, FEDERATION).await;
    let host_a = format!("localhost:{}", a.port);
    let a = a.stop();

    let follow = json!({ "hosts": [host_a], "handles": [format!("root_channel@{host_a}")] });
    let path = "/api/v1/server/following";
    let (status, body) = api_request(&b, reqwest::Method::POST, path, Some(follow.clone())).await;
    assert_eq!(status, 204, "{body}");
    let (_, list) = get(&b, path).await;
    assert_eq!(
        list["total"], 0,
        "nothing is followed while A is down: {list}"
    );
    // Both lookups were tried and failed while A was down: they wait for their next attempt.
    eventually(
        Duration::from_secs(30),
        "both lookups failed once",
        || async {
            let (failed,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%instance-follow-queued%' \
             AND state = 'queued' AND attempts >= 1 AND last_error IS NOT NULL",
            )
            .fetch_one(postgres.db.pool())
            .await
            .unwrap();
            (failed == 2).then_some(())
        },
    )
    .await;

    let a = a.start(dir_a.path());
    let accepted = |list: &Value| {
        list["data"].as_array().map_or(0, |data| {
            data.iter().filter(|f| f["state"] == "accepted").count()
        })
    };
    eventually(
        Duration::from_secs(120),
        "B follows A's instance and channel",
        || async {
            let (_, list) = get(&b, path).await;
            (accepted(&list) == 2).then_some(())
        },
    )
    .await;
    let (_, list) = get(&b, path).await;
    let mut names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["following"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["peertube", "root_channel"], "{list}");
    assert_eq!(
        channel_followers(&a).await,
        1,
        "A counts B's instance among the channel's followers"
    );

    let (status, body) = api_request(&b, reqwest::Method::POST, path, Some(follow)).await;
    assert_eq!(status, 204, "{body}");
    let (_, list) = get(&b, path).await;
    assert_eq!(
        (list["total"].as_i64(), accepted(&list)),
        (Some(2), 2),
        "{list}"
    );
    drop((a, b));
    postgres.finish().await;
}
