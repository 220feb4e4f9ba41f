//! User bans and deletion through the API (`/api/v1/users/{id}/block`, `/unblock`,
//! `GET|DELETE /api/v1/users/{id}`, `GET /api/v1/users`): PeerTube's rules on who may ban whom,
//! a banned user's login and tokens refused, the `blocked` and `blockedReason` fields, and a
//! deleted user's rows gone. On SQLite and PostgreSQL, in process.

use crate::common;

use axum::http::StatusCode;
use common::harness::{Harness, count};
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::json;

async fn user_id(h: &Harness, name: &str) -> i64 {
    kinora_db::users::find_by_login(h.api.db.pool(), name)
        .await
        .unwrap()
        .unwrap()
        .id
}

backend_tests! {
    async fn bans_follow_peertubes_rules(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (member, channel) = h.user_with_channel("member").await;
        let (other, _) = h.user_with_channel("other").await;
        let moderator = h.user("moderator", UserRole::Moderator).await;
        let admin = h.user("boss", UserRole::Admin).await;
        let video = insert_video(&db, channel, "Member clip", 1, 1, 0).await;
        let (member_id, moderator_id, admin_id) = (user_id(&h, "member").await, user_id(&h, "moderator").await, user_id(&h, "boss").await);
        let block = |id: i64| format!("/api/v1/users/{id}/block");

        let (status, _) = h.send_json("POST", &block(member_id), None, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = h.send_json("POST", &block(member_id), Some(&other), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a plain user cannot ban");
        let (status, body) = h.send_json("POST", &block(admin_id), Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a moderator cannot ban an admin: {body}");
        let (status, _) = h.send_json("POST", &block(user_id(&h, "moderator").await), Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "nobody bans themselves");
        let (status, _) = h.send_json("POST", &block(admin_id), Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "nobody bans themselves");
        let (status, body) = h.send_json("POST", &block(member_id), Some(&admin), json!({"reason": "r".repeat(251)})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"]["reason"].is_object(), "{body}");
        let (status, _) = h.send_json("POST", &block(99999), Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.send_json("POST", "/api/v1/users/abc/block", Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users WHERE blocked <> 0").await, 0);

        // A moderator bans a plain user: the token stops working, logging in is refused.
        let (status, body) = h.send_json("POST", &block(member_id), Some(&moderator), json!({"reason": "Spam everywhere"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = h.get("/api/v1/users/me", Some(&member)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let form = format!("{}&grant_type=password&username=member&password=secret-password", h.client_form().await);
        let (status, _, body) = h.token_request(&form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "access_denied", "{body}");
        let (status, _) = h.get(&format!("/api/v1/videos/{}", video.uuid), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get(&format!("/api/v1/videos/{}", video.uuid), Some(&moderator)).await;
        assert_eq!(status, StatusCode::OK);

        // The user routes show it (staff only).
        let (status, _) = h.get(&format!("/api/v1/users/{member_id}"), Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, shown) = h.get(&format!("/api/v1/users/{member_id}"), Some(&moderator)).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!((shown["id"].as_i64(), shown["username"].as_str()), (Some(member_id), Some("member")));
        assert_eq!((shown["blocked"].as_bool(), shown["blockedReason"].as_str()), (Some(true), Some("Spam everywhere")));
        assert_eq!(shown["role"]["id"], 2);
        assert_eq!(shown["account"]["name"], "member");
        assert_eq!(shown["videoChannels"][0]["name"], "member_channel");
        let (status, _) = h.get("/api/v1/users/99999", Some(&admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, list) = h.get("/api/v1/users?blocked=true", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 1);
        assert_eq!(list["data"][0]["id"], member_id);
        let (_, list) = h.get("/api/v1/users?count=2", Some(&admin)).await;
        assert_eq!((list["total"].as_i64(), list["data"].as_array().unwrap().len()), (Some(4), 2));
        let (_, list) = h.get("/api/v1/users?search=moder", Some(&admin)).await;
        assert_eq!((list["total"].as_i64(), list["data"][0]["id"].as_i64()), (Some(1), Some(moderator_id)));
        let (status, _) = h.get("/api/v1/users?blocked=maybe", Some(&admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.get("/api/v1/users", Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Let back in: logs in again, the video shows.
        let (status, _) = h.send_json("POST", &format!("/api/v1/users/{member_id}/unblock"), Some(&other), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("POST", &format!("/api/v1/users/{member_id}/unblock"), Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        h.login("member", "secret-password").await;
        let (status, _) = h.get(&format!("/api/v1/videos/{}", video.uuid), None).await;
        assert_eq!(status, StatusCode::OK);
        let (_, shown) = h.get(&format!("/api/v1/users/{member_id}"), Some(&admin)).await;
        assert_eq!((shown["blocked"].as_bool(), shown["blockedReason"].is_null()), (Some(false), true));
    }

    async fn deleting_a_user_takes_their_channels_videos_and_comments(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (member, channel) = h.user_with_channel("member").await;
        let (other, other_channel) = h.user_with_channel("other").await;
        let moderator = h.user("moderator", UserRole::Moderator).await;
        let admin = h.user("boss", UserRole::Admin).await;
        let own = insert_video(&db, channel, "Member clip", 1, 1, 0).await;
        let theirs = insert_video(&db, other_channel, "Other clip", 1, 1, 0).await;
        let (status, _) = h.send_json("POST", &format!("/api/v1/videos/{}/comment-threads", theirs.uuid), Some(&member), json!({"text": "Hello"})).await;
        assert_eq!(status, StatusCode::OK);
        let member_id = user_id(&h, "member").await;
        let path = format!("/api/v1/users/{member_id}");

        let (status, _) = h.send_json("DELETE", &path, Some(&other), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/users/{}", user_id(&h, "boss").await), Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/users/{}", user_id(&h, "boss").await), Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.send_json("DELETE", "/api/v1/users/99999", Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, body) = h.send_json("DELETE", &path, Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = h.get(&path, Some(&admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get("/api/v1/users/me", Some(&member)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = h.get(&format!("/api/v1/videos/{}", own.uuid), Some(&admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get("/api/v1/accounts/member", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.get("/api/v1/video-channels/member_channel", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_comments").await, 0, "their comments go too");
        let (_, threads) = h.get(&format!("/api/v1/videos/{}/comment-threads", theirs.uuid), Some(&other)).await;
        assert_eq!(threads["total"], 0);
    }
}
