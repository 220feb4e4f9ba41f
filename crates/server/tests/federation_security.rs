//! Bad input at a real instance's inbox (issue 7, research/security.md §1.1–§1.2): activities
//! signed by one actor that speak for another, forwarded activities carrying LD signatures or
//! JSON-LD graph payloads, actors that try to change who they are, and remote objects that
//! claim our host. A fake remote instance on 127.0.0.1 serves the actors and objects and signs
//! the requests; each case runs on SQLite and on PostgreSQL, and reads the instance's tables
//! to check what it kept.

use crate::common;

use common::fake_origin::{FakeOrigin, activity, key};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::videos::{TestVideo, insert_video};
use serde_json::{Value, json};

/// A published public local video on the instance's root channel.
async fn local_video(site: &Site, name: &str) -> (TestVideo, String) {
    let video = insert_video(&site.db, site.instance.channel, name, 1, 1, 0).await;
    let url = site.url(&format!("/videos/watch/{}", video.uuid));
    (video, url)
}

/// The display names and keys of the local actors (accounts and channels), to compare.
async fn root_names(site: &Site) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT a.preferred_username, c.display_name, a.public_key_pem FROM actors a \
         LEFT JOIN accounts c ON c.actor_id = a.id WHERE a.host IS NULL ORDER BY a.id",
    )
    .fetch_all(site.db.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sig_07_a_signature_by_one_actor_cannot_speak_for_another() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let c = FakeOrigin::start().await;
        let xavier = b.url("/accounts/xavier");
        let root = site.url("/accounts/root");
        let cases = [
            (
                "actor Y on the signer's host",
                activity(
                    "Follow",
                    &b.url("/follows/1"),
                    &b.url("/accounts/yvonne"),
                    json!(root),
                ),
            ),
            (
                "actor Y on another host",
                activity(
                    "Follow",
                    &c.url("/follows/2"),
                    &c.url("/accounts/yvonne"),
                    json!(root),
                ),
            ),
            (
                "actor Y given as an object",
                activity(
                    "Like",
                    &b.url("/likes/3"),
                    &b.url("/accounts/yvonne"),
                    json!(site.url("/videos/watch/00000000-0000-4000-8000-000000000000")),
                ),
            ),
        ];
        for (what, mut body) in cases {
            if what.contains("object") {
                body["actor"] = json!({"type": "Person", "id": b.url("/accounts/yvonne")});
            }
            let (status, answer) = b.post_signed(&site.inbox(), &key(&xavier), &body).await;
            assert_eq!(status, 403, "{database:?} {what}: {answer}");
        }
        assert_eq!(site.stored_activities().await, 0, "{database:?}");
        assert_eq!(site.count("SELECT COUNT(*) FROM actor_follows").await, 0);

        // The same Follow by the signer itself is taken: the refusals above were about the actor.
        let own = activity("Follow", &b.url("/follows/4"), &xavier, json!(root));
        let (status, answer) = b.post_signed(&site.inbox(), &key(&xavier), &own).await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        site.settled().await;
        assert_eq!(site.count("SELECT COUNT(*) FROM actor_follows").await, 1);
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sig_11_forwarded_ld_signatures_and_graph_payloads_are_not_trusted() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let relay = FakeOrigin::start().await; // forwards what it did not write
        let origin = FakeOrigin::start().await; // where the author and the notes live
        let (_, video_url) = local_video(&site, "A video with comments").await;
        let author = origin.url("/accounts/talker");
        let relay_key = key(&relay.url("/accounts/relay"));
        let ld_signature = json!({
            "type": "RsaSignature2017",
            "creator": key(&author),
            "created": "2026-12-01T10:00:00Z",
            "signatureValue": "Zm9yZ2Vk",
        });

        // 1. A forwarded Create with an LD signature: the Note is the origin's, not the body's.
        origin.serve_document(
            "/notes/1",
            origin.note("/notes/1", &video_url, "as its author wrote it"),
        );
        let forged = origin.note("/notes/1", &video_url, "forged by the relay");
        let mut create = activity("Create", &origin.url("/notes/1/activity"), &author, forged);
        create["signature"] = ld_signature.clone();
        let (status, answer) = relay.post_signed(&site.inbox(), &relay_key, &create).await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        site.settled().await;

        // 2. `@graph` at the top, hiding a Delete of that Note in a Create of another one.
        origin.serve_document(
            "/notes/2",
            origin.note("/notes/2", &video_url, "a second note"),
        );
        let mut graph = activity(
            "Create",
            &origin.url("/notes/2/activity"),
            &author,
            json!(origin.url("/notes/2")),
        );
        graph["@graph"] = json!([activity(
            "Delete",
            &origin.url("/notes/1/delete"),
            &author,
            json!(origin.url("/notes/1")),
        )]);
        graph["signature"] = ld_signature.clone();
        // 3. `@included` in a forwarded object, smuggling a Note the origin never served.
        origin.serve_document(
            "/notes/7",
            origin.note("/notes/7", &video_url, "a seventh note"),
        );
        let mut smuggling = origin.note("/notes/7", &video_url, "a seventh note");
        smuggling["@included"] = json!([origin.note("/notes/9", &video_url, "smuggled along")]);
        let mut included = activity(
            "Create",
            &origin.url("/notes/7/activity"),
            &author,
            smuggling,
        );
        included["signature"] = ld_signature.clone();
        // 4. A forwarded Update whose object holds `included` aliased in its context, nested.
        let mut nested = origin.note("/notes/1", &video_url, "rewritten by the relay");
        nested["@context"] =
            json!(["https://www.w3.org/ns/activitystreams", {"included": "@included"}]);
        nested["replies"] = json!({"included": [origin.note("/notes/8", &video_url, "nested")]});
        let mut update = activity("Update", &origin.url("/notes/1/update"), &author, nested);
        update["signature"] = ld_signature.clone();
        let ld_signature_again = ld_signature;
        // 5. `@reverse` in a forwarded object, turning another Note into a reply of this one.
        origin.serve_document(
            "/notes/3",
            origin.note("/notes/3", &video_url, "a third note"),
        );
        let mut reversing = origin.note("/notes/3", &video_url, "reversed by the relay");
        reversing["@reverse"] =
            json!({"inReplyTo": origin.note("/notes/6", &video_url, "reversed reply")});
        let mut reverse = activity(
            "Create",
            &origin.url("/notes/3/activity"),
            &author,
            reversing,
        );
        reverse["signature"] = ld_signature_again;
        for body in [graph, included, update, reverse] {
            let (status, answer) = relay.post_signed(&site.inbox(), &relay_key, &body).await;
            assert!(
                status == 202 || (400..=403).contains(&status),
                "{database:?}: {status} {answer}"
            );
        }
        site.settled().await;

        let texts: Vec<(String,)> = sqlx::query_as("SELECT text FROM video_comments")
            .fetch_all(site.db.pool())
            .await
            .unwrap();
        let texts: Vec<String> = texts.into_iter().map(|(t,)| t).collect();
        for bad in ["forged", "smuggled", "rewritten", "nested", "reversed"] {
            assert!(
                texts.iter().all(|t| !t.contains(bad)),
                "{database:?}: {bad} was believed: {texts:?}"
            );
        }
        // The forwarded Create was believed only through the origin's copy, and the Delete
        // hidden in `@graph` deleted nothing.
        let kept = site
            .text(&format!(
                "SELECT text FROM video_comments WHERE url = '{}' AND deleted_at IS NULL",
                origin.url("/notes/1")
            ))
            .await;
        assert_eq!(
            kept.as_deref(),
            Some("as its author wrote it"),
            "{database:?}"
        );
        assert!(origin.fetch_count("/notes/1") >= 1, "{database:?}");
        assert_eq!(origin.fetch_count("/notes/9"), 0, "{database:?}");
        assert_eq!(origin.fetch_count("/notes/6"), 0, "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}

/// Sends an Update of `xavier` (embedding `document`) signed by xavier, and waits until the
/// instance has acted on it.
async fn update_actor(site: &Site, b: &FakeOrigin, n: u32, document: &Value) {
    let xavier = b.url("/accounts/xavier");
    b.serve_document("/accounts/xavier", document.clone());
    let update = activity(
        "Update",
        &b.url(&format!("/updates/{n}")),
        &xavier,
        document.clone(),
    );
    let (status, answer) = b.post_signed(&site.inbox(), &key(&xavier), &update).await;
    assert_eq!(status, 202, "{answer}");
    // The same by reference: only the document fetched from the origin can say anything.
    let by_reference = activity(
        "Update",
        &b.url(&format!("/updates/{n}/by-reference")),
        &xavier,
        json!(xavier),
    );
    let (status, answer) = b
        .post_signed(&site.inbox(), &key(&xavier), &by_reference)
        .await;
    assert_eq!(status, 202, "{answer}");
    site.settled().await;
}

/// (url, public key, display name) of the stored remote actor `xavier`.
async fn stored_xavier(site: &Site, b: &FakeOrigin) -> (String, String, String) {
    sqlx::query_as(
        "SELECT a.url, a.public_key_pem, c.display_name FROM actors a \
         JOIN accounts c ON c.actor_id = a.id WHERE a.preferred_username = 'xavier' \
         AND a.host = $1",
    )
    .bind(&b.host)
    .fetch_one(site.db.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_05_an_actor_update_cannot_change_who_the_actor_is() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let xavier = b.url("/accounts/xavier");
        let root_before = root_names(&site).await;
        update_actor(&site, &b, 1, &b.person("xavier", "Xavier")).await;
        let before = stored_xavier(&site, &b).await;
        assert_eq!(before.0, xavier);
        assert_eq!(before.2, "Xavier");

        let mut onto_our_host = b.person("xavier", "Xavier on your host");
        onto_our_host["id"] = json!(site.url("/accounts/root"));
        onto_our_host["publicKey"]["owner"] = onto_our_host["id"].clone();
        let mut onto_another_actor = b.person("xavier", "Xavier as Victor");
        onto_another_actor["id"] = json!(b.url("/accounts/victor"));
        onto_another_actor["publicKey"]["owner"] = onto_another_actor["id"].clone();
        let mut key_of_another = b.person("xavier", "Xavier with Victor's key");
        key_of_another["publicKey"]["owner"] = json!(b.url("/accounts/victor"));
        for (n, document) in [onto_our_host, onto_another_actor, key_of_another]
            .iter()
            .enumerate()
        {
            update_actor(&site, &b, 2 + n as u32, document).await;
            assert_eq!(stored_xavier(&site, &b).await, before, "{database:?} {n}");
        }
        let remote_on_our_host = site
            .count(&format!(
                "SELECT COUNT(*) FROM actors WHERE url LIKE '{}%'",
                site.instance.base
            ))
            .await;
        assert_eq!(remote_on_our_host, 0, "{database:?}");
        let victor = site
            .count(&format!(
                "SELECT COUNT(*) FROM actors WHERE url = '{}'",
                b.url("/accounts/victor")
            ))
            .await;
        assert_eq!(victor, 0, "{database:?}");
        assert_eq!(root_names(&site).await, root_before, "{database:?}");

        // A plain change of the display name still works.
        update_actor(&site, &b, 9, &b.person("xavier", "Xavier Renamed")).await;
        let after = stored_xavier(&site, &b).await;
        assert_eq!((&after.0, &after.1), (&before.0, &before.1));
        assert_eq!(after.2, "Xavier Renamed", "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_remote_may_claim_our_host() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let xavier = b.url("/accounts/xavier");
        let (video, video_url) = local_video(&site, "Our own video").await;
        let root = site.url("/accounts/root");
        let root_before = root_names(&site).await;

        // Refused at the door: an activity by one of our actors, an id on our host, our key.
        let by_our_root = activity("Follow", &b.url("/follows/1"), &root, json!(root));
        let (status, _) = b
            .post_signed(&site.inbox(), &key(&xavier), &by_our_root)
            .await;
        assert_eq!(status, 403, "{database:?}");
        let id_on_our_host = activity("Follow", &site.url("/follows/1"), &xavier, json!(root));
        let (status, _) = b
            .post_signed(&site.inbox(), &key(&xavier), &id_on_our_host)
            .await;
        assert_eq!(status, 403, "{database:?}");
        let own = activity("Follow", &b.url("/follows/2"), &xavier, json!(root));
        let (status, _) = b.post_signed(&site.inbox(), &key(&root), &own).await;
        assert_eq!(status, 401, "{database:?}");
        assert_eq!(site.stored_activities().await, 0);

        // Taken in, then refused: objects whose ids are on our host.
        let our_comment_id = format!("{video_url}/comments/999");
        let mut note = b.note("/notes/1", &video_url, "a comment claiming to be ours");
        note["id"] = json!(our_comment_id);
        note["attributedTo"] = json!(xavier);
        let create_note = activity("Create", &b.url("/notes/1/activity"), &xavier, note);
        let mut our_video = b.video();
        our_video["id"] = json!(video_url);
        our_video["name"] = json!("Our video, rewritten");
        let update_video = activity("Update", &b.url("/videos/1/update"), &xavier, our_video);
        let create_video = activity(
            "Create",
            &b.url("/videos/2/activity"),
            &xavier,
            json!(site.url("/videos/watch/11111111-1111-4111-8111-111111111111")),
        );
        let update_person = activity(
            "Update",
            &b.url("/updates/1"),
            &xavier,
            json!({"type": "Person", "id": root, "name": "Root, rewritten"}),
        );
        for body in [create_note, update_video, create_video, update_person] {
            let (status, answer) = b.post_signed(&site.inbox(), &key(&xavier), &body).await;
            assert!(status == 202 || status == 403, "{database:?}: {answer}");
        }
        site.settled().await;
        assert_eq!(site.count("SELECT COUNT(*) FROM video_comments").await, 0);
        let name = site
            .text(&format!("SELECT name FROM videos WHERE id = {}", video.id))
            .await;
        assert_eq!(name.as_deref(), Some("Our own video"), "{database:?}");
        assert_eq!(
            site.count("SELECT COUNT(*) FROM videos").await,
            1,
            "{database:?}"
        );
        assert_eq!(root_names(&site).await, root_before, "{database:?}");
        let claiming = site
            .count(&format!(
                "SELECT COUNT(*) FROM actors WHERE url LIKE '{}%'",
                site.instance.base
            ))
            .await;
        assert_eq!(claiming, 0, "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
