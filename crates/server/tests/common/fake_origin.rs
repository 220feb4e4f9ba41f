//! A fake remote instance for inbox tests: a small axum server on 127.0.0.1 (named
//! `localhost:<port>`) that serves ActivityPub actors, channels, videos and notes, records the
//! requests it gets, and signs activities sent to a real instance's inbox with PeerTube's test
//! key (`shared/fixtures/peertube/ap-json/peertube/keys.json`).
//!
//! Actors are made up from their path: `/accounts/<name>` is a Person, `/video-channels/<name>`
//! a Group owned by `/accounts/<name>-owner`; `/chain/<n>` is a Note replying to `/chain/<n+1>`
//! (an endless reply chain) and `/cycle/a`, `/cycle/b` answer each other. A document set with
//! [`FakeOrigin::serve_document`] is served instead of the made-up one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kinora_federation::signatures::{RequestSigner, sign_request};
use serde_json::{Value, json};

/// The ActivityPub Content-Type.
const AP: &str = "application/activity+json";
/// The public audience.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A PEM field of PeerTube's test key pair.
fn test_key(field: &str) -> String {
    key_of(
        &format!(
            "{}/../../../shared/fixtures/peertube/ap-json/peertube/keys.json",
            env!("CARGO_MANIFEST_DIR")
        ),
        field,
    )
}

/// A PEM field (`publicKey`, `privateKey`) of a second RSA-2048 key pair
/// (`tests/common/second-key.json`, made with `openssl genpkey`): what it signs does not
/// verify with the test key.
pub fn other_key(field: &str) -> String {
    key_of(
        &format!(
            "{}/tests/common/second-key.json",
            env!("CARGO_MANIFEST_DIR")
        ),
        field,
    )
}

fn key_of(path: &str, field: &str) -> String {
    let keys: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    keys[field].as_str().unwrap().to_owned()
}

/// What the fake instance saw and what it serves instead of its made-up documents.
#[derive(Default)]
pub struct OriginState {
    documents: Mutex<HashMap<String, Value>>,
    files: Mutex<HashMap<String, (String, Vec<u8>)>>,
    redirects: Mutex<HashMap<String, String>>,
    fetched: Mutex<Vec<String>>,
    received: Mutex<Vec<Value>>,
}

/// A running fake remote instance.
#[derive(Clone)]
pub struct FakeOrigin {
    /// `http://localhost:<port>`.
    pub base: String,
    /// `localhost:<port>`.
    pub host: String,
    state: Arc<OriginState>,
}

