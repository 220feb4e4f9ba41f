//! Notification e-mails through a real SMTP server (aiosmtpd, `tests/smtp/capture.py`) from
//! real `kinora serve` processes: kinds by e-mail, on the web or both as each user chose; a
//! working one-click unsubscribe link; a recipient the server refuses for good; a message that
//! waits while the SMTP server is down; a subscription's new video e-mailed once.

use crate::common;

use common::accounts::{
    ADMIN, anonymous, as_user, follow_root, instance_section, set_setting, setting, user,
};
use common::instance::{Instance, api_request, start};
use common::smtp::{SmtpCapture, query_value, smtp_section};
use serde_json::json;

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
