//! Mutes ("blocklists") through the whole HTTP stack: the caller's own
//! (`/api/v1/users/me/blocklist/…`) and the instance's (`/api/v1/server/blocklist/…`, staff
//! only), `GET /api/v1/blocklist/status`, every refusal, and what mutes hide — videos in lists,
//! search, account and channel pages and the subscription feed, comment threads and replies —
//! from whoever muted them (from everyone for the instance's), through the list cache. On
//! SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::harness::Harness;
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

const REMOTE: &str = "remote.example:9000";

/// A remote account `name@remote.example:9000` with a channel; returns (account, channel).
async fn remote_account(db: &kinora_db::Db, name: &str) -> (i64, i64) {
    let mut actors = Vec::new();
    for (kind, path, actor) in [
        ("Person", "accounts", name.to_owned()),
        ("Group", "video-channels", format!("{name}_channel")),
    ] {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO actors (kind, preferred_username, host, url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, 1) RETURNING id",
        )
        .bind(kind)
        .bind(&actor)
        .bind(REMOTE)
        .bind(format!("http://{REMOTE}/{path}/{actor}"))
        .fetch_one(db.pool())
        .await
        .unwrap();
        actors.push(id);
    }
    let (account,): (i64,) = sqlx::query_as(
        "INSERT INTO accounts (actor_id, display_name, created_at, updated_at) VALUES ($1, $2, 1, 1) RETURNING id",
    )
    .bind(actors[0]).bind(name).fetch_one(db.pool()).await.unwrap();
    let (channel,): (i64,) = sqlx::query_as(
        "INSERT INTO channels (actor_id, account_id, display_name, created_at, updated_at) VALUES ($1, $2, $3, 1, 1) RETURNING id",
    )
    .bind(actors[1]).bind(account).bind(name).fetch_one(db.pool()).await.unwrap();
    (account, channel)
}

