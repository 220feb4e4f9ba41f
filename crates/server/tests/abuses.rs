//! Abuse reports through the whole HTTP stack, on SQLite and PostgreSQL: filing reports of
//! videos, comments and accounts; the moderators' list with its shape and filters; the
//! reporter's own list; state changes, deletion and the conversation between reporter and
//! moderators; every refusal (bad input, permissions, private videos, the hourly flood limit).

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count, publish_video};
use kinora_core::UserRole;
use kinora_db::testing::sample_video;
use kinora_db::videos::NewVideo;
use kinora_db::{Db, backend_tests};
use serde_json::{Value, json};
use uuid::Uuid;

/// Inserts a published video of `privacy` in `channel`; answers its UUID.
async fn video(db: &Db, channel: i64, name: &str, privacy: i64) -> String {
    let uuid = Uuid::new_v4().to_string();
    let short = kinora_core::video::short_uuid(&Uuid::parse_str(&uuid).unwrap());
    let mut tx = db.begin().await.unwrap();
    let new = NewVideo {
        name,
        privacy,
        ..sample_video(&uuid, &short, channel)
    };
    let id = kinora_db::videos::insert(&mut tx, &new, 1000)
        .await
        .unwrap();
    publish_video(&mut tx, id, 2000).await;
    tx.commit().await.unwrap();
    uuid
}

/// The cast: a moderator, two users, and bob with a public video and a comment on it.
struct Cast {
    h: Harness,
    moderator: String,
    alice: String,
    carol: String,
    bob: String,
    bob_channel: i64,
    bob_account: i64,
    uuid: String,
    comment: i64,
}

