//! Comments, ratings, views and subscriptions through the whole HTTP stack, on SQLite and
//! PostgreSQL: the happy paths and every refusal, each checked on its own.

use crate::common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count, publish_video};
use kinora_core::UserRole;
use kinora_db::testing::sample_video;
use kinora_db::videos::NewVideo;
use kinora_db::{Db, backend_tests};
use serde_json::{Value, json};
use uuid::Uuid;

/// How a test video is made.
#[derive(Clone, Copy)]
struct Kind {
    privacy: i64,
    comments_policy: i64,
    published: bool,
}

const PUBLIC: Kind = Kind {
    privacy: 1,
    comments_policy: 1,
    published: true,
};

/// Inserts a video in `channel` and returns its UUID.
async fn video(db: &Db, channel: i64, name: &str, kind: Kind) -> String {
    let uuid = Uuid::new_v4().to_string();
    let short = kinora_core::video::short_uuid(&Uuid::parse_str(&uuid).unwrap());
    let mut tx = db.begin().await.unwrap();
    let new = NewVideo {
        name,
        privacy: kind.privacy,
        comments_policy: kind.comments_policy,
        ..sample_video(&uuid, &short, channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, 1000)
        .await
        .unwrap();
    if kind.published {
        publish_video(&mut tx, id, 2000).await;
    }
    tx.commit().await.unwrap();
    uuid
}

/// The `invalid-params` field names of a 400.
fn invalid_fields(body: &Value) -> Vec<String> {
    body["invalid-params"]
        .as_object()
        .map(|params| params.keys().cloned().collect())
        .unwrap_or_default()
}

async fn comment(h: &Harness, token: Option<&str>, path: &str, text: Value) -> (StatusCode, Value) {
    h.send_json("POST", path, token, json!({ "text": text }))
        .await
}

async fn counters(h: &Harness, uuid: &str) -> (i64, i64, i64) {
    let (status, body) = h.get(&format!("/api/v1/videos/{uuid}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["likes"].as_i64().unwrap(),
        body["dislikes"].as_i64().unwrap(),
        body["views"].as_i64().unwrap(),
    )
}

async fn view(h: &Harness, uuid: &str, token: Option<&str>, ip: [u8; 4]) -> StatusCode {
    let mut request = Request::post(format!("/api/v1/videos/{uuid}/views"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = request.body(Body::from(r#"{"currentTime":3}"#)).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 4000))));
    h.send(request).await.0
}

backend_tests! {
    async fn threads_replies_trees_and_tombstones(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let (carol, _) = h.user_with_channel("carol").await;
        let (dave, _) = h.user_with_channel("dave").await;
        let uuid = video(&db, channel, "Talk", PUBLIC).await;
        let threads = format!("/api/v1/videos/{uuid}/comment-threads");

        let html = "<script>alert(1)</script> <b>hi</b> & \"quotes\"";
        let (status, body) = comment(&h, Some(&bob), &threads, json!(html)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let root = body["comment"]["id"].as_i64().unwrap();
        assert_eq!(body["comment"]["text"], html, "stored and returned verbatim");
        assert_eq!(body["comment"]["threadId"], root);
        assert_eq!(body["comment"]["inReplyToCommentId"], Value::Null);
        assert_eq!(body["comment"]["isDeleted"], false);
        assert_eq!(body["comment"]["account"]["name"], "bob");
        assert_eq!(
            body["comment"]["url"],
            format!("http://localhost:9000/videos/watch/{uuid}/comments/{root}")
        );

        let (status, body) = comment(&h, Some(&alice), &format!("/api/v1/videos/{uuid}/comments/{root}"), json!("author reply")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let alice_reply = body["comment"]["id"].as_i64().unwrap();
        assert_eq!(body["comment"]["threadId"], root);
        assert_eq!(body["comment"]["inReplyToCommentId"], root);
        let (status, body) = comment(&h, Some(&carol), &format!("/api/v1/videos/{uuid}/comments/{alice_reply}"), json!("nested")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let carol_reply = body["comment"]["id"].as_i64().unwrap();
        assert_eq!(body["comment"]["threadId"], root, "a reply's thread is the root");
        let (status, _) = comment(&h, Some(&carol), &threads, json!("second thread")).await;
        assert_eq!(status, StatusCode::OK);

        let (status, list) = h.get(&threads, None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 2);
        assert_eq!(list["totalNotDeletedComments"], 4);
        assert_eq!(list["data"][0]["text"], "second thread", "newest first by default");
        assert_eq!(list["data"][1]["totalReplies"], 2);
        assert_eq!(list["data"][1]["totalRepliesFromVideoAuthor"], 1);
        let (_, list) = h.get(&format!("{threads}?sort=createdAt&start=0&count=1"), None).await;
        assert_eq!((list["total"].as_i64(), list["data"][0]["id"].as_i64()), (Some(2), Some(root)));
        let (_, list) = h.get(&format!("{threads}?sort=-totalReplies"), None).await;
        assert_eq!(list["data"][0]["id"], root);

        let (status, tree) = h.get(&format!("{threads}/{root}"), None).await;
        assert_eq!(status, StatusCode::OK, "{tree}");
        assert_eq!(tree["comment"]["id"], root);
        assert_eq!(tree["children"][0]["comment"]["id"], alice_reply);
        assert_eq!(tree["children"][0]["children"][0]["comment"]["id"], carol_reply);
        assert_eq!(tree["children"][0]["children"][0]["children"], json!([]));
        let (status, body) = h.get(&format!("{threads}/{alice_reply}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "a reply is not a thread: {body}");

        // Only the author, the video's owner and staff may delete.
        let root_path = format!("/api/v1/videos/{uuid}/comments/{root}");
        let (status, body) = h.send_json("DELETE", &root_path, Some(&dave), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = h.send_json("DELETE", &root_path, None, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = h.send_json("DELETE", &root_path, Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = h.send_json("DELETE", &root_path, Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "already deleted");

        // The tombstone keeps its replies.
        let (_, list) = h.get(&format!("{threads}?sort=createdAt"), None).await;
        assert_eq!(list["total"], 2);
        assert_eq!(list["totalNotDeletedComments"], 3);
        let tombstone = &list["data"][0];
        assert_eq!(tombstone["id"], root);
        assert_eq!(tombstone["isDeleted"], true);
        assert_eq!(tombstone["text"], "");
        assert_eq!(tombstone["account"], Value::Null);
        assert!(tombstone["deletedAt"].is_string());
        let (_, tree) = h.get(&format!("{threads}/{root}"), None).await;
        assert_eq!(tree["comment"]["isDeleted"], true);
        assert_eq!(tree["children"][0]["children"][0]["comment"]["text"], "nested");

        // The video's owner deletes carol's reply; an administrator deletes alice's.
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/videos/{uuid}/comments/{carol_reply}"), Some(&alice), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let admin = h.user("moderator", UserRole::Moderator).await;
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/videos/{uuid}/comments/{alice_reply}"), Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_comments").await, 4, "rows are kept");
    }

    async fn bad_comment_input_is_refused_and_changes_nothing(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let uuid = video(&db, channel, "Talk", PUBLIC).await;
        let other = video(&db, channel, "Other", PUBLIC).await;
        let threads = format!("/api/v1/videos/{uuid}/comment-threads");

        let (status, body) = comment(&h, Some(&alice), &threads, json!("x".repeat(10_001))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(invalid_fields(&body), ["text"]);
        let (status, body) = comment(&h, Some(&alice), &threads, json!("")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["text"]);
        let (status, body) = comment(&h, Some(&alice), &threads, json!(42)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["text"]);
        let (status, body) = h.send_json("POST", &threads, Some(&alice), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["text"]);
        let (status, _) = comment(&h, None, &threads, json!("anonymous")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_comments").await, 0);
        let (status, body) = comment(&h, Some(&alice), &threads, json!("é".repeat(10_000))).await;
        assert_eq!(status, StatusCode::OK, "10,000 characters are allowed: {body}");
        let root = body["comment"]["id"].as_i64().unwrap();

        // A comment of another video cannot be replied to through this one.
        let (status, body) = comment(&h, Some(&alice), &format!("/api/v1/videos/{other}/comments/{root}"), json!("hi")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "comment_not_associated_to_video");
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/videos/{other}/comments/{root}"), Some(&alice), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = comment(&h, Some(&alice), &format!("/api/v1/videos/{uuid}/comments/999999"), json!("hi")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = comment(&h, None, &format!("/api/v1/videos/{uuid}/comments/{root}"), json!("hi")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        for bad in ["abc", "-1", "0", "99999999999999999999999"] {
            let (status, body) = comment(&h, Some(&alice), &format!("/api/v1/videos/{uuid}/comments/{bad}"), json!("hi")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert_eq!(invalid_fields(&body), ["commentId"], "{bad}");
            let (status, body) = h.get(&format!("{threads}/{bad}"), None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert_eq!(invalid_fields(&body), ["threadId"], "{bad}");
        }
        for missing in ["abc", "-1", "99999999999999999999999", "00000000-0000-4000-8000-000000000000"] {
            let (status, _) = h.get(&format!("/api/v1/videos/{missing}/comment-threads"), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        }
        for (query, field) in [
            ("start=-1", "start"), ("start=abc", "start"), ("count=101", "count"),
            ("count=-1", "count"), ("sort=-id", "sort"), ("sort=totalReplies", "sort"),
        ] {
            let (status, body) = h.get(&format!("{threads}?{query}"), None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
            assert_eq!(invalid_fields(&body), [field], "{query}");
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_comments").await, 1);
    }

    async fn comments_follow_the_video_policy_state_and_visibility(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let closed = video(&db, channel, "Closed", Kind { comments_policy: 2, ..PUBLIC }).await;
        let (status, body) = comment(&h, Some(&bob), &format!("/api/v1/videos/{closed}/comment-threads"), json!("hi")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "comments_disabled");
        let (status, list) = h.get(&format!("/api/v1/videos/{closed}/comment-threads"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((list["total"].as_i64(), list["data"].as_array().map(Vec::len)), (Some(0), Some(0)));

        let private = video(&db, channel, "Private", Kind { privacy: 3, ..PUBLIC }).await;
        let path = format!("/api/v1/videos/{private}/comment-threads");
        assert_eq!(comment(&h, Some(&bob), &path, json!("hi")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&path, Some(&bob)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&path, None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(comment(&h, Some(&alice), &path, json!("mine")).await.0, StatusCode::OK);

        let pending = video(&db, channel, "Pending", Kind { published: false, ..PUBLIC }).await;
        let (status, body) = comment(&h, Some(&alice), &format!("/api/v1/videos/{pending}/comment-threads"), json!("hi")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "video_not_published");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_comments").await, 1);
    }

    async fn ratings_move_the_counters_exactly_once(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let uuid = video(&db, channel, "Talk", PUBLIC).await;
        let rate = format!("/api/v1/videos/{uuid}/rate");
        let mine = format!("/api/v1/users/me/videos/{uuid}/rating");

        let (_, body) = h.get(&mine, Some(&bob)).await;
        assert_eq!(body["rating"], "none");
        for (rating, expected) in [
            ("like", (1, 0)), ("like", (1, 0)), ("dislike", (0, 1)),
            ("none", (0, 0)), ("none", (0, 0)), ("dislike", (0, 1)),
        ] {
            let (status, body) = h.send_json("PUT", &rate, Some(&bob), json!({ "rating": rating })).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{rating}: {body}");
            let (likes, dislikes, _) = counters(&h, &uuid).await;
            assert_eq!((likes, dislikes), expected, "after {rating}");
            let (status, body) = h.get(&mine, Some(&bob)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["rating"], rating);
            assert!(body["videoId"].is_i64());
        }
        assert_eq!(h.send_json("PUT", &rate, Some(&alice), json!({ "rating": "like" })).await.0, StatusCode::NO_CONTENT);
        assert_eq!(counters(&h, &uuid).await, (1, 1, 0));

        let (status, body) = h.send_json("PUT", &rate, Some(&bob), json!({ "rating": "love" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["rating"]);
        let (status, body) = h.send_json("PUT", &rate, Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["rating"]);
        assert_eq!(h.send_json("PUT", &rate, None, json!({ "rating": "like" })).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(h.get(&mine, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(counters(&h, &uuid).await, (1, 1, 0));

        // Someone else's private video does not exist for bob.
        let private = video(&db, channel, "Private", Kind { privacy: 3, ..PUBLIC }).await;
        let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/{private}/rate"), Some(&bob), json!({ "rating": "like" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&format!("/api/v1/users/me/videos/{private}/rating"), Some(&bob)).await.0, StatusCode::NOT_FOUND);
        let (_, owner_view) = h.get(&format!("/api/v1/videos/{private}"), Some(&alice)).await;
        assert_eq!((owner_view["likes"].as_i64(), owner_view["dislikes"].as_i64()), (Some(0), Some(0)));
        assert_eq!(h.send_json("PUT", "/api/v1/videos/nope/rate", Some(&bob), json!({ "rating": "like" })).await.0, StatusCode::NOT_FOUND);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_ratings").await, 2);
    }

    async fn views_count_once_per_viewer_and_window(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let uuid = video(&db, channel, "Talk", PUBLIC).await;
        assert_eq!(view(&h, &uuid, None, [203, 0, 113, 1]).await, StatusCode::NO_CONTENT);
        assert_eq!(view(&h, &uuid, None, [203, 0, 113, 1]).await, StatusCode::NO_CONTENT);
        assert_eq!(counters(&h, &uuid).await.2, 1, "the same address counts once");
        assert_eq!(view(&h, &uuid, None, [203, 0, 113, 2]).await, StatusCode::NO_CONTENT);
        assert_eq!(counters(&h, &uuid).await.2, 2, "another address counts");
        assert_eq!(view(&h, &uuid, Some(&bob), [203, 0, 113, 1]).await, StatusCode::NO_CONTENT);
        assert_eq!(view(&h, &uuid, Some(&bob), [198, 51, 100, 7]).await, StatusCode::NO_CONTENT);
        assert_eq!(counters(&h, &uuid).await.2, 3, "a user counts once wherever they are");
        // Watching now (the last minute): the two addresses and bob, each once.
        assert_eq!(view(&h, &uuid, None, [203, 0, 113, 2]).await, StatusCode::NO_CONTENT);
        let (_, body) = h.get(&format!("/api/v1/videos/{uuid}"), None).await;
        assert_eq!(body["viewers"], 3, "{body}");

        let (status, body) = h.send_json("POST", &format!("/api/v1/videos/{uuid}/views"), None, json!({ "currentTime": -4 })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["currentTime"]);
        let private = video(&db, channel, "Private", Kind { privacy: 3, ..PUBLIC }).await;
        assert_eq!(view(&h, &private, Some(&bob), [203, 0, 113, 9]).await, StatusCode::NOT_FOUND);
        assert_eq!(view(&h, &private, Some(&alice), [203, 0, 113, 9]).await, StatusCode::NO_CONTENT);
        let pending = video(&db, channel, "Pending", Kind { published: false, ..PUBLIC }).await;
        assert_eq!(view(&h, &pending, Some(&alice), [203, 0, 113, 9]).await, StatusCode::NO_CONTENT);
        let (_, body) = h.get(&format!("/api/v1/videos/{pending}"), Some(&alice)).await;
        assert_eq!(body["viewers"], 0, "nobody watches a video not yet published: {body}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_views").await, 4);
        assert_eq!(count(&db, "SELECT CAST(SUM(views) AS BIGINT) FROM videos").await, 4);
    }

    async fn subscriptions_follow_list_check_feed_and_unfollow(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, alice_channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let (_, carol_channel) = h.user_with_channel("carol").await;
        let public = video(&db, alice_channel, "Alice public", PUBLIC).await;
        let another = video(&db, alice_channel, "Alice another public", PUBLIC).await;
        video(&db, alice_channel, "Alice unlisted", Kind { privacy: 2, ..PUBLIC }).await;
        video(&db, alice_channel, "Alice private", Kind { privacy: 3, ..PUBLIC }).await;
        video(&db, alice_channel, "Alice internal", Kind { privacy: 4, ..PUBLIC }).await;
        video(&db, alice_channel, "Alice pending", Kind { published: false, ..PUBLIC }).await;
        video(&db, carol_channel, "Carol public", PUBLIC).await;
        let path = "/api/v1/users/me/subscriptions";

        for uri in ["alice_channel@localhost:9000", "alice_channel"] {
            let (status, body) = h.send_json("POST", path, Some(&bob), json!({ "uri": uri })).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{uri}: {body}");
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM subscriptions").await, 1, "following twice is one subscription");

        let (status, body) = h.send_json("POST", path, Some(&bob), json!({ "uri": "nobody_channel@localhost:9000" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        // A remote handle is looked up on its instance; one this instance may not reach (a
        // loopback address, refused by the outbound guard) answers 502 and stores nothing.
        let (status, body) = h.send_json("POST", path, Some(&bob), json!({ "uri": "someone@127.0.0.1:9" })).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        assert_eq!(body["code"], "remote_failed");
        // A host name is answered the same way, without saying what it resolves to.
        let (status, body) = h.send_json("POST", path, Some(&bob), json!({ "uri": "someone@localhost:9" })).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        let text = body.to_string();
        assert!(!text.contains("127.0.0.1") && !text.contains("::1") && !text.contains("loopback"), "{text}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM subscriptions").await, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM actors WHERE host IS NOT NULL").await, 0);
        for bad in ["", "@", "a@b@c", "@alice_channel"] {
            let (status, body) = h.send_json("POST", path, Some(&bob), json!({ "uri": bad })).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
            assert_eq!(invalid_fields(&body), ["uri"], "{bad:?}");
        }
        let (status, body) = h.send_json("POST", path, Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["uri"]);
        assert_eq!(h.send_json("POST", path, None, json!({ "uri": "alice_channel" })).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM subscriptions").await, 1);

        let (status, list) = h.get(path, Some(&bob)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 1);
        assert_eq!(list["data"][0]["name"], "alice_channel");
        assert_eq!(list["data"][0]["host"], "localhost:9000");
        assert_eq!(list["data"][0]["ownerAccount"]["name"], "alice");
        assert_eq!(h.get(&format!("{path}?count=101"), Some(&bob)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get(&format!("{path}?sort=name"), Some(&bob)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get(path, None).await.0, StatusCode::UNAUTHORIZED);

        // PeerTube's sorts of subscriptions, by date or id: newest first unless asked otherwise.
        let (status, _) = h.send_json("POST", path, Some(&bob), json!({ "uri": "carol_channel" })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        for (sort, expected) in [("", ["carol_channel", "alice_channel"]), ("?sort=-createdAt", ["carol_channel", "alice_channel"]),
                                 ("?sort=-id", ["carol_channel", "alice_channel"]), ("?sort=createdAt", ["alice_channel", "carol_channel"]),
                                 ("?sort=id", ["alice_channel", "carol_channel"])] {
            let (status, list) = h.get(&format!("{path}{sort}"), Some(&bob)).await;
            assert_eq!(status, StatusCode::OK, "{sort}: {list}");
            let names: Vec<&str> = list["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
            assert_eq!(names, expected, "{sort}");
        }
        let (status, _) = h.send_json("DELETE", &format!("{path}/carol_channel"), Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        let (status, exist) = h.get(&format!("{path}/exist?uris=alice_channel@localhost:9000&uris=carol_channel@localhost:9000&uris=x@peertube.example"), Some(&bob)).await;
        assert_eq!(status, StatusCode::OK, "{exist}");
        assert_eq!(exist, json!({
            "alice_channel@localhost:9000": true,
            "carol_channel@localhost:9000": false,
            "x@peertube.example": false,
        }));
        let (status, body) = h.get(&format!("{path}/exist"), Some(&bob)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["uris"]);

        let (status, feed) = h.get(&format!("{path}/videos"), Some(&bob)).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        assert_eq!(feed["total"], 2, "only public published videos of followed channels");
        assert_eq!(feed["data"][0]["channel"]["name"], "alice_channel");
        // The feed takes the video lists' sorts and filters, as PeerTube's does.
        for (query, expected) in [("sort=name", [&another, &public]), ("sort=-name", [&public, &another])] {
            let (status, feed) = h.get(&format!("{path}/videos?{query}"), Some(&bob)).await;
            assert_eq!(status, StatusCode::OK, "{query}: {feed}");
            let uuids: Vec<&str> = feed["data"].as_array().unwrap().iter().map(|v| v["uuid"].as_str().unwrap()).collect();
            assert_eq!(uuids, expected.map(String::as_str), "{query}");
        }
        let (_, feed) = h.get(&format!("{path}/videos?search=another"), Some(&bob)).await;
        assert_eq!((feed["total"].as_i64(), feed["data"][0]["uuid"].as_str()), (Some(1), Some(another.as_str())));
        let (status, body) = h.get(&format!("{path}/videos?sort=-nonsense"), Some(&bob)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["sort"]);
        assert_eq!(h.get(&format!("{path}/videos?start=-1"), Some(&bob)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get(&format!("{path}/videos"), None).await.0, StatusCode::UNAUTHORIZED);

        let one = format!("{path}/alice_channel@localhost:9000");
        let (status, followed) = h.get(&one, Some(&bob)).await;
        assert_eq!(status, StatusCode::OK, "{followed}");
        assert_eq!(followed["name"], "alice_channel");
        assert_eq!(h.get(&format!("{path}/carol_channel"), Some(&bob)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&one, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(h.send_json("DELETE", &one, None, json!({})).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(h.send_json("DELETE", &one, Some(&bob), json!({})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(h.send_json("DELETE", &one, Some(&bob), json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&one, Some(&bob)).await.0, StatusCode::NOT_FOUND);
        // A remote channel nobody here follows: no such subscription (nothing is fetched).
        assert_eq!(h.send_json("DELETE", &format!("{path}/x@peertube.example"), Some(&bob), json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.send_json("DELETE", &format!("{path}/@x"), Some(&bob), json!({})).await.0, StatusCode::BAD_REQUEST);
        let (_, feed) = h.get(&format!("{path}/videos"), Some(&bob)).await;
        assert_eq!(feed["total"], 0);
    }
}