/// The sorted names of a list's videos (or comments' texts).
fn names(body: &Value, field: &str) -> Vec<String> {
    let mut names: Vec<String> = body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

async fn post(h: &Harness, path: &str, token: Option<&str>, body: Value) -> StatusCode {
    h.send_json("POST", path, token, body).await.0
}

async fn delete(h: &Harness, path: &str, token: Option<&str>) -> StatusCode {
    h.send_json("DELETE", path, token, json!({})).await.0
}

backend_tests! {
    async fn each_route_with_its_refusals(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, _) = h.user_with_channel("alice").await;
        h.user_with_channel("bob").await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        remote_account(&db, "carol").await;
        let accounts = "/api/v1/users/me/blocklist/accounts";
        let servers = "/api/v1/users/me/blocklist/servers";
        let carol = format!("carol@{REMOTE}");

        assert_eq!(post(&h, accounts, None, json!({"accountName": "bob"})).await, StatusCode::UNAUTHORIZED);
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": "bob"})).await, StatusCode::NO_CONTENT);
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": carol})).await, StatusCode::NO_CONTENT);
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": "bob@localhost:9000"})).await, StatusCode::CONFLICT, "already muted");
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": "alice"})).await, StatusCode::CONFLICT, "oneself");
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": "nobody"})).await, StatusCode::NOT_FOUND);
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": "x@unknown.example"})).await, StatusCode::NOT_FOUND);
        assert_eq!(post(&h, accounts, Some(&alice), json!({})).await, StatusCode::BAD_REQUEST);
        let (status, list) = h.get(&format!("{accounts}?sort=createdAt"), Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 2);
        assert_eq!(list["data"][0]["blockedAccount"]["name"], "bob");
        assert_eq!(list["data"][0]["byAccount"]["name"], "alice");
        assert_eq!(list["data"][1]["blockedAccount"]["host"], REMOTE);
        assert!(list["data"][0]["createdAt"].as_str().unwrap().ends_with('Z'), "{list}");
        assert_eq!(h.get(&format!("{accounts}?sort=name"), Some(&alice)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get(accounts, None).await.0, StatusCode::UNAUTHORIZED);

        assert_eq!(post(&h, servers, Some(&alice), json!({"host": REMOTE})).await, StatusCode::NO_CONTENT);
        assert_eq!(post(&h, servers, Some(&alice), json!({"host": "REMOTE.example:9000"})).await, StatusCode::CONFLICT);
        assert_eq!(post(&h, servers, Some(&alice), json!({"host": "localhost:9000"})).await, StatusCode::CONFLICT, "own host");
        for bad in ["http://evil.example", "a b", "evil.example/x", "", "x:99999"] {
            assert_eq!(post(&h, servers, Some(&alice), json!({"host": bad})).await, StatusCode::BAD_REQUEST, "{bad:?}");
        }
        assert_eq!(post(&h, servers, Some(&alice), json!({})).await, StatusCode::BAD_REQUEST);
        let (_, list) = h.get(servers, Some(&alice)).await;
        assert_eq!((list["total"].as_i64(), &list["data"][0]["blockedServer"]), (Some(1), &json!({"host": REMOTE})));
        assert_eq!(list["data"][0]["byAccount"]["name"], "alice");

        // Status: what alice muted, what the instance muted (nothing yet).
        let status_path = format!("/api/v1/blocklist/status?accounts=bob&accounts={carol}&accounts=nobody&hosts={REMOTE}&hosts=other.example");
        let (status, body) = h.get(&status_path, Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let muted = json!({"blockedByUser": true, "blockedByServer": false});
        let free = json!({"blockedByUser": false, "blockedByServer": false});
        assert_eq!(body, json!({
            "accounts": {"bob": muted, carol.clone(): muted, "nobody": free},
            "hosts": {REMOTE: muted, "other.example": free},
        }));
        let (_, body) = h.get(&status_path, None).await;
        assert_eq!(body["accounts"]["bob"], free, "anonymous: muted by nobody");
        assert_eq!(h.get("/api/v1/blocklist/status?hosts=a%20b", None).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.get("/api/v1/blocklist/status?accounts=%40", None).await.0, StatusCode::BAD_REQUEST);

        assert_eq!(delete(&h, &format!("{accounts}/bob"), Some(&alice)).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&h, &format!("{accounts}/bob"), Some(&alice)).await, StatusCode::NOT_FOUND, "not muted any more");
        assert_eq!(delete(&h, &format!("{accounts}/nobody"), Some(&alice)).await, StatusCode::NOT_FOUND);
        assert_eq!(delete(&h, &format!("{servers}/{REMOTE}"), Some(&alice)).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&h, &format!("{servers}/{REMOTE}"), Some(&alice)).await, StatusCode::NOT_FOUND);
        assert_eq!(delete(&h, &format!("{servers}/a%20b"), Some(&alice)).await, StatusCode::BAD_REQUEST);
        let (_, list) = h.get(accounts, Some(&alice)).await;
        assert_eq!(list["total"], 1);

        // The instance's list: moderators and administrators only.
        let accounts = "/api/v1/server/blocklist/accounts";
        let servers = "/api/v1/server/blocklist/servers";
        assert_eq!(h.get(accounts, Some(&alice)).await.0, StatusCode::FORBIDDEN);
        assert_eq!(h.get(servers, Some(&alice)).await.0, StatusCode::FORBIDDEN);
        assert_eq!(post(&h, accounts, Some(&alice), json!({"accountName": "bob"})).await, StatusCode::FORBIDDEN);
        assert_eq!(post(&h, servers, Some(&alice), json!({"host": REMOTE})).await, StatusCode::FORBIDDEN);
        assert_eq!(post(&h, accounts, Some(&moderator), json!({"accountName": "bob"})).await, StatusCode::NO_CONTENT);
        assert_eq!(post(&h, servers, Some(&moderator), json!({"host": REMOTE})).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&h, &format!("{accounts}/bob"), Some(&alice)).await, StatusCode::FORBIDDEN);
        assert_eq!(delete(&h, &format!("{servers}/{REMOTE}"), Some(&alice)).await, StatusCode::FORBIDDEN);
        assert_eq!(post(&h, accounts, Some(&moderator), json!({"accountName": "bob"})).await, StatusCode::CONFLICT);
        assert_eq!(post(&h, accounts, Some(&moderator), json!({"accountName": "mod"})).await, StatusCode::CONFLICT);
        assert_eq!(post(&h, servers, Some(&moderator), json!({"host": "localhost:9000"})).await, StatusCode::CONFLICT);
        assert_eq!(post(&h, servers, Some(&moderator), json!({"host": "bad host"})).await, StatusCode::BAD_REQUEST);
        assert_eq!(post(&h, accounts, Some(&moderator), json!({"accountName": "nobody"})).await, StatusCode::NOT_FOUND);
        let (status, list) = h.get(accounts, Some(&moderator)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((list["total"].as_i64(), list["data"][0]["byAccount"]["name"].as_str()), (Some(1), Some("mod")));
        let (_, list) = h.get(servers, Some(&moderator)).await;
        assert_eq!(list["data"][0]["blockedServer"]["host"], REMOTE);
        let (_, body) = h.get(&status_path, Some(&alice)).await;
        assert_eq!(body["accounts"]["bob"], json!({"blockedByUser": false, "blockedByServer": true}));
        assert_eq!(body["accounts"][carol.as_str()], json!({"blockedByUser": true, "blockedByServer": false}));
        assert_eq!(body["hosts"][REMOTE], json!({"blockedByUser": false, "blockedByServer": true}));
        assert_eq!(delete(&h, &format!("{accounts}/bob"), Some(&moderator)).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&h, &format!("{servers}/{REMOTE}"), Some(&moderator)).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&h, &format!("{servers}/{REMOTE}"), Some(&moderator)).await, StatusCode::NOT_FOUND);
    }

    async fn mutes_hide_videos_and_comments_from_who_muted_them(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (alice, _) = h.user_with_channel("alice").await;
        let (dave, dave_channel) = h.user_with_channel("dave").await;
        let (bob, bob_channel) = h.user_with_channel("bob").await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        let (carol, carol_channel) = remote_account(&db, "carol").await;
        insert_video(&db, bob_channel, "Bob clip", 1, 1, 1).await;
        insert_video(&db, carol_channel, "Carol clip", 1, 1, 2).await;
        let daves = insert_video(&db, dave_channel, "Dave clip", 1, 1, 3).await;
        let all = vec!["Bob clip".to_owned(), "Carol clip".into(), "Dave clip".into()];
        for path in ["/api/v1/videos", "/api/v1/search/videos?search=clip"] {
            assert_eq!(names(&h.get(path, None).await.1, "name"), all, "{path}: cached for everyone");
        }
        // Comments on dave's video: a thread by bob, one by dave with replies by carol and bob.
        let threads = format!("/api/v1/videos/{}/comment-threads", daves.uuid);
        let (_, body) = h.send_json("POST", &threads, Some(&bob), json!({"text": "bob thread"})).await;
        let bobs_thread = body["comment"]["id"].as_i64().unwrap();
        let (_, body) = h.send_json("POST", &threads, Some(&dave), json!({"text": "dave thread"})).await;
        let daves_thread = body["comment"]["id"].as_i64().unwrap();
        let reply = format!("/api/v1/videos/{}/comments/{daves_thread}", daves.uuid);
        assert_eq!(h.send_json("POST", &reply, Some(&bob), json!({"text": "bob reply"})).await.0, StatusCode::OK);
        let mut connection = db.pool().acquire().await.unwrap();
        kinora_db::comments::insert(&mut connection, &kinora_db::comments::NewComment {
            video_id: daves.id, account_id: carol, thread_id: Some(daves_thread),
            in_reply_to_id: Some(daves_thread), text: "carol reply", held_for_review: false,
        }, 10).await.unwrap();
        drop(connection);
        for uri in ["bob_channel", "dave_channel"] {
            let status = post(&h, "/api/v1/users/me/subscriptions", Some(&alice), json!({"uri": uri})).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }

        assert_eq!(post(&h, "/api/v1/users/me/blocklist/accounts", Some(&alice), json!({"accountName": "bob"})).await, StatusCode::NO_CONTENT);
        assert_eq!(post(&h, "/api/v1/users/me/blocklist/servers", Some(&alice), json!({"host": REMOTE})).await, StatusCode::NO_CONTENT);
        let only_dave = vec!["Dave clip".to_owned()];
        for path in ["/api/v1/videos", "/api/v1/search/videos?search=clip", "/api/v1/users/me/subscriptions/videos"] {
            let (status, body) = h.get(path, Some(&alice)).await;
            assert_eq!((status, names(&body, "name")), (StatusCode::OK, only_dave.clone()), "{path}: {body}");
            assert_eq!(body["total"], 1, "{path}");
        }
        assert_eq!(h.get("/api/v1/accounts/bob/videos", Some(&alice)).await.1["total"], 0);
        assert_eq!(h.get("/api/v1/video-channels/bob_channel/videos", Some(&alice)).await.1["total"], 0);
        assert_eq!(h.get(&format!("/api/v1/video-channels/carol_channel@{REMOTE}/videos"), Some(&alice)).await.1["total"], 0);
        // Someone else, and anonymous visitors, still see everything (the shared cache is intact).
        for token in [Some(dave.as_str()), None] {
            assert_eq!(names(&h.get("/api/v1/videos", token).await.1, "name"), all);
            assert_eq!(h.get("/api/v1/accounts/bob/videos", token).await.1["total"], 1);
        }
        let (_, list) = h.get(&threads, Some(&alice)).await;
        assert_eq!((list["total"].as_i64(), names(&list, "text")), (Some(1), vec!["dave thread".to_owned()]));
        let (_, list) = h.get(&threads, Some(&dave)).await;
        assert_eq!(list["total"], 2);
        let thread = format!("{threads}/{daves_thread}");
        let (status, tree) = h.get(&thread, Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{tree}");
        assert_eq!(tree["children"].as_array().unwrap().len(), 0, "bob's and carol's replies hidden: {tree}");
        assert_eq!(h.get(&thread, Some(&dave)).await.1["children"].as_array().unwrap().len(), 2);
        assert_eq!(h.get(&format!("{threads}/{bobs_thread}"), Some(&alice)).await.0, StatusCode::NOT_FOUND);
        assert_eq!(h.get(&format!("{threads}/{bobs_thread}"), None).await.0, StatusCode::OK);

        // Unmuting shows them again.
        assert_eq!(delete(&h, "/api/v1/users/me/blocklist/accounts/bob", Some(&alice)).await, StatusCode::NO_CONTENT);
        assert_eq!(names(&h.get("/api/v1/videos", Some(&alice)).await.1, "name"), vec!["Bob clip".to_owned(), "Dave clip".into()]);

        // The instance's mutes hide from everyone, and cached pages see them at once.
        assert_eq!(post(&h, "/api/v1/server/blocklist/servers", Some(&moderator), json!({"host": REMOTE})).await, StatusCode::NO_CONTENT);
        assert_eq!(post(&h, "/api/v1/server/blocklist/accounts", Some(&moderator), json!({"accountName": "bob"})).await, StatusCode::NO_CONTENT);
        for token in [Some(dave.as_str()), None] {
            for path in ["/api/v1/videos", "/api/v1/search/videos?search=clip"] {
                assert_eq!(names(&h.get(path, token).await.1, "name"), only_dave, "{path}");
            }
            let (_, list) = h.get(&threads, token).await;
            assert_eq!(list["total"], 1);
            assert_eq!(h.get(&thread, token).await.1["children"].as_array().unwrap().len(), 0);
        }
    }
}
