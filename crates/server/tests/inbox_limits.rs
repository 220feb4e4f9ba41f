//! What one remote host may cost a real instance's inbox (issue 14): keys that do not verify
//! are fetched again at most once per actor and interval and a few times per host (SIG-09); an
//! actor document that claims another id must be confirmed there (ID-02); a host posting past
//! its rate gets 429 with Retry-After while others get through, and a stream of likes costs
//! followers one Update per interval (FD-05); refusals of unauthenticated requests do not tell
//! what a host name resolves to. Fake remote instances on 127.0.0.1 serve the actors and sign;
//! each case runs on SQLite and on PostgreSQL.

use crate::common;

use std::time::{Duration, Instant};

use common::fake_origin::{FakeOrigin, activity, key, other_key, post_signed_as, post_signed_with};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::videos::insert_video;
use serde_json::{Value, json};

/// POSTs `body` signed with `private_pem` (the test key when none) under `key_id`; answers the
/// status, the Retry-After header and the body.
async fn post_with(
    private_pem: Option<&str>,
    inbox: &str,
    key_id: &str,
    body: &Value,
) -> (u16, Option<String>, String) {
    let (status, headers, text) =
        post_signed_with(private_pem, inbox, key_id, body.to_string().into_bytes()).await;
    let retry_after = headers
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, retry_after, text)
}

