//! Comments as Notes and Tombstones, and the collections of actors and videos through the whole
//! HTTP stack: 10 items a page with `first`, `next`, `prev`, `partOf` and `totalItems`, bad
//! pages refused, and only what belongs there listed. On SQLite and PostgreSQL.

use crate::common;

use axum::http::{StatusCode, header};
use common::activitypub::{AP, actor_id, ap_get, get_with, insert_comment, remote_account};
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;
use serde_json::json;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn outbox_row(
    db: &kinora_db::Db,
    actor: i64,
    kind: &str,
    url: &str,
    object: &str,
    public: bool,
) {
    let mut tx = db.begin().await.unwrap();
    let body = json!({"@context": ["https://www.w3.org/ns/activitystreams"], "type": kind, "id": url, "actor": "a", "object": object});
    kinora_db::outbox::insert(
        &mut tx,
        &kinora_db::outbox::NewActivity {
            url,
            actor_id: Some(actor),
            kind,
            object_url: Some(object),
            public,
            body: &body.to_string(),
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

backend_tests! {
    async fn comments_are_notes_with_their_thread(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        h.user_with_channel("bob").await;
        let alice = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        let bob = kinora_db::accounts::find_local_by_name(db.pool(), "bob").await.unwrap().unwrap();
        let video = insert_video(&db, channel, "Commented", 1, 1, 0).await;
        let other = insert_video(&db, channel, "Other", 1, 1, 0).await;
        let root = insert_comment(&db, video.id, alice.id, None, "First **thought**").await;
        let reply = insert_comment(&db, video.id, bob.id, Some(&root), "A reply").await;
        let video_url = format!("http://localhost:9000/videos/watch/{}", video.uuid);

        let (status, note) = ap_get(&h, &format!("/videos/watch/{}/comments/{}", video.uuid, root.id)).await;
        assert_eq!(status, StatusCode::OK, "{note}");
        assert_eq!(note["type"], "Note");
        assert_eq!(note["id"], format!("{video_url}/comments/{}", root.id));
        assert_eq!(note["url"], note["id"]);
        assert_eq!(note["content"], "First **thought**");
        assert_eq!(note["mediaType"], "text/markdown");
        assert_eq!(note["inReplyTo"], video_url, "a new thread answers the video");
        assert_eq!(note["attributedTo"], "http://localhost:9000/accounts/alice");
        assert_eq!(note["to"], json!([PUBLIC]));
        assert_eq!(note["cc"], json!(["http://localhost:9000/accounts/alice/followers"]));
        assert_eq!(note["tag"], json!([]));
        assert_eq!(note["published"], "2024-01-01T00:00:00.000Z");

        let (_, answer) = ap_get(&h, &format!("/videos/watch/{}/comments/{}", video.uuid, reply.id)).await;
        assert_eq!(answer["inReplyTo"], note["id"], "a reply answers its parent");
        assert_eq!(answer["tag"], json!([{"type": "Mention", "href": "http://localhost:9000/accounts/alice", "name": "@alice@localhost:9000"}]));
        let parsed = kinora_federation::protocol::parse::note::parse_comment(&answer, Some(answer["id"].as_str().unwrap())).unwrap();
        assert!(matches!(parsed, kinora_federation::protocol::parse::note::RemoteComment::Note(_)));

        let mut tx = db.begin().await.unwrap();
        kinora_db::comments::mark_deleted(&mut tx, root.id, 1_704_153_600_000).await.unwrap();
        tx.commit().await.unwrap();
        let (status, tombstone) = ap_get(&h, &format!("/videos/watch/{}/comments/{}", video.uuid, root.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(tombstone["type"], "Tombstone");
        assert_eq!(tombstone["formerType"], "Note");
        assert_eq!(tombstone["inReplyTo"], video_url);
        assert_eq!(tombstone["deleted"], "2024-01-02T00:00:00.000Z");
        assert!(tombstone.get("content").is_none() && tombstone.get("attributedTo").is_none());

        for path in [format!("/videos/watch/{}/comments/{}", other.uuid, reply.id),
                     format!("/videos/watch/{}/comments/999999", video.uuid),
                     format!("/videos/watch/{}/comments/abc", video.uuid),
                     format!("/videos/watch/{}/comments/-1", video.uuid)] {
            assert_eq!(ap_get(&h, &path).await.0, StatusCode::NOT_FOUND, "{path}");
        }

        // A comment from elsewhere answers a redirect to its origin.
        let (_, carol) = remote_account(&db, "remote.example", "carol").await;
        let mut tx = db.begin().await.unwrap();
        let remote = kinora_db::comments::insert_remote(&mut tx, &kinora_db::comments::NewComment {
            video_id: video.id, account_id: carol, thread_id: None, in_reply_to_id: None, text: "hello", held_for_review: false,
        }, "https://remote.example/comments/1", 1, 1).await.unwrap();
        tx.commit().await.unwrap();
        let (status, headers, _) = get_with(&h, &format!("/videos/watch/{}/comments/{}", video.uuid, remote.id), AP).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "https://remote.example/comments/1");

        // So does a remote video.
        let mut tx = db.begin().await.unwrap();
        sqlx::query("UPDATE videos SET url = 'https://remote.example/videos/watch/x' WHERE id = $1")
            .bind(other.id).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        let (status, headers, _) = get_with(&h, &format!("/videos/watch/{}", other.uuid), AP).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "https://remote.example/videos/watch/x");
        let (status, headers, _) = get_with(&h, &format!("/videos/watch/{}/comments", other.uuid), AP).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "its origin lists its comments");
        assert_eq!(headers[header::LOCATION], "https://remote.example/videos/watch/x");
        // A comment written here on a remote video is ours: served, answering the remote video.
        let on_remote = insert_comment(&db, other.id, alice.id, None, "Nice one").await;
        let (status, note) = ap_get(&h, &format!("/videos/watch/{}/comments/{}", other.uuid, on_remote.id)).await;
        assert_eq!(status, StatusCode::OK, "{note}");
        assert_eq!(note["id"], format!("http://localhost:9000/videos/watch/{}/comments/{}", other.uuid, on_remote.id));
        assert_eq!(note["inReplyTo"], "https://remote.example/videos/watch/x");
    }

    async fn a_videos_collections_page_by_ten(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        let alice = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        let video = insert_video(&db, channel, "Popular", 1, 1, 0).await;
        let mut comments = Vec::new();
        for i in 0..25 {
            comments.push(insert_comment(&db, video.id, alice.id, None, &format!("comment {i}")).await);
        }
        let mut tx = db.begin().await.unwrap();
        kinora_db::comments::mark_deleted(&mut tx, comments[24].id, 2).await.unwrap();
        tx.commit().await.unwrap();
        let base = format!("http://localhost:9000/videos/watch/{}/comments", video.uuid);
        let path = format!("/videos/watch/{}/comments", video.uuid);

        let (status, summary) = ap_get(&h, &path).await;
        assert_eq!(status, StatusCode::OK, "{summary}");
        assert_eq!(summary["type"], "OrderedCollection");
        assert_eq!(summary["id"], base);
        assert_eq!(summary["totalItems"], 24, "the deleted comment is not listed");
        assert_eq!(summary["first"], format!("{base}?page=1"));
        assert!(summary.get("orderedItems").is_none());

        let (_, first) = ap_get(&h, &format!("{path}?page=1")).await;
        assert_eq!(first["type"], "OrderedCollectionPage");
        assert_eq!(first["id"], format!("{base}?page=1"));
        assert_eq!(first["partOf"], base);
        assert_eq!(first["totalItems"], 24);
        assert_eq!(first["next"], format!("{base}?page=2"));
        assert!(first.get("prev").is_none());
        let items = first["orderedItems"].as_array().unwrap();
        assert_eq!(items.len(), 10);
        assert_eq!(items[0], format!("http://localhost:9000/videos/watch/{}/comments/{}", video.uuid, comments[0].id));
        let (_, third) = ap_get(&h, &format!("{path}?page=3")).await;
        assert_eq!(third["orderedItems"].as_array().unwrap().len(), 4);
        assert!(third.get("next").is_none());
        assert_eq!(third["prev"], format!("{base}?page=2"));
        let (_, beyond) = ap_get(&h, &format!("{path}?page=9")).await;
        assert_eq!(beyond["orderedItems"], json!([]));

        for page in ["0", "-1", "abc", "1.5", "100001", ""] {
            let (status, headers, body) = get_with(&h, &format!("{path}?page={page}"), AP).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "page={page}: {body}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        }

        // Ratings: local accounts' likes by their activity ids; everyone counted.
        h.user_with_channel("bob").await;
        let bob = kinora_db::accounts::find_local_by_name(db.pool(), "bob").await.unwrap().unwrap();
        let (_, carol) = remote_account(&db, "remote.example", "carol").await;
        let mut tx = db.begin().await.unwrap();
        kinora_db::ratings::upsert(&mut tx, alice.id, video.id, "like", 1).await.unwrap();
        kinora_db::ratings::upsert(&mut tx, carol, video.id, "like", 2).await.unwrap();
        kinora_db::ratings::upsert(&mut tx, bob.id, video.id, "dislike", 3).await.unwrap();
        tx.commit().await.unwrap();
        let (_, likes) = ap_get(&h, &format!("/videos/watch/{}/likes?page=1", video.uuid)).await;
        assert_eq!(likes["totalItems"], 2);
        assert_eq!(likes["orderedItems"], json!([format!("http://localhost:9000/accounts/alice/likes/{}", video.id)]));
        let (_, dislikes) = ap_get(&h, &format!("/videos/watch/{}/dislikes", video.uuid)).await;
        assert_eq!(dislikes["totalItems"], 1);
        let (_, dislikes) = ap_get(&h, &format!("/videos/watch/{}/dislikes?page=1", video.uuid)).await;
        assert_eq!(dislikes["orderedItems"], json!([format!("http://localhost:9000/accounts/bob/dislikes/{}", video.id)]));

        // Announces: the ones sent and not undone.
        let instance = kinora_app::actors::ensure_instance_actor(&db).await.unwrap();
        let channel_actor = actor_id(&db, "alice_channel").await;
        let video_url = format!("http://localhost:9000/videos/watch/{}", video.uuid);
        let by_instance = format!("{video_url}/announces/{instance}");
        let by_channel = format!("{video_url}/announces/{channel_actor}");
        outbox_row(&db, instance, "Announce", &by_instance, &video_url, true).await;
        outbox_row(&db, channel_actor, "Announce", &by_channel, &video_url, true).await;
        outbox_row(&db, channel_actor, "Undo", &format!("{by_channel}/undo"), &by_channel, true).await;
        outbox_row(&db, instance, "Announce", "http://localhost:9000/videos/watch/other/announces/1", "http://localhost:9000/videos/watch/other", true).await;
        let (_, announces) = ap_get(&h, &format!("/videos/watch/{}/announces?page=1", video.uuid)).await;
        assert_eq!(announces["totalItems"], 1);
        assert_eq!(announces["orderedItems"], json!([by_instance]));
        assert_eq!(ap_get(&h, &format!("/videos/watch/{}/views", video.uuid)).await.0, StatusCode::NOT_FOUND);
    }

    async fn actor_collections_list_public_activities_and_accepted_follows(db: Db) {
        let h = Harness::new(&db, |_| {});
        h.user_with_channel("alice").await;
        let alice = actor_id(&db, "alice").await;
        let channel = actor_id(&db, "alice_channel").await;
        let mut followers = Vec::new();
        for i in 0..12 {
            let (actor, _) = remote_account(&db, "remote.example", &format!("fan{i}")).await;
            followers.push(actor);
        }
        let mut tx = db.begin().await.unwrap();
        for (i, follower) in followers.iter().enumerate() {
            let state = if i == 11 { "pending" } else { "accepted" };
            kinora_db::follows::upsert(&mut tx, *follower, channel, state, None, 1).await.unwrap();
        }
        kinora_db::follows::upsert(&mut tx, alice, channel, "accepted", None, 1).await.unwrap();
        kinora_db::follows::upsert(&mut tx, channel, followers[0], "accepted", None, 1).await.unwrap();
        tx.commit().await.unwrap();

        let (_, summary) = ap_get(&h, "/video-channels/alice_channel/followers").await;
        assert_eq!(summary["id"], "http://localhost:9000/video-channels/alice_channel/followers");
        assert_eq!(summary["totalItems"], 12, "11 accepted remote followers and alice; the pending one is not counted");
        let (_, first) = ap_get(&h, "/video-channels/alice_channel/followers?page=1").await;
        let items = first["orderedItems"].as_array().unwrap();
        assert_eq!(items.len(), 10);
        assert_eq!(items[0], "http://localhost:9000/accounts/alice", "newest first, local ids derived");
        assert_eq!(items[1], "https://remote.example/accounts/fan10");
        let (_, second) = ap_get(&h, "/video-channels/alice_channel/followers?page=2").await;
        assert_eq!(second["orderedItems"].as_array().unwrap().len(), 2);
        let (_, following) = ap_get(&h, "/accounts/alice/following?page=1").await;
        assert_eq!(following["orderedItems"], json!(["http://localhost:9000/video-channels/alice_channel"]));
        let (_, channel_following) = ap_get(&h, "/video-channels/alice_channel/following?page=1").await;
        assert_eq!(channel_following["orderedItems"], json!(["https://remote.example/accounts/fan0"]));

        let video = "http://localhost:9000/videos/watch/v1";
        outbox_row(&db, alice, "Create", &format!("{video}/activity"), video, true).await;
        outbox_row(&db, alice, "Create", "http://localhost:9000/videos/watch/v2/activity", "http://localhost:9000/videos/watch/v2", false).await;
        outbox_row(&db, alice, "Create", "http://localhost:9000/videos/watch/v3/activity", "http://localhost:9000/videos/watch/v3", true).await;
        outbox_row(&db, alice, "Delete", "http://localhost:9000/videos/watch/v3/delete", "http://localhost:9000/videos/watch/v3", true).await;
        outbox_row(&db, alice, "Like", "http://localhost:9000/accounts/alice/likes/9", "https://remote.example/videos/watch/9", true).await;
        let (_, outbox) = ap_get(&h, "/accounts/alice/outbox?page=1").await;
        assert_eq!(outbox["totalItems"], 1, "public, still standing, Create or Announce");
        let item = &outbox["orderedItems"][0];
        assert_eq!(item["id"], format!("{video}/activity"));
        assert_eq!(item["type"], "Create");
        assert!(item.get("@context").is_none(), "items carry no context of their own");
        let (_, empty) = ap_get(&h, "/video-channels/alice_channel/outbox").await;
        assert_eq!(empty["totalItems"], 0);
        assert!(empty.get("first").is_none());

        for path in ["/accounts/alice/playlists", "/accounts/nobody/outbox", "/video-channels/alice/outbox",
                     "/accounts/alice_channel/followers", "/accounts/alice/outbox?page=0"] {
            let status = ap_get(&h, path).await.0;
            assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{path}: {status}");
        }
        assert_eq!(ap_get(&h, "/accounts/alice/outbox?page=x").await.0, StatusCode::BAD_REQUEST);
    }
}
