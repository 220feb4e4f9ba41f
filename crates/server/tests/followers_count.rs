//! `followersCount` in the REST JSON of channels and accounts, as PeerTube counts an actor's
//! accepted follows: local subscribers of a channel plus remote actors whose follow was
//! accepted (pending ones are not counted). Checked on every route that shows an account or a
//! channel (video lists show summaries, without it, as PeerTube), on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::activitypub::{actor_id, insert_comment, remote_account};
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;
use serde_json::{Value, json};

/// Records that remote actor `follower` follows local actor `following`, in `state`.
async fn remote_follow(db: &kinora_db::Db, follower: i64, following: i64, state: &str) {
    let mut tx = db.begin().await.unwrap();
    kinora_db::follows::upsert(&mut tx, follower, following, state, None, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

backend_tests! {
    async fn followers_count_counts_subscribers_and_remote_followers(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, alice_channel) = h.user_with_channel("alice").await;
        let (bob, _) = h.user_with_channel("bob").await;
        let (carol, _) = h.user_with_channel("carol").await;
        let video = insert_video(&db, alice_channel, "Alice public", 1, 1, 0).await;
        let alice_account = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        insert_comment(&db, video.id, alice_account.id, None, "First").await;

        // Two local subscribers; two remote followers of the channel (one still pending), one
        // remote follower of the account.
        for token in [&bob, &carol] {
            let (status, body) = h.send_json("POST", "/api/v1/users/me/subscriptions", Some(token), json!({ "uri": "alice_channel" })).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
        let channel_actor = actor_id(&db, "alice_channel").await;
        let account_actor = actor_id(&db, "alice").await;
        let (dave, _) = remote_account(&db, "remote.example", "dave").await;
        let (erin, _) = remote_account(&db, "remote.example", "erin").await;
        let (frank, _) = remote_account(&db, "other.example", "frank").await;
        remote_follow(&db, dave, channel_actor, "accepted").await;
        remote_follow(&db, erin, channel_actor, "pending").await;
        remote_follow(&db, frank, account_actor, "accepted").await;
        remote_follow(&db, frank, channel_actor, "accepted").await;

        let (channel_count, account_count) = (4, 1);
        let check_channel = |value: &Value, at: &str| {
            assert_eq!(value["name"], "alice_channel", "{at}: {value}");
            assert_eq!(value["followersCount"], channel_count, "{at}: {value}");
        };
        let check_account = |value: &Value, at: &str| {
            assert_eq!(value["name"], "alice", "{at}: {value}");
            assert_eq!(value["followersCount"], account_count, "{at}: {value}");
        };

        let (status, body) = h.get("/api/v1/video-channels/alice_channel", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        check_channel(&body, "channel");
        check_account(&body["ownerAccount"], "channel owner");
        let (_, body) = h.get("/api/v1/accounts/alice", None).await;
        check_account(&body, "account");
        let (_, body) = h.get("/api/v1/accounts/alice/video-channels", None).await;
        check_channel(&body["data"][0], "account's channels");
        let (_, body) = h.get("/api/v1/search/video-channels?search=alice", None).await;
        check_channel(&body["data"][0], "channel search");
        let (_, body) = h.get("/api/v1/users/me", Some(&alice)).await;
        check_account(&body["account"], "me");
        check_channel(&body["videoChannels"][0], "my channels");
        let (_, body) = h.get("/api/v1/users/me/subscriptions", Some(&bob)).await;
        check_channel(&body["data"][0], "subscriptions");
        let (_, body) = h.get("/api/v1/users/me/subscriptions/alice_channel", Some(&bob)).await;
        check_channel(&body, "subscription");
        let (_, body) = h.get(&format!("/api/v1/videos/{}", video.uuid), None).await;
        check_channel(&body["channel"], "video");
        check_account(&body["account"], "video");
        let (_, body) = h.get("/api/v1/videos", None).await;
        // Lists carry PeerTube's VideoChannelSummary, which has no followersCount.
        let summary = &body["data"][0]["channel"];
        assert_eq!(summary["name"], "alice_channel", "{summary}");
        let mut fields: Vec<&str> = summary.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["avatars", "displayName", "host", "id", "name", "url"], "{summary}");
        let (_, body) = h.get(&format!("/api/v1/videos/{}/comment-threads", video.uuid), None).await;
        check_account(&body["data"][0]["account"], "comment author");

        // Bob leaves: one fewer.
        let (status, _) = h.send_json("DELETE", "/api/v1/users/me/subscriptions/alice_channel", Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, body) = h.get("/api/v1/video-channels/alice_channel", None).await;
        assert_eq!(body["followersCount"], channel_count - 1, "{body}");
        // Nobody follows bob's channel or account.
        let (_, body) = h.get("/api/v1/video-channels/bob_channel", None).await;
        assert_eq!(body["followersCount"], 0, "{body}");
        assert_eq!(body["ownerAccount"]["followersCount"], 0, "{body}");
    }
}
