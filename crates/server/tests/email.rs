//! E-mail through a real SMTP server (aiosmtpd, `tests/smtp/capture.py`) from real `kinora
//! serve` processes, on SQLite and PostgreSQL: sign-up with a verified address, password reset,
//! a new address that waits for its link, notification e-mails with a working one-click
//! unsubscribe link, refused recipients, and a message that waits while the SMTP server is
//! down and arrives once it is up.

mod common;

use common::instance::{Instance, api_request, start};
use common::smtp::{SmtpCapture, link, query_value, smtp_section};
use serde_json::{Value, json};

const ADMIN: &str = "root@example.org";

fn instance_section(extra: &str) -> String {
    format!(
        "[instance]\nregistration = \"open\"\nadmin_email = \"{ADMIN}\"\n{extra}\n\
         [auth]\nlogin_attempts_per_address = 1000\nlogin_attempts_per_account = 1000\n"
    )
}

/// Logs in; the access token, or the refusal's status and body.
async fn login(
    instance: &Instance,
    username: &str,
    password: &str,
) -> Result<String, (u16, Value)> {
    let client: Value = instance
        .http
        .get(format!("{}/api/v1/oauth-clients/local", instance.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ];
    let response = instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status == 200 {
        Ok(body["access_token"].as_str().unwrap().to_owned())
    } else {
        Err((status, body))
    }
}

/// A request without a token: the status and the JSON answer.
async fn anonymous(instance: &Instance, path: &str, body: Value) -> (u16, Value) {
    let response = instance
        .http
        .post(format!("{}{path}", instance.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A request with `token`.
async fn as_user(
    instance: &Instance,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = instance
        .http
        .request(method, format!("{}{path}", instance.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

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

/// Sets root's notification setting `name` to `value`.
async fn set_setting(instance: &Instance, name: &str, value: i64) {
    let (status, body) = api_request(
        instance,
        reqwest::Method::PUT,
        "/api/v1/users/me/notification-settings",
        Some(json!({ name: value })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

async fn setting(instance: &Instance, name: &str) -> i64 {
    let (_, me) = api_request(instance, reqwest::Method::GET, "/api/v1/users/me", None).await;
    me["notificationSettings"][name].as_i64().unwrap()
}

/// A user made by root, logged in.
async fn user(instance: &Instance, name: &str) -> String {
    let (status, body) = api_request(
        instance,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({ "username": name, "email": format!("{name}@example.org"), "password": "user-password", "role": 2 })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    login(instance, name, "user-password").await.unwrap()
}

async fn follow_root(instance: &Instance, token: &str) {
    let (status, body) = as_user(
        instance,
        token,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("root_channel@localhost:{}", instance.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

async fn report_root(instance: &Instance, token: &str, reason: &str) {
    let (_, root) = api_request(
        instance,
        reqwest::Method::GET,
        "/api/v1/accounts/root",
        None,
    )
    .await;
    let (status, body) = as_user(
        instance,
        token,
        reqwest::Method::POST,
        "/api/v1/abuses",
        Some(json!({ "account": { "id": root["id"] }, "reason": reason })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn notifications_of_root(instance: &Instance, kind: i64) -> usize {
    let (status, body) = api_request(
        instance,
        reqwest::Method::GET,
        &format!("/api/v1/users/me/notifications?typeOneOf={kind}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap() as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_emails_and_unsubscribe_links() {
    let dir = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let smtp = SmtpCapture::start();
    let instance = start(
        dir.path(),
        &postgres.config.url,
        0,
        &format!("{}{}", instance_section(""), smtp.config_section()),
    )
    .await;
    // New followers by e-mail too; reports by e-mail only (not listed on the web).
    set_setting(&instance, "newFollow", 3).await;
    set_setting(&instance, "abuseAsModerator", 2).await;
    let bob = user(&instance, "bob").await;
    follow_root(&instance, &bob).await;

    let messages = smtp.wait_for(ADMIN, 1).await;
    let follow = &messages[0];
    let subject = follow["subject"].as_str().unwrap();
    assert!(
        subject.contains("bob") && subject.contains("follows"),
        "{follow}"
    );
    let unsubscribe = follow["list_unsubscribe"]
        .as_str()
        .expect("List-Unsubscribe");
    let url = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    assert!(
        url.starts_with(&format!("{}/unsubscribe?", instance.base)),
        "{url}"
    );
    assert_eq!(query_value(&url, "setting"), "newFollow");
    assert_eq!(
        follow["list_unsubscribe_post"],
        "List-Unsubscribe=One-Click"
    );
    assert!(
        follow["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Stop these e-mails: {url}")),
        "{follow}"
    );
    assert!(
        follow["html"]
            .as_str()
            .unwrap()
            .contains(&url.replace('&', "&amp;")),
        "{follow}"
    );
    assert_eq!(
        notifications_of_root(&instance, 10).await,
        1,
        "also on the web"
    );

    // Opening the link changes nothing (mail scanners open links); its form's POST, or a
    // mail client's one-click POST, turns the e-mails of that kind off.
    let page = instance.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert_eq!(setting(&instance, "newFollow").await, 3);
    let bad = instance
        .http
        .get(url.replace(&query_value(&url, "token"), &"0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
    let bad_setting = instance
        .http
        .post(url.replace("setting=newFollow", "setting=everything"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_setting.status(), 404);
    let done = instance
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        setting(&instance, "newFollow").await,
        1,
        "web stays, e-mail off"
    );

    // Carol follows: on the web only. Bob reports root: by e-mail only (abuseAsModerator = 2).
    let carol = user(&instance, "carol").await;
    follow_root(&instance, &carol).await;
    report_root(&instance, &bob, "Reported <b>for</b> a test & more").await;
    let messages = smtp.wait_for(ADMIN, 2).await;
    assert_eq!(messages.len(), 2, "no second follow e-mail: {messages:?}");
    let report = &messages[1];
    assert!(
        report["subject"].as_str().unwrap().contains("New report"),
        "{report}"
    );
    assert!(
        report["text"]
            .as_str()
            .unwrap()
            .contains("> Reported <b>for</b> a test & more"),
        "{report}"
    );
    assert!(
        report["html"]
            .as_str()
            .unwrap()
            .contains("Reported &lt;b&gt;for&lt;/b&gt; a test &amp; more"),
        "{report}"
    );
    assert_eq!(
        query_value(
            report["list_unsubscribe"]
                .as_str()
                .unwrap()
                .trim_end_matches('>'),
            "setting"
        ),
        "abuseAsModerator"
    );
    assert_eq!(notifications_of_root(&instance, 10).await, 2);
    assert_eq!(
        notifications_of_root(&instance, 3).await,
        0,
        "e-mail only: not on the web"
    );

    // A recipient the SMTP server refuses for good is not tried again, and does not hold up
    // the others.
    let (status, body) = api_request(
        &instance,
        reqwest::Method::PUT,
        "/api/v1/users/me",
        Some(json!({ "email": "refused@example.org", "currentPassword": instance.server.password.clone().unwrap() })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    set_setting(&instance, "newFollow", 3).await;
    let dave = user(&instance, "dave").await;
    follow_root(&instance, &dave).await;
    let erin = user(&instance, "erin").await;
    let (status, body) = as_user(
        &instance,
        &erin,
        reqwest::Method::PUT,
        "/api/v1/users/me/notification-settings",
        Some(json!({ "newFollow": 3 })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = as_user(
        &instance,
        &dave,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("erin_channel@localhost:{}", instance.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let erin_mail = smtp.wait_for("erin@example.org", 1).await;
    assert!(
        erin_mail[0]["subject"].as_str().unwrap().contains("dave"),
        "{erin_mail:?}"
    );
    assert!(
        smtp.messages()
            .iter()
            .all(|message| message["to"][0] != "refused@example.org"),
        "the refused address got nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_waits_while_the_smtp_server_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let port = common::process::free_port();
    let instance = start(
        dir.path(),
        &url,
        0,
        &format!("{}{}", instance_section(""), smtp_section(port)),
    )
    .await;
    // Nothing listens yet: the request is answered at once all the same.
    let started = std::time::Instant::now();
    let (status, _) = anonymous(
        &instance,
        "/api/v1/users/ask-reset-password",
        json!({ "email": ADMIN }),
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "the request waited for SMTP"
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let smtp = SmtpCapture::start_on(port);
    let messages = smtp.wait_for(ADMIN, 1).await;
    assert!(
        messages[0]["subject"]
            .as_str()
            .unwrap()
            .contains("Reset your password")
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_video_from_a_subscription_is_emailed_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kinora.db", dir.path().display());
    let smtp = SmtpCapture::start();
    let instance = start(
        dir.path(),
        &url,
        1,
        &format!("{}{}", instance_section(""), smtp.config_section()),
    )
    .await;
    let bob = user(&instance, "bob").await;
    let (status, body) = as_user(
        &instance,
        &bob,
        reqwest::Method::PUT,
        "/api/v1/users/me/notification-settings",
        Some(json!({ "newVideoFromSubscription": 3, "newFollow": 3 })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    follow_root(&instance, &bob).await;

    let video = common::instance::publish_with_torrents(&instance, "video_short.mp4").await;
    let messages = smtp.wait_for("bob@example.org", 1).await;
    let told = &messages[0];
    assert!(
        told["subject"]
            .as_str()
            .unwrap()
            .contains("published a new video"),
        "{told}"
    );
    let watch = format!(
        "{}/w/{}",
        instance.base,
        video["shortUUID"].as_str().unwrap()
    );
    assert!(told["text"].as_str().unwrap().contains(&watch), "{told}");
    assert!(
        told["text"]
            .as_str()
            .unwrap()
            .contains(video["name"].as_str().unwrap())
    );

    // The video changes; then carol follows bob, which bob is told of by e-mail too. By then
    // every earlier e-mail went out (they are sent in order): still one about the video.
    let (status, body) = api_request(
        &instance,
        reqwest::Method::PUT,
        &format!("/api/v1/videos/{}", video["uuid"].as_str().unwrap()),
        Some(json!({ "name": "A new name" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let carol = user(&instance, "carol").await;
    let (status, body) = as_user(
        &instance,
        &carol,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("bob_channel@localhost:{}", instance.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let messages = smtp.wait_for("bob@example.org", 2).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[1]["subject"].as_str().unwrap().contains("carol"),
        "{messages:?}"
    );
}

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
