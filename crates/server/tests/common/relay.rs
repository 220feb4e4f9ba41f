//! A fake relay for the relay tests and the relay ingest benchmark: a [`FakeOrigin`] whose
//! `/inbox` an instance subscribes to (Mastodon style) and whose `/accounts/relay` answers our
//! Follow and signs announces. It is never "the real relay" (that is AodeRelay, in
//! `relays_aode.rs`); it drives the inbox with the inputs a relay could send.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::eventually;
use super::fake_origin::{FakeOrigin, PUBLIC, activity, key, post_signed_as};
use super::inbox_site::Site;
use super::instance::api_request;

/// Inbox limits high enough that only the relay budget bites.
pub const OPEN_INBOX: &str = "[federation]\nallow_private_addresses = true\n\
    inbox_rate_per_host = 100000\ninbox_burst_per_host = 100000\n";

/// Subscribes `site` to the fake relay `relay` (Mastodon style, its `/inbox`): answers the
/// relay's id and the id of the Follow it received.
pub async fn subscribe(site: &Site, relay: &FakeOrigin) -> (i64, String) {
    let (status, answer) = api_request(
        &site.instance,
        Method::POST,
        "/api/v1/server/relays",
        Some(json!({"url": relay.url("/inbox")})),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["state"], "pending");
    let id = answer["id"].as_i64().unwrap();
    let follow = eventually(
        Duration::from_secs(30),
        "the relay gets our Follow",
        || async { relay.received().into_iter().find(|a| a["type"] == "Follow") },
    )
    .await;
    assert_eq!(follow["object"], PUBLIC, "{follow}");
    assert_eq!(follow["actor"], site.url("/accounts/peertube"), "{follow}");
    (id, follow["id"].as_str().unwrap().to_owned())
}

/// The relay's actor on the fake relay.
pub fn relay_actor(relay: &FakeOrigin) -> String {
    relay.url("/accounts/relay")
}

/// The relay answers our Follow `follow_id` with `kind` (Accept or Reject).
pub async fn answer(site: &Site, relay: &FakeOrigin, follow_id: &str, kind: &str) {
    let actor = relay_actor(relay);
    let follow = json!({
        "type": "Follow", "id": follow_id, "actor": site.url("/accounts/peertube"),
        "object": actor,
    });
    let body = activity(
        kind,
        &relay.url(&format!("/answers/{kind}")),
        &actor,
        follow,
    );
    let (status, text) = post_signed_as(&site.inbox(), &key(&actor), &body).await;
    assert_eq!(status, 202, "{text}");
}

pub async fn relay_state(site: &Site, id: i64) -> String {
    site.text(&format!("SELECT state FROM relays WHERE id = {id}"))
        .await
        .unwrap_or_default()
}

/// An accepted relay on `site`.
pub async fn accepted_relay(site: &Site) -> (FakeOrigin, i64) {
    let relay = FakeOrigin::start().await;
    let (id, follow_id) = subscribe(site, &relay).await;
    answer(site, &relay, &follow_id, "Accept").await;
    site.settled().await;
    assert_eq!(relay_state(site, id).await, "accepted");
    (relay, id)
}

/// `relay` announces `object` to `site`, with the activity id `n`.
pub async fn announce(site: &Site, relay: &FakeOrigin, n: u64, object: &str) -> u16 {
    announce_to(&site.inbox(), relay, n, object).await
}

/// `relay` announces `object` to the inbox `inbox`, with the activity id `n`.
pub async fn announce_to(inbox: &str, relay: &FakeOrigin, n: u64, object: &str) -> u16 {
    let actor = relay_actor(relay);
    let body = activity(
        "Announce",
        &relay.url(&format!("/activities/{n}")),
        &actor,
        json!(object),
    );
    post_signed_as(inbox, &key(&actor), &body).await.0
}