/// A Like by `actor` of a video this instance does not have (taken in, then dropped).
fn like(origin: &FakeOrigin, site: &Site, actor: &str, n: usize) -> Value {
    activity(
        "Like",
        &origin.url(&format!("/likes/{n}")),
        actor,
        json!(site.url("/videos/watch/00000000-0000-4000-8000-000000000000")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sig_09_a_key_that_does_not_verify_is_refetched_once_per_interval() {
    const INTERVAL: Duration = Duration::from_secs(3);
    for database in DATABASES {
        let config = format!(
            "{PRIVATE_ALLOWED}key_refetch_interval_secs = {}\nkey_refetches_per_host = 3\n\
             inbox_rate_per_host = 1000\ninbox_burst_per_host = 1000\n",
            INTERVAL.as_secs()
        );
        let site = Site::start(database, &config).await;
        let b = FakeOrigin::start().await;
        let wrong = other_key("privateKey");

        // 20 requests with a valid Digest, signed with a key that is not xavier's: one fetch.
        let xavier = b.url("/accounts/xavier");
        let started = Instant::now();
        for n in 0..20 {
            let body = like(&b, &site, &xavier, n);
            let (status, _, answer) =
                post_with(Some(&wrong), &site.inbox(), &key(&xavier), &body).await;
            assert_eq!(status, 401, "{database:?} {n}: {answer}");
        }
        assert!(started.elapsed() < INTERVAL, "the requests took too long");
        assert_eq!(b.fetch_count("/accounts/xavier"), 1, "{database:?}");

        // Ten known actors of one host, each then sending a request with a wrong key once the
        // interval is over: the host gets three refetches in all.
        for n in 0..10 {
            let actor = b.url(&format!("/accounts/n{n}"));
            let (status, _, answer) = post_with(
                None,
                &site.inbox(),
                &key(&actor),
                &like(&b, &site, &actor, 100 + n),
            )
            .await;
            assert_eq!(status, 202, "{database:?}: {answer}");
        }
        assert_eq!(b.fetch_count("/accounts/n"), 10);
        tokio::time::sleep(INTERVAL + Duration::from_millis(300)).await;
        for n in 0..10 {
            let actor = b.url(&format!("/accounts/n{n}"));
            for m in 0..2 {
                let body = like(&b, &site, &actor, 200 + 10 * n + m);
                let (status, _, _) =
                    post_with(Some(&wrong), &site.inbox(), &key(&actor), &body).await;
                assert_eq!(status, 401, "{database:?}");
            }
        }
        assert_eq!(b.fetch_count("/accounts/n"), 10 + 3, "{database:?}");

        // A real key rotation is still taken, once the interval is over: xavier now has the
        // other key.
        let mut rotated = b.person("xavier", "Xavier");
        rotated["publicKey"]["publicKeyPem"] = json!(other_key("publicKey"));
        b.serve_document("/accounts/xavier", rotated);
        tokio::time::sleep(INTERVAL + Duration::from_millis(300)).await;
        let (status, _, answer) = post_with(
            Some(&wrong),
            &site.inbox(),
            &key(&xavier),
            &like(&b, &site, &xavier, 999),
        )
        .await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        assert_eq!(b.fetch_count("/accounts/xavier"), 2, "{database:?}");
        site.settled().await;
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// The public key stored for the remote actor at `url`, if any.
async fn stored_key(site: &Site, url: &str) -> Option<String> {
    site.text(&format!(
        "SELECT public_key_pem FROM actors WHERE url = '{url}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_02_an_actor_claiming_another_id_is_believed_only_when_that_id_agrees() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let mallory = b.url("/accounts/mallory");
        let yvonne = b.url("/accounts/yvonne");
        let wrong = other_key("privateKey");

        // /accounts/mallory says it is yvonne, with mallory's own key; yvonne's document (the
        // made-up one) has the test key.
        let mut claim = b.person("yvonne", "Yvonne");
        claim["publicKey"]["publicKeyPem"] = json!(other_key("publicKey"));
        b.serve_document("/accounts/mallory", claim);
        let body = like(&b, &site, &mallory, 1);
        let (status, _, answer) =
            post_with(Some(&wrong), &site.inbox(), &key(&mallory), &body).await;
        assert_eq!(status, 401, "{database:?}: {answer}");
        assert_eq!(
            b.fetch_count("/accounts/yvonne"),
            1,
            "the claimed id was asked"
        );
        assert_ne!(
            stored_key(&site, &yvonne).await,
            Some(other_key("publicKey")),
            "{database:?}: yvonne stored with mallory's key"
        );
        // So mallory's key cannot speak for yvonne.
        let as_yvonne = like(&b, &site, &yvonne, 2);
        let (status, _, answer) =
            post_with(Some(&wrong), &site.inbox(), &key(&yvonne), &as_yvonne).await;
        assert_eq!(status, 401, "{database:?}: {answer}");
        assert_eq!(site.stored_activities().await, 0);

        // Served under another URL of its origin, with the same id and key as at its id: kept
        // under its id.
        b.serve_document("/people/zoe", b.person("zoe", "Zoe"));
        let alias = b.url("/people/zoe");
        let (status, _, answer) = post_with(
            None,
            &site.inbox(),
            &key(&alias),
            &like(&b, &site, &alias, 3),
        )
        .await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        assert!(
            stored_key(&site, &b.url("/accounts/zoe")).await.is_some(),
            "{database:?}"
        );
        site.settled().await;
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fd_05_a_host_over_its_inbox_rate_gets_429_while_others_get_through() {
    for database in DATABASES {
        let config =
            format!("{PRIVATE_ALLOWED}inbox_rate_per_host = 1\ninbox_burst_per_host = 5\n");
        let site = Site::start(database, &config).await;
        let b = FakeOrigin::start().await;
        let c = FakeOrigin::start().await;
        let xavier = b.url("/accounts/xavier");
        let mut answers = Vec::new();
        for n in 0..12 {
            answers.push(
                post_with(
                    None,
                    &site.inbox(),
                    &key(&xavier),
                    &like(&b, &site, &xavier, n),
                )
                .await,
            );
        }
        let accepted = answers
            .iter()
            .filter(|(status, _, _)| *status == 202)
            .count();
        assert!(
            (5..=7).contains(&accepted),
            "{database:?}: {accepted} accepted"
        );
        let (status, retry_after, body) = answers.last().unwrap();
        assert_eq!(*status, 429, "{database:?}: {body}");
        let wait: u64 = retry_after
            .as_deref()
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!((1..=2).contains(&wait), "Retry-After: {wait}");
        assert!(body.contains("too_many_activities"), "{body}");
        // Another host is not held up by B.
        let yann = c.url("/accounts/yann");
        let (status, _, answer) =
            post_with(None, &site.inbox(), &key(&yann), &like(&c, &site, &yann, 1)).await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        // And B is taken again after waiting.
        tokio::time::sleep(Duration::from_secs(wait)).await;
        let (status, _, answer) = post_with(
            None,
            &site.inbox(),
            &key(&xavier),
            &like(&b, &site, &xavier, 99),
        )
        .await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        site.settled().await;
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fd_05_a_hundred_likes_cost_followers_one_update_per_interval() {
    const INTERVAL_SECS: u64 = 3;
    for database in DATABASES {
        let config = format!(
            "{PRIVATE_ALLOWED}rating_update_interval_secs = {INTERVAL_SECS}\n\
             inbox_rate_per_host = 1000\ninbox_burst_per_host = 1000\n"
        );
        let site = Site::start(database, &config).await;
        let likers = FakeOrigin::start().await;
        let follower = FakeOrigin::start().await;
        // The follower host follows root, and has root's video already.
        let fan = follower.url("/accounts/fan");
        let follow = activity(
            "Follow",
            &follower.url("/follows/1"),
            &fan,
            json!(site.url("/accounts/root")),
        );
        let (status, answer) = post_signed_as(&site.inbox(), &key(&fan), &follow).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        let video = insert_video(&site.db, site.instance.channel, "Liked a lot", 1, 1, 0).await;
        sqlx::query("UPDATE videos SET federated = 1 WHERE id = $1")
            .bind(video.id)
            .execute(site.db.pool())
            .await
            .unwrap();
        let video_url = site.url(&format!("/videos/watch/{}", video.uuid));

        let started = Instant::now();
        for n in 0..100 {
            let actor = likers.url(&format!("/accounts/liker{n}"));
            let like = activity(
                "Like",
                &likers.url(&format!("/likes/{n}")),
                &actor,
                json!(video_url),
            );
            let (status, answer) = post_signed_as(&site.inbox(), &key(&actor), &like).await;
            assert_eq!(status, 202, "{database:?}: {answer}");
        }
        site.settled().await;
        let liked_in = started.elapsed();
        assert_eq!(
            site.count(&format!("SELECT likes FROM videos WHERE id = {}", video.id))
                .await,
            100
        );
        // Every gathered Update is delivered, the last one after the last like.
        let last_like = site
            .count(&format!(
                "SELECT MAX(created_at) FROM video_ratings WHERE video_id = {}",
                video.id
            ))
            .await;
        let updates = format!(
            "SELECT COUNT(*) FROM outbox_activities WHERE kind = 'Update' AND object_url = '{video_url}'"
        );
        common::eventually(Duration::from_secs(30), "the last Update", || async {
            let last_update = site
                .count(&format!(
                    "SELECT COALESCE(MAX(created_at), 0) FROM outbox_activities \
                     WHERE kind = 'Update' AND object_url = '{video_url}'"
                ))
                .await;
            let pending = site
                .count("SELECT COUNT(*) FROM deliveries WHERE state <> 'delivered'")
                .await;
            (last_update > last_like && pending == 0).then_some(())
        })
        .await;
        let sent = site.count(&updates).await as u64;
        let received: Vec<Value> = follower
            .received()
            .into_iter()
            .filter(|a| a["type"] == "Update" && a["object"]["id"] == json!(video_url))
            .collect();
        assert_eq!(received.len() as u64, sent, "{database:?}");
        eprintln!(
            "{database:?}: {sent} Updates reached the follower host for 100 likes taken in {liked_in:?}"
        );
        // One per interval the likes were spread over (windows touched), not one per like.
        // (Each like queues its gathering just after it is taken, so one more window may begin.)
        let windows = liked_in.as_secs() / INTERVAL_SECS + 3;
        assert!(
            (1..=windows).contains(&sent),
            "{database:?}: {sent} Updates for 100 likes in {liked_in:?}"
        );
        // The counts arrive: the Update links the likes collection, which says 100.
        let likes_url = received.last().unwrap()["object"]["likes"]
            .as_str()
            .unwrap()
            .to_owned();
        let collection: Value = reqwest::Client::new()
            .get(&likes_url)
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(collection["totalItems"], 100, "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthenticated_request_does_not_learn_what_a_host_resolves_to() {
    for database in DATABASES {
        // The production default: private addresses are refused.
        let site = Site::start(database, "").await;
        for key_id in [
            "https://localhost/actor#main-key".to_owned(),
            format!("https://localhost:{}/actor#main-key", site.instance.port),
        ] {
            let actor = key_id.split('#').next().unwrap();
            let follow = activity(
                "Follow",
                &format!("{actor}/follows/1"),
                actor,
                json!(site.url("/accounts/root")),
            );
            let (status, answer) = post_signed_as(&site.inbox(), &key_id, &follow).await;
            assert_eq!(status, 401, "{database:?} {key_id}: {answer}");
            for telling in [
                "127.0.0.1",
                "::1",
                "loopback",
                "resolves",
                "refused",
                "address",
            ] {
                assert!(!answer.contains(telling), "{database:?} {key_id}: {answer}");
            }
            assert!(answer.contains("could not be fetched"), "{answer}");
        }
        site.assert_no_faults().await;
        site.finish().await;
    }
}
