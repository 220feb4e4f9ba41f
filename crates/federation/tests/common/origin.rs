//! One axum origin on 127.0.0.1 serving what the fetch tests need: objects, chosen
//! Content-Types and ids, gzip bombs, endless and trickling bodies, deep nesting, statuses,
//! redirects and media files.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;
use std::time::Duration;

use async_compression::tokio::write::GzipEncoder;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_federation::http_client::{OutboundClient, OutboundConfig};
use tokio::io::AsyncWriteExt;

use super::servers::{client_config, serve_loopback};

/// The ActivityPub Content-Type.
pub const AP: &str = "application/activity+json";
/// The object cap of the origin's client.
pub const CAP: u64 = 1024 * 1024;

/// `bytes` gzipped.
pub async fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzipEncoder::new(Vec::new());
    encoder.write_all(bytes).await.unwrap();
    encoder.shutdown().await.unwrap();
    encoder.into_inner()
}

/// A response with the ActivityPub Content-Type.
pub fn activity(body: impl Into<Body>) -> Response {
    ([("content-type", AP)], body.into()).into_response()
}

fn gzipped_activity(body: Vec<u8>) -> Response {
    ([("content-type", AP), ("content-encoding", "gzip")], body).into_response()
}

/// The id the object at `uri` on `host` should have.
fn own_id(headers: &HeaderMap, uri: &Uri) -> String {
    format!("http://{}{}", headers["host"].to_str().unwrap(), uri.path())
}

/// 16 MiB of spaces, gzipped (about 16 KiB).
pub static BOMB: OnceLock<Vec<u8>> = OnceLock::new();

/// Starts the origin; returns its base URL (`http://localhost:<port>/`) and a client with
/// the guard off and `max_object_bytes` = [`CAP`].
pub async fn start() -> (url::Url, OutboundClient) {
    if BOMB.get().is_none() {
        let _ = BOMB.set(gzip(&vec![b' '; 16 * 1024 * 1024]).await);
    }
    let router = Router::new()
        .route(
            "/object",
            get(|headers: HeaderMap, uri: Uri| async move {
                activity(
                    serde_json::json!({ "id": own_id(&headers, &uri), "type": "Note" }).to_string(),
                )
            }),
        )
        .route(
            "/typed",
            get(|Query(query): Query<HashMap<String, String>>| async move {
                let mut response = r#"{"type":"Note"}"#.into_response();
                if let Some(content_type) = query.get("type") {
                    response
                        .headers_mut()
                        .insert("content-type", content_type.parse().unwrap());
                } else {
                    response.headers_mut().remove("content-type");
                }
                response
            }),
        )
        .route(
            "/id",
            get(|Query(query): Query<HashMap<String, String>>| async move {
                activity(query["json"].clone())
            }),
        )
        .route(
            "/gzip-bomb",
            get(|| async { gzipped_activity(BOMB.get().unwrap().clone()) }),
        )
        .route(
            "/gzip-object",
            get(|| async {
                gzipped_activity(gzip(br#"{"type":"Note","content":"zipped"}"#).await)
            }),
        )
        .route(
            "/brotli",
            get(|| async {
                ([("content-type", AP), ("content-encoding", "br")], "{}").into_response()
            }),
        )
        .route(
            "/endless",
            get(|| async {
                let chunks = futures_util::stream::repeat_with(|| {
                    Ok::<_, Infallible>(Bytes::from_static(&[b' '; 65536]))
                });
                activity(Body::from_stream(chunks))
            }),
        )
        .route(
            "/trickle",
            get(|| async {
                let chunks = futures_util::stream::unfold((), |()| async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Some((Ok::<_, Infallible>(Bytes::from_static(b" ")), ()))
                });
                activity(Body::from_stream(chunks))
            }),
        )
        .route(
            "/large",
            get(|| async { activity(format!("[{}1]", " ".repeat(CAP as usize))) }),
        )
        .route(
            "/deep",
            get(|| async { activity("[".repeat(100_000) + &"]".repeat(100_000)) }),
        )
        .route(
            "/status/{code}",
            get(
                |axum::extract::Path(code): axum::extract::Path<u16>| async move {
                    StatusCode::from_u16(code).unwrap().into_response()
                },
            ),
        )
        .route(
            "/redirect-once",
            get(|| async { (StatusCode::FOUND, [("location", "/object")]).into_response() }),
        )
        .route(
            "/redirect-twice",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [("location", "/redirect-once")],
                )
                    .into_response()
            }),
        )
        .route(
            "/redirect-nowhere",
            get(|| async { StatusCode::FOUND.into_response() }),
        )
        .route(
            "/file.mp4",
            get(|| async { ([("content-type", "video/mp4")], vec![7u8; 300_000]).into_response() }),
        )
        .route(
            "/endless.mp4",
            get(|| async {
                let chunks = futures_util::stream::repeat_with(|| {
                    Ok::<_, Infallible>(Bytes::from_static(&[0; 65536]))
                });
                ([("content-type", "video/mp4")], Body::from_stream(chunks)).into_response()
            }),
        )
        .route(
            "/page.html",
            get(|| async { ([("content-type", "text/html")], "<html>").into_response() }),
        )
        .route(
            "/bomb.mp4",
            get(|| async {
                (
                    [("content-type", "video/mp4"), ("content-encoding", "gzip")],
                    BOMB.get().unwrap().clone(),
                )
                    .into_response()
            }),
        );
    let address = serve_loopback(router).await;
    let base = url::Url::parse(&format!("http://localhost:{}/", address.port())).unwrap();
    let config = OutboundConfig {
        max_object_bytes: CAP,
        ..client_config(true)
    };
    (base, OutboundClient::new(&config).unwrap())
}
