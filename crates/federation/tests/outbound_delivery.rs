//! `post_activity` against a real inbox on 127.0.0.1 that verifies what it receives, and how
//! each answer becomes a [`DeliveryOutcome`].

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use common::servers::*;
use kinora_federation::http_client::{
    ClientError, DeliveryOutcome, OutboundClient, OutboundConfig, classify_delivery_status,
    parse_retry_after,
};
use kinora_federation::signatures::{RequestSigner, VerifyPolicy, verify_request};

const ACTIVITY: &str = r#"{"type":"Follow","actor":"http://localhost/accounts/peertube","object":"http://remote/accounts/x"}"#;

fn signer() -> RequestSigner {
    RequestSigner::from_pem(
        "http://localhost/accounts/peertube#main-key".into(),
        &common::fixtures::peertube_private_key(),
    )
    .unwrap()
}

type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// An inbox that verifies the signature over the body it received and stores it; plus routes
/// answering fixed statuses.
async fn start_inbox() -> (url::Url, Received, Hits) {
    let received: Received = Arc::default();
    let stored = Arc::clone(&received);
    let redirect_target_hits = Hits::default();
    let target_hits = redirect_target_hits.clone();
    let router = Router::new()
        .route(
            "/inbox",
            post(move |headers: HeaderMap, uri: Uri, body: Bytes| {
                let stored = Arc::clone(&stored);
                async move {
                    let host = headers["host"].to_str().unwrap().to_owned();
                    let verified = verify_request(
                        &Method::POST,
                        uri.path(),
                        &headers,
                        &body,
                        &common::fixtures::peertube_public_key(),
                        &VerifyPolicy::new(host),
                        SystemTime::now(),
                    );
                    if verified.is_err() {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    let content_type = headers["content-type"].to_str().unwrap().to_owned();
                    stored.lock().unwrap().push((content_type, body.to_vec()));
                    StatusCode::ACCEPTED.into_response()
                }
            }),
        )
        .route(
            "/answer/{code}",
            post(|Path(code): Path<u16>| async move {
                StatusCode::from_u16(code).unwrap().into_response()
            }),
        )
        .route(
            "/answer/{code}/retry-after/{value}",
            post(|Path((code, value)): Path<(u16, String)>| async move {
                let mut response: Response = StatusCode::from_u16(code).unwrap().into_response();
                response
                    .headers_mut()
                    .insert("retry-after", value.parse().unwrap());
                response
            }),
        )
        .route(
            "/moved",
            post(|| async {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [("location", "/moved-here")],
                )
                    .into_response()
            }),
        )
        .route(
            "/moved-here",
            post(move || {
                target_hits.hit();
                async { StatusCode::ACCEPTED }
            }),
        )
        .route(
            "/slow",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                StatusCode::ACCEPTED
            }),
        );
    let address = serve_loopback(router).await;
    let base = url::Url::parse(&format!("http://localhost:{}/", address.port())).unwrap();
    (base, received, redirect_target_hits)
}

#[tokio::test]
async fn a_signed_activity_is_delivered_and_verified_by_the_inbox() {
    let (base, received, _) = start_inbox().await;
    let outcome = client(true)
        .post_activity(
            &base.join("inbox").unwrap(),
            Bytes::from_static(ACTIVITY.as_bytes()),
            &signer(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, DeliveryOutcome::Delivered);
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, "application/activity+json");
    assert_eq!(received[0].1, ACTIVITY.as_bytes());
}