async fn cast(db: &Db) -> Cast {
    let h = Harness::new(db, |_| {});
    let moderator = h.user("mod", UserRole::Moderator).await;
    let alice = h.user("alice", UserRole::User).await;
    let carol = h.user("carol", UserRole::User).await;
    let (bob, bob_channel) = h.user_with_channel("bob").await;
    let uuid = video(db, bob_channel, "Bob's cat video", 1).await;
    let (status, body) = h
        .send_json(
            "POST",
            &format!("/api/v1/videos/{uuid}/comment-threads"),
            Some(&bob),
            json!({ "text": "Nasty words here" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let comment = body["comment"]["id"].as_i64().unwrap();
    let (_, account) = h.get("/api/v1/accounts/bob", None).await;
    let bob_account = account["id"].as_i64().unwrap();
    Cast {
        h,
        moderator,
        alice,
        carol,
        bob,
        bob_channel,
        bob_account,
        uuid,
        comment,
    }
}

async fn report(h: &Harness, token: &str, body: Value) -> (StatusCode, Value) {
    h.send_json("POST", "/api/v1/abuses", Some(token), body)
        .await
}

/// Files a report that must be accepted; answers its id.
async fn filed(h: &Harness, token: &str, body: Value) -> i64 {
    let (status, answer) = report(h, token, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["abuse"]["id"].as_i64().unwrap()
}

/// The ids a list answers, after checking `total` counts them (or, for a page, at least them).
async fn listed(h: &Harness, path: &str, token: &str) -> Vec<i64> {
    let (status, body) = h.get(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    let data = body["data"].as_array().unwrap();
    let total = body["total"].as_u64().unwrap() as usize;
    if path.contains("count=") {
        assert!(total >= data.len(), "{path}: {body}");
    } else {
        assert_eq!(total, data.len(), "{path}: {body}");
    }
    data.iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

fn invalid_fields(body: &Value) -> Vec<String> {
    body["invalid-params"]
        .as_object()
        .map(|params| params.keys().cloned().collect())
        .unwrap_or_default()
}

backend_tests! {
    async fn reports_reach_the_moderators_and_their_reporters(db: Db) {
        let c = cast(&db).await;
        let h = &c.h;
        let on_video = filed(h, &c.alice, json!({
            "reason": "Spam from second 1 to 5",
            "predefinedReasons": ["spamOrMisleading", "captions"],
            "video": { "id": c.uuid, "startAt": 1, "endAt": 5 },
        })).await;
        let on_comment = filed(h, &c.alice, json!({
            "reason": "Insults", "comment": { "id": c.comment },
        })).await;
        let on_account = filed(h, &c.carol, json!({
            "reason": "Impersonation", "predefinedReasons": ["privacy"],
            "account": { "id": c.bob_account },
        })).await;

        // Only moderators list every report.
        let (status, body) = h.get("/api/v1/abuses", Some(&c.alice)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = h.get("/api/v1/abuses", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = h.get("/api/v1/abuses?sort=id", Some(&c.moderator)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 3);
        let first = &body["data"][0];
        assert_eq!(first["id"], on_video);
        assert_eq!(first["reason"], "Spam from second 1 to 5");
        assert_eq!(first["predefinedReasons"], json!(["spamOrMisleading", "captions"]));
        assert_eq!(first["reporterAccount"]["name"], "alice");
        assert_eq!(first["flaggedAccount"]["name"], "bob");
        assert_eq!(first["state"], json!({ "id": 1, "label": "Pending" }));
        assert_eq!(first["video"]["uuid"], c.uuid.as_str());
        assert_eq!(first["video"]["name"], "Bob's cat video");
        assert_eq!((first["video"]["startAt"].clone(), first["video"]["endAt"].clone()), (json!(1), json!(5)));
        assert_eq!(first["video"]["deleted"], false);
        assert_eq!(first["video"]["blacklisted"], false);
        assert_eq!(first["video"]["countReports"], 1);
        assert_eq!(first["video"]["nthReport"], 1);
        assert_eq!(first["video"]["channel"]["id"], c.bob_channel);
        assert_eq!(first["comment"], Value::Null);
        assert_eq!(first["countMessages"], 0);
        assert_eq!(first["countReportsForReporter"], 2);
        assert_eq!(first["countReportsForReportee"], 3);
        assert!(first["createdAt"].as_str().unwrap().ends_with('Z'), "{first}");
        let second = &body["data"][1];
        assert_eq!(second["comment"]["id"], c.comment);
        assert_eq!(second["comment"]["text"], "Nasty words here");
        assert_eq!(second["comment"]["video"]["uuid"], c.uuid.as_str());
        assert_eq!(second["video"], Value::Null);
        assert_eq!(body["data"][2]["flaggedAccount"]["name"], "bob");

        // Filters.
        let m = &c.moderator;
        assert_eq!(listed(h, "/api/v1/abuses", m).await, vec![on_account, on_comment, on_video]);
        assert_eq!(listed(h, "/api/v1/abuses?filter=video", m).await, vec![on_video]);
        assert_eq!(listed(h, "/api/v1/abuses?filter=comment", m).await, vec![on_comment]);
        assert_eq!(listed(h, "/api/v1/abuses?filter=account", m).await, vec![on_account]);
        assert_eq!(listed(h, &format!("/api/v1/abuses?id={on_comment}"), m).await, vec![on_comment]);
        assert_eq!(listed(h, "/api/v1/abuses?predefinedReason=privacy", m).await, vec![on_account]);
        assert_eq!(listed(h, "/api/v1/abuses?search=insults", m).await, vec![on_comment]);
        assert_eq!(listed(h, "/api/v1/abuses?searchReporter=carol", m).await, vec![on_account]);
        assert_eq!(listed(h, "/api/v1/abuses?searchVideo=cat&sort=-createdAt", m).await, vec![on_video]);
        assert_eq!(listed(h, "/api/v1/abuses?count=1&start=1&sort=id", m).await, vec![on_comment]);
        // videoIs: deleted, or blocked by staff (PeerTube's "blacklisted").
        assert!(listed(h, "/api/v1/abuses?videoIs=blacklisted", m).await.is_empty());
        assert!(listed(h, "/api/v1/abuses?videoIs=deleted", m).await.is_empty());
        let (status, body) = h
            .send_json("POST", &format!("/api/v1/videos/{}/blacklist", c.uuid), Some(m), json!({ "reason": "Spam" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(listed(h, "/api/v1/abuses?videoIs=blacklisted", m).await, vec![on_video]);
        assert_eq!(listed(h, "/api/v1/abuses?videoIs=blacklisted&filter=comment", m).await, Vec::<i64>::new());
        let (_, body) = h.get(&format!("/api/v1/abuses?id={on_video}"), Some(m)).await;
        assert_eq!(body["data"][0]["video"]["blacklisted"], true, "{body}");
        let (_, mine) = h.get("/api/v1/users/me/abuses?sort=id", Some(&c.alice)).await;
        assert_eq!(mine["data"][0]["video"]["blacklisted"], true, "{mine}");
        let (status, body) = h
            .send_json("DELETE", &format!("/api/v1/videos/{}/blacklist", c.uuid), Some(m), json!({}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert!(listed(h, "/api/v1/abuses?videoIs=blacklisted", m).await.is_empty());
        let (_, body) = h.get(&format!("/api/v1/abuses?id={on_video}"), Some(m)).await;
        assert_eq!(body["data"][0]["video"]["blacklisted"], false, "{body}");
        for bad in ["state=9", "filter=video-channel", "sort=name", "predefinedReason=nope", "id=x", "count=1000", "videoIs=nope"] {
            let (status, body) = h.get(&format!("/api/v1/abuses?{bad}"), Some(m)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }

        // Each reporter sees their own, without what only moderators see.
        assert_eq!(listed(h, "/api/v1/users/me/abuses?sort=id", &c.alice).await, vec![on_video, on_comment]);
        assert_eq!(listed(h, "/api/v1/users/me/abuses", &c.carol).await, vec![on_account]);
        assert!(listed(h, "/api/v1/users/me/abuses", &c.bob).await.is_empty());
        assert_eq!(listed(h, "/api/v1/users/me/abuses?search=insults", &c.alice).await, vec![on_comment]);
        assert_eq!(listed(h, &format!("/api/v1/users/me/abuses?id={on_account}"), &c.alice).await, Vec::<i64>::new());
        let (_, mine) = h.get("/api/v1/users/me/abuses?sort=id", Some(&c.alice)).await;
        assert!(mine["data"][0].get("reporterAccount").is_none(), "{mine}");
        assert!(mine["data"][0].get("moderationComment").is_none(), "{mine}");
        assert_eq!(mine["data"][0]["video"]["startAt"], 1);
        assert!(mine["data"][0]["video"].get("countReports").is_none(), "{mine}");

        // State changes, by moderators only.
        let path = format!("/api/v1/abuses/{on_video}");
        let change = json!({ "state": 3, "moderationComment": "Removed the spam" });
        let (status, _) = h.send_json("PUT", &path, Some(&c.alice), change.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for bad in [json!({ "state": 7 }), json!({ "moderationComment": "x" }), json!({ "state": "accepted" })] {
            let (status, body) = h.send_json("PUT", &path, Some(m), bad.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }
        let (status, _) = h.send_json("PUT", "/api/v1/abuses/999999", Some(m), change.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = h.send_json("PUT", &path, Some(m), change).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, body) = h.get(&format!("/api/v1/abuses?id={on_video}"), Some(m)).await;
        assert_eq!(body["data"][0]["state"], json!({ "id": 3, "label": "Accepted" }));
        assert_eq!(body["data"][0]["moderationComment"], "Removed the spam");
        assert_eq!(listed(h, "/api/v1/abuses?state=3", m).await, vec![on_video]);
        assert_eq!(listed(h, "/api/v1/abuses?state=1", m).await, vec![on_account, on_comment]);
        assert_eq!(listed(h, "/api/v1/users/me/abuses?state=3", &c.alice).await, vec![on_video]);

        // Deletion, by moderators only.
        let path = format!("/api/v1/abuses/{on_account}");
        let (status, _) = h.send_json("DELETE", &path, Some(&c.carol), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("DELETE", &path, Some(m), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = h.send_json("DELETE", &path, Some(m), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(listed(h, "/api/v1/users/me/abuses", &c.carol).await.is_empty());
    }

    async fn reporter_and_moderators_talk_about_a_report(db: Db) {
        let c = cast(&db).await;
        let h = &c.h;
        let id = filed(h, &c.alice, json!({ "reason": "Look at this", "account": { "id": c.bob_account } })).await;
        let path = format!("/api/v1/abuses/{id}/messages");
        let say = |token: String, text: &'static str| {
            let path = path.clone();
            async move { h.send_json("POST", &path, Some(&token), json!({ "message": text })).await }
        };
        let (status, body) = say(c.alice.clone(), "Any news?").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let from_alice = body["abuseMessage"]["id"].as_i64().unwrap();
        let (status, body) = say(c.moderator.clone(), "We are looking").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let from_moderator = body["abuseMessage"]["id"].as_i64().unwrap();

        let (status, body) = h.get(&path, Some(&c.alice)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 2);
        assert_eq!(body["data"][0]["message"], "Any news?");
        assert_eq!(body["data"][0]["byModerator"], false);
        assert_eq!(body["data"][0]["account"]["name"], "alice");
        assert_eq!(body["data"][1]["byModerator"], true);
        assert_eq!(body["data"][1]["account"]["name"], "mod");
        let (_, listed) = h.get(&format!("/api/v1/abuses?id={id}"), Some(&c.moderator)).await;
        assert_eq!(listed["data"][0]["countMessages"], 2);

        // Someone else's report: neither read nor written nor deleted.
        let (status, _) = h.get(&path, Some(&c.carol)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = say(c.carol.clone(), "Me too").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("DELETE", &format!("{path}/{from_alice}"), Some(&c.carol), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Bad messages and unknown reports.
        let (status, body) = say(c.alice.clone(), "x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(invalid_fields(&body), ["message"]);
        let (status, _) = h.get("/api/v1/abuses/999999/messages", Some(&c.alice)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The reporter deletes only their own messages; moderators any.
        let (status, _) = h.send_json("DELETE", &format!("{path}/{from_moderator}"), Some(&c.alice), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("DELETE", &format!("{path}/{from_alice}"), Some(&c.alice), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = h.send_json("DELETE", &format!("{path}/{from_alice}"), Some(&c.alice), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = h.send_json("DELETE", &format!("{path}/{from_moderator}"), Some(&c.moderator), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM abuse_messages").await, 0);
    }

    async fn bad_reports_are_refused_and_write_nothing(db: Db) {
        let c = cast(&db).await;
        let h = &c.h;
        let private = video(&db, c.bob_channel, "Bob's private video", 3).await;
        let video = json!({ "id": c.uuid });
        let cases = [
            (json!({ "reason": "a".repeat(3001), "video": video }), StatusCode::BAD_REQUEST, Some("reason")),
            (json!({ "reason": "a", "video": video }), StatusCode::BAD_REQUEST, Some("reason")),
            (json!({ "video": video }), StatusCode::BAD_REQUEST, Some("reason")),
            (json!({ "reason": "No object" }), StatusCode::BAD_REQUEST, Some("video")),
            (json!({ "reason": "Two objects, one unknown", "video": video, "account": { "id": 999999 } }),
             StatusCode::NOT_FOUND, None),
            (json!({ "reason": "Two objects, one unknown", "comment": { "id": 999999 }, "account": { "id": c.bob_account } }),
             StatusCode::NOT_FOUND, None),
            (json!({ "reason": "Bad reason", "predefinedReasons": ["violentOrAbusive"], "video": video }),
             StatusCode::BAD_REQUEST, Some("predefinedReasons")),
            (json!({ "reason": "Backwards", "video": { "id": c.uuid, "startAt": 9, "endAt": 2 } }),
             StatusCode::BAD_REQUEST, Some("video.endAt")),
            (json!({ "reason": "Negative", "video": { "id": c.uuid, "startAt": -1 } }),
             StatusCode::BAD_REQUEST, Some("video.startAt")),
            (json!({ "reason": "Cannot see it", "video": { "id": private } }), StatusCode::NOT_FOUND, None),
            (json!({ "reason": "Unknown video", "video": { "id": Uuid::new_v4().to_string() } }), StatusCode::NOT_FOUND, None),
            (json!({ "reason": "Unknown comment", "comment": { "id": 999999 } }), StatusCode::NOT_FOUND, None),
            (json!({ "reason": "Unknown account", "account": { "id": 999999 } }), StatusCode::NOT_FOUND, None),
        ];
        for (body, expected, field) in cases {
            let (status, answer) = report(h, &c.alice, body.clone()).await;
            assert_eq!(status, expected, "{body}: {answer}");
            if let Some(field) = field {
                assert_eq!(invalid_fields(&answer), [field], "{body}: {answer}");
            }
        }
        // Reporting one's own video is refused; the owner and staff may see the private one.
        let (status, answer) = report(h, &c.bob, json!({ "reason": "Mine", "video": video })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        let (status, _) = h.send_json("POST", "/api/v1/abuses", None, json!({ "reason": "Anon", "video": video })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM abuses").await, 0);
        // 3,000 characters are fine, and staff may report the private video.
        filed(h, &c.alice, json!({ "reason": "a".repeat(3000), "video": video })).await;
        filed(h, &c.moderator, json!({ "reason": "Private but seen", "video": { "id": private } })).await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM abuses").await, 2);
        // As PeerTube, a report naming several objects reports the first of video, comment,
        // account.
        let (status, _) = report(h, &c.alice, json!({
            "reason": "Several", "account": { "id": c.bob_account }, "comment": { "id": c.comment }
        })).await;
        assert_eq!(status, StatusCode::OK);
        filed(h, &c.alice, json!({ "reason": "Several", "account": { "id": c.bob_account }, "video": video })).await;
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM abuses WHERE reason = 'Several' AND object_kind = 'comment'").await,
            1
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM abuses WHERE reason = 'Several' AND object_kind = 'video'").await,
            1
        );
    }

    async fn a_flood_of_reports_is_answered_429(db: Db) {
        let c = cast(&db).await;
        let h = &c.h;
        let body = json!({ "reason": "Again and again", "account": { "id": c.bob_account } });
        for _ in 0..kinora_core::abuse::REPORTS_PER_HOUR {
            filed(h, &c.alice, body.clone()).await;
        }
        let request = Request::post("/api/v1/abuses")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", c.alice))
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, headers, answer) = h.send(request).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
        let wait: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((3000..=3601).contains(&wait), "{wait}");
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM abuses").await,
            kinora_core::abuse::REPORTS_PER_HOUR
        );
        // Another reporter has an allowance of their own.
        filed(h, &c.carol, body).await;
    }
}
