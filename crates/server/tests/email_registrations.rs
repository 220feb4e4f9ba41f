//! Sign-up requests on an instance that approves them (PeerTube's registrations), answered by
//! e-mail through a real SMTP server: the request with its reason, staff listing, accepting,
//! declining and removing it, each told to the requester (or not).

use crate::common;

use common::accounts::{ADMIN, anonymous, as_user, login, user};
use common::instance::{api_request, start};
use common::smtp::SmtpCapture;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_requests_are_answered_by_email() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let smtp = SmtpCapture::start();
    let instance = start(
        dir.path(),
        &url,
        0,
        &format!(
            "[instance]\nregistration = \"approval\"\nadmin_email = \"{ADMIN}\"\n{}",
            smtp.config_section()
        ),
    )
    .await;
    let request = |name: &str, reason: &str| json!({ "username": name, "email": format!("{name}@example.org"), "password": "some-password", "registrationReason": reason });
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/registrations/request",
        request("ivy", "x"),
    )
    .await;
    assert_eq!(status, 400, "a reason of one character: {body}");
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/registrations/request",
        json!({ "username": "ivy", "email": "ivy@example.org", "password": "some-password" }),
    )
    .await;
    assert_eq!(status, 400, "no reason: {body}");
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/registrations/request",
        request("ivy", "I teach <b>film</b>."),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"]["id"], 1, "{body}");
    assert_eq!(body["registrationReason"], "I teach <b>film</b>.");
    assert_eq!(body["channelHandle"], "ivy_channel");
    let ivy = body["id"].as_i64().unwrap();
    assert!(login(&instance, "ivy", "some-password").await.is_err());

    // Staff see it, with filters; others may not.
    let (_, list) = api_request(
        &instance,
        reqwest::Method::GET,
        "/api/v1/users/registrations",
        None,
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["data"][0]["username"], "ivy");
    let (_, none) = api_request(
        &instance,
        reqwest::Method::GET,
        "/api/v1/users/registrations?search=nobody",
        None,
    )
    .await;
    assert_eq!(none["total"], 0, "{none}");
    let (status, _) = api_request(
        &instance,
        reqwest::Method::GET,
        "/api/v1/users/registrations?sort=name",
        None,
    )
    .await;
    assert_eq!(status, 400);
    let plain = user(&instance, "plain").await;
    let (status, _) = as_user(
        &instance,
        &plain,
        reqwest::Method::GET,
        "/api/v1/users/registrations",
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Accepted: told by e-mail with the response, and may log in.
    let (status, body) = api_request(
        &instance,
        reqwest::Method::POST,
        &format!("/api/v1/users/registrations/{ivy}/accept"),
        Some(json!({ "moderationResponse": "Welcome aboard" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let mail = smtp.wait_for("ivy@example.org", 1).await;
    assert!(
        mail[0]["subject"].as_str().unwrap().contains("accepted"),
        "{mail:?}"
    );
    assert!(
        mail[0]["text"]
            .as_str()
            .unwrap()
            .contains("> Welcome aboard"),
        "{mail:?}"
    );
    login(&instance, "ivy", "some-password").await.unwrap();
    let (status, _) = api_request(
        &instance,
        reqwest::Method::POST,
        &format!("/api/v1/users/registrations/{ivy}/accept"),
        None,
    )
    .await;
    assert_eq!(status, 404, "no longer waiting");

    // Declined: the waiting user is deleted, told why, and the name is free again.
    let (_, body) = anonymous(
        &instance,
        "/api/v1/users/registrations/request",
        request("zed", "Spam, honestly"),
    )
    .await;
    let zed = body["id"].as_i64().unwrap();
    let (status, body) = api_request(
        &instance,
        reqwest::Method::POST,
        &format!("/api/v1/users/registrations/{zed}/reject"),
        Some(json!({ "moderationResponse": "Not this time" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let mail = smtp.wait_for("zed@example.org", 1).await;
    assert!(
        mail[0]["subject"].as_str().unwrap().contains("declined"),
        "{mail:?}"
    );
    assert!(
        mail[0]["text"]
            .as_str()
            .unwrap()
            .contains("> Not this time"),
        "{mail:?}"
    );
    let (status, _) = api_request(
        &instance,
        reqwest::Method::GET,
        "/api/v1/accounts/zed",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/registrations/request",
        request("zed", "Second try"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let zed = body["id"].as_i64().unwrap();
    // Removed without a word.
    let (status, _) = api_request(
        &instance,
        reqwest::Method::DELETE,
        &format!("/api/v1/users/registrations/{zed}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api_request(
        &instance,
        reqwest::Method::DELETE,
        &format!("/api/v1/users/registrations/{zed}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Staff were told of each request on the web; the notices of deleted ones went with them.
    let (_, me) = api_request(
        &instance,
        reqwest::Method::GET,
        "/api/v1/users/me/notifications?typeOneOf=20",
        None,
    )
    .await;
    assert_eq!(me["total"], 1, "{me}");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let to_zed = smtp
        .messages()
        .iter()
        .filter(|m| m["to"][0] == "zed@example.org")
        .count();
    assert_eq!(to_zed, 1, "the deletion sent nothing");
    // An open instance takes no requests: it signs up at once.
    let (status, _) = api_request(
        &instance,
        reqwest::Method::PUT,
        "/api/v1/config/custom",
        Some(json!({ "signup": { "enabled": true, "requiresApproval": false } })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/registrations/request",
        request("kim", "Hello there"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "registration_approval_disabled");
}
