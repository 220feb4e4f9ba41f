//! Relays (issue 16) without a relay binary: the administrators' REST routes and their bad
//! input, and what a relay's activities do at a real instance's inbox. A fake remote instance
//! (`FakeOrigin`) stands for the relay's inbox and actor only to answer our Follow and to sign
//! announces; other fake instances are the origins of the announced videos. Each case runs on
//! SQLite and on PostgreSQL. The real relay (AodeRelay) is in `relays_aode.rs`.

mod common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::{FakeOrigin, PUBLIC, activity, key, post_signed_as};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::instance::api_request;
use common::relay::{
    OPEN_INBOX, accepted_relay, announce, answer, relay_actor, relay_state, subscribe,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn remote_videos(site: &Site) -> i64 {
    site.count("SELECT COUNT(*) FROM videos WHERE url IS NOT NULL")
        .await
}

/// A user who is not an administrator, and their token.
async fn regular_user_token(site: &Site) -> String {
    let (status, answer) = api_request(
        &site.instance,
        Method::POST,
        "/api/v1/users",
        Some(json!({"username": "alice", "password": "a long password", "email": "a@example.com", "role": 2, "videoQuota": -1, "videoQuotaDaily": -1})),
    )
    .await;
    assert!(status == 200 || status == 201, "{answer}");
    let http = reqwest::Client::new();
    let client: Value = http
        .get(site.url("/api/v1/oauth-clients/local"))
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
        ("username", "alice"),
        ("password", "a long password"),
    ];
    let token: Value = http
        .post(site.url("/api/v1/users/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_routes_refuse_bad_input() {
    for database in DATABASES {
        // Without allow_private_addresses: nothing private may become a relay.
        let site = Site::start(database, "").await;
        let post = |body: Value| {
            api_request(
                &site.instance,
                Method::POST,
                "/api/v1/server/relays",
                Some(body),
            )
        };
        for body in [
            json!({}),
            json!({"url": "not a url"}),
            json!({"url": "ftp://relay.example/inbox"}),
            json!({"url": "https://127.0.0.1/inbox"}),
            json!({"url": "https://10.1.2.3/inbox"}),
            json!({"url": "https://[::1]/inbox"}),
            json!({"url": "https://localhost/inbox"}),
            json!({"url": "http://relay.example/inbox"}),
        ] {
            let (status, answer) = post(body.clone()).await;
            assert_eq!(status, 400, "{database:?} {body}: {answer}");
            assert!(answer["detail"].as_str().is_some(), "{answer}");
        }
        assert_eq!(site.count("SELECT COUNT(*) FROM relays").await, 0);

        let token = regular_user_token(&site).await;
        let http = reqwest::Client::new();
        for request in [
            http.get(site.url("/api/v1/server/relays")),
            http.post(site.url("/api/v1/server/relays"))
                .json(&json!({"url": "https://relay.example/inbox"})),
            http.delete(site.url("/api/v1/server/relays/1")),
        ] {
            let response = request.bearer_auth(&token).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 403, "{database:?}");
        }
        let anonymous = http
            .get(site.url("/api/v1/server/relays"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);
        for path in ["/api/v1/server/relays/999", "/api/v1/server/relays/abc"] {
            let (status, answer) = api_request(&site.instance, Method::DELETE, path, None).await;
            assert_eq!(status, 404, "{database:?} {path}: {answer}");
        }
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_never_answers_stays_pending_and_can_be_removed() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let relay = FakeOrigin::start().await;
        let (id, follow_id) = subscribe(&site, &relay).await;
        // A second subscription to the same relay is a conflict.
        let (status, answer) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/server/relays",
            Some(json!({"url": relay.url("/inbox")})),
        )
        .await;
        assert_eq!(status, 409, "{database:?}: {answer}");
        let (status, list) =
            api_request(&site.instance, Method::GET, "/api/v1/server/relays", None).await;
        assert_eq!(status, 200);
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["data"][0]["id"], id);
        assert_eq!(list["data"][0]["url"], relay.url("/inbox"));
        assert_eq!(list["data"][0]["state"], "pending");
        assert!(list["data"][0]["createdAt"].as_str().is_some());
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(relay_state(&site, id).await, "pending");
        // A pending relay's announces are refused.
        let origin = FakeOrigin::start().await;
        answer_is_refused_before_accept(&site, &relay, &origin).await;

        let (status, _) = api_request(
            &site.instance,
            Method::DELETE,
            &format!("/api/v1/server/relays/{id}"),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let undo = eventually(
            Duration::from_secs(30),
            "the relay gets our Undo",
            || async { relay.received().into_iter().find(|a| a["type"] == "Undo") },
        )
        .await;
        assert_eq!(undo["object"]["id"], follow_id.as_str(), "{undo}");
        assert_eq!(undo["object"]["object"], PUBLIC, "{undo}");
        assert_eq!(site.count("SELECT COUNT(*) FROM relays").await, 0);
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// Before it accepted, the relay's actor is unknown: its announce is nobody's and nothing is
/// taken in.
async fn answer_is_refused_before_accept(site: &Site, relay: &FakeOrigin, origin: &FakeOrigin) {
    let video = origin.url("/numbered-videos/1");
    let status = announce(site, relay, 1, &video).await;
    assert!(status == 202 || status == 403, "{status}");
    site.settled().await;
    assert_eq!(remote_videos(site).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_relay_brings_videos_fetched_from_their_origin() {
    for database in DATABASES {
        let site = Site::start(database, OPEN_INBOX).await;
        let (relay, relay_id) = accepted_relay(&site).await;
        let origin = FakeOrigin::start().await;

        // Announced once: fetched from the origin and added, with the relay recorded.
        let video = origin.url("/numbered-videos/1");
        assert_eq!(announce(&site, &relay, 1, &video).await, 202);
        site.settled().await;
        assert_eq!(
            remote_videos(&site).await,
            1,
            "{:?}",
            site.job_errors().await
        );
        assert_eq!(
            site.count(&format!(
                "SELECT COUNT(*) FROM relay_arrivals a JOIN videos v ON v.id = a.video_id \
                 WHERE a.relay_id = {relay_id} AND v.url = '{video}'"
            ))
            .await,
            1
        );

        // The same object announced 1,000 times more: still one entry, one fetch.
        for n in 2..=1001 {
            assert_eq!(announce(&site, &relay, n, &video).await, 202);
        }
        site.settled().await;
        assert_eq!(remote_videos(&site).await, 1);
        assert_eq!(origin.fetch_count("/numbered-videos/1"), 1);

        // The origin answers 404, redirects elsewhere, or the video is not public: nothing.
        let elsewhere = FakeOrigin::start().await;
        origin.serve_redirect("/numbered-videos/3", &elsewhere.url("/numbered-videos/3"));
        let mut unlisted = origin.numbered_video(4);
        unlisted["to"] = json!([]);
        unlisted["cc"] = json!([]);
        origin.serve_document("/numbered-videos/4", unlisted);
        let gone = origin.url("/missing/2");
        for (n, object) in [
            (2000, gone),
            (2001, origin.url("/numbered-videos/3")),
            (2002, origin.url("/numbered-videos/4")),
        ] {
            assert_eq!(announce(&site, &relay, n, &object).await, 202);
        }
        site.settled().await;
        assert_eq!(remote_videos(&site).await, 1, "{database:?}");
        assert_eq!(
            site.count("SELECT COUNT(*) FROM relay_objects WHERE state = 'refused'")
                .await,
            3
        );

        // A video of a muted server: nothing fetched, nothing added.
        let muted = FakeOrigin::start().await;
        let (status, answer) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/server/blocklist/servers",
            Some(json!({"host": muted.host})),
        )
        .await;
        assert_eq!(status, 204, "{answer}");
        assert_eq!(
            announce(&site, &relay, 3000, &muted.url("/numbered-videos/9")).await,
            202
        );
        site.settled().await;
        assert_eq!(muted.fetch_count("/"), 0);
        assert_eq!(remote_videos(&site).await, 1);

        // The origin deletes the video; the relay forwards its Delete: the video goes.
        origin.serve_document(
            "/numbered-videos/1",
            json!({"type": "Tombstone", "id": video}),
        );
        let author = origin.url("/accounts/alquimidia");
        let delete = activity("Delete", &origin.url("/deletes/1"), &author, json!(video));
        let (status, text) =
            post_signed_as(&site.inbox(), &key(&relay_actor(&relay)), &delete).await;
        assert_eq!(status, 202, "{text}");
        site.settled().await;
        assert_eq!(
            remote_videos(&site).await,
            0,
            "{:?}",
            site.job_errors().await
        );

        // An Announce from a relay this instance does not follow adds nothing.
        let stranger = FakeOrigin::start().await;
        let status = announce(&site, &stranger, 1, &origin.url("/numbered-videos/5")).await;
        assert!(status == 202 || status == 403, "{status}");
        site.settled().await;
        assert_eq!(remote_videos(&site).await, 0);
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejecting_relay_is_rejected_and_its_announces_refused() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let relay = FakeOrigin::start().await;
        let (id, follow_id) = subscribe(&site, &relay).await;
        answer(&site, &relay, &follow_id, "Reject").await;
        site.settled().await;
        assert_eq!(relay_state(&site, id).await, "rejected");
        let origin = FakeOrigin::start().await;
        let status = announce(&site, &relay, 1, &origin.url("/numbered-videos/1")).await;
        assert_eq!(status, 403);
        assert_eq!(origin.fetch_count("/"), 0);
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_announces_stay_within_the_relay_budget() {
    for database in DATABASES {
        let config =
            format!("{OPEN_INBOX}relay_objects_per_hour = 300\nrelay_max_pending_fetches = 50\n");
        let site = Site::start(database, &config).await;
        let (relay, relay_id) = accepted_relay(&site).await;
        let origin = FakeOrigin::start().await;
        let mut accepted = 0;
        let mut deferred = 0;
        let mut most_pending = 0;
        for n in 0..10_000u64 {
            let status = announce(
                &site,
                &relay,
                n,
                &origin.url(&format!("/numbered-videos/{n}")),
            )
            .await;
            match status {
                202 => accepted += 1,
                429 => deferred += 1,
                other => panic!("{database:?}: announce {n} answered {other}"),
            }
            if n % 500 == 0 {
                let pending = site
                    .count(&format!(
                        "SELECT COUNT(*) FROM relay_objects WHERE relay_id = {relay_id} \
                         AND state = 'pending'"
                    ))
                    .await;
                most_pending = most_pending.max(pending);
            }
        }
        assert_eq!(accepted + deferred, 10_000);
        assert!(accepted <= 300, "{database:?}: {accepted} over the budget");
        assert!(accepted >= 50, "{database:?}: only {accepted} taken");
        assert!(most_pending <= 50, "{database:?}: {most_pending} pending");
        site.settled().await;
        // Nothing taken is lost: every accepted announce became a catalogue entry.
        assert_eq!(
            remote_videos(&site).await,
            accepted,
            "{:?}",
            site.job_errors().await
        );
        site.assert_no_faults().await;
        site.finish().await;
    }
}
