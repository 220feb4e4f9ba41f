//! LitePub-style relay subscriptions (FEP-ae0c) without a relay binary, at a real instance:
//! the administrator gives the relay's actor (an `Application` on a fake remote instance); our
//! instance actor follows that actor; the relay follows the instance actor back, which is
//! accepted and answered (while our own follow is still pending, the relay's announces are
//! refused); the relay's `Accept` of our Follow makes it `accepted`, and its announces then
//! bring videos fetched from their origin; removing it sends the `Undo` of our Follow of its
//! actor and ends its follow of us, after which its announces are refused before anything is
//! fetched. Each case runs on SQLite and on PostgreSQL. The real relay (AodeRelay, which
//! follows back the same way) is in `relays_aode.rs`.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::{FakeOrigin, activity, key, post_signed_as};
use common::inbox_site::{DATABASES, Site};
use common::instance::api_request;
use common::relay::{OPEN_INBOX, announce, answer, relay_actor, relay_state};
use reqwest::Method;
use serde_json::{Value, json};

async fn remote_videos(site: &Site) -> i64 {
    site.count("SELECT COUNT(*) FROM videos WHERE url IS NOT NULL")
        .await
}

/// Accepted follows of our instance actor by `actor`.
async fn follows_of_us_by(site: &Site, actor: &str) -> i64 {
    site.count(&format!(
        "SELECT COUNT(*) FROM actor_follows f JOIN actors a ON a.id = f.follower_id \
         WHERE a.url = '{actor}' AND f.state = 'accepted'"
    ))
    .await
}

/// The id an activity's `object` names (embedded or by reference).
fn object_id(activity: &Value) -> Option<&str> {
    let object = &activity["object"];
    object.get("id").unwrap_or(object).as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_litepub_relay_is_followed_followed_back_and_accepted() {
    for database in DATABASES {
        let site = Site::start(database, OPEN_INBOX).await;
        let relay = FakeOrigin::start().await;
        let actor = relay_actor(&relay);
        let mut application = relay.person("relay", "relay");
        application["type"] = json!("Application");
        relay.serve_document("/accounts/relay", application);
        let instance_actor = site.url("/accounts/peertube");

        // Subscribed by its actor: a LitePub relay, pending, and our Follow is of that actor.
        let (status, created) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/server/relays",
            Some(json!({"url": actor})),
        )
        .await;
        assert_eq!(status, 201, "{database:?}: {created}");
        assert_eq!(created["url"], actor.as_str(), "{created}");
        assert_eq!(created["state"], "pending", "{created}");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(
            site.text(&format!("SELECT style FROM relays WHERE id = {id}"))
                .await
                .as_deref(),
            Some("litepub")
        );
        let follow = eventually(
            Duration::from_secs(30),
            "the relay gets our Follow",
            || async { relay.received().into_iter().find(|a| a["type"] == "Follow") },
        )
        .await;
        assert_eq!(follow["object"], actor.as_str(), "{follow}");
        assert_eq!(follow["actor"], instance_actor.as_str(), "{follow}");
        let follow_id = follow["id"].as_str().unwrap().to_owned();

        // The relay follows the instance actor back: accepted here, and answered.
        let back_id = relay.url("/follows/back");
        let back = activity("Follow", &back_id, &actor, json!(instance_actor));
        let (status, text) = post_signed_as(&site.inbox(), &key(&actor), &back).await;
        assert_eq!(status, 202, "{database:?}: {text}");
        let accept = eventually(
            Duration::from_secs(30),
            "the relay gets our Accept of its Follow",
            || async {
                relay
                    .received()
                    .into_iter()
                    .find(|a| a["type"] == "Accept" && object_id(a) == Some(back_id.as_str()))
            },
        )
        .await;
        assert_eq!(accept["actor"], instance_actor.as_str(), "{accept}");
        assert_eq!(follows_of_us_by(&site, &actor).await, 1);

        // Its follow is not the answer to ours: still pending, and what it announces is
        // refused before anything is fetched.
        site.settled().await;
        assert_eq!(relay_state(&site, id).await, "pending");
        let origin = FakeOrigin::start().await;
        let video = origin.url("/numbered-videos/1");
        assert_eq!(announce(&site, &relay, 1, &video).await, 403);
        assert_eq!(origin.fetched(), Vec::<String>::new());

        // The relay accepts our Follow: accepted, and its announces bring videos, each
        // fetched from its origin.
        answer(&site, &relay, &follow_id, "Accept").await;
        site.settled().await;
        assert_eq!(relay_state(&site, id).await, "accepted");
        let (_, list) =
            api_request(&site.instance, Method::GET, "/api/v1/server/relays", None).await;
        assert_eq!(list["data"][0]["state"], "accepted", "{list}");
        assert_eq!(announce(&site, &relay, 2, &video).await, 202);
        site.settled().await;
        assert_eq!(
            remote_videos(&site).await,
            1,
            "{database:?}: {:?}",
            site.job_errors().await
        );
        assert_eq!(origin.fetch_count("/numbered-videos/1"), 1);

        // Removed: the Undo of our Follow of its actor, its follow of us gone, and its
        // announces refused unfetched.
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
        assert_eq!(undo["actor"], instance_actor.as_str(), "{undo}");
        assert_eq!(undo["object"]["id"], follow_id.as_str(), "{undo}");
        assert_eq!(undo["object"]["object"], actor.as_str(), "{undo}");
        assert_eq!(follows_of_us_by(&site, &actor).await, 0);
        let later = FakeOrigin::start().await;
        let status = announce(&site, &relay, 3, &later.url("/numbered-videos/2")).await;
        assert_eq!(status, 403, "{database:?}");
        site.settled().await;
        assert_eq!(later.fetched(), Vec::<String>::new());
        assert_eq!(remote_videos(&site).await, 1);
        site.assert_no_faults().await;
        site.finish().await;
    }
}
