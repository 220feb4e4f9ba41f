//! Account e-mails through a real SMTP server (aiosmtpd, `tests/smtp/capture.py`) from real
//! `kinora serve` processes, on SQLite and PostgreSQL: sign-up with a verified address, password
//! reset, a new address that waits for its link, staff marking an address verified, links for
//! another user or expired, bad sign-ups; and an instance without SMTP, which promises none of
//! it.

use crate::common;

use common::accounts::{ADMIN, anonymous, as_user, instance_section, login};
use common::instance::{Instance, api_request, start};
use common::smtp::{SmtpCapture, link, query_value};
use serde_json::{Value, json};

/// The path and query of a link to this instance, checked to point at it.
fn local_path(instance: &Instance, url: &str) -> String {
    url.strip_prefix(&instance.base)
        .unwrap_or_else(|| panic!("{url} is not on {}", instance.base))
        .to_owned()
}

/// Both parts carry the link; account e-mails have no unsubscribe headers.
fn account_link(instance: &Instance, message: &Value, path: &str) -> String {
    assert_eq!(
        message["content_type"], "multipart/alternative",
        "{message}"
    );
    assert_eq!(
        message["header_from"], "Kinora <kinora@example.org>",
        "{message}"
    );
    assert!(message["list_unsubscribe"].is_null(), "{message}");
    let prefix = format!("{}{path}", instance.base);
    let in_text = link(message["text"].as_str().unwrap(), &prefix);
    let in_html = link(message["html"].as_str().unwrap(), &prefix).replace("&amp;", "&");
    assert_eq!(in_text, in_html, "{message}");
    in_text
}

