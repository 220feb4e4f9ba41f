//! Watch history on SQLite and PostgreSQL: positions from the player (`views` and `watching`),
//! coalesced writes, the history list and its removal, `userHistory` on the watch page,
//! `excludeAlreadyWatched`, and history turned off.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count, multipart};
use common::videos::insert_video;
use kinora_app::history::HistoryWriter;
use kinora_core::UserRole;
use kinora_db::{Db, backend_tests};
use serde_json::{Value, json};

/// Inserts a published video of `privacy` in `channel`; returns its id and UUID.
async fn video(db: &Db, channel: i64, name: &str, privacy: i64) -> (i64, String) {
    let video = insert_video(db, channel, name, privacy, 1, 0).await;
    (video.id, video.uuid)
}

async fn report(h: &Harness, token: Option<&str>, uuid: &str, seconds: Value) -> StatusCode {
    let (status, body) = h
        .send_json(
            "POST",
            &format!("/api/v1/videos/{uuid}/views"),
            token,
            json!({ "currentTime": seconds }),
        )
        .await;
    assert!(status.is_success() || status.is_client_error(), "{body}");
    status
}

async fn stored_position(db: &Db, video_id: i64) -> Option<i64> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT position_seconds FROM user_video_history WHERE video_id = $1")
            .bind(video_id)
            .fetch_optional(db.pool())
            .await
            .unwrap();
    row.map(|(seconds,)| seconds)
}

