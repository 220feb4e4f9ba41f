//! The whole HTTP stack in process (routes, layers, problem+json), on SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::harness::{Harness, count};
use kinora_app::users::{self, NewUserInput, UserOrigin};
use kinora_core::UserRole;
use kinora_db::backend_tests;
use serde_json::{Value, json};

fn assert_problem(headers: &axum::http::HeaderMap, body: &Value, status: u16, code: &str) {
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/problem+json; charset=utf-8"
    );
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

backend_tests! {
    async fn the_peertube_oauth_flow_works_end_to_end(db: Db) {
        let h = Harness::new(&db, |_| {});
        users::create_user(&db, &h.config.instance, NewUserInput {
            username: "alice".into(), email: "alice@example.com".into(), password: "secret-password".into(),
            role: UserRole::User, display_name: None,
        }, UserOrigin::Admin).await.unwrap();
        let tokens = h.login("alice", "secret-password").await;
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 86400);
        assert_eq!(tokens["refresh_token_expires_in"], 1_209_600);
        let access = tokens["access_token"].as_str().unwrap();

        let (status, me) = h.get("/api/v1/users/me", Some(access)).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["username"], "alice");
        assert_eq!(me["role"], json!({ "id": 2, "label": "User" }));
        assert_eq!(me["account"]["name"], "alice");
        assert_eq!(me["account"]["host"], "localhost:9000");
        assert_eq!(me["videoChannels"][0]["name"], "alice_channel");
        assert_eq!(me["videoChannels"][0]["displayName"], "Main alice channel");
        assert!(me["videoChannels"][0]["id"].is_i64());

        // Refresh: a new pair; the old refresh token used again revokes the family.
        let form = format!("{}&grant_type=refresh_token&refresh_token={}", h.client_form().await, tokens["refresh_token"].as_str().unwrap());
        let (status, _, refreshed) = h.token_request(&form).await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let new_access = refreshed["access_token"].as_str().unwrap();
        assert_eq!(h.get("/api/v1/users/me", Some(new_access)).await.0, StatusCode::OK);
        let (status, headers, body) = h.token_request(&form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_problem(&headers, &body, 400, "invalid_grant");
        assert_eq!(h.get("/api/v1/users/me", Some(new_access)).await.0, StatusCode::UNAUTHORIZED);

        // Logout.
        let fresh = h.login("alice", "secret-password").await;
        let fresh = fresh["access_token"].as_str().unwrap();
        let (status, body) = h.send_json("POST", "/api/v1/users/revoke-token", Some(fresh), json!({})).await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
        let (status, body) = h.get("/api/v1/users/me", Some(fresh)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "invalid_token");
    }

    async fn token_errors_use_peertube_codes(db: Db) {
        let h = Harness::new(&db, |_| {});
        h.user("alice", UserRole::User).await;
        let client = h.client_form().await;
        let (status, headers, body) = h.token_request(&format!("{client}&grant_type=password&username=alice&password=wrong-password")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_problem(&headers, &body, 400, "invalid_grant");
        assert_eq!(body["detail"], "Invalid grant: user credentials are invalid");
        assert_eq!(body["type"], "https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/invalid_grant");

        let (_, headers, body) = h.token_request("client_id=x&client_secret=y&grant_type=password&username=alice&password=p").await;
        assert_problem(&headers, &body, 400, "invalid_client");
        let (_, headers, body) = h.token_request(&format!("{client}&grant_type=client_credentials")).await;
        assert_problem(&headers, &body, 400, "unsupported_grant_type");
        let (_, headers, body) = h.token_request(&client).await;
        assert_problem(&headers, &body, 400, "invalid_request");
        let (_, headers, body) = h.token_request(&format!("{client}&grant_type=password&username=alice")).await;
        assert_problem(&headers, &body, 400, "invalid_request");

        // A JSON body is not what OAuth clients send.
        let (status, body) = h.send_json("POST", "/api/v1/users/token", None, json!({"grant_type": "password"})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));

        // A 1 MB password is refused before any hashing.
        let huge = "x".repeat(1024 * 1024);
        let started = std::time::Instant::now();
        let (status, headers, body) = h.token_request(&format!("{client}&grant_type=password&username=alice&password={huge}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_problem(&headers, &body, 400, "invalid_params");
        assert!(body["invalid-params"]["password"].is_object(), "{body}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    async fn bad_and_missing_tokens_are_refused(db: Db) {
        let h = Harness::new(&db, |_| {});
        let token = h.user("alice", UserRole::User).await;
        let (status, body) = h.get("/api/v1/users/me", None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized_request")));
        let (status, body) = h.get("/api/v1/users/me", Some("not a token!")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
        let (status, body) = h.get("/api/v1/users/me", Some("0123456789abcdef")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
        sqlx::query("UPDATE oauth_tokens SET access_expires_at = 1").execute(db.pool()).await.unwrap();
        let (status, body) = h.get("/api/v1/users/me", Some(&token)).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
    }

    async fn the_local_client_is_only_given_for_our_host(db: Db) {
        let h = Harness::new(&db, |_| {});
        let request = Request::get("/api/v1/oauth-clients/local").header(header::HOST, "evil.example").body(Body::empty()).unwrap();
        let (status, headers, body) = h.send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_problem(&headers, &body, 403, "forbidden");
    }

    async fn malformed_and_oversized_bodies_get_problem_json(db: Db) {
        let h = Harness::new(&db, |_| {});
        let token = h.user("alice", UserRole::User).await;
        let send = |body: &'static str| {
            Request::post("/api/v1/video-channels")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap()
        };
        let (status, headers, body) = h.send(send("{not json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_problem(&headers, &body, 400, "malformed_body");
        let (_, headers, body) = h.send(send(r#"{"name":"cooking","displayName":5}"#)).await;
        assert_problem(&headers, &body, 400, "invalid_params");
        assert!(body["invalid-params"]["displayName"].is_object(), "{body}");
        let (_, _, body) = h.send(send(r#"{"name":"cooking"}"#)).await;
        assert!(body["invalid-params"]["displayName"].is_object(), "{body}");
        let (_, _, body) = h.send(send(r#"{"name":"Bad Name","displayName":"x"}"#)).await;
        assert!(body["invalid-params"]["name"].is_object(), "{body}");

        let big = format!(r#"{{"name":"cooking","displayName":"{}"}}"#, "x".repeat(3 * 1024 * 1024));
        let request = Request::post("/api/v1/video-channels")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(big)).unwrap();
        let (status, headers, body) = h.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_problem(&headers, &body, 413, "payload_too_large");

        let request = Request::post("/api/v1/video-channels")
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from("name=x")).unwrap();
        let (status, _, _) = h.send(request).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM channels").await, 1, "nothing was written");
    }

    async fn unknown_routes_and_methods_get_problem_json(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (status, headers, body) = h.send(Request::get("/api/v1/nothing-here").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_problem(&headers, &body, 404, "not_found");
        let (status, headers, body) = h.send(Request::patch("/api/v1/config").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_problem(&headers, &body, 405, "method_not_allowed");
        let (status, headers, _) = h.send(Request::get("/api/v1/config").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers.contains_key("x-request-id"));
    }

    async fn channels_can_be_created_edited_and_deleted_by_their_owner(db: Db) {
        let h = Harness::new(&db, |_| {});
        let alice = h.user("alice", UserRole::User).await;
        let bob = h.user("bob", UserRole::User).await;
        let (status, body) = h.send_json("POST", "/api/v1/video-channels", Some(&alice),
            json!({"name": "cooking", "displayName": "Cooking", "description": "Recipes"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id = body["videoChannel"]["id"].as_i64().unwrap();

        let (status, channel) = h.get("/api/v1/video-channels/cooking/", None).await;
        assert_eq!(status, StatusCode::OK, "a trailing slash is accepted");
        assert_eq!(channel["id"], id);
        assert_eq!(channel["ownerAccount"]["name"], "alice");
        assert_eq!(channel["url"], "http://localhost:9000/video-channels/cooking");
        assert_eq!(h.get("/api/v1/video-channels/cooking@localhost:9000", None).await.0, StatusCode::OK);
        assert_eq!(h.get("/api/v1/video-channels/cooking@elsewhere.example", None).await.0, StatusCode::NOT_FOUND);

        let (status, body) = h.send_json("POST", "/api/v1/video-channels", Some(&bob),
            json!({"name": "cooking", "displayName": "Mine"})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
        let (status, _) = h.send_json("PUT", "/api/v1/video-channels/cooking", Some(&bob), json!({"displayName": "Stolen"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("DELETE", "/api/v1/video-channels/cooking", Some(&bob), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = h.send_json("PUT", "/api/v1/video-channels/cooking", Some(&alice), json!({"displayName": "Kitchen"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(h.get("/api/v1/video-channels/cooking", None).await.1["displayName"], "Kitchen");

        let (status, list) = h.get("/api/v1/accounts/alice/video-channels", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["total"], 2);
        let (status, _) = h.send_json("DELETE", "/api/v1/video-channels/cooking", Some(&alice), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(h.get("/api/v1/video-channels/cooking", None).await.0, StatusCode::NOT_FOUND);
        let (status, body) = h.send_json("DELETE", "/api/v1/video-channels/alice_channel", Some(&alice), json!({})).await;
        assert_eq!((status, body["detail"].as_str()), (StatusCode::CONFLICT, Some("Cannot remove the last channel of this user")));
        let (status, account) = h.get("/api/v1/accounts/alice", None).await;
        assert_eq!((status, account["name"].as_str()), (StatusCode::OK, Some("alice")));
        assert_eq!(h.get("/api/v1/accounts/nobody", None).await.0, StatusCode::NOT_FOUND);
    }

    async fn a_failed_channel_creation_leaves_no_row_and_no_job(db: Db) {
        let h = Harness::new(&db, |config| config.instance.max_channels_per_user = 1);
        let alice = h.user("alice", UserRole::User).await;
        let jobs = count(&db, "SELECT COUNT(*) FROM jobs").await;
        let (status, body) = h.send_json("POST", "/api/v1/video-channels", Some(&alice),
            json!({"name": "second", "displayName": "Second"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM jobs").await, jobs);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM channels").await, 1);
    }

    async fn only_staff_create_users_and_registration_follows_the_mode(db: Db) {
        let h = Harness::new(&db, |_| {});
        let admin = h.user("boss", UserRole::Admin).await;
        let user = h.user("alice", UserRole::User).await;
        let new = json!({"username": "carol", "email": "carol@example.com", "password": "secret-password"});
        let (status, _) = h.send_json("POST", "/api/v1/users", Some(&user), new.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = h.send_json("POST", "/api/v1/users", Some(&admin), new.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["user"]["id"].is_i64() && body["user"]["account"]["id"].is_i64());
        let (status, body) = h.send_json("POST", "/api/v1/users", Some(&admin), new).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));

        let signup = json!({"username": "dave", "email": "dave@example.com", "password": "secret-password"});
        let (status, _) = h.send_json("POST", "/api/v1/users/register", None, signup.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "closed by default");

        let open = Harness::new(&db, |c| c.instance.registration = kinora_core::RegistrationMode::Approval);
        let (status, _) = open.send_json("POST", "/api/v1/users/register", None, signup).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let form = format!("{}&grant_type=password&username=dave&password=secret-password", open.client_form().await);
        let (_, _, body) = open.token_request(&form).await;
        assert_eq!(body["code"], "account_waiting_for_approval");
        let dave: i64 = sqlx::query_as::<_, (i64,)>("SELECT id FROM users WHERE username = 'dave'").fetch_one(db.pool()).await.unwrap().0;
        let path = format!("/api/v1/users/registrations/{dave}/accept");
        assert_eq!(open.send_json("POST", &path, Some(&user), json!({})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(open.send_json("POST", &path, Some(&admin), json!({})).await.0, StatusCode::NO_CONTENT);
        open.login("dave", "secret-password").await;
    }

    async fn logins_are_rate_limited_per_account(db: Db) {
        let h = Harness::new(&db, |c| c.auth.login_attempts_per_account = 3);
        h.user("alice", UserRole::User).await; // one attempt spent
        let client = h.client_form().await;
        let form = format!("{client}&grant_type=password&username=alice&password=wrong-password");
        for _ in 0..2 {
            assert_eq!(h.token_request(&form).await.0, StatusCode::BAD_REQUEST);
        }
        let (status, headers, body) = h.token_request(&form).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_problem(&headers, &body, 429, "too_many_requests");
        let wait: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!(wait >= 1);
        // Even the right password waits now.
        let right = format!("{client}&grant_type=password&username=alice&password=secret-password");
        assert_eq!(h.token_request(&right).await.0, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn config_health_and_metrics_answer(db: Db) {
        let h = Harness::new(&db, |c| {
            c.instance.name = "Test Tube".into();
            c.metrics.enabled = true;
            c.metrics.token = "api-test-metrics-token".into();
        });
        let (status, config) = h.get("/api/v1/config", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(config["instance"]["name"], "Test Tube");
        assert_eq!(config["signup"]["allowed"], false);
        assert!(config["serverVersion"].is_string());
        assert_eq!(h.get("/healthz", None).await.0, StatusCode::OK);
        assert_eq!(h.get("/readyz", None).await.0, StatusCode::OK);
        let metrics = Request::get("/metrics").header(header::AUTHORIZATION, "Bearer api-test-metrics-token");
        let (status, _, body) = h.send_metrics(metrics.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("kinora_http_requests_total"), "{body}");
    }

    async fn config_publishes_the_players_p2p_settings(db: Db) {
        let h = Harness::new(&db, |_| {});
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["defaults"]["p2p"]["webapp"]["enabled"], true);
        assert_eq!(config["defaults"]["p2p"]["embed"]["enabled"], true);
        assert_eq!(config["tracker"]["enabled"], true);
        assert_eq!(config["webrtc"]["stunServers"], serde_json::json!([]), "no public STUN server by default");
        let h = Harness::new(&db, |c| {
            c.p2p.embed_enabled = false;
            c.p2p.stun_servers = vec!["stun:stun.example.org:3478".into()];
        });
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["defaults"]["p2p"]["webapp"]["enabled"], true);
        assert_eq!(config["defaults"]["p2p"]["embed"]["enabled"], false);
        assert_eq!(config["webrtc"]["stunServers"], serde_json::json!(["stun:stun.example.org:3478"]));
        // Without the tracker no player can share.
        let h = Harness::new(&db, |c| c.tracker.enabled = false);
        let (_, config) = h.get("/api/v1/config", None).await;
        assert_eq!(config["tracker"]["enabled"], false);
        assert_eq!(config["defaults"]["p2p"]["webapp"]["enabled"], false);
        assert_eq!(config["defaults"]["p2p"]["embed"]["enabled"], false);
    }
}