#[tokio::test]
async fn inbox_answers_become_outcomes() {
    let (base, received, _) = start_inbox().await;
    let client = client(true);
    let cases: Vec<(&str, DeliveryOutcome)> = vec![
        ("answer/200", DeliveryOutcome::Delivered),
        ("answer/204", DeliveryOutcome::Delivered),
        ("answer/400", DeliveryOutcome::Permanent { status: 400 }),
        ("answer/401", DeliveryOutcome::Permanent { status: 401 }),
        ("answer/403", DeliveryOutcome::Permanent { status: 403 }),
        ("answer/404", DeliveryOutcome::Permanent { status: 404 }),
        ("answer/410", DeliveryOutcome::Permanent { status: 410 }),
        ("answer/413", DeliveryOutcome::Permanent { status: 413 }),
        (
            "answer/408",
            DeliveryOutcome::Transient {
                reason: "HTTP 408".into(),
            },
        ),
        (
            "answer/500",
            DeliveryOutcome::Transient {
                reason: "HTTP 500".into(),
            },
        ),
        (
            "answer/502",
            DeliveryOutcome::Transient {
                reason: "HTTP 502".into(),
            },
        ),
        (
            "answer/503",
            DeliveryOutcome::Transient {
                reason: "HTTP 503".into(),
            },
        ),
        (
            "answer/429",
            DeliveryOutcome::RateLimited { retry_after: None },
        ),
        (
            "answer/429/retry-after/120",
            DeliveryOutcome::RateLimited {
                retry_after: Some(Duration::from_secs(120)),
            },
        ),
        (
            "answer/429/retry-after/soon",
            DeliveryOutcome::RateLimited { retry_after: None },
        ),
        (
            "answer/503/retry-after/7",
            DeliveryOutcome::RateLimited {
                retry_after: Some(Duration::from_secs(7)),
            },
        ),
        (
            "answer/503/retry-after/later",
            DeliveryOutcome::Transient {
                reason: "HTTP 503".into(),
            },
        ),
        (
            "inbox-that-does-not-exist",
            DeliveryOutcome::Permanent { status: 404 },
        ),
    ];
    for (path, expected) in cases {
        let outcome = client
            .post_activity(
                &base.join(path).unwrap(),
                Bytes::from_static(b"{}"),
                &signer(),
            )
            .await
            .unwrap();
        assert_eq!(outcome, expected, "{path}");
    }
    assert!(received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_retry_after_date_is_read_relative_to_now() {
    let (base, _, _) = start_inbox().await;
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600));
    let mut url = base.join("answer/429/retry-after/").unwrap();
    url.path_segments_mut().unwrap().pop().push(&later);
    let outcome = client(true)
        .post_activity(&url, Bytes::from_static(b"{}"), &signer())
        .await
        .unwrap();
    let DeliveryOutcome::RateLimited {
        retry_after: Some(wait),
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert!(
        wait > Duration::from_secs(590) && wait <= Duration::from_secs(600),
        "{wait:?}"
    );
}

#[tokio::test]
async fn deliveries_follow_no_redirect() {
    let (base, _, target_hits) = start_inbox().await;
    let outcome = client(true)
        .post_activity(
            &base.join("moved").unwrap(),
            Bytes::from_static(b"{}"),
            &signer(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, DeliveryOutcome::Permanent { status: 307 });
    assert_eq!(target_hits.count(), 0);
}

#[tokio::test]
async fn timeouts_and_connection_failures_are_transient() {
    let (base, _, _) = start_inbox().await;
    let config = OutboundConfig {
        total_timeout: Duration::from_secs(1),
        ..client_config(true)
    };
    let client = OutboundClient::new(&config).unwrap();
    let outcome = client
        .post_activity(
            &base.join("slow").unwrap(),
            Bytes::from_static(b"{}"),
            &signer(),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        DeliveryOutcome::Transient {
            reason: "timed out".into()
        }
    );
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = url::Url::parse(&format!("http://localhost:{closed}/inbox")).unwrap();
    let outcome = client
        .post_activity(&url, Bytes::from_static(b"{}"), &signer())
        .await
        .unwrap();
    assert!(
        matches!(outcome, DeliveryOutcome::Transient { .. }),
        "{outcome:?}"
    );
    let unknown = url::Url::parse("http://unknown-host.invalid/inbox").unwrap();
    let outcome = client
        .post_activity(&unknown, Bytes::from_static(b"{}"), &signer())
        .await
        .unwrap();
    assert!(
        matches!(outcome, DeliveryOutcome::Transient { .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn refused_inboxes_are_errors_not_outcomes() {
    let (base, received, _) = start_inbox().await;
    let guarded = client(false);
    let plain = base.join("inbox").unwrap();
    let result = guarded
        .post_activity(&plain, Bytes::from_static(b"{}"), &signer())
        .await;
    assert!(
        matches!(result, Err(ClientError::SchemeRefused)),
        "{result:?}"
    );
    let mut tls = plain.clone();
    tls.set_scheme("https").unwrap();
    let result = guarded
        .post_activity(&tls, Bytes::from_static(b"{}"), &signer())
        .await;
    assert!(
        matches!(result, Err(ClientError::AddressRefused(_))),
        "{result:?}"
    );
    assert!(received.lock().unwrap().is_empty());
}

#[test]
fn retry_after_values() {
    let now = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let at = |offset: i64| {
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs((1_790_000_000 + offset) as u64))
    };
    assert_eq!(
        parse_retry_after("120", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    assert_eq!(
        parse_retry_after(&at(90), now),
        Some(Duration::from_secs(90))
    );
    assert_eq!(parse_retry_after(&at(-90), now), Some(Duration::ZERO));
    for bad in [
        "",
        "-1",
        "1.5",
        "soon",
        "99999999999999999999999",
        "Mon, 32 Foo 2020",
    ] {
        assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
    }
    assert_eq!(
        classify_delivery_status(503, Some(&at(30)), now),
        DeliveryOutcome::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert_eq!(
        classify_delivery_status(301, None, now),
        DeliveryOutcome::Permanent { status: 301 }
    );
}
