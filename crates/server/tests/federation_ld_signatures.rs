//! Forwarded activities with Linked Data signatures at a real instance's inbox (issue 16): a
//! relay passes on, HTTP-signed with its own key, activities that their author signed with
//! an `RsaSignature2017`. One that verifies with the author's key is the author's own — its
//! Note is taken as sent, its Delete believed without asking the origin; one whose body was
//! modified after signing, or signed with another key, is only a forward again (the object is
//! fetched from its origin, a Delete of what still exists there is refused). Each case runs
//! on SQLite and on PostgreSQL.

use crate::common;

use std::time::SystemTime;

use common::fake_origin::{FakeOrigin, activity, key, other_key};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::videos::insert_video;
use kinora_federation::ld_signature;
use kinora_federation::signatures::RequestSigner;
use serde_json::{Value, json};

/// PeerTube's test private key, the fake origin's actors' key.
fn origin_private_key() -> String {
    let path = format!(
        "{}/../../../shared/fixtures/peertube/ap-json/peertube/keys.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let keys: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    keys["privateKey"].as_str().unwrap().to_owned()
}

/// `activity` with the context an LD signature needs, signed by `actor` with `private_pem`.
fn ld_signed(mut activity: Value, actor: &str, private_pem: &str) -> Value {
    activity["@context"] = json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]);
    let signer = RequestSigner::from_pem(key(actor), private_pem).unwrap();
    ld_signature::sign(&mut activity, &signer, SystemTime::now()).unwrap();
    activity
}

async fn comment_text(site: &Site, url: &str) -> Option<String> {
    site.text(&format!(
        "SELECT text FROM video_comments WHERE url = '{url}' AND deleted_at IS NULL"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_signed_by_its_author_is_trusted_and_a_modified_one_is_not() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let relay = FakeOrigin::start().await;
        let origin = FakeOrigin::start().await;
        let relay_key = key(&relay.url("/accounts/relay"));
        let video = insert_video(&site.db, site.instance.channel, "Signed talk", 1, 1, 0).await;
        let video_url = site.url(&format!("/videos/watch/{}", video.uuid));
        let author = origin.url("/accounts/talker");
        let private = origin_private_key();

        // 1. Signed by its author: taken as sent, the origin is not asked for the Note.
        let note = origin.note("/notes/1", &video_url, "as its author signed it");
        origin.serve_document(
            "/notes/1",
            origin.note("/notes/1", &video_url, "as the origin serves it"),
        );
        let create = ld_signed(
            activity("Create", &origin.url("/notes/1/activity"), &author, note),
            &author,
            &private,
        );
        let (status, answer) = relay.post_signed(&site.inbox(), &relay_key, &create).await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        site.settled().await;
        assert_eq!(
            comment_text(&site, &origin.url("/notes/1"))
                .await
                .as_deref(),
            Some("as its author signed it"),
            "{database:?}: {:?}",
            site.job_errors().await
        );
        assert_eq!(origin.fetch_count("/notes/1"), 0, "{database:?}");

        // 2. Modified by the relay after signing: a forward, believed through the origin.
        origin.serve_document(
            "/notes/2",
            origin.note("/notes/2", &video_url, "the second as the origin serves it"),
        );
        let mut tampered = ld_signed(
            activity(
                "Create",
                &origin.url("/notes/2/activity"),
                &author,
                origin.note("/notes/2", &video_url, "the second as signed"),
            ),
            &author,
            &private,
        );
        tampered["object"]["content"] = json!("tampered by the relay");
        // 3. Signed with a key that is not the author's.
        origin.serve_document(
            "/notes/3",
            origin.note("/notes/3", &video_url, "the third as the origin serves it"),
        );
        let wrong_key = ld_signed(
            activity(
                "Create",
                &origin.url("/notes/3/activity"),
                &author,
                origin.note("/notes/3", &video_url, "signed by someone else"),
            ),
            &author,
            &other_key("privateKey"),
        );
        for body in [&tampered, &wrong_key] {
            let (status, answer) = relay.post_signed(&site.inbox(), &relay_key, body).await;
            assert_eq!(status, 202, "{database:?}: {answer}");
        }
        site.settled().await;
        assert_eq!(
            comment_text(&site, &origin.url("/notes/2"))
                .await
                .as_deref(),
            Some("the second as the origin serves it"),
            "{database:?}"
        );
        assert_eq!(
            comment_text(&site, &origin.url("/notes/3"))
                .await
                .as_deref(),
            Some("the third as the origin serves it"),
            "{database:?}"
        );
        assert!(origin.fetch_count("/notes/2") >= 1, "{database:?}");
        assert!(origin.fetch_count("/notes/3") >= 1, "{database:?}");

        // 4. Deletes of Notes the origin still serves: the signed one is the author's word,
        // the tampered one is a forward of a Delete of something that exists, refused.
        let delete = ld_signed(
            activity(
                "Delete",
                &origin.url("/notes/1/delete"),
                &author,
                json!(origin.url("/notes/1")),
            ),
            &author,
            &private,
        );
        let mut tampered_delete = ld_signed(
            activity(
                "Delete",
                &origin.url("/notes/2/delete"),
                &author,
                json!(origin.url("/notes/3")),
            ),
            &author,
            &private,
        );
        tampered_delete["object"] = json!(origin.url("/notes/2"));
        for body in [&delete, &tampered_delete] {
            let (status, answer) = relay.post_signed(&site.inbox(), &relay_key, body).await;
            assert_eq!(status, 202, "{database:?}: {answer}");
        }
        site.settled().await;
        assert_eq!(comment_text(&site, &origin.url("/notes/1")).await, None);
        assert!(
            comment_text(&site, &origin.url("/notes/2")).await.is_some(),
            "{database:?}: a tampered Delete was believed"
        );
        // The trusted forward is stored as its author's, the others as the relay's.
        let signers: Vec<(String, String)> =
            sqlx::query_as("SELECT activity_url, signer_url FROM inbox_activities")
                .fetch_all(site.db.pool())
                .await
                .unwrap();
        for (activity_url, signer) in signers {
            let by_author = activity_url.ends_with("/notes/1/activity")
                || activity_url.ends_with("/notes/1/delete");
            let expected = if by_author {
                &author
            } else {
                &relay.url("/accounts/relay")
            };
            assert_eq!(&signer, expected, "{database:?}: {activity_url}");
        }
        site.assert_no_faults().await;
        site.finish().await;
    }
}
