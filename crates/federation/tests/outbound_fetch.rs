//! `fetch_object` and `download` against a real origin on 127.0.0.1 (guard switched off for
//! tests): Content-Type (ID-03), the object's id against its origin (ID-01), statuses,
//! redirect hops, downloads and signed fetches verified by the receiving server.

mod common;

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use common::origin::*;
use common::servers::*;
use kinora_federation::http_client::{ClientError, OutboundClient, OutboundConfig};
use kinora_federation::signatures::{RequestSigner, VerifyPolicy, verify_request};

#[tokio::test]
async fn an_object_is_fetched_with_its_final_url() {
    let (base, client) = start().await;
    let url = base.join("object").unwrap();
    let fetched = client.fetch_object(&url, None).await.unwrap();
    assert_eq!(fetched.final_url, url);
    assert_eq!(fetched.object["id"], url.as_str());
}

#[tokio::test]
async fn id_03_only_activitypub_content_types_are_accepted() {
    let (base, client) = start().await;
    let accepted = [
        "application/activity+json",
        "application/activity+json; charset=utf-8",
        "Application/Activity+JSON",
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
        "application/ld+json;profile=\"https://www.w3.org/ns/activitystreams https://w3id.org/security/v1\"",
        "application/ld+json; charset=utf-8; profile=https://www.w3.org/ns/activitystreams",
    ];
    let refused = [
        Some("application/json"),
        Some("text/plain"),
        Some("application/octet-stream"),
        Some("text/html"),
        Some("application/ld+json"),
        Some("application/ld+json; profile=\"https://example.com/other\""),
        Some("application/activity+jsonx"),
        None,
    ];
    for content_type in accepted {
        let mut url = base.join("typed").unwrap();
        url.query_pairs_mut().append_pair("type", content_type);
        client
            .fetch_object(&url, None)
            .await
            .unwrap_or_else(|error| panic!("{content_type}: {error}"));
    }
    for content_type in refused {
        let mut url = base.join("typed").unwrap();
        if let Some(content_type) = content_type {
            url.query_pairs_mut().append_pair("type", content_type);
        }
        let result = client.fetch_object(&url, None).await;
        assert!(
            matches!(result, Err(ClientError::BadContentType(_))),
            "{content_type:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn id_01_an_object_claiming_another_origin_is_refused() {
    let (base, client) = start().await;
    let own = base.join("id").unwrap();
    let same_origin = base.join("elsewhere/on/the/same/host").unwrap();
    let other_scheme = same_origin.as_str().replacen("http:", "https:", 1);
    let other_port = format!("http://localhost:{}/x", base.port().unwrap() + 1);
    let cases: Vec<(String, bool)> = vec![
        (
            serde_json::json!({ "id": same_origin.as_str(), "type": "Note" }).to_string(),
            true,
        ),
        (r#"{"type":"OrderedCollectionPage"}"#.to_owned(), true),
        (
            r#"{"id":"https://b.example/users/victim","type":"Person"}"#.to_owned(),
            false,
        ),
        (serde_json::json!({ "id": other_scheme }).to_string(), false),
        (serde_json::json!({ "id": other_port }).to_string(), false),
        (r#"{"id":42}"#.to_owned(), false),
        (r#"{"id":"not a url"}"#.to_owned(), false),
        (
            r#"{"id":"urn:uuid:1b8e8b8e-0000-0000-0000-000000000000"}"#.to_owned(),
            false,
        ),
    ];
    for (json, accepted) in cases {
        let mut url = own.clone();
        url.query_pairs_mut().append_pair("json", &json);
        let result = client.fetch_object(&url, None).await;
        if accepted {
            result.unwrap_or_else(|error| panic!("{json}: {error}"));
        } else {
            assert!(
                matches!(result, Err(ClientError::ForeignId { .. })),
                "{json}: {result:?}"
            );
        }
    }
    let mut url = own.clone();
    url.query_pairs_mut().append_pair("json", "[1,2]");
    assert!(matches!(
        client.fetch_object(&url, None).await,
        Err(ClientError::NotAnObject)
    ));
}

#[tokio::test]
async fn errors_statuses_and_redirect_hops() {
    let (base, client) = start().await;
    for code in [404u16, 410, 401, 500] {
        let result = client
            .fetch_object(&base.join(&format!("status/{code}")).unwrap(), None)
            .await;
        assert!(
            matches!(result, Err(ClientError::Status(status)) if status == code),
            "{code}: {result:?}"
        );
    }
    let fetched = client
        .fetch_object(&base.join("redirect-once").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(fetched.final_url, base.join("object").unwrap());
    let result = client
        .fetch_object(&base.join("redirect-twice").unwrap(), None)
        .await;
    assert!(
        matches!(result, Err(ClientError::TooManyRedirects)),
        "{result:?}"
    );
    let result = client
        .fetch_object(&base.join("redirect-nowhere").unwrap(), None)
        .await;
    assert!(
        matches!(result, Err(ClientError::Status(302))),
        "{result:?}"
    );
    let two_hops = OutboundClient::new(&OutboundConfig {
        max_redirects: 2,
        ..client_config(true)
    })
    .unwrap();
    let fetched = two_hops
        .fetch_object(&base.join("redirect-twice").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(fetched.final_url, base.join("object").unwrap());
}

#[tokio::test]
async fn download_writes_accepted_files_and_refuses_the_rest() {
    let (base, client) = start().await;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("file.mp4");
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    let url = base.join("file.mp4").unwrap();
    let written = client
        .download(
            &url,
            CAP,
            &["video/mp4", "application/vnd.apple.mpegurl"],
            &mut file,
        )
        .await
        .unwrap();
    drop(file);
    assert_eq!(written, 300_000);
    assert_eq!(std::fs::read(&path).unwrap(), vec![7u8; 300_000]);
    assert_eq!(
        client
            .download(&url, CAP, &["video/*"], &mut Vec::new())
            .await
            .unwrap(),
        300_000
    );
    for accept in [&["image/jpeg"][..], &["audio/*"], &[]] {
        let mut sink = Vec::new();
        let result = client.download(&url, CAP, accept, &mut sink).await;
        assert!(
            matches!(result, Err(ClientError::BadContentType(_))),
            "{accept:?}: {result:?}"
        );
        assert!(sink.is_empty());
    }
    let result = client
        .download(&url, 299_999, &["video/mp4"], &mut Vec::new())
        .await;
    assert!(matches!(result, Err(ClientError::TooLarge)), "{result:?}");
    let result = client
        .download(
            &base.join("page.html").unwrap(),
            CAP,
            &["video/mp4"],
            &mut Vec::new(),
        )
        .await;
    assert!(
        matches!(result, Err(ClientError::BadContentType(_))),
        "{result:?}"
    );
    let result = client
        .download(
            &base.join("status/404").unwrap(),
            CAP,
            &["*/*"],
            &mut Vec::new(),
        )
        .await;
    assert!(
        matches!(result, Err(ClientError::Status(404))),
        "{result:?}"
    );
}

#[tokio::test]
async fn signed_fetches_verify_on_the_receiving_server() {
    let key_id = "http://localhost/accounts/peertube#main-key";
    let verified = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&verified);
    let router = Router::new().route(
        "/private/{name}",
        get(move |headers: HeaderMap, uri: Uri| {
            let seen = Arc::clone(&seen);
            async move {
                let host = headers["host"].to_str().unwrap().to_owned();
                let result = verify_request(
                    &axum::http::Method::GET,
                    uri.path_and_query().unwrap().as_str(),
                    &headers,
                    b"",
                    &common::fixtures::peertube_public_key(),
                    &VerifyPolicy::new(host),
                    SystemTime::now(),
                );
                seen.lock().unwrap().push(result.is_ok());
                match result {
                    Ok(()) => activity(format!(
                        r#"{{"id":"http://{}{}"}}"#,
                        headers["host"].to_str().unwrap(),
                        uri.path()
                    )),
                    Err(_) => StatusCode::UNAUTHORIZED.into_response(),
                }
            }
        }),
    );
    let address = serve_loopback(router).await;
    let client = client(true);
    let signer =
        RequestSigner::from_pem(key_id.into(), &common::fixtures::peertube_private_key()).unwrap();
    let url = url::Url::parse(&format!(
        "http://localhost:{}/private/a?page=1",
        address.port()
    ))
    .unwrap();
    let fetched = client.fetch_object(&url, Some(&signer)).await.unwrap();
    assert_eq!(
        fetched.object["id"],
        format!("http://localhost:{}/private/a", address.port())
    );
    let unsigned = client.fetch_object(&url, None).await;
    assert!(
        matches!(unsigned, Err(ClientError::Status(401))),
        "{unsigned:?}"
    );
    assert_eq!(*verified.lock().unwrap(), [true, false]);
}
