//! Relays (issue 16) without a relay binary: the administrators' REST routes and their bad
//! input, and what a relay's activities do at a real instance's inbox. A fake remote instance
//! (`FakeOrigin`) stands for the relay's inbox and actor only to answer our Follow and to sign
//! announces; other fake instances are the origins of the announced videos. Each case runs on
//! SQLite and on PostgreSQL. The real relay (AodeRelay) is in `relays_aode.rs`; the
//! LitePub-style subscription (the relay's actor followed, its follow back accepted) in
//! `relays_litepub.rs`.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::{FakeOrigin, PUBLIC, activity, key, post_signed_as};
use common::inbox_site::{DATABASES, Database, PRIVATE_ALLOWED, Site};
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
        // A pending relay's announces are refused, before anything is fetched.
        let origin = FakeOrigin::start().await;
        announce_is_refused_unfetched(&site, &relay, &origin, 1).await;

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
        // Removed: its announces are refused as a stranger's, nothing fetched.
        announce_is_refused_unfetched(&site, &relay, &origin, 2).await;
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// An announce from `relay`, which this instance does not follow (not yet accepted, or
/// removed), of a video on `origin`: refused at the inbox (403), nothing stored, and the origin
/// is never asked for anything.
async fn announce_is_refused_unfetched(
    site: &Site,
    relay: &FakeOrigin,
    origin: &FakeOrigin,
    n: u64,
) {
    let stored = site.stored_activities().await;
    let video = origin.url(&format!("/numbered-videos/{n}"));
    let status = announce(site, relay, n, &video).await;
    assert_eq!(status, 403, "an announce from a relay not followed");
    site.settled().await;
    assert_eq!(site.stored_activities().await, stored, "nothing stored");
    assert_eq!(remote_videos(site).await, 0);
    assert_eq!(
        origin.fetched(),
        Vec::<String>::new(),
        "the origin was asked"
    );
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

        // An Announce from a relay this instance does not follow: refused at the inbox, and
        // neither the origin of the object nor anyone else is asked for it.
        let stranger = FakeOrigin::start().await;
        let unknown = FakeOrigin::start().await;
        announce_is_refused_unfetched(&site, &stranger, &unknown, 5).await;
        // Nor by one that knows an object the accepted relay brought.
        let fetched_before = origin.fetched().len();
        let status = announce(&site, &stranger, 6, &origin.url("/numbered-videos/6")).await;
        assert_eq!(status, 403, "{database:?}");
        site.settled().await;
        assert_eq!(origin.fetched().len(), fetched_before, "{database:?}");
        // The control: the same stranger's Announce of a video whose channel is followed here
        // is taken as any share is (fetched once from its origin, stored).
        let followed = FakeOrigin::start().await;
        let (status, body) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/users/me/subscriptions",
            Some(json!({"uri": format!("noticias.alquimidia@{}", followed.host)})),
        )
        .await;
        assert_eq!(status, 204, "{database:?}: {body}");
        let status = announce(&site, &stranger, 7, &followed.url("/numbered-videos/7")).await;
        assert_eq!(status, 202, "{database:?}");
        site.settled().await;
        assert_eq!(
            remote_videos(&site).await,
            1,
            "{database:?}: {:?}",
            site.job_errors().await
        );
        assert_eq!(followed.fetch_count("/numbered-videos/7"), 1);

        // The accepted relay forwards a Create whose copy of the video was changed on the way:
        // the video is fetched from its origin, and stored as the origin has it.
        let forwarded = origin.url("/numbered-videos/8");
        let mut copy = origin.numbered_video(8);
        copy["name"] = json!("Changed by the relay");
        let author = origin.url("/accounts/alquimidia");
        let create = activity("Create", &origin.url("/creates/8"), &author, copy);
        let (status, text) =
            post_signed_as(&site.inbox(), &key(&relay_actor(&relay)), &create).await;
        assert_eq!(status, 202, "{database:?}: {text}");
        site.settled().await;
        assert_eq!(origin.fetch_count("/numbered-videos/8"), 1, "{database:?}");
        let name = format!("SELECT name FROM videos WHERE url = '{forwarded}'");
        assert_eq!(
            site.text(&name).await.as_deref(),
            Some("Numbered video 8"),
            "{database:?}: {:?}",
            site.job_errors().await
        );
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

/// How much more resident memory the server may hold during a burst of 10,000 announces (MiB):
/// what is over the relay's budget is refused, not queued, so the burst costs no more than the
/// budget's entries.
const BURST_GROWTH_LIMIT_MIB: f64 = 64.0;

/// A process's resident memory (VmRSS), in MiB.
fn resident_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

/// 10,000 announces from an accepted relay, one after the other, on `database` (a test per
/// database, so the two bursts run side by side).
async fn burst_of_announces_stays_within_the_relay_budget(database: Database) {
    let config =
        format!("{OPEN_INBOX}relay_objects_per_hour = 300\nrelay_max_pending_fetches = 50\n");
    let site = Site::start(database, &config).await;
    let (relay, relay_id) = accepted_relay(&site).await;
    let origin = FakeOrigin::start().await;
    let pid = site.instance.server.child.id();
    let resident_before = resident_mib(pid);
    let mut resident_most = resident_before;
    let started = std::time::Instant::now();
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
            resident_most = resident_most.max(resident_mib(pid));
        }
    }
    let elapsed = started.elapsed();
    resident_most = resident_most.max(resident_mib(pid));
    eprintln!(
        "{database:?}: 10,000 announces in {elapsed:?}; resident memory {resident_before:.1} \
         MiB before, at most {resident_most:.1} MiB during"
    );
    assert!(
        resident_most - resident_before <= BURST_GROWTH_LIMIT_MIB,
        "{database:?}: resident memory grew from {resident_before:.1} to {resident_most:.1} MiB"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_announces_stay_within_the_relay_budget_on_sqlite() {
    burst_of_announces_stays_within_the_relay_budget(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_announces_stay_within_the_relay_budget_on_postgres() {
    burst_of_announces_stays_within_the_relay_budget(Database::Postgres).await;
}
