//! Scheduled publication (PeerTube's `scheduleUpdate`): set on an edit (JSON or the web
//! client's flattened multipart), shown as `scheduledUpdate`, applied once due by
//! `kinora_app::video_schedules::publish_due` (the server's housekeeping) and then forgotten,
//! left alone before it is due, cancelled with `null`; bad schedules refused by name. On SQLite
//! and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, multipart};
use common::videos::insert_video;
use kinora_db::backend_tests;
use kinora_db::now_millis;
use serde_json::{Value, json};

fn listed(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|video| video["name"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests! {
    async fn a_due_schedule_publishes_the_video_and_is_forgotten(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "Premiere", 3, 1, 0).await;
        let later = insert_video(&db, channel, "Next week", 3, 1, 0).await;
        let path = format!("/api/v1/videos/{}", video.uuid);
        let soon = kinora_core::dates::iso_date(now_millis() + 60_000);
        let (status, body) = h.send_json("PUT", &path, Some(&token), json!({"scheduleUpdate": {"updateAt": soon, "privacy": 1}})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let next_week = kinora_core::dates::iso_date(now_millis() + 7 * 86_400_000);
        let (status, body) = h.send_json("PUT", &format!("/api/v1/videos/{}", later.uuid), Some(&token), json!({"scheduleUpdate": {"updateAt": next_week}})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

        let (_, got) = h.get(&path, Some(&token)).await;
        assert_eq!(got["scheduledUpdate"], json!({"updateAt": soon, "privacy": 1}), "{got}");
        assert_eq!(got["privacy"]["id"], 3);
        let (_, mine) = h.get("/api/v1/users/me/videos", Some(&token)).await;
        assert!(mine["data"].as_array().unwrap().iter().all(|v| v["scheduledUpdate"].is_object()), "{mine}");
        let (_, list) = h.get("/api/v1/videos", None).await;
        assert!(listed(&list).is_empty(), "{list}");

        // Not yet due: nothing changes.
        let applied = kinora_app::video_schedules::publish_due(&db, &h.storage, now_millis()).await.unwrap();
        assert_eq!(applied, 0);
        let (status, _) = h.get(&path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "still private");

        // Due: public, listed, the schedule gone; the other one still waits.
        let applied = kinora_app::video_schedules::publish_due(&db, &h.storage, now_millis() + 120_000).await.unwrap();
        assert_eq!(applied, 1);
        let (status, got) = h.get(&path, None).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!((got["privacy"]["id"].as_i64(), &got["scheduledUpdate"]), (Some(1), &Value::Null));
        let (_, list) = h.get("/api/v1/videos", None).await;
        assert_eq!(listed(&list), ["Premiere"]);
        let (_, other) = h.get(&format!("/api/v1/videos/{}", later.uuid), Some(&token)).await;
        assert_eq!(other["scheduledUpdate"]["privacy"], 1, "public by default: {other}");
        assert_eq!(other["privacy"]["id"], 3);
        let applied = kinora_app::video_schedules::publish_due(&db, &h.storage, now_millis() + 120_000).await.unwrap();
        assert_eq!(applied, 0, "applied once");
    }

    async fn schedules_are_set_by_multipart_cancelled_by_null_and_checked(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (token, channel) = h.user_with_channel("alice").await;
        let video = insert_video(&db, channel, "Later", 3, 1, 0).await;
        let path = format!("/api/v1/videos/{}", video.uuid);
        // PeerTube's web client flattens the object in its multipart body.
        let (content_type, body) = multipart(&[("scheduleUpdate[updateAt]", "2030-01-01T10:00:00.000Z"), ("scheduleUpdate[privacy]", "4")], None);
        let request = Request::put(&path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        let (status, _, answer) = h.send(request).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        let (_, got) = h.get(&path, Some(&token)).await;
        assert_eq!(got["scheduledUpdate"], json!({"updateAt": "2030-01-01T10:00:00.000Z", "privacy": 4}));

        // Other edits keep it; null cancels it.
        let (status, _) = h.send_json("PUT", &path, Some(&token), json!({"name": "Later still"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, got) = h.get(&path, Some(&token)).await;
        assert!(got["scheduledUpdate"].is_object(), "{got}");
        let (status, _) = h.send_json("PUT", &path, Some(&token), json!({"scheduleUpdate": null})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, got) = h.get(&path, Some(&token)).await;
        assert_eq!(got["scheduledUpdate"], Value::Null);
        let applied = kinora_app::video_schedules::publish_due(&db, &h.storage, i64::MAX / 2).await.unwrap();
        assert_eq!(applied, 0, "a cancelled schedule is never applied");

        for (schedule, field) in [
            (json!({}), "scheduleUpdate.updateAt"),
            (json!({"privacy": 1}), "scheduleUpdate.updateAt"),
            (json!({"updateAt": "tomorrow"}), "scheduleUpdate.updateAt"),
            (json!({"updateAt": "2030-01-01", "privacy": 3}), "scheduleUpdate.privacy"),
            (json!({"updateAt": "2030-01-01", "privacy": 9}), "scheduleUpdate.privacy"),
        ] {
            let (status, body) = h.send_json("PUT", &path, Some(&token), json!({"scheduleUpdate": schedule, "name": "Changed"})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{schedule}: {body}");
            assert!(body["invalid-params"][field].is_object(), "{schedule}: {body}");
        }
        let (_, got) = h.get(&path, Some(&token)).await;
        assert_eq!((got["name"].as_str(), &got["scheduledUpdate"]), (Some("Later still"), &Value::Null), "a refused edit changes nothing");
        // Another user may not schedule it.
        let (bob, _) = h.user_with_channel("bob").await;
        let (status, _) = h.send_json("PUT", &path, Some(&bob), json!({"scheduleUpdate": {"updateAt": "2030-01-01"}})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