async fn account_links(database_url: &str, dir: &std::path::Path) {
    let smtp = SmtpCapture::start();
    let instance = start(
        dir,
        database_url,
        0,
        &format!(
            "{}{}",
            instance_section("signup_requires_email_verification = true"),
            smtp.config_section()
        ),
    )
    .await;
    let config: Value = instance
        .http
        .get(format!("{}/api/v1/config", instance.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["email"]["enabled"], true, "{config}");
    assert_eq!(config["signup"]["requiresEmailVerification"], true);

    // Sign-up: the account exists, but logs in only once its address is verified.
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/register",
        json!({ "username": "ana", "email": "ana@example.org", "password": "first-password" }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = login(&instance, "ana", "first-password").await.unwrap_err();
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "user_email_not_verified", "{body}");
    let messages = smtp.wait_for("ana@example.org", 1).await;
    let verify = &messages[0];
    assert!(
        verify["subject"]
            .as_str()
            .unwrap()
            .starts_with("[Kinora] Verify"),
        "{verify}"
    );
    let url = account_link(&instance, verify, "/verify-account/email?");
    let user_id = query_value(&url, "userId");
    let secret = query_value(&url, "verificationString");
    assert_eq!(secret.len(), 64, "{url}");
    // The link opens a page of the front end (503 while the front end is not built here),
    // not the not-found page.
    let page = instance
        .http
        .get(format!("{}{}", instance.base, local_path(&instance, &url)))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        matches!(page.status().as_u16(), 200 | 503),
        "{}",
        page.status()
    );

    let verify_path = format!("/api/v1/users/{user_id}/verify-email");
    let (status, body) = anonymous(
        &instance,
        &verify_path,
        json!({ "verificationString": "0".repeat(64) }),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/999999/verify-email",
        json!({ "verificationString": secret }),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = anonymous(
        &instance,
        &verify_path,
        json!({ "verificationString": secret }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = anonymous(
        &instance,
        &verify_path,
        json!({ "verificationString": secret }),
    )
    .await;
    assert_eq!(status, 403, "a link works once");
    let first_token = login(&instance, "ana", "first-password").await.unwrap();

    // Asking again once verified sends nothing; malformed addresses are refused; an unknown
    // address is answered as a known one.
    let (status, _) = anonymous(
        &instance,
        "/api/v1/users/ask-send-verify-email",
        json!({ "email": "ana@example.org" }),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/ask-reset-password",
        json!({ "email": "not an address" }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = anonymous(
        &instance,
        "/api/v1/users/ask-reset-password",
        json!({ "email": "nobody@example.org" }),
    )
    .await;
    assert_eq!(status, 204);

    // Password reset.
    let (status, _) = anonymous(
        &instance,
        "/api/v1/users/ask-reset-password",
        json!({ "email": "ANA@example.org" }),
    )
    .await;
    assert_eq!(status, 204);
    let messages = smtp.wait_for("ana@example.org", 2).await;
    let reset = &messages[1];
    assert!(
        reset["subject"]
            .as_str()
            .unwrap()
            .contains("Reset your password"),
        "{reset}"
    );
    let url = account_link(&instance, reset, "/reset-password?");
    assert_eq!(query_value(&url, "userId"), user_id);
    let secret = query_value(&url, "verificationString");
    let reset_path = format!("/api/v1/users/{user_id}/reset-password");
    let (status, body) = anonymous(
        &instance,
        &reset_path,
        json!({ "verificationString": secret, "password": "short" }),
    )
    .await;
    assert_eq!(status, 400, "a password that breaks the rules: {body}");
    let (status, body) = anonymous(
        &instance,
        &reset_path,
        json!({ "verificationString": "f".repeat(64), "password": "second-password" }),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = anonymous(
        &instance,
        &reset_path,
        json!({ "verificationString": secret, "password": "second-password" }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = anonymous(
        &instance,
        &reset_path,
        json!({ "verificationString": secret, "password": "third-password" }),
    )
    .await;
    assert_eq!(status, 403, "a reset link works once");
    let (status, _) = as_user(
        &instance,
        &first_token,
        reqwest::Method::GET,
        "/api/v1/users/me",
        None,
    )
    .await;
    assert_eq!(status, 401, "the reset ended the other sessions");
    assert!(login(&instance, "ana", "first-password").await.is_err());
    let token = login(&instance, "ana", "second-password").await.unwrap();

    // A new address waits for its link; the old one stays in use until then.
    let (status, body) = as_user(
        &instance,
        &token,
        reqwest::Method::PUT,
        "/api/v1/users/me",
        Some(json!({ "email": "ana.new@example.org", "currentPassword": "second-password" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, me) = as_user(
        &instance,
        &token,
        reqwest::Method::GET,
        "/api/v1/users/me",
        None,
    )
    .await;
    assert_eq!(me["email"], "ana@example.org", "{me}");
    assert_eq!(me["pendingEmail"], "ana.new@example.org", "{me}");
    assert_eq!(me["emailVerified"], true);
    let messages = smtp.wait_for("ana.new@example.org", 1).await;
    let url = account_link(&instance, &messages[0], "/verify-account/email?");
    assert_eq!(query_value(&url, "isPendingEmail"), "true");
    let secret = query_value(&url, "verificationString");
    let (status, _) = anonymous(
        &instance,
        &verify_path,
        json!({ "verificationString": secret, "isPendingEmail": "maybe" }),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = anonymous(
        &instance,
        &verify_path,
        json!({ "verificationString": secret, "isPendingEmail": true }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, me) = as_user(
        &instance,
        &token,
        reqwest::Method::GET,
        "/api/v1/users/me",
        None,
    )
    .await;
    assert_eq!(me["email"], "ana.new@example.org", "{me}");
    assert!(me["pendingEmail"].is_null(), "{me}");

    // Staff may mark an address verified for a user who cannot open their link.
    let (status, _) = anonymous(
        &instance,
        "/api/v1/users/register",
        json!({ "username": "ben", "email": "ben@example.org", "password": "ben-password" }),
    )
    .await;
    assert_eq!(status, 204);
    assert!(login(&instance, "ben", "ben-password").await.is_err());
    let (_, users) = api_request(
        &instance,
        reqwest::Method::GET,
        "/api/v1/users?search=ben",
        None,
    )
    .await;
    let ben = users["data"][0]["id"].as_i64().unwrap();
    assert_eq!(users["data"][0]["emailVerified"], false, "{users}");
    let (status, body) = api_request(
        &instance,
        reqwest::Method::PUT,
        &format!("/api/v1/users/{ben}"),
        Some(json!({ "emailVerified": true })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    login(&instance, "ben", "ben-password").await.unwrap();
    smtp.wait_for("ben@example.org", 1).await;

    // A link is for one user only, and stops working when it expires.
    let (status, _) = anonymous(
        &instance,
        "/api/v1/users/ask-reset-password",
        json!({ "email": "ben@example.org" }),
    )
    .await;
    assert_eq!(status, 204);
    let messages = smtp.wait_for("ben@example.org", 2).await;
    let url = account_link(&instance, &messages[1], "/reset-password?");
    let ben_secret = query_value(&url, "verificationString");
    let (status, _) = anonymous(
        &instance,
        &reset_path,
        json!({ "verificationString": ben_secret, "password": "stolen-password" }),
    )
    .await;
    assert_eq!(status, 403, "ben's link does not work for ana");
    let db = kinora_db::Db::connect(&kinora_db::DatabaseConfig {
        url: database_url.to_owned(),
        ..Default::default()
    })
    .await
    .unwrap();
    sqlx::query("UPDATE user_email_tokens SET expires_at = 1")
        .execute(db.pool())
        .await
        .unwrap();
    let (status, _) = anonymous(
        &instance,
        &format!("/api/v1/users/{ben}/reset-password"),
        json!({ "verificationString": ben_secret, "password": "late-password" }),
    )
    .await;
    assert_eq!(status, 403, "an expired link");
    login(&instance, "ben", "ben-password").await.unwrap();

    // Sign-up refuses an address with a line break and names that pass for the staff.
    for (username, email, field) in [
        ("carl", "carl@example.org\r\nBcc: eve@example.org", "email"),
        ("admin", "admin2@example.org", "username"),
        ("postmaster", "pm@example.org", "username"),
        ("root", "root2@example.org", "username"),
    ] {
        let (status, body) = anonymous(
            &instance,
            "/api/v1/users/register",
            json!({ "username": username, "email": email, "password": "some-password" }),
        )
        .await;
        assert_eq!(status, 400, "{username}: {body}");
        assert!(body.to_string().contains(field), "{username}: {body}");
    }

    // Nothing was sent to the unknown address, nor a second verification.
    let all = smtp.messages();
    assert_eq!(all.len(), 5, "{all:?}");
    assert!(
        all.iter()
            .all(|message| message["to"][0] != "nobody@example.org")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_links_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    account_links(&url, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_links_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    account_links(&postgres.config.url, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_nothing_is_promised() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(
        dir.path(),
        &url,
        0,
        &instance_section("signup_requires_email_verification = true"),
    )
    .await;
    let config: Value = instance
        .http
        .get(format!("{}/api/v1/config", instance.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["email"]["enabled"], false);
    assert_eq!(
        config["signup"]["requiresEmailVerification"], false,
        "no e-mail, no verification"
    );
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/ask-reset-password",
        json!({ "email": ADMIN }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "email_disabled", "{body}");
    // Sign-ups log in at once.
    let (status, body) = anonymous(
        &instance,
        "/api/v1/users/register",
        json!({ "username": "ana", "email": "ana@example.org", "password": "first-password" }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    login(&instance, "ana", "first-password").await.unwrap();
}
