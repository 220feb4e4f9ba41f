//! Comments held for review (PeerTube's `commentsPolicy` 3) and removing an account's comments,
//! on SQLite and PostgreSQL: the rows and their lists, then the whole HTTP stack — who sees a
//! held comment, who may approve it, the owner's queue, bulk removal and every refusal.

use crate::common;

use axum::http::StatusCode;
use common::activitypub::{AP, get_with, remote_account};
use common::harness::{Harness, count, publish_video};
use kinora_core::UserRole;
use kinora_db::comment_reviews::OwnerCommentFilter;
use kinora_db::comments::{HeldShown, NewComment, ThreadOrder};
use kinora_db::testing::sample_video;
use kinora_db::videos::{NewVideo, VideoRow};
use kinora_db::{Db, backend_tests};
use serde_json::{Value, json};
use uuid::Uuid;

/// Inserts a published public video in `channel` with comments policy `policy`.
async fn video(db: &Db, channel: i64, policy: i64) -> VideoRow {
    let uuid = Uuid::new_v4().to_string();
    let short = kinora_core::video::short_uuid(&Uuid::parse_str(&uuid).unwrap());
    let mut tx = db.begin().await.unwrap();
    let new = NewVideo {
        comments_policy: policy,
        ..sample_video(&uuid, &short, channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, 1000)
        .await
        .unwrap();
    publish_video(&mut tx, id, 2000).await;
    tx.commit().await.unwrap();
    kinora_db::videos::find_by_id(db.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

async fn account_id(db: &Db, name: &str) -> i64 {
    kinora_db::accounts::find_local_by_name(db.pool(), name)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn insert(db: &Db, video: i64, account: i64, parent: Option<i64>, held: bool) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let row = kinora_db::comments::insert(
        &mut tx,
        &NewComment {
            video_id: video,
            account_id: account,
            thread_id: parent,
            in_reply_to_id: parent,
            text: "words",
            held_for_review: held,
        },
        3000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    row.id
}

/// The ids of a thread list page and its two totals.
async fn threads(db: &Db, video: i64, held: HeldShown) -> (i64, i64, Vec<i64>) {
    let mut connection = db.pool().acquire().await.unwrap();
    let (total, not_deleted, rows) = kinora_db::comments::list_threads(
        &mut connection,
        video,
        0,
        held,
        ThreadOrder::OldestFirst,
        0,
        10,
    )
    .await
    .unwrap();
    (
        total,
        not_deleted,
        rows.iter().map(|row| row.comment.id).collect(),
    )
}

/// The ids of comments in a JSON list's `data`.
fn ids(body: &Value) -> Vec<i64> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {body}"))
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

backend_tests! {
    async fn held_comments_are_shown_counted_and_approved_as_the_rows_say(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("alice").await;
        h.user_with_channel("bob").await;
        let (alice, bob) = (account_id(&db, "alice").await, account_id(&db, "bob").await);
        let v = video(&db, channel, 3).await;
        let open = insert(&db, v.id, alice, None, false).await;
        let held = insert(&db, v.id, bob, None, true).await;
        let held_reply = insert(&db, v.id, bob, Some(open), true).await;

        assert_eq!(threads(&db, v.id, HeldShown::None).await, (1, 1, vec![open]));
        assert_eq!(threads(&db, v.id, HeldShown::AuthoredBy(alice)).await, (1, 1, vec![open]));
        assert_eq!(threads(&db, v.id, HeldShown::AuthoredBy(bob)).await, (2, 3, vec![open, held]));
        assert_eq!(threads(&db, v.id, HeldShown::All).await, (2, 3, vec![open, held]));
        let mut connection = db.pool().acquire().await.unwrap();
        let (_, _, rows) = kinora_db::comments::list_threads(&mut connection, v.id, 0, HeldShown::None, ThreadOrder::OldestFirst, 0, 10).await.unwrap();
        assert_eq!(rows[0].total_replies, 0, "a held reply is not counted");
        drop(connection);
        let replies = |held| kinora_db::comments::list_replies(db.pool(), open, 0, held, 10);
        assert!(replies(HeldShown::None).await.unwrap().is_empty());
        assert_eq!(replies(HeldShown::All).await.unwrap().len(), 1);
        let (rows, total) = kinora_db::comments::list_of_video(db.pool(), v.id, 0, 10).await.unwrap();
        assert_eq!((rows.len(), total), (1, 1), "the ActivityPub collection leaves held ones out");

        // The owner's queue, with its filters.
        let queue = |held_for_review, search: Option<&'static str>| {
            let db = db.clone();
            async move {
                let filter = OwnerCommentFilter { video_owner_account_id: alice, held_for_review, search, ..Default::default() };
                kinora_db::comment_reviews::list_on_account_videos(db.pool(), &filter, 0, 10).await.unwrap()
            }
        };
        let (total, rows) = queue(Some(true), None).await;
        assert_eq!((total, rows.iter().map(|r| r.id).collect::<Vec<_>>()), (2, vec![held_reply, held]));
        assert!(rows.iter().all(|row| row.is_held()));
        assert_eq!(queue(Some(false), None).await.0, 1);
        assert_eq!(queue(None, None).await.0, 3);
        assert_eq!(queue(None, Some("nothing like it")).await.0, 0);
        assert_eq!(queue(None, Some("WORD")).await.0, 3);
        let filter = OwnerCommentFilter { video_owner_account_id: bob, ..Default::default() };
        assert_eq!(kinora_db::comment_reviews::list_on_account_videos(db.pool(), &filter, 0, 10).await.unwrap().0, 0);

        // Approving: once; then it is shown to everyone.
        let mut tx = db.begin().await.unwrap();
        assert!(kinora_db::comment_reviews::approve(&mut tx, held).await.unwrap());
        assert!(!kinora_db::comment_reviews::approve(&mut tx, held).await.unwrap());
        assert!(!kinora_db::comment_reviews::approve(&mut tx, open).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(threads(&db, v.id, HeldShown::None).await, (2, 2, vec![open, held]));

        // A remote origin's approval of our comment is recorded once.
        let mut tx = db.begin().await.unwrap();
        let approval = "https://a.example/videos/watch/x/comments/1/approve-reply";
        assert!(kinora_db::comment_reviews::record_reply_approval(&mut tx, held_reply, approval).await.unwrap());
        assert!(!kinora_db::comment_reviews::record_reply_approval(&mut tx, held_reply, approval).await.unwrap());
        tx.commit().await.unwrap();
        let row = kinora_db::comments::find_by_id(db.pool(), held_reply).await.unwrap().unwrap();
        assert_eq!((row.is_held(), row.reply_approval.as_deref()), (false, Some(approval)));

        // An author's comments, everywhere or on one owner's videos.
        let other = video(&db, kinora_db::channels::list_by_account(db.pool(), bob).await.unwrap()[0].id, 1).await;
        insert(&db, other.id, bob, None, false).await;
        assert_eq!(kinora_db::comment_reviews::list_by_author(db.pool(), bob, None).await.unwrap().len(), 3);
        assert_eq!(kinora_db::comment_reviews::list_by_author(db.pool(), bob, Some(alice)).await.unwrap().len(), 2);
    }

    async fn strangers_comments_wait_for_the_owners_approval(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let (carol, _) = h.user_with_channel("carol").await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        let v = video(&db, channel, 1).await;
        let path = format!("/api/v1/videos/{}", v.uuid);

        // Policy 3 is accepted, stored and shown as PeerTube does; 4 is not.
        let (status, body) = h.send_json("PUT", &path, Some(&alice), json!({ "commentsPolicy": 4 })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = h.send_json("PUT", &path, Some(&alice), json!({ "commentsPolicy": 3 })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, body) = h.get(&path, None).await;
        assert_eq!(body["commentsPolicy"], json!({ "id": 3, "label": "Requires approval" }));

        // A stranger's comment is held: shown to its author, the owner and moderators only.
        let threads = format!("{path}/comment-threads");
        let (status, body) = h.send_json("POST", &threads, Some(&bob), json!({ "text": "first!" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["comment"]["heldForReview"], true);
        let held = body["comment"]["id"].as_i64().unwrap();
        let (_, body) = h.get(&threads, None).await;
        assert_eq!((body["total"].as_i64(), body["totalNotDeletedComments"].as_i64()), (Some(0), Some(0)), "{body}");
        let (_, body) = h.get(&threads, Some(&carol)).await;
        assert_eq!(ids(&body), Vec::<i64>::new());
        for viewer in [&bob, &alice, &moderator] {
            let (_, body) = h.get(&threads, Some(viewer)).await;
            assert_eq!((ids(&body), body["totalNotDeletedComments"].as_i64()), (vec![held], Some(1)));
            assert_eq!(body["data"][0]["heldForReview"], true);
        }
        let thread = format!("{threads}/{held}");
        assert_eq!(h.get(&thread, None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&thread, Some(&carol)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&thread, Some(&bob)).await.0, StatusCode::OK);
        let reply = format!("{path}/comments/{held}");
        let (status, _) = h.send_json("POST", &reply, Some(&carol), json!({ "text": "me too" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a held comment cannot be answered by others");
        let note = format!("/videos/watch/{}/comments/{held}", v.uuid);
        assert_eq!(get_with(&h, &note, AP).await.0, StatusCode::NOT_FOUND, "no Note for others yet");
        let (_, _, collection) = get_with(&h, &format!("/videos/watch/{}/comments", v.uuid), AP).await;
        assert_eq!(collection["totalItems"], 0, "{collection}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%comment-created%'").await, 0, "not federated");

        // The owner's own comment is not held.
        let (_, body) = h.send_json("POST", &threads, Some(&alice), json!({ "text": "welcome" })).await;
        assert_eq!(body["comment"]["heldForReview"], false);
        let own = body["comment"]["id"].as_i64().unwrap();
        assert_eq!(ids(&h.get(&threads, None).await.1), vec![own]);

        // The owner's queue.
        let queue = "/api/v1/users/me/videos/comments";
        let (status, body) = h.get(&format!("{queue}?isHeldForReview=true"), Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["total"].as_i64(), ids(&body)), (Some(1), vec![held]));
        assert_eq!(body["data"][0]["video"]["uuid"], v.uuid.as_str());
        assert_eq!(body["data"][0]["account"]["name"], "bob");
        assert_eq!(body["data"][0]["heldForReview"], true);
        assert_eq!(ids(&h.get(&format!("{queue}?isHeldForReview=false"), Some(&alice)).await.1), vec![own]);
        assert_eq!(ids(&h.get(&format!("{queue}?searchAccount=BO&videoId={}", v.uuid), Some(&alice)).await.1), vec![held]);
        assert_eq!(h.get(queue, Some(&carol)).await.1["total"], 0);
        assert_eq!(h.get(&format!("{queue}?videoId={}", v.uuid), Some(&carol)).await.0, StatusCode::FORBIDDEN);
        assert_eq!(h.get(&format!("{queue}?isHeldForReview=maybe"), Some(&alice)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get(&format!("{queue}?count=1000"), Some(&alice)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get(queue, None).await.0, StatusCode::UNAUTHORIZED);

        // Approval: the owner or a moderator; nobody else; known, held comments only.
        let approve = |id: i64| format!("{path}/comments/{id}/approve");
        let (status, body) = h.send_json("POST", &approve(held), Some(&carol), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = h.send_json("POST", &approve(held), Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "its author may not approve it: {body}");
        assert_eq!(h.send_json("POST", &approve(held), None, json!({})).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(h.send_json("POST", &approve(987_654), Some(&alice), json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.send_json("POST", &format!("{path}/comments/x/approve"), Some(&alice), json!({})).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.send_json("POST", &approve(own), Some(&alice), json!({})).await.0, StatusCode::BAD_REQUEST, "not held");
        let (status, body) = h.send_json("POST", &approve(held), Some(&alice), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(h.send_json("POST", &approve(held), Some(&alice), json!({})).await.0, StatusCode::BAD_REQUEST, "approved already");
        let (_, body) = h.get(&format!("{threads}?sort=createdAt"), None).await;
        assert_eq!((ids(&body), body["totalNotDeletedComments"].as_i64()), (vec![held, own], Some(2)));
        assert_eq!(body["data"][0]["heldForReview"], false);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%comment-approved%'").await, 1);
        let (status, _, document) = get_with(&h, &note, AP).await;
        assert_eq!((status, document["content"].as_str()), (StatusCode::OK, Some("first!")));

        // A moderator approves too; the owner deletes a held comment; a deleted one is a conflict.
        let (_, body) = h.send_json("POST", &threads, Some(&carol), json!({ "text": "second" })).await;
        let second = body["comment"]["id"].as_i64().unwrap();
        assert_eq!(h.send_json("POST", &approve(second), Some(&moderator), json!({})).await.0, StatusCode::NO_CONTENT);
        let (_, body) = h.send_json("POST", &threads, Some(&carol), json!({ "text": "spam" })).await;
        let spam = body["comment"]["id"].as_i64().unwrap();
        let (status, body) = h.send_json("DELETE", &format!("{path}/comments/{spam}"), Some(&alice), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(h.send_json("POST", &approve(spam), Some(&alice), json!({})).await.0, StatusCode::CONFLICT);
        assert_eq!(h.get(&format!("{queue}?isHeldForReview=true"), Some(&alice)).await.1["total"], 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%comment-deleted%'").await, 0, "a held comment was never sent");

        // On a video whose comments are open nothing is held.
        let open = video(&db, channel, 1).await;
        let (_, body) = h.send_json("POST", &format!("/api/v1/videos/{}/comment-threads", open.uuid), Some(&bob), json!({ "text": "hi" })).await;
        assert_eq!(body["comment"]["heldForReview"], false);
    }

    async fn an_accounts_comments_are_removed_in_bulk_by_who_may(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let (dave, dave_channel) = h.user_with_channel("dave").await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        let mine = video(&db, channel, 1).await;
        let theirs = video(&db, dave_channel, 1).await;
        for (token, uuid) in [(&bob, &mine.uuid), (&bob, &theirs.uuid), (&dave, &mine.uuid)] {
            let path = format!("/api/v1/videos/{uuid}/comment-threads");
            assert_eq!(h.send_json("POST", &path, Some(token), json!({ "text": "x" })).await.0, StatusCode::OK);
        }
        let (_, carol) = remote_account(&db, "remote.example", "carol").await;
        let mut tx = db.begin().await.unwrap();
        for (n, video) in [mine.id, theirs.id].into_iter().enumerate() {
            let remote = NewComment { video_id: video, account_id: carol, thread_id: None, in_reply_to_id: None, text: "spam", held_for_review: false };
            kinora_db::comments::insert_remote(&mut tx, &remote, &format!("https://remote.example/c/{n}"), 1, 1).await.unwrap();
        }
        tx.commit().await.unwrap();
        let live = |account: &'static str| {
            let db = db.clone();
            async move {
                count(&db, &format!("SELECT COUNT(*) FROM video_comments c JOIN accounts a ON a.id = c.account_id \
                    JOIN actors r ON r.id = a.actor_id WHERE r.preferred_username = '{account}' AND c.deleted_at IS NULL")).await
            }
        };
        let bulk = "/api/v1/bulk/remove-comments-of";

        // Refusals change nothing.
        let cases = [
            (None, json!({ "accountName": "bob", "scope": "my-videos" }), StatusCode::UNAUTHORIZED),
            (Some(&alice), json!({ "accountName": "bob", "scope": "instance" }), StatusCode::FORBIDDEN),
            (Some(&alice), json!({ "accountName": "bob", "scope": "everything" }), StatusCode::BAD_REQUEST),
            (Some(&alice), json!({ "accountName": "bob" }), StatusCode::BAD_REQUEST),
            (Some(&alice), json!({ "accountName": "nobody", "scope": "my-videos" }), StatusCode::NOT_FOUND),
            (Some(&alice), json!({ "accountName": "nobody@remote.example", "scope": "my-videos" }), StatusCode::NOT_FOUND),
        ];
        for (token, body, expected) in cases {
            let (status, answer) = h.send_json("POST", bulk, token.map(String::as_str), body.clone()).await;
            assert_eq!(status, expected, "{body} → {answer}");
        }
        assert_eq!((live("bob").await, live("carol").await, live("dave").await), (2, 2, 1));

        // The owner clears an account's comments from their own videos only.
        let (status, body) = h.send_json("POST", bulk, Some(&alice), json!({ "accountName": "bob", "scope": "my-videos" })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!((live("bob").await, live("dave").await), (1, 1));
        let (_, threads) = h.get(&format!("/api/v1/videos/{}/comment-threads", mine.uuid), None).await;
        assert_eq!(threads["totalNotDeletedComments"], 2, "dave's and carol's stay: {threads}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%comment-deleted%'").await, 1, "bob's Delete goes out");

        // A moderator removes a remote account's comments from the whole instance.
        let (status, body) = h.send_json("POST", bulk, Some(&moderator), json!({ "accountName": "carol@remote.example", "scope": "instance" })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!((live("bob").await, live("carol").await, live("dave").await), (1, 0, 1));
    }
}
