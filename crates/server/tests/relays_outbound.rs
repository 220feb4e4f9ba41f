//! What our instance sends its relays (issue 16, "Outbound"), at a real instance with one
//! transcoder and an accepted fake relay (a [`FakeOrigin`] that records every activity posted
//! to it): a public video's Create, its Update and its Delete, and a public comment's Create,
//! reach the relay, each with a Linked Data signature (`RsaSignature2017`) that verifies with
//! the key its actor publishes, so that the relay's subscribers can trust the copy the relay
//! forwards, and so does the channel's Move to another channel; a private video, its edit and a
//! comment on it never reach the relay. Nobody
//! follows the instance: the relay alone is addressed. Each case runs on SQLite and on
//! PostgreSQL. The same flow through a real relay (AodeRelay) is in `relays_aode.rs`.

use crate::common;

use std::time::Duration;

use common::eventually;
use common::fake_origin::FakeOrigin;
use common::inbox_site::{DATABASES, Site};
use common::instance::{
    api_request, fixtures, publish_with_torrents, upload_multipart, wait_published,
};
use common::relay::{OPEN_INBOX, accepted_relay};
use kinora_federation::ld_signature;
use kinora_federation::signatures::parse_public_key_pem;
use reqwest::Method;
use serde_json::{Value, json};

/// The id of an activity's object (a URL, or an object with an `id`).
fn object_id(activity: &Value) -> Option<&str> {
    let object = activity.get("object")?;
    object.as_str().or_else(|| object.get("id")?.as_str())
}

/// The first activity of type `kind` about `object` that the relay has received, once it has.
async fn received(relay: &FakeOrigin, kind: &str, object: &str) -> Value {
    eventually(
        Duration::from_secs(60),
        &format!("the relay gets the {kind} of {object}"),
        || async {
            relay
                .received()
                .into_iter()
                .find(|a| a["type"] == kind && object_id(a) == Some(object))
        },
    )
    .await
}

/// Checks that `activity` carries an `RsaSignature2017` of its actor that verifies with the
/// key the actor's document (fetched from `site`) publishes.
async fn assert_ld_signed(site: &Site, activity: &Value) {
    assert_eq!(
        activity["signature"]["type"], "RsaSignature2017",
        "{activity}"
    );
    let actor = activity["actor"].as_str().unwrap();
    let document: Value = site
        .instance
        .http
        .get(actor)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pem = document["publicKey"]["publicKeyPem"].as_str().unwrap();
    let key = parse_public_key_pem(pem).unwrap();
    ld_signature::verify(activity, &key).unwrap_or_else(|error| panic!("{error}: {activity}"));
    // The signature covers the body: a changed one does not verify.
    let mut changed = activity.clone();
    changed["published"] = json!("2001-01-01T00:00:00Z");
    assert!(ld_signature::verify(&changed, &key).is_err());
}