impl FakeOrigin {
    /// Starts one on a free loopback port.
    pub async fn start() -> FakeOrigin {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let origin = FakeOrigin {
            base: format!("http://localhost:{port}"),
            host: format!("localhost:{port}"),
            state: Arc::default(),
        };
        let serving = origin.clone();
        let router = Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
            let origin = serving.clone();
            async move { origin.answer(&method, &uri, &body) }
        });
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        origin
    }

    /// The URL of `path` here.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves `document` at `path` from now on (instead of the made-up one).
    pub fn serve_document(&self, path: &str, document: Value) {
        self.state
            .documents
            .lock()
            .unwrap()
            .insert(path.to_owned(), document);
    }

    /// Serves `bytes` as `content_type` at `path` from now on (images, …).
    pub fn serve_file(&self, path: &str, content_type: &str, bytes: Vec<u8>) {
        self.state
            .files
            .lock()
            .unwrap()
            .insert(path.to_owned(), (content_type.to_owned(), bytes));
    }

    /// Answers GETs of `path` with a 302 to `location` from now on.
    pub fn serve_redirect(&self, path: &str, location: &str) {
        self.state
            .redirects
            .lock()
            .unwrap()
            .insert(path.to_owned(), location.to_owned());
    }

    /// The paths fetched so far (GET), in order.
    pub fn fetched(&self) -> Vec<String> {
        self.state.fetched.lock().unwrap().clone()
    }

    /// How many GETs asked for a path starting with `prefix`.
    pub fn fetch_count(&self, prefix: &str) -> usize {
        self.fetched()
            .iter()
            .filter(|p| p.starts_with(prefix))
            .count()
    }

    /// The activities POSTed to any inbox here.
    pub fn received(&self) -> Vec<Value> {
        self.state.received.lock().unwrap().clone()
    }

    fn answer(&self, method: &Method, uri: &Uri, body: &[u8]) -> Response {
        let path = uri.path().to_owned();
        if method == Method::POST {
            if let Ok(activity) = serde_json::from_slice(body) {
                self.state.received.lock().unwrap().push(activity);
            }
            return StatusCode::ACCEPTED.into_response();
        }
        self.state.fetched.lock().unwrap().push(path.clone());
        if path == "/.well-known/webfinger" {
            return self.webfinger(uri.query().unwrap_or_default());
        }
        if let Some((content_type, bytes)) = self.state.files.lock().unwrap().get(&path).cloned() {
            return ([("content-type", content_type)], bytes).into_response();
        }
        if let Some(location) = self.state.redirects.lock().unwrap().get(&path).cloned() {
            return (StatusCode::FOUND, [("location", location)]).into_response();
        }
        let document = self.state.documents.lock().unwrap().get(&path).cloned();
        match document.or_else(|| self.made_up(&path)) {
            Some(document) => ([("content-type", AP)], document.to_string()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }

    fn webfinger(&self, query: &str) -> Response {
        let resource = form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "resource")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        let Some(name) = resource
            .strip_prefix("acct:")
            .and_then(|acct| acct.strip_suffix(&format!("@{}", self.host)))
        else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let kind = if name.contains("channel") || name.contains('.') {
            "video-channels"
        } else {
            "accounts"
        };
        let answer = json!({
            "subject": resource,
            "links": [{"rel": "self", "type": AP, "href": self.url(&format!("/{kind}/{name}"))}],
        });
        (
            [("content-type", "application/jrd+json")],
            answer.to_string(),
        )
            .into_response()
    }

    /// The document made up for `path`, if it names one.
    fn made_up(&self, path: &str) -> Option<Value> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["accounts", name] => Some(self.person(name, name)),
            ["video-channels", name] => Some(self.group(name)),
            ["chain", n] => {
                let n: u64 = n.parse().ok()?;
                Some(self.note(path, &format!("/chain/{}", n + 1), "a link of a long chain"))
            }
            ["cycle", "a"] => Some(self.note(path, "/cycle/b", "A answers B")),
            ["cycle", "b"] => Some(self.note(path, "/cycle/a", "B answers A")),
            ["numbered-videos", n] => Some(self.numbered_video(n.parse().ok()?)),
            _ => None,
        }
    }

    /// A Person `name` here, called `display_name`, with the test key.
    pub fn person(&self, name: &str, display_name: &str) -> Value {
        let id = self.url(&format!("/accounts/{name}"));
        self.actor("Person", &id, name, display_name)
    }

    /// A Group `name` here, owned by the Person `<name>-owner`.
    pub fn group(&self, name: &str) -> Value {
        let id = self.url(&format!("/video-channels/{name}"));
        let mut group = self.actor("Group", &id, name, name);
        group["attributedTo"] = json!([{
            "type": "Person",
            "id": self.url(&format!("/accounts/{name}-owner")),
        }]);
        group
    }

    fn actor(&self, kind: &str, id: &str, name: &str, display_name: &str) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": kind,
            "id": id,
            "url": id,
            "preferredUsername": name,
            "name": display_name,
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "following": format!("{id}/following"),
            "endpoints": {"sharedInbox": self.url("/inbox")},
            "publicKey": {
                "id": format!("{id}#main-key"),
                "owner": id,
                "publicKeyPem": test_key("publicKey"),
            },
        })
    }

    /// A Note at `path` by `/accounts/talker`, answering `reply_to` (a path here or a URL).
    pub fn note(&self, path: &str, reply_to: &str, content: &str) -> Value {
        let in_reply_to = if reply_to.starts_with("http") {
            reply_to.to_owned()
        } else {
            self.url(reply_to)
        };
        json!({
            "type": "Note",
            "id": self.url(path),
            "url": self.url(path),
            "attributedTo": self.url("/accounts/talker"),
            "inReplyTo": in_reply_to,
            "content": content,
            "mediaType": "text/markdown",
            "published": "2026-12-01T10:00:00.000Z",
            "to": [PUBLIC],
            "cc": [],
        })
    }

    /// PeerTube's captured Video document (`peertube-video.json`), moved to this host: its id
    /// is `/videos/watch/5e348297-…`, its channel `/video-channels/noticias.alquimidia`.
    pub fn video(&self) -> Value {
        let path = format!(
            "{}/../federation/tests/fixtures/peertube-video.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace("https://fediverse.tv", &self.base);
        serde_json::from_str(&text).unwrap()
    }

    /// [`Self::video`] as a video of its own, `/numbered-videos/<n>` (any number of distinct
    /// videos, made up on request).
    pub fn numbered_video(&self, n: u64) -> Value {
        let mut video = self.video();
        video["id"] = Value::String(self.url(&format!("/numbered-videos/{n}")));
        video["uuid"] = Value::String(format!("00000000-0000-4000-8000-{n:012}"));
        video["name"] = Value::String(format!("Numbered video {n}"));
        video
    }

    /// Signs `activity` as `key_id` and POSTs it to `inbox`; answers the status and body.
    pub async fn post_signed(&self, inbox: &str, key_id: &str, activity: &Value) -> (u16, String) {
        post_signed_as(inbox, key_id, activity).await
    }
}

