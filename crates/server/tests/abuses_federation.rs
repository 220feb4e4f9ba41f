//! Abuse reports across instances: a user of B reports a video of A that B follows, A's
//! moderators see it as a pending report by `root@B`, and A's answer reaches B's copy; Flags
//! sent by a fake remote instance in PeerTube's and Mastodon's shapes (Mastodon's signed by
//! its instance actor, with no content), a Flag naming only a third host's objects, and a host
//! sending more Flags than its hourly allowance; answers to our own Flag believed only from the
//! flagged account's host. (A Mastodon-shaped Flag from a foreign implementation is
//! `pasture.rs`.)

use crate::common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::{FakeOrigin, activity, key, post_signed_with};
use common::inbox_site::{DATABASES, Site};
use common::instance::{Instance, api_request, channel_followers, publish_with_torrents, start};
use common::videos::insert_video;
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

async fn get(instance: &Instance, path: &str) -> (u16, Value) {
    api_request(instance, reqwest::Method::GET, path, None).await
}

async fn send(
    instance: &Instance,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    api_request(instance, method, path, Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_on_b_reaches_a_and_a_s_answer_comes_back() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let db_b = format!("sqlite://{}/kinora.db", dir_b.path().display());
    let a = start(dir_a.path(), &db_a, 1, FEDERATION).await;
    let b = start(dir_b.path(), &db_b, 0, FEDERATION).await;

    // B follows A's channel, so B knows A's videos.
    let handle = format!("root_channel@localhost:{}", a.port);
    let (status, body) = send(
        &b,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        json!({ "uri": handle }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;
    let video = publish_with_torrents(&a, "video_short.mp4").await;
    let uuid = video["uuid"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(60), "the video on B", || async {
        (get(&b, &format!("/api/v1/videos/{uuid}")).await.0 == 200).then_some(())
    })
    .await;

    // B's root reports it on B: a pending report there, and a Flag to A.
    let (status, body) = send(
        &b,
        reqwest::Method::POST,
        "/api/v1/abuses",
        json!({
            "reason": "Spam between seconds 2 and 4",
            "predefinedReasons": ["spamOrMisleading"],
            "video": { "id": uuid, "startAt": 2, "endAt": 4 },
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, mine) = get(&b, "/api/v1/users/me/abuses").await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["data"][0]["state"]["id"], 1);
    assert_eq!(
        mine["data"][0]["flaggedAccount"]["host"],
        format!("localhost:{}", a.port)
    );

    let reported = eventually(Duration::from_secs(30), "the report on A", || async {
        let (_, list) = get(&a, "/api/v1/abuses").await;
        list["data"]
            .as_array()
            .and_then(|data| data.first().cloned())
    })
    .await;
    assert_eq!(reported["reporterAccount"]["name"], "root", "{reported}");
    assert_eq!(
        reported["reporterAccount"]["host"],
        format!("localhost:{}", b.port)
    );
    assert_eq!(reported["flaggedAccount"]["name"], "root");
    assert_eq!(
        reported["flaggedAccount"]["host"],
        format!("localhost:{}", a.port)
    );
    assert_eq!(reported["state"]["id"], 1);
    assert_eq!(reported["reason"], "Spam between seconds 2 and 4");
    assert_eq!(reported["predefinedReasons"], json!(["spamOrMisleading"]));
    assert_eq!(reported["video"]["uuid"], uuid.as_str());
    assert_eq!(
        (
            reported["video"]["startAt"].clone(),
            reported["video"]["endAt"].clone()
        ),
        (json!(2), json!(4))
    );

    // A comment of A's, reported on B, reaches A as one comment report (the Flag names the
    // comment and its author, as Mastodon needs; the author is not reported apart).
    let (status, body) = send(
        &a,
        reqwest::Method::POST,
        &format!("/api/v1/videos/{uuid}/comment-threads"),
        json!({ "text": "Rude words from A" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let on_b = eventually(Duration::from_secs(30), "A's comment on B", || async {
        let (_, threads) = get(&b, &format!("/api/v1/videos/{uuid}/comment-threads")).await;
        threads["data"].as_array().and_then(|data| {
            data.iter()
                .find(|c| c["text"] == "Rude words from A")
                .and_then(|c| c["id"].as_i64())
        })
    })
    .await;
    let (status, body) = send(
        &b,
        reqwest::Method::POST,
        "/api/v1/abuses",
        json!({ "reason": "Rude", "comment": { "id": on_b } }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let comment_report = eventually(
        Duration::from_secs(30),
        "the comment report on A",
        || async {
            let (_, list) = get(&a, "/api/v1/abuses?filter=comment").await;
            list["data"]
                .as_array()
                .and_then(|data| data.first().cloned())
        },
    )
    .await;
    assert_eq!(
        comment_report["comment"]["text"], "Rude words from A",
        "{comment_report}"
    );
    assert_eq!(comment_report["flaggedAccount"]["name"], "root");
    let (_, all) = get(&a, "/api/v1/abuses").await;
    assert_eq!(all["total"], 2, "{all}");

    // A's moderator accepts the video report: B's copy follows.
    let id = reported["id"].as_i64().unwrap();
    let (status, body) = send(
        &a,
        reqwest::Method::PUT,
        &format!("/api/v1/abuses/{id}"),
        json!({ "state": 3 }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(
        Duration::from_secs(30),
        "the accepted state on B",
        || async {
            let (_, mine) = get(&b, "/api/v1/users/me/abuses").await;
            let video_report = mine["data"]
                .as_array()?
                .iter()
                .find(|r| !r["video"].is_null())?
                .clone();
            (video_report["state"]["id"] == 3).then_some(())
        },
    )
    .await;
    // The follow was not disturbed by the Accept of a Flag.
    assert_eq!(channel_followers(&a).await, 1);
}

/// A Flag from `actor` of the fake origin, with `id` and `object`.
fn flag(origin: &FakeOrigin, id: &str, actor: &str, object: Value) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "type": "Flag",
        "id": origin.url(id),
        "actor": origin.url(actor),
        "object": object,
    })
}

async fn post_flag(site: &Site, activity: &Value) -> (u16, reqwest::header::HeaderMap) {
    let actor = activity["actor"].as_str().unwrap();
    let (status, headers, _) = post_signed_with(
        None,
        &site.inbox(),
        &key(actor),
        activity.to_string().into_bytes(),
    )
    .await;
    (status, headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_flags_become_reports_within_limits() {
    for database in DATABASES {
        let extra = format!("{FEDERATION}inbox_flags_per_host_per_hour = 3\n");
        let site = Site::start(database, &extra).await;
        let b = FakeOrigin::start().await;
        // Mastodon reports as its instance actor (an Application).
        let mut instance_actor = b.person("instance", "b instance");
        instance_actor["type"] = json!("Application");
        b.serve_document("/accounts/instance", instance_actor);
        let video = insert_video(&site.db, site.instance.channel, "Flagged video", 1, 1, 0).await;
        let video_url = site.url(&format!("/videos/watch/{}", video.uuid));
        let (status, body) = api_request(
            &site.instance,
            reqwest::Method::POST,
            &format!("/api/v1/videos/{}/comment-threads", video.uuid),
            Some(json!({ "text": "A comment someone dislikes" })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let comment_url = format!("{video_url}/comments/{}", body["comment"]["id"]);
        let root = site.url("/accounts/root");

        // Mastodon's shape: the account and its status, no content.
        let mastodon = flag(
            &b,
            "/flags/1",
            "/accounts/instance",
            json!([root, comment_url]),
        );
        assert_eq!(post_flag(&site, &mastodon).await.0, 202, "{database:?}");
        // PeerTube's shape: one object, reasons as hashtags, a time range.
        let mut peertube = flag(&b, "/flags/2", "/accounts/pat", json!(video_url));
        peertube["content"] = json!("Spam **here**");
        peertube["mediaType"] = json!("text/markdown");
        peertube["tag"] = json!([{ "type": "Hashtag", "name": "spamOrMisleading" }, { "type": "Hashtag", "name": "unknown" }]);
        peertube["startAt"] = json!(3);
        peertube["endAt"] = json!(8);
        assert_eq!(post_flag(&site, &peertube).await.0, 202, "{database:?}");
        // Only a third host's objects (and the sender's own): nothing to report here.
        let third = flag(
            &b,
            "/flags/3",
            "/accounts/pat",
            json!([
                "https://third.example/videos/watch/x",
                b.url("/accounts/someone")
            ]),
        );
        assert_eq!(post_flag(&site, &third).await.0, 202, "{database:?}");
        // The host's fourth Flag within the hour waits.
        let (status, headers) = post_flag(
            &site,
            &flag(&b, "/flags/4", "/accounts/pat", json!(video_url)),
        )
        .await;
        assert_eq!(status, 429, "{database:?}");
        assert!(headers.contains_key("retry-after"), "{database:?}");
        site.settled().await;

        let (_, list) = api_request(
            &site.instance,
            reqwest::Method::GET,
            "/api/v1/abuses?sort=id",
            None,
        )
        .await;
        assert_eq!(
            list["total"],
            2,
            "{database:?}: {list} {:?}",
            site.job_errors().await
        );
        // The two Flags were acted on in either order.
        let data = list["data"].as_array().unwrap();
        let from_mastodon = data.iter().find(|a| !a["comment"].is_null()).unwrap();
        assert_eq!(
            from_mastodon["comment"]["text"], "A comment someone dislikes",
            "{from_mastodon}"
        );
        assert_eq!(from_mastodon["reason"], "");
        assert_eq!(from_mastodon["reporterAccount"]["name"], "instance");
        assert_eq!(from_mastodon["reporterAccount"]["host"], b.host.as_str());
        assert_eq!(from_mastodon["flaggedAccount"]["name"], "root");
        assert_eq!(from_mastodon["state"]["id"], 1);
        let from_peertube = data.iter().find(|a| !a["video"].is_null()).unwrap();
        assert_eq!(
            from_peertube["video"]["uuid"],
            video.uuid.as_str(),
            "{from_peertube}"
        );
        assert_eq!(from_peertube["reason"], "Spam **here**");
        assert_eq!(
            from_peertube["predefinedReasons"],
            json!(["spamOrMisleading"])
        );
        assert_eq!(
            (
                from_peertube["video"]["startAt"].clone(),
                from_peertube["video"]["endAt"].clone()
            ),
            (json!(3), json!(8))
        );
        assert_eq!(from_peertube["reporterAccount"]["name"], "pat");

        // Rejecting the Mastodon report tells its instance: a Reject of its Flag.
        let id = from_mastodon["id"].as_i64().unwrap();
        let (status, body) = api_request(
            &site.instance,
            reqwest::Method::PUT,
            &format!("/api/v1/abuses/{id}"),
            Some(json!({ "state": 2 })),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        let reject = eventually(Duration::from_secs(30), "the Reject at b", || async {
            b.received().into_iter().find(|a| a["type"] == "Reject")
        })
        .await;
        assert_eq!(reject["object"], b.url("/flags/1"), "{reject}");
        assert_eq!(reject["actor"], site.url("/accounts/peertube"));
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// The state of report `id` on `site`, as its moderators see it.
async fn report_state(site: &Site, id: i64) -> Value {
    let (status, list) = api_request(
        &site.instance,
        reqwest::Method::GET,
        &format!("/api/v1/abuses?id={id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"][0]["state"]["id"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_flagged_host_answers_our_flags() {
    for database in DATABASES {
        let site = Site::start(database, FEDERATION).await;
        let b = FakeOrigin::start().await;
        let forger = FakeOrigin::start().await;
        // pat of b becomes known here by reporting one of our videos.
        let video = insert_video(&site.db, site.instance.channel, "A video", 1, 1, 0).await;
        let video_url = site.url(&format!("/videos/watch/{}", video.uuid));
        let incoming = flag(&b, "/flags/1", "/accounts/pat", json!(video_url));
        assert_eq!(post_flag(&site, &incoming).await.0, 202, "{database:?}");
        site.settled().await;
        let (_, list) =
            api_request(&site.instance, reqwest::Method::GET, "/api/v1/abuses", None).await;
        let errors = site.job_errors().await;
        let pat = list["data"][0]["reporterAccount"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{database:?}: {list} {errors:?}"));

        // Our root reports pat: a Flag goes to b.
        let (status, body) = api_request(
            &site.instance,
            reqwest::Method::POST,
            "/api/v1/abuses",
            Some(json!({ "reason": "Impersonates someone", "account": { "id": pat } })),
        )
        .await;
        assert_eq!(status, 200, "{database:?}: {body}");
        let ours = body["abuse"]["id"].as_i64().unwrap();
        let sent = eventually(Duration::from_secs(30), "our Flag at b", || async {
            b.received().into_iter().find(|a| a["type"] == "Flag")
        })
        .await;
        let flag_id = sent["id"].as_str().unwrap().to_owned();
        assert_eq!(report_state(&site, ours).await, 1, "{database:?}");

        // Another host answers it, both ways and in both shapes: nothing changes.
        let accept = activity(
            "Accept",
            &forger.url("/answers/1"),
            &forger.url("/accounts/mod"),
            json!(flag_id),
        );
        let reject = activity(
            "Reject",
            &forger.url("/answers/2"),
            &forger.url("/accounts/mod"),
            json!({ "type": "Flag", "id": flag_id }),
        );
        for answer in [&accept, &reject] {
            assert_eq!(
                post_flag(&site, answer).await.0,
                202,
                "{database:?}: {answer}"
            );
        }
        // Nor may it answer in the name of b's moderator.
        let mut posing = activity(
            "Accept",
            &b.url("/answers/3"),
            &b.url("/accounts/mod"),
            json!(flag_id),
        );
        posing["id"] = json!(b.url("/answers/3"));
        let (status, _, _) = post_signed_with(
            None,
            &site.inbox(),
            &key(&forger.url("/accounts/mod")),
            posing.to_string().into_bytes(),
        )
        .await;
        assert!((400..500).contains(&status), "{database:?}: {status}");
        site.settled().await;
        assert_eq!(
            report_state(&site, ours).await,
            1,
            "{database:?}: {:?}",
            site.job_errors().await
        );

        // b's own answer is believed.
        let accept = activity(
            "Accept",
            &b.url("/answers/4"),
            &b.url("/accounts/mod"),
            json!(flag_id),
        );
        assert_eq!(post_flag(&site, &accept).await.0, 202, "{database:?}");
        site.settled().await;
        assert_eq!(
            report_state(&site, ours).await,
            3,
            "{database:?}: {:?}",
            site.job_errors().await
        );
        site.assert_no_faults().await;
        site.finish().await;
    }
}
