//! A user's own settings (`PUT /api/v1/users/me`), their effect on lists, and staff editing a
//! user (`PUT /api/v1/users/{id}`), on SQLite and PostgreSQL: each field, each refusal with
//! nothing written.

use crate::common;

use axum::http::StatusCode;
use common::harness::{Harness, count};
use common::videos::insert_video;
use kinora_core::UserRole;
use kinora_db::{Db, backend_tests};
use serde_json::{Value, json};

/// Inserts a published public video in `channel`, NSFW or not, and returns its UUID.
async fn video(db: &Db, channel: i64, name: &str, nsfw: bool) -> String {
    let video = insert_video(db, channel, name, 1, 1, 0).await;
    sqlx::query("UPDATE videos SET nsfw = $1 WHERE id = $2")
        .bind(i64::from(nsfw))
        .bind(video.id)
        .execute(db.pool())
        .await
        .unwrap();
    video.uuid
}

async fn me(h: &Harness, token: &str) -> Value {
    let (status, body) = h.get("/api/v1/users/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The names of the videos a list answers.
async fn names(h: &Harness, path: &str, token: Option<&str>) -> Vec<String> {
    let (status, body) = h.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|video| video["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The fields of `MyUser` that `PUT /api/v1/users/me` changes.
const SETTINGS: [&str; 12] = [
    "nsfwPolicy",
    "p2pEnabled",
    "autoPlayVideo",
    "autoPlayNextVideo",
    "autoPlayNextVideoPlaylist",
    "videosHistoryEnabled",
    "videoLanguages",
    "theme",
    "emailPublic",
    "noWelcomeModal",
    "noInstanceConfigWarningModal",
    "noAccountSetupWarningModal",
];

fn settings_of(me: &Value) -> Value {
    let mut settings = serde_json::Map::new();
    for field in SETTINGS {
        settings.insert(field.to_owned(), me[field].clone());
    }
    settings.insert("email".into(), me["email"].clone());
    settings.insert("displayName".into(), me["account"]["displayName"].clone());
    settings.insert("description".into(), me["account"]["description"].clone());
    Value::Object(settings)
}

backend_tests! {
    async fn settings_are_kept_and_shown(db: Db) {
        let h = Harness::new(&db, |_| {});
        let token = h.user("alice", UserRole::User).await;
        let before = me(&h, &token).await;
        assert_eq!(before["nsfwPolicy"], "do_not_list");
        assert_eq!(before["p2pEnabled"], true);
        assert_eq!(before["videosHistoryEnabled"], true);
        assert_eq!(before["videoLanguages"], Value::Null);
        assert_eq!(before["theme"], "instance-default");
        let change = json!({
            "displayName": "Alice A.",
            "description": "I watch films.",
            "nsfwPolicy": "blur",
            "p2pEnabled": false,
            "autoPlayVideo": false,
            "autoPlayNextVideo": true,
            "autoPlayNextVideoPlaylist": false,
            "videosHistoryEnabled": false,
            "videoLanguages": ["fr", "en", "fr"],
            "theme": "peertube-core-dark-brown",
            "emailPublic": true,
            "noWelcomeModal": true,
            "noInstanceConfigWarningModal": true,
            "noAccountSetupWarningModal": true
        });
        let (status, body) = h.send_json("PUT", "/api/v1/users/me", Some(&token), change).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let after = me(&h, &token).await;
        assert_eq!(after["nsfwPolicy"], "blur");
        assert_eq!(after["p2pEnabled"], false);
        assert_eq!(after["autoPlayVideo"], false);
        assert_eq!(after["autoPlayNextVideo"], true);
        assert_eq!(after["autoPlayNextVideoPlaylist"], false);
        assert_eq!(after["videosHistoryEnabled"], false);
        assert_eq!(after["videoLanguages"], json!(["fr", "en"]));
        assert_eq!(after["theme"], "peertube-core-dark-brown");
        assert_eq!(after["emailPublic"], true);
        assert_eq!(after["noWelcomeModal"], true);
        assert_eq!(after["account"]["displayName"], "Alice A.");
        assert_eq!(after["account"]["description"], "I watch films.");
        let (_, account) = h.get("/api/v1/accounts/alice", None).await;
        assert_eq!(account["displayName"], "Alice A.");
        // Other instances are told of the new profile.
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate' AND payload LIKE '%actor-updated%'").await,
            1
        );
        // PeerTube's older displayNSFW, and an empty description removes it.
        let (status, _) = h
            .send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "displayNSFW": "true", "description": "" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let again = me(&h, &token).await;
        assert_eq!(again["nsfwPolicy"], "display");
        assert_eq!(again["account"]["description"], Value::Null);
        assert_eq!(again["p2pEnabled"], false, "fields not sent are kept");
        // Without a token: 401.
        let (status, _) = h.send_json("PUT", "/api/v1/users/me", None, json!({ "p2pEnabled": true })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn bad_settings_name_their_field_and_change_nothing(db: Db) {
        let h = Harness::new(&db, |_| {});
        let token = h.user("bob", UserRole::User).await;
        h.user("carol", UserRole::User).await;
        let before = settings_of(&me(&h, &token).await);
        let long = "x".repeat(10_000);
        let languages: Vec<String> = (0..21).map(|_| "en".to_owned()).collect();
        let cases = [
            (json!({ "nsfwPolicy": "sometimes", "p2pEnabled": false }), "nsfwPolicy"),
            (json!({ "theme": "../../etc/passwd", "p2pEnabled": false }), "theme"),
            (json!({ "videoLanguages": ["zz-not-a-language"] }), "videoLanguages"),
            (json!({ "videoLanguages": languages }), "videoLanguages"),
            (json!({ "language": "klingon" }), "language"),
            (json!({ "displayName": long, "p2pEnabled": false }), "displayName"),
            (json!({ "displayName": "" }), "displayName"),
            (json!({ "description": long }), "description"),
            (json!({ "p2pEnabled": "yes" }), "p2pEnabled"),
            (json!({ "email": "bob\r\nBcc: x@example.com", "currentPassword": "secret-password" }), "email"),
            (json!({ "password": "abc", "currentPassword": "secret-password" }), "password"),
            (json!({ "password": "a-new-password", "p2pEnabled": false }), "currentPassword"),
            (json!({ "email": "bob2@example.com" }), "currentPassword"),
            (json!({ "password": "a-new-password", "currentPassword": "wrong-password" }), "currentPassword"),
        ];
        for (change, field) in cases {
            let (status, body) = h.send_json("PUT", "/api/v1/users/me", Some(&token), change.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{change}: {body}");
            let named = body["invalid-params"].as_object().map(|p| p.contains_key(field)).unwrap_or(false)
                || body["detail"].as_str().unwrap_or("").contains(field);
            assert!(named, "{change} should name {field}: {body}");
            assert_eq!(settings_of(&me(&h, &token).await), before, "{change} changed something");
        }
        // Someone else's address: 409, nothing changed.
        let (status, body) = h
            .send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "email": "carol@example.com", "currentPassword": "secret-password", "p2pEnabled": false }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(settings_of(&me(&h, &token).await), before);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM jobs WHERE kind = 'federate' AND payload LIKE '%actor-updated%'").await,
            0
        );
    }

    async fn password_and_email_change_with_the_current_password(db: Db) {
        let h = Harness::new(&db, |_| {});
        let token = h.user("dave", UserRole::User).await;
        let (status, body) = h
            .send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "password": "a-new-password", "currentPassword": "secret-password" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let form = format!("{}&grant_type=password&username=dave&password=secret-password", h.client_form().await);
        let (status, _, _) = h.token_request(&form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the old password no longer logs in");
        h.login("dave", "a-new-password").await;
        let (status, body) = h
            .send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "email": "dave.new@example.com", "currentPassword": "a-new-password" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(me(&h, &token).await["email"], "dave.new@example.com");
        h.login("dave.new@example.com", "a-new-password").await;
    }

    async fn wrong_current_passwords_spend_the_login_budget(db: Db) {
        let h = Harness::new(&db, |config| config.auth.login_attempts_per_account = 3);
        let token = h.user("erin", UserRole::User).await;
        let mut statuses = Vec::new();
        for _ in 0..5 {
            let (status, _) = h
                .send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "password": "a-new-password", "currentPassword": "guess-guess" }))
                .await;
            statuses.push(status);
        }
        assert!(statuses.contains(&StatusCode::BAD_REQUEST), "{statuses:?}");
        assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    }

    async fn lists_follow_the_viewers_nsfw_policy(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, channel) = h.user_with_channel("frank").await;
        let token = h.user("gina", UserRole::User).await;
        video(&db, channel, "Calm", false).await;
        video(&db, channel, "Gory", true).await;
        assert_eq!(names(&h, "/api/v1/videos?sort=name", None).await, ["Calm"]);
        assert_eq!(names(&h, "/api/v1/videos?sort=name", Some(&token)).await, ["Calm"]);
        let (status, _) = h.send_json("PUT", "/api/v1/users/me", Some(&token), json!({ "nsfwPolicy": "blur" })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(names(&h, "/api/v1/videos?sort=name", Some(&token)).await, ["Calm", "Gory"]);
        assert_eq!(names(&h, "/api/v1/video-channels/frank_channel/videos?sort=name", Some(&token)).await, ["Calm", "Gory"]);
        assert_eq!(names(&h, "/api/v1/search/videos?search=o&sort=name", Some(&token)).await, ["Gory"]);
        // The query's nsfw wins; others still do not see it.
        assert_eq!(names(&h, "/api/v1/videos?sort=name&nsfw=false", Some(&token)).await, ["Calm"]);
        assert_eq!(names(&h, "/api/v1/videos?sort=name", None).await, ["Calm"]);
    }

    async fn staff_edit_users_by_peertubes_rules(db: Db) {
        let h = Harness::new(&db, |_| {});
        let admin = h.user("root", UserRole::Admin).await;
        let moderator = h.user("mod", UserRole::Moderator).await;
        let plain = h.user("hank", UserRole::User).await;
        h.user("other-mod", UserRole::Moderator).await;
        let id_of = |name: &'static str| {
            let db = db.clone();
            async move {
                kinora_db::users::find_by_login(db.pool(), name).await.unwrap().unwrap().id
            }
        };
        let hank = id_of("hank").await;
        let (status, body) = h
            .send_json("PUT", &format!("/api/v1/users/{hank}"), Some(&admin), json!({ "role": 1, "videoQuota": 5000000, "videoQuotaDaily": -1, "email": "hank.b@example.com" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, user) = h.get(&format!("/api/v1/users/{hank}"), Some(&admin)).await;
        assert_eq!(user["role"]["id"], 1);
        assert_eq!(user["videoQuota"], 5000000);
        assert_eq!(user["email"], "hank.b@example.com");
        let (status, _) = h
            .send_json("PUT", &format!("/api/v1/users/{hank}"), Some(&admin), json!({ "role": 2, "password": "set-by-admin" }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        h.login("hank", "set-by-admin").await;
        let other_mod = id_of("other-mod").await;
        let root = id_of("root").await;
        let refused = [
            (&plain, hank, json!({ "videoQuota": 1 }), StatusCode::FORBIDDEN),
            (&moderator, other_mod, json!({ "videoQuota": 1 }), StatusCode::FORBIDDEN),
            (&moderator, hank, json!({ "role": 0 }), StatusCode::FORBIDDEN),
            (&admin, root, json!({ "role": 2 }), StatusCode::BAD_REQUEST),
            (&admin, hank, json!({ "role": 7 }), StatusCode::BAD_REQUEST),
            (&admin, hank, json!({ "videoQuota": -5 }), StatusCode::BAD_REQUEST),
            (&admin, hank, json!({ "password": "x" }), StatusCode::BAD_REQUEST),
            (&admin, hank, json!({ "email": "not-an-address" }), StatusCode::BAD_REQUEST),
            (&admin, hank, json!({ "email": "mod@example.com" }), StatusCode::CONFLICT),
            (&admin, 999_999, json!({ "videoQuota": 1 }), StatusCode::NOT_FOUND),
        ];
        for (token, target, change, expected) in refused {
            let (status, body) = h
                .send_json("PUT", &format!("/api/v1/users/{target}"), Some(token), change.clone())
                .await;
            assert_eq!(status, expected, "{change} on {target}: {body}");
        }
        let (_, user) = h.get(&format!("/api/v1/users/{hank}"), Some(&admin)).await;
        assert_eq!(user["role"]["id"], 2);
        assert_eq!(user["videoQuota"], 5000000, "refused edits changed nothing");
        // A moderator may edit a plain user's quota; root's quota may change, not its role.
        let (status, _) = h.send_json("PUT", &format!("/api/v1/users/{hank}"), Some(&moderator), json!({ "videoQuota": 42 })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = h.send_json("PUT", &format!("/api/v1/users/{root}"), Some(&admin), json!({ "videoQuota": 42, "role": 0 })).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    async fn users_delete_their_own_account(db: Db) {
        let h = Harness::new(&db, |_| {});
        let root = h.user("root", UserRole::Admin).await;
        let (token, channel) = h.user_with_channel("ivy").await;
        video(&db, channel, "Ivy's film", false).await;
        let (status, _) = h.send_json("DELETE", "/api/v1/users/me", None, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = h.send_json("DELETE", "/api/v1/users/me", Some(&token), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = h.get("/api/v1/accounts/ivy", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM videos").await, 0, "their videos went with them");
        let (status, _) = h.get("/api/v1/users/me", Some(&token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "their tokens went too");
        let form = format!("{}&grant_type=password&username=ivy&password=secret-password", h.client_form().await);
        let (status, _, _) = h.token_request(&form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // root cannot.
        let (status, body) = h.send_json("DELETE", "/api/v1/users/me", Some(&root), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(me(&h, &root).await["username"], "root");
    }
}
