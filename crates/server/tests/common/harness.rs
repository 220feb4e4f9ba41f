//! The whole HTTP stack in process, on a throw-away database and storage directory.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use kinora_api::{ApiState, LoginLimiter};
use kinora_app::users::{self, NewUserInput, UserOrigin};
use kinora_core::UserRole;
use kinora_db::Db;
use kinora_server::config::Config;
use kinora_storage::MediaStorage;
use serde_json::Value;
use tower::ServiceExt;

/// The application's router with its state, sent requests one by one.
pub struct Harness {
    pub config: Config,
    pub api: ApiState,
    pub storage: Arc<MediaStorage>,
    _dir: tempfile::TempDir,
}

impl Harness {
    pub fn new(db: &Db, edit: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.storage.local.root = dir.path().join("storage");
        edit(&mut config);
        let api = ApiState {
            db: db.clone(),
            instance: kinora_app::SharedInstance::new(config.instance.clone()),
            auth: Arc::new(config.auth.clone()),
            public_url: Arc::from(config.server.public_url.as_str()),
            trusted_proxies: Arc::new(config.server.trusted_proxies.clone()),
            login_limiter: Arc::new(LoginLimiter::new(&config.auth)),
            storage: Arc::new(MediaStorage::open(&config.storage).unwrap()),
            upload_limits: Arc::new(config.uploads),
            web: Arc::new(kinora_api::pages::WebPages::load(&config.web)),
            remote: Arc::new(kinora_federation::RemoteLookup::lazy(
                db.clone(),
                Arc::new(MediaStorage::open(&config.storage).unwrap()),
                config.federation.clone(),
                &config.server.public_url,
            )),
            p2p: Arc::new(config.p2p.clone()),
            tracker_enabled: config.tracker.enabled,
            list_cache: Arc::default(),
            moderation: Arc::new(config.moderation.clone()),
            search: Arc::new(config.search.clone()),
            history: Arc::default(),
            viewers: Arc::default(),
            email_enabled: config.smtp.enabled(),
            exports: Arc::new(config.export.clone()),
            live: Arc::new(config.live.clone()),
        };
        let storage = api.storage.clone();
        Self {
            config,
            api,
            storage,
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let app =
            kinora_server::http::router(&self.config, self.api.clone(), self.storage.clone(), None);
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, headers, body)
    }

    /// A GET whose body is kept as text (pages, feeds, files).
    pub async fn get_text(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::get(path)
            .header(header::HOST, "localhost:9000")
            .body(Body::empty())
            .unwrap();
        let app =
            kinora_server::http::router(&self.config, self.api.clone(), self.storage.clone(), None);
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// Sends a request to the metrics listener's routes (this harness's `[metrics]` section);
    /// the body is kept as text.
    pub async fn send_metrics(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let app =
            kinora_server::metrics_listener::router(&self.config.metrics, self.api.db.clone());
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// A GET whose body is kept as bytes.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let app =
            kinora_server::http::router(&self.config, self.api.clone(), self.storage.clone(), None);
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::get(path).header(header::HOST, "localhost:9000");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, _, body) = self.send(request.body(Body::empty()).unwrap()).await;
        (status, body)
    }

    pub async fn send_json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, _, body) = self
            .send(request.body(Body::from(body.to_string())).unwrap())
            .await;
        (status, body)
    }

    pub async fn token_request(&self, form: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
        let mut request = Request::post("/api/v1/users/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 5000))));
        self.send(request).await
    }

    pub async fn client_form(&self) -> String {
        let (status, client) = self.get("/api/v1/oauth-clients/local", None).await;
        assert_eq!(status, StatusCode::OK, "{client}");
        format!(
            "client_id={}&client_secret={}",
            client["client_id"].as_str().unwrap(),
            client["client_secret"].as_str().unwrap()
        )
    }

    pub async fn login(&self, username: &str, password: &str) -> Value {
        let form = format!(
            "{}&grant_type=password&username={username}&password={password}",
            self.client_form().await
        );
        let (status, headers, body) = self.token_request(&form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        body
    }

    pub async fn user(&self, name: &str, role: UserRole) -> String {
        users::create_user(
            &self.api.db,
            &self.config.instance,
            NewUserInput {
                username: name.into(),
                email: format!("{name}@example.com"),
                password: "secret-password".into(),
                role,
                display_name: None,
            },
            UserOrigin::Admin,
        )
        .await
        .unwrap();
        self.login(name, "secret-password").await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A user with a token and the id of their default channel.
    pub async fn user_with_channel(&self, name: &str) -> (String, i64) {
        let token = self.user(name, UserRole::User).await;
        let account = kinora_db::accounts::find_local_by_name(self.api.db.pool(), name)
            .await
            .unwrap()
            .unwrap();
        let channels = kinora_db::channels::list_by_account(self.api.db.pool(), account.id)
            .await
            .unwrap();
        (token, channels[0].id)
    }
}

/// A file part of a multipart body: field name, file name, content type, bytes.
pub type FilePart<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// A `multipart/form-data` body of text fields and at most one file; returns the content type
/// and the body.
pub fn multipart(fields: &[(&str, &str)], file: Option<FilePart<'_>>) -> (String, Vec<u8>) {
    let boundary = "kinora-test-boundary-1234";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, filename, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Counts the rows a query answers with `SELECT COUNT(*) …`.
pub async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

/// Marks video `id` published at `at` (epoch milliseconds) with placeholder HLS file names.
pub async fn publish_video(tx: &mut kinora_db::Tx, id: i64, at: i64) {
    let publication = kinora_db::testing::sample_publication();
    assert!(
        kinora_db::videos::publish(tx, id, &publication, at)
            .await
            .unwrap()
    );
}