async fn history(h: &Harness, token: &str, query: &str) -> Value {
    let (status, body) = h
        .get(
            &format!("/api/v1/users/me/history/videos{query}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|video| video["name"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests! {
    async fn positions_are_kept_coalesced_and_shown(db: Db) {
        let mut h = Harness::new(&db, |_| {});
        // A window no slow test machine outlasts: every report after the first waits in memory.
        h.api.history = Arc::new(HistoryWriter::with_window(Duration::from_secs(600)));
        let (_, channel) = h.user_with_channel("maker").await;
        let token = h.user("viewer", UserRole::User).await;
        let (first_id, first) = video(&db, channel, "First", 1).await;
        let (second_id, second) = video(&db, channel, "Second", 1).await;

        assert_eq!(report(&h, Some(&token), &first, json!(12.7)).await, StatusCode::NO_CONTENT);
        assert_eq!(stored_position(&db, first_id).await, Some(12), "whole seconds, written at once");
        let (_, watched) = h.get(&format!("/api/v1/videos/{first}"), Some(&token)).await;
        assert_eq!(watched["userHistory"]["currentTime"], 12);
        let (_, anonymous) = h.get(&format!("/api/v1/videos/{first}"), None).await;
        assert_eq!(anonymous.get("userHistory"), None, "only the viewer's own history");

        // A player reporting every second: one row, one write per window, the last position kept.
        for second in 13..=40 {
            assert_eq!(report(&h, Some(&token), &first, json!(second)).await, StatusCode::NO_CONTENT);
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM user_video_history").await, 1);
        assert_eq!(stored_position(&db, first_id).await, Some(12), "later reports wait in memory");
        let (_, watched) = h.get(&format!("/api/v1/videos/{first}"), Some(&token)).await;
        assert_eq!(watched["userHistory"]["currentTime"], 40, "the watch page sees the latest");
        let listed = history(&h, &token, "").await;
        assert_eq!(listed["data"][0]["userHistory"]["currentTime"], 40, "so does the history list");
        assert_eq!(h.api.history.flush_due(&db).await.unwrap(), 0, "the window has not passed");
        assert_eq!(h.api.history.flush_all(&db).await.unwrap(), 1);
        assert_eq!(stored_position(&db, first_id).await, Some(40));

        // PeerTube's older route does the same.
        let (status, body) = h
            .send_json("PUT", &format!("/api/v1/videos/{second}/watching"), Some(&token), json!({ "currentTime": 5 }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(stored_position(&db, second_id).await, Some(5));

        // The list: latest first, each with its position, searchable, paged.
        let list = history(&h, &token, "").await;
        assert_eq!(list["total"], 2);
        assert_eq!(names(&list), ["Second", "First"]);
        assert_eq!(list["data"][1]["userHistory"]["currentTime"], 40);
        assert_eq!(names(&history(&h, &token, "?search=fir").await), ["First"]);
        let page = history(&h, &token, "?start=1&count=1").await;
        assert_eq!((page["total"].as_i64(), names(&page)), (Some(2), vec!["First".to_owned()]));

        // excludeAlreadyWatched leaves out what this viewer watched, for this viewer only.
        video(&db, channel, "Third", 1).await;
        let (status, list) = h.get("/api/v1/videos?excludeAlreadyWatched=true", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(names(&list), ["Third"]);
        let other = h.user("other", UserRole::User).await;
        let (_, list) = h.get("/api/v1/videos?excludeAlreadyWatched=true&sort=name", Some(&other)).await;
        assert_eq!(names(&list), ["First", "Second", "Third"]);

        // A video made private by its owner leaves the history list.
        sqlx::query("UPDATE videos SET privacy = 3 WHERE id = $1").bind(second_id).execute(db.pool()).await.unwrap();
        assert_eq!(names(&history(&h, &token, "").await), ["First"]);
    }

    async fn history_is_removed_and_can_be_turned_off(db: Db) {
        let mut h = Harness::new(&db, |_| {});
        h.api.history = Arc::new(HistoryWriter::with_window(Duration::from_secs(600)));
        let (_, channel) = h.user_with_channel("maker").await;
        let token = h.user("viewer", UserRole::User).await;
        let (old_id, old) = video(&db, channel, "Old", 1).await;
        let (_, recent) = video(&db, channel, "Recent", 1).await;
        let (third_id, third) = video(&db, channel, "Third", 1).await;
        report(&h, Some(&token), &old, json!(3)).await;
        report(&h, Some(&token), &recent, json!(4)).await;
        report(&h, Some(&token), &third, json!(5)).await;
        sqlx::query("UPDATE user_video_history SET updated_at = 1000 WHERE video_id = $1")
            .bind(old_id).execute(db.pool()).await.unwrap();

        // One video.
        let (status, _) = h.send_json("DELETE", &format!("/api/v1/users/me/history/videos/{third_id}"), Some(&token), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(names(&history(&h, &token, "").await), ["Recent", "Old"]);
        // Before a date, sent as multipart as PeerTube documents it.
        let (content_type, body) = multipart(&[("beforeDate", "2000-01-01T00:00:00.000Z")], None);
        let request = Request::post("/api/v1/users/me/history/videos/remove")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, body) = h.send(request).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(names(&history(&h, &token, "").await), ["Recent"]);
        // Bad input.
        let (status, body) = h.send_json("POST", "/api/v1/users/me/history/videos/remove", Some(&token), json!({ "beforeDate": "yesterday" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["invalid-params"].get("beforeDate").is_some(), "{body}");
        let (status, _) = h.send_json("DELETE", "/api/v1/users/me/history/videos/abc", Some(&token), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        for query in ["?count=-1", "?start=x", &format!("?search={}", "a".repeat(1000))] {
            let (status, body) = h.get(&format!("/api/v1/users/me/history/videos{query}"), Some(&token)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        }
        // All of it, with no body.
        let (status, _) = h.send_json("POST", "/api/v1/users/me/history/videos/remove", Some(&token), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(history(&h, &token, "").await["total"], 0);

        // Turned off: positions are no longer kept; reports waiting in memory are dropped.
        report(&h, Some(&token), &old, json!(1)).await;
        report(&h, Some(&token), &old, json!(2)).await;
        let (status, _) = h.send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "videosHistoryEnabled": false })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        h.api.history.flush_all(&db).await.unwrap();
        assert_eq!(stored_position(&db, old_id).await, Some(1), "the pending report was dropped");
        report(&h, Some(&token), &recent, json!(9)).await;
        assert_eq!(history(&h, &token, "").await["total"], 1, "nothing new is kept");
    }

    async fn history_refusals(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (owner, channel) = h.user_with_channel("maker").await;
        let token = h.user("viewer", UserRole::User).await;
        let (_, public) = video(&db, channel, "Public", 1).await;
        let (private_id, private) = video(&db, channel, "Private", 3).await;
        // Anonymous: views count, no history; the history routes need a token.
        assert_eq!(report(&h, None, &public, json!(3)).await, StatusCode::NO_CONTENT);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM user_video_history").await, 0);
        let (status, _) = h.get("/api/v1/users/me/history/videos", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/{public}/watching"), None, json!({ "currentTime": 1 })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Bad positions.
        for body in [json!({}), json!({ "currentTime": -1 }), json!({ "currentTime": "soon" })] {
            let (status, answer) = h.send_json("PUT", &format!("/api/v1/videos/{public}/watching"), Some(&token), body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        }
        assert_eq!(report(&h, Some(&token), &public, json!(-4)).await, StatusCode::BAD_REQUEST);
        // Someone else's private video: not found, nothing kept.
        let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/{private}/watching"), Some(&token), json!({ "currentTime": 1 })).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{status}");
        assert_ne!(report(&h, Some(&token), &private, json!(1)).await, StatusCode::NO_CONTENT);
        assert_eq!(stored_position(&db, private_id).await, None);
        // Its owner may keep a position in it; a huge one is capped at a day.
        let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/{private}/watching"), Some(&owner), json!({ "currentTime": 1e300 })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(stored_position(&db, private_id).await, Some(24 * 3600));
        assert_eq!(names(&history(&h, &owner, "").await), ["Private"]);
    }
}
