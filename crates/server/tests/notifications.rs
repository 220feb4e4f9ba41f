//! Notifications through the whole HTTP stack on SQLite and PostgreSQL: who is told of a video
//! made public, a comment, a reply, a new subscriber, a report and its answer, a sign-up and a
//! block; settings that turn kinds off (and refusals of bad settings); reading one, some or
//! all; the list's filters, paging and ETag; and 10,000 notifications of one user.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count};
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::{Db, backend_tests};
use serde_json::{Value, json};

/// Inserts a published video of `privacy` in `channel`; answers its UUID.
async fn video(db: &Db, channel: i64, name: &str, privacy: i64) -> String {
    insert_video(db, channel, name, privacy, 1, 0).await.uuid
}

/// The caller's notifications (a query string may narrow them).
async fn listed(h: &Harness, token: &str, query: &str) -> Value {
    let (status, body) = h
        .get(
            &format!("/api/v1/users/me/notifications{query}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

/// The types of the caller's notifications, newest first.
async fn types(h: &Harness, token: &str) -> Vec<i64> {
    listed(h, token, "?count=100").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_i64().unwrap())
        .collect()
}

async fn subscribe(h: &Harness, token: &str, channel: &str) {
    let (status, body) = h
        .send_json(
            "POST",
            "/api/v1/users/me/subscriptions",
            Some(token),
            json!({ "uri": channel }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

backend_tests! {
    async fn subscribers_comments_and_replies_are_told(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (maker, channel) = h.user_with_channel("maker").await;
        let fan = h.user("fan", UserRole::User).await;
        let quiet = h.user("quiet", UserRole::User).await;
        let other = h.user("other", UserRole::User).await;
        let muter = h.user("muter", UserRole::User).await;
        subscribe(&h, &fan, "maker_channel").await;
        subscribe(&h, &quiet, "maker_channel").await;
        subscribe(&h, &muter, "maker_channel").await;
        let (status, body) = h
            .send_json("POST", "/api/v1/users/me/blocklist/accounts", Some(&muter), json!({ "accountName": "maker" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        // The owner hears of each new subscriber (and of nobody else).
        let follows = listed(&h, &maker, "?typeOneOf=10").await;
        assert_eq!(follows["total"], 3, "{follows}");
        let follow = &follows["data"][1]["actorFollow"];
        assert_eq!(follow["follower"]["name"], "quiet", "{follow}");
        assert_eq!(follow["following"], json!({ "type": "channel", "name": "maker_channel", "displayName": follow["following"]["displayName"], "host": "localhost:9000" }));
        subscribe(&h, &fan, "maker_channel").await;
        assert_eq!(listed(&h, &maker, "?typeOneOf=10").await["total"], 3, "subscribing again tells nothing new");

        // quiet turns new videos off.
        let (status, body) = h
            .send_json("PUT", "/api/v1/users/me/notification-settings", Some(&quiet), json!({ "newVideoFromSubscription": 0 }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, me) = h.get("/api/v1/users/me", Some(&quiet)).await;
        assert_eq!(me["notificationSettings"]["newVideoFromSubscription"], 0);
        assert_eq!(me["notificationSettings"]["abuseAsModerator"], 3, "defaults stay");

        // A private video made public tells subscribers once, and its owner that it is out.
        let uuid = video(&db, channel, "Premiere", 3).await;
        assert_eq!(types(&h, &fan).await, Vec::<i64>::new(), "nothing while private");
        for _ in 0..2 {
            let (status, body) = h
                .send_json("PUT", &format!("/api/v1/videos/{uuid}"), Some(&maker), json!({ "privacy": 1 }))
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
            let (status, _) = h
                .send_json("PUT", &format!("/api/v1/videos/{uuid}"), Some(&maker), json!({ "privacy": 3 }))
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
        assert_eq!(types(&h, &fan).await, [1], "told once");
        let told = listed(&h, &fan, "").await;
        assert_eq!(told["data"][0]["video"]["uuid"], uuid.as_str());
        assert_eq!(told["data"][0]["video"]["channel"]["name"], "maker_channel");
        assert_eq!(types(&h, &quiet).await, Vec::<i64>::new(), "turned off");
        assert_eq!(types(&h, &other).await, Vec::<i64>::new(), "not a subscriber");
        assert_eq!(types(&h, &muter).await, Vec::<i64>::new(), "mutes the channel's account");
        assert!(types(&h, &maker).await.contains(&6), "the owner hears it is published");

        // Comments: the owner is told of others' comments, a comment's author of replies.
        let (status, body) = h.send_json("PUT", &format!("/api/v1/videos/{uuid}"), Some(&maker), json!({ "privacy": 1 })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, thread) = h
            .send_json("POST", &format!("/api/v1/videos/{uuid}/comment-threads"), Some(&fan), json!({ "text": "First!" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{thread}");
        let thread_id = thread["comment"]["id"].as_i64().unwrap();
        let on_video = listed(&h, &maker, "?typeOneOf=2").await;
        assert_eq!(on_video["total"], 1, "{on_video}");
        assert_eq!(on_video["data"][0]["comment"]["account"]["name"], "fan");
        assert_eq!(on_video["data"][0]["comment"]["threadId"], thread_id);
        // The owner mutes `other`: other's answer tells the thread's author, not the owner.
        let (status, body) = h
            .send_json("POST", "/api/v1/users/me/blocklist/accounts", Some(&maker), json!({ "accountName": "other" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, reply) = h
            .send_json("POST", &format!("/api/v1/videos/{uuid}/comments/{thread_id}"), Some(&other), json!({ "text": "Second." }))
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        let mentions = listed(&h, &fan, "?typeOneOf=11").await;
        assert_eq!(mentions["total"], 1, "{mentions}");
        assert_eq!(mentions["data"][0]["comment"]["account"]["name"], "other");
        assert_eq!(listed(&h, &maker, "?typeOneOf=2").await["total"], 1, "muted");
        // The owner answering in their own thread tells the author, not the owner.
        let (status, _) = h
            .send_json("POST", &format!("/api/v1/videos/{uuid}/comments/{thread_id}"), Some(&maker), json!({ "text": "Thanks!" }))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed(&h, &maker, "?typeOneOf=2").await["total"], 1);
        assert_eq!(listed(&h, &fan, "?typeOneOf=11").await["total"], 2);
    }

    async fn staff_hear_of_reports_sign_ups_and_blocks(db: Db) {
        let h = Harness::new(&db, |config| {
            config.instance.registration = kinora_core::RegistrationMode::Approval;
        });
        let admin = h.user("admin", UserRole::Admin).await;
        let moderator = h.user("moderator", UserRole::Moderator).await;
        let (maker, channel) = h.user_with_channel("maker").await;
        let reporter = h.user("reporter", UserRole::User).await;
        let uuid = video(&db, channel, "Questionable", 1).await;
        let video_id = kinora_app::videos::find_video(&db, &uuid).await.unwrap().unwrap().id;

        let (status, body) = h
            .send_json("POST", "/api/v1/abuses", Some(&reporter), json!({ "reason": "This is spam, really.", "video": { "id": video_id } }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let abuse_id = body["abuse"]["id"].as_i64().unwrap();
        for staff in [&admin, &moderator] {
            let reports = listed(&h, staff, "?typeOneOf=3").await;
            assert_eq!(reports["total"], 1, "{reports}");
            assert_eq!(reports["data"][0]["abuse"]["id"], abuse_id);
            assert_eq!(reports["data"][0]["abuse"]["video"]["uuid"], uuid.as_str());
        }
        assert_eq!(types(&h, &maker).await, Vec::<i64>::new());
        // Answered: the reporter is told.
        let (status, body) = h
            .send_json("PUT", &format!("/api/v1/abuses/{abuse_id}"), Some(&moderator), json!({ "state": 3 }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let answered = listed(&h, &reporter, "?typeOneOf=15").await;
        assert_eq!(answered["data"][0]["abuse"]["state"], 3, "{answered}");

        // A sign-up waiting for approval.
        let (status, body) = h
            .send_json("POST", "/api/v1/users/register", None, json!({ "username": "newbie", "password": "a good password", "email": "newbie@example.com" }))
            .await;
        assert!(status.is_success(), "{body}");
        let requests = listed(&h, &admin, "?typeOneOf=20").await;
        assert_eq!(requests["total"], 1, "{requests}");
        assert_eq!(requests["data"][0]["account"]["name"], "newbie");
        assert_eq!(requests["data"][0]["registration"]["username"], "newbie");

        // A block and an unblock: the owner is told of each.
        let (status, body) = h
            .send_json("POST", &format!("/api/v1/videos/{uuid}/blacklist"), Some(&moderator), json!({ "reason": "Spam" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = h
            .send_json("DELETE", &format!("/api/v1/videos/{uuid}/blacklist"), Some(&moderator), json!({}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let told = listed(&h, &maker, "").await;
        assert_eq!(told["data"][0]["type"], 5, "{told}");
        assert_eq!(told["data"][0]["video"]["uuid"], uuid.as_str());
        assert_eq!(told["data"][1]["type"], 4);
        assert_eq!(told["data"][1]["videoBlacklist"]["video"]["uuid"], uuid.as_str());
    }

    async fn reading_paging_filters_etag_and_settings(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (maker, channel) = h.user_with_channel("maker").await;
        let fan = h.user("fan", UserRole::User).await;
        let stranger = h.user("stranger", UserRole::User).await;
        subscribe(&h, &fan, "maker_channel").await;
        let mut uuids = Vec::new();
        for n in 0..5 {
            let uuid = video(&db, channel, &format!("Video {n}"), 3).await;
            let (status, _) = h.send_json("PUT", &format!("/api/v1/videos/{uuid}"), Some(&maker), json!({ "privacy": 1 })).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
            uuids.push(uuid);
        }
        let all = listed(&h, &fan, "").await;
        assert_eq!(all["total"], 5);
        assert_eq!(all["data"][0]["video"]["name"], "Video 4", "newest first");
        let oldest = listed(&h, &fan, "?sort=createdAt&start=1&count=2").await;
        let names: Vec<&str> = oldest["data"].as_array().unwrap().iter().map(|n| n["video"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Video 1", "Video 2"]);
        let ids: Vec<i64> = all["data"].as_array().unwrap().iter().map(|n| n["id"].as_i64().unwrap()).collect();

        // ETag: the same page answers 304 until something changes.
        let etag_request = |etag: Option<&str>| {
            let mut request = Request::get("/api/v1/users/me/notifications?unread=true&count=0")
                .header(header::AUTHORIZATION, format!("Bearer {fan}"));
            if let Some(etag) = etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            request.body(Body::empty()).unwrap()
        };
        let (status, headers, body) = h.send(etag_request(None)).await;
        assert_eq!((status, body["total"].as_i64()), (StatusCode::OK, Some(5)));
        let etag = headers[header::ETAG].to_str().unwrap().to_owned();
        let (status, _, _) = h.send(etag_request(Some(&etag))).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);

        // Reading some (another user's ids change nothing), then all.
        let (status, body) = h.send_json("POST", "/api/v1/users/me/notifications/read", Some(&fan), json!({ "ids": [ids[0], ids[1]] })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = h.send_json("POST", "/api/v1/users/me/notifications/read", Some(&stranger), json!({ "ids": [ids[2]] })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, body) = h.send(etag_request(Some(&etag))).await;
        assert_eq!((status, body["total"].as_i64()), (StatusCode::OK, Some(3)), "changed: a new answer");
        assert_eq!(listed(&h, &fan, "?unread=false").await["total"], 5);
        assert_eq!(listed(&h, &fan, "").await["data"][0]["read"], true);
        let (status, _) = h.send_json("POST", "/api/v1/users/me/notifications/read-all", Some(&fan), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(listed(&h, &fan, "?unread=true").await["total"], 0);

        // Bad input: each a 400 that changes nothing.
        for query in ["?typeOneOf=99", "?typeOneOf=x", "?sort=-id", "?unread=maybe", "?count=-1", "?start=x"] {
            let (status, body) = h.get(&format!("/api/v1/users/me/notifications{query}"), Some(&fan)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        }
        let (status, _) = h.get("/api/v1/users/me/notifications", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let too_many: Vec<i64> = (1..=101).collect();
        for body in [json!({}), json!({ "ids": [] }), json!({ "ids": too_many }), json!({ "ids": ["one"] })] {
            let (status, answer) = h.send_json("POST", "/api/v1/users/me/notifications/read", Some(&fan), body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        }
        let (_, before) = h.get("/api/v1/users/me", Some(&fan)).await;
        for body in [
            json!({ "newVideoFromSubscription": 4 }),
            json!({ "newVideoFromSubscription": -1 }),
            json!({ "newVideoFromSubscription": "web" }),
            json!({ "commentMention": 0, "noSuchNotification": 1 }),
            json!({ "myVideoPublished": 1.5 }),
        ] {
            let (status, answer) = h.send_json("PUT", "/api/v1/users/me/notification-settings", Some(&fan), body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        }
        let (_, after) = h.get("/api/v1/users/me", Some(&fan)).await;
        assert_eq!(before["notificationSettings"], after["notificationSettings"], "nothing changed");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM user_notification_settings").await, 0);
    }

    async fn ten_thousand_notifications_are_paged_and_counted(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (maker, channel) = h.user_with_channel("maker").await;
        let uuid = video(&db, channel, "Popular", 1).await;
        let video_id = kinora_app::videos::find_video(&db, &uuid).await.unwrap().unwrap().id;
        let user_id = kinora_db::users::find_by_login(db.pool(), "maker").await.unwrap().unwrap().id;
        let mut tx = db.begin().await.unwrap();
        for n in 0..10_000i64 {
            sqlx::query("INSERT INTO user_notifications (user_id, kind, read, video_id, created_at, updated_at) VALUES ($1, 6, $2, $3, $4, $4)")
                .bind(user_id).bind(n % 2).bind(video_id).bind(1000 + n)
                .execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        let unread = listed(&h, &maker, "?unread=true&count=0").await;
        assert_eq!(unread["total"], 5000);
        let page = listed(&h, &maker, "?start=9990&count=20").await;
        assert_eq!(page["total"], 10_000);
        assert_eq!(page["data"].as_array().unwrap().len(), 10);
        let oldest = count(&db, "SELECT MIN(id) FROM user_notifications").await;
        assert_eq!(page["data"][9]["id"], oldest, "the last page ends with the oldest");
        let (status, _) = h.send_json("POST", "/api/v1/users/me/notifications/read-all", Some(&maker), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(listed(&h, &maker, "?unread=true&count=0").await["total"], 0);
    }
}