/// Deliveries not yet ended (sent or given up).
async fn deliveries_open(site: &Site) -> i64 {
    site.count("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_videos_and_comments_go_to_accepted_relays_signed() {
    for database in DATABASES {
        let site = Site::start_with_transcoders(database, OPEN_INBOX, 1).await;
        let (relay, _) = accepted_relay(&site).await;

        // A private video first: published here, never sent to the relay.
        let private =
            upload_multipart(&site.instance, &fixtures().join("video_short.mp4"), 3).await;
        let private_uuid = private["video"]["uuid"].as_str().unwrap().to_owned();
        wait_published(&site.instance, &private_uuid, Duration::from_secs(180)).await;
        let private_url = site.url(&format!("/videos/watch/{private_uuid}"));

        // A public video: its Create reaches the relay, signed.
        let video = publish_with_torrents(&site.instance, "video_short.mp4").await;
        let uuid = video["uuid"].as_str().unwrap().to_owned();
        let video_url = site.url(&format!("/videos/watch/{uuid}"));
        let create = received(&relay, "Create", &video_url).await;
        assert_eq!(create["object"]["type"], "Video", "{create}");
        assert_eq!(create["object"]["uuid"], uuid.as_str(), "{create}");
        assert_ld_signed(&site, &create).await;

        // Its edit: an Update, signed.
        let (status, answer) = api_request(
            &site.instance,
            Method::PUT,
            &format!("/api/v1/videos/{uuid}"),
            Some(json!({"name": "Renamed for the relay"})),
        )
        .await;
        assert_eq!(status, 204, "{database:?}: {answer}");
        let update = eventually(
            Duration::from_secs(60),
            "the relay gets the Update",
            || async {
                relay.received().into_iter().find(|a| {
                    a["type"] == "Update"
                        && object_id(a) == Some(video_url.as_str())
                        && a["object"]["name"] == "Renamed for the relay"
                })
            },
        )
        .await;
        assert_ld_signed(&site, &update).await;

        // A public comment on it: a Create(Note), signed.
        let text = "A comment the relay carries";
        let (status, comment) = api_request(
            &site.instance,
            Method::POST,
            &format!("/api/v1/videos/{uuid}/comment-threads"),
            Some(json!({"text": text})),
        )
        .await;
        assert_eq!(status, 200, "{database:?}: {comment}");
        let comment_url = comment["comment"]["url"].as_str().unwrap().to_owned();
        let note = received(&relay, "Create", &comment_url).await;
        assert_eq!(note["object"]["type"], "Note", "{note}");
        assert!(
            note["object"]["content"]
                .as_str()
                .is_some_and(|content| content.contains(text)),
            "{note}"
        );
        assert_ld_signed(&site, &note).await;

        // The private video's edit and a comment on it: nothing for the relay either.
        let (status, _) = api_request(
            &site.instance,
            Method::PUT,
            &format!("/api/v1/videos/{private_uuid}"),
            Some(json!({"name": "Still private"})),
        )
        .await;
        assert_eq!(status, 204);
        let (status, _) = api_request(
            &site.instance,
            Method::POST,
            &format!("/api/v1/videos/{private_uuid}/comment-threads"),
            Some(json!({"text": "Not for the relay"})),
        )
        .await;
        assert_eq!(status, 200);

        // The public video deleted: its Delete reaches the relay, signed.
        let (status, _) = api_request(
            &site.instance,
            Method::DELETE,
            &format!("/api/v1/videos/{uuid}"),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let delete = received(&relay, "Delete", &video_url).await;
        assert_ld_signed(&site, &delete).await;

        // The channel moves to another that lists it: the relay gets the Move too (as
        // Mastodon's MoveDistributionWorker sends it), naming the old channel and the new one,
        // signed.
        let (status, answer) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/video-channels",
            Some(json!({"name": "new_home", "displayName": "New home"})),
        )
        .await;
        assert_eq!(status, 200, "{database:?}: {answer}");
        let (status, answer) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/video-channels/new_home/aliases",
            Some(json!({"uri": "root_channel"})),
        )
        .await;
        assert_eq!(status, 200, "{database:?}: {answer}");
        let (status, answer) = api_request(
            &site.instance,
            Method::POST,
            "/api/v1/video-channels/root_channel/move",
            Some(json!({
                "target": "new_home",
                "currentPassword": site.instance.server.password.clone().unwrap(),
            })),
        )
        .await;
        assert_eq!(status, 200, "{database:?}: {answer}");
        let channel_url = site.url("/video-channels/root_channel");
        let moved = received(&relay, "Move", &channel_url).await;
        assert_eq!(moved["actor"], channel_url.as_str(), "{moved}");
        assert_eq!(
            moved["target"],
            site.url("/video-channels/new_home").as_str(),
            "{moved}"
        );
        assert_ld_signed(&site, &moved).await;

        // Everything queued has been sent; none of it was about the private video.
        eventually(Duration::from_secs(60), "deliveries ended", || async {
            (deliveries_open(&site).await == 0).then_some(())
        })
        .await;
        let leaked: Vec<Value> = relay
            .received()
            .into_iter()
            .filter(|a| a.to_string().contains(&private_uuid))
            .collect();
        assert!(leaked.is_empty(), "{database:?}: {leaked:#?}");
        assert!(
            relay
                .received()
                .iter()
                .all(|a| object_id(a) != Some(private_url.as_str())),
            "{database:?}"
        );
        site.assert_no_faults().await;
        site.finish().await;
    }
}