/// Signs `activity` with the test key under `key_id` (which may name any actor) and POSTs it to
/// `inbox`; answers the status and body.
pub async fn post_signed_as(inbox: &str, key_id: &str, activity: &Value) -> (u16, String) {
    post_signed_bytes(inbox, key_id, activity.to_string().into_bytes()).await
}

/// The headers of a POST of `body` to `inbox` signed with the test key under `key_id`:
/// Content-Type, Host, Date, Digest and Signature.
pub fn signed_headers(inbox: &str, key_id: &str, body: &[u8]) -> HeaderMap {
    signed_headers_with(&test_key("privateKey"), inbox, key_id, body)
}

/// [`signed_headers`] with another private key (PEM).
pub fn signed_headers_with(private_pem: &str, inbox: &str, key_id: &str, body: &[u8]) -> HeaderMap {
    let signer = RequestSigner::from_pem(key_id.to_owned(), private_pem).unwrap();
    let url = reqwest::Url::parse(inbox).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", AP.parse().unwrap());
    sign_request(
        &signer,
        &Method::POST,
        &url,
        &mut headers,
        Some(body),
        SystemTime::now(),
    )
    .unwrap();
    headers
}

/// [`post_signed_as`] for any bytes.
pub async fn post_signed_bytes(inbox: &str, key_id: &str, body: Vec<u8>) -> (u16, String) {
    let (status, _, text) = post_signed_with(None, inbox, key_id, body).await;
    (status, text)
}

/// POSTs `body` to `inbox` signed under `key_id` with `private_pem` (the test key when none);
/// answers the status, the response's headers and its text.
pub async fn post_signed_with(
    private_pem: Option<&str>,
    inbox: &str,
    key_id: &str,
    body: Vec<u8>,
) -> (u16, HeaderMap, String) {
    let url = reqwest::Url::parse(inbox).unwrap();
    let headers = match private_pem {
        Some(pem) => signed_headers_with(pem, inbox, key_id, &body),
        None => signed_headers(inbox, key_id, &body),
    };
    let response = reqwest::Client::new()
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap_or_default())
}

/// An activity of `kind` with `id`, by `actor`, about `object`, addressed to the public.
pub fn activity(kind: &str, id: &str, actor: &str, object: Value) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "type": kind,
        "id": id,
        "actor": actor,
        "object": object,
        "to": [PUBLIC],
        "cc": [],
    })
}

/// The key id of an actor URL.
pub fn key(actor: &str) -> String {
    format!("{actor}#main-key")
}
