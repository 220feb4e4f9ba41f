//! Video blocks through the API (`/api/v1/videos/{id}/blacklist`, `/api/v1/videos/blacklist`):
//! PeerTube's shapes and status codes, who may block, bad input that changes nothing, and the
//! automatic block of new uploads (`[moderation] auto_block_new_videos`). On SQLite and
//! PostgreSQL, in process.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count};
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::json;

fn upload_request(token: &str, channel: i64, name: &str) -> Request<Body> {
    let bytes = common::mp4_like_bytes(4096);
    let channel = channel.to_string();
    let (content_type, body) = common::harness::multipart(
        &[("name", name), ("channelId", &channel)],
        Some(("videofile", "clip.mp4", "video/mp4", &bytes)),
    );
    Request::post("/api/v1/videos/upload")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

backend_tests! {
    async fn blocks_have_peertubes_routes_shapes_and_rules(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (owner, channel) = h.user_with_channel("owner").await;
        let moderator = h.user("moderator", UserRole::Moderator).await;
        let admin = h.user("boss", UserRole::Admin).await;
        let video = insert_video(&db, channel, "Blocked cat", 1, 1, 3).await;
        let other = insert_video(&db, channel, "Other dog", 1, 1, 5).await;
        let path = format!("/api/v1/videos/{}/blacklist", video.uuid);

        // Who may: staff only; a missing token is 401, a plain user (even the owner) 403.
        let (status, _) = h.send_json("POST", &path, None, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = h.send_json("POST", &path, Some(&owner), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = h.get("/api/v1/videos/blacklist", Some(&owner)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for method in ["PUT", "DELETE"] {
            let (status, _) = h.send_json(method, &path, Some(&owner), json!({})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
        }
        // Bad input: a reason too long or too short, an unknown video, a bad unfederate flag.
        let (status, body) = h.send_json("POST", &path, Some(&moderator), json!({"reason": "x".repeat(301)})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"]["reason"].is_object(), "{body}");
        let (status, _) = h.send_json("POST", &path, Some(&moderator), json!({"reason": "x"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.send_json("POST", &path, Some(&moderator), json!({"unfederate": "maybe"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = h.send_json("POST", "/api/v1/videos/99999/blacklist", Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_blacklist").await, 0);
        // Unblocking or updating a video that is not blocked: 404.
        let (status, _) = h.send_json("DELETE", &path, Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.send_json("PUT", &path, Some(&moderator), json!({"reason": "Why"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Blocked (300 characters is still fine), then a second block is a conflict.
        let (status, body) = h.send_json("POST", &path, Some(&moderator), json!({"reason": "r".repeat(300), "unfederate": true})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = h.send_json("POST", &path, Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, _) = h.send_json("PUT", &path, Some(&admin), json!({"reason": "Spam"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let other_path = format!("/api/v1/videos/{}/blacklist", other.short_uuid);
        let (status, _) = h.send_json("POST", &other_path, Some(&admin), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // The list: {total, data:[{id, video, reason, unfederated, type, createdAt, updatedAt}]}.
        let (status, list) = h.get("/api/v1/videos/blacklist?sort=name", Some(&moderator)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 2);
        let first = &list["data"][0];
        assert_eq!(first["video"]["id"], video.id);
        assert!(first.get("videoId").is_none(), "PeerTube's server sends no videoId");
        assert_eq!(first["video"]["uuid"], video.uuid.as_str());
        assert_eq!(first["video"]["blacklisted"], true);
        assert_eq!(first["video"]["blacklistedReason"], "Spam");
        assert_eq!(first["reason"], "Spam");
        assert_eq!(first["unfederated"], true);
        assert_eq!(first["type"], 1);
        assert!(first["id"].as_i64().unwrap() > 0);
        assert!(first["createdAt"].as_str().unwrap().ends_with('Z'));
        assert!(first["updatedAt"].is_string());
        assert_eq!(list["data"][1]["reason"], serde_json::Value::Null);
        assert_eq!(list["data"][1]["unfederated"], false);
        let (_, list) = h.get("/api/v1/videos/blacklist?search=dog", Some(&moderator)).await;
        assert_eq!((list["total"].as_i64(), list["data"][0]["video"]["id"].as_i64()), (Some(1), Some(other.id)));
        let (_, list) = h.get("/api/v1/videos/blacklist?type=2", Some(&moderator)).await;
        assert_eq!(list["total"], 0);
        let (_, list) = h.get("/api/v1/videos/blacklist?count=1&start=1&sort=-createdAt", Some(&moderator)).await;
        assert_eq!((list["total"].as_i64(), list["data"].as_array().unwrap().len()), (Some(2), 1));
        for bad in ["type=3", "type=x", "sort=reason", "count=101", "start=-1", "search="] {
            let (status, body) = h.get(&format!("/api/v1/videos/blacklist?{bad}"), Some(&moderator)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }

        // The owner sees it blocked; strangers do not see it.
        let (status, details) = h.get(&format!("/api/v1/videos/{}", video.uuid), Some(&owner)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(details["blacklisted"], true);
        let (status, _) = h.get(&format!("/api/v1/videos/{}", video.uuid), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, _) = h.send_json("DELETE", &path, Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, details) = h.get(&format!("/api/v1/videos/{}", video.uuid), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((details["blacklisted"].as_bool(), details["blacklistedReason"].is_null()), (Some(false), true));
        let (_, list) = h.get("/api/v1/videos/blacklist", Some(&moderator)).await;
        assert_eq!(list["total"], 1);
    }

    async fn new_uploads_of_users_are_blocked_when_auto_block_is_on(db: Db) {
        let h = Harness::new(&db, |config| config.moderation.auto_block_new_videos = true);
        let (member, channel) = h.user_with_channel("member").await;
        let moderator = h.user("moderator", UserRole::Moderator).await;
        let (status, _, body) = h.send(upload_request(&member, channel, "Held back")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let uuid = body["video"]["uuid"].as_str().unwrap().to_owned();
        let video = kinora_db::videos::find_by_uuid(db.pool(), &uuid).await.unwrap().unwrap();
        let block = kinora_db::video_blacklist::find_by_video(db.pool(), video.id).await.unwrap().unwrap();
        assert_eq!((block.kind, block.unfederated), (2, 1));
        assert_eq!(block.reason.as_deref(), Some("Automatically blocked. Moderator review is required."));
        let (_, list) = h.get("/api/v1/videos/blacklist?type=2", Some(&moderator)).await;
        assert_eq!(list["data"][0]["video"]["uuid"], uuid.as_str());
        assert_eq!(list["data"][0]["type"], 2);

        // Staff's uploads are not held back.
        let account = kinora_db::accounts::find_local_by_name(db.pool(), "moderator").await.unwrap().unwrap();
        let staff_channel = kinora_db::channels::list_by_account(db.pool(), account.id).await.unwrap()[0].id;
        let (status, _, body) = h.send(upload_request(&moderator, staff_channel, "Staff clip")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_blacklist").await, 1);

        let (status, _) = h.send_json("DELETE", &format!("/api/v1/videos/{uuid}/blacklist"), Some(&moderator), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_blacklist").await, 0);
        // Unblocking an unfederated video asks federation to send it.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate'").await, 1);
    }

    async fn uploads_are_not_blocked_by_default(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (member, channel) = h.user_with_channel("member").await;
        let (status, _, body) = h.send(upload_request(&member, channel, "Free")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM video_blacklist").await, 0);
    }
}
