//! Accounts in tests against real `kinora serve` processes: logging in as anyone, requests
//! with and without a token, users made by root, and root's notification settings.

use serde_json::{Value, json};

use super::instance::{Instance, api_request};

/// The administrator's address in these instances.
pub const ADMIN: &str = "root@example.org";

/// An `[instance]` section with open sign-up and `extra`, and login limits that many
/// logins in a row do not reach.
pub fn instance_section(extra: &str) -> String {
    format!(
        "[instance]\nregistration = \"open\"\nadmin_email = \"{ADMIN}\"\n{extra}\n\
         [auth]\nlogin_attempts_per_address = 1000\nlogin_attempts_per_account = 1000\n"
    )
}

/// Logs in; the access token, or the refusal's status and body.
pub async fn login(
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
pub async fn anonymous(instance: &Instance, path: &str, body: Value) -> (u16, Value) {
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
pub async fn as_user(
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

/// Sets root's notification setting `name` to `value`.
pub async fn set_setting(instance: &Instance, name: &str, value: i64) {
    let (status, body) = api_request(
        instance,
        reqwest::Method::PUT,
        "/api/v1/users/me/notification-settings",
        Some(json!({ name: value })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}
/// Root's notification setting `name`.
pub async fn setting(instance: &Instance, name: &str) -> i64 {
    let (_, me) = api_request(instance, reqwest::Method::GET, "/api/v1/users/me", None).await;
    me["notificationSettings"][name].as_i64().unwrap()
}

/// A user made by root, logged in.
pub async fn user(instance: &Instance, name: &str) -> String {
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
/// Subscribes the holder of `token` to root's channel.
pub async fn follow_root(instance: &Instance, token: &str) {
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
