//! Downloading a remote actor's avatar or banner (`kinora_federation::actor_images::download`)
//! through the one outbound client, against real listeners on 127.0.0.1: an icon on a private,
//! loopback or link-local address is never connected to while the guard is on (the production
//! default); with it off (tests only), an image is taken, while a body over the 4 MiB cap, a
//! non-image media type and a redirect to a private address are refused.

mod common;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use common::servers::*;
use kinora_federation::actor_images::{MAX_REMOTE_IMAGE_BYTES, RemoteImageError, download};
use kinora_federation::http_client::ClientError;
use url::Url;

/// Bytes served as an image (the download does not decode them; the renderer does).
fn png() -> Vec<u8> {
    b"\x89PNG\r\n\x1a\n not decoded here".to_vec()
}

#[tokio::test]
async fn an_icon_on_a_private_address_is_never_connected_to() {
    let (listening, hits) = connection_counter().await;
    let port = listening.port();
    let client = client(false);
    for url in [
        format!("http://127.0.0.1:{port}/avatar.png"),
        format!("https://127.0.0.1:{port}/avatar.png"),
        format!("https://localhost:{port}/avatar.png"),
        format!("https://[::ffff:127.0.0.1]:{port}/avatar.png"),
        "https://169.254.169.254/latest/meta-data/avatar.png".to_owned(),
        "https://10.0.0.1/avatar.png".to_owned(),
    ] {
        let result = download(&client, &Url::parse(&url).unwrap()).await;
        assert!(
            matches!(result, Err(RemoteImageError::Client(_))),
            "{url}: {result:?}"
        );
    }
    assert_eq!(hits.count(), 0, "the client connected to a private address");
}

#[tokio::test]
async fn only_images_within_the_cap_are_taken() {
    let huge = vec![0u8; MAX_REMOTE_IMAGE_BYTES + 1];
    let (listening, private_hits) = connection_counter().await;
    let private = format!("http://10.0.0.1:{}/a.png", listening.port());
    let router = Router::new()
        .route(
            "/ok.png",
            get(|| async { ([(header::CONTENT_TYPE, "image/png")], png()).into_response() }),
        )
        .route(
            "/huge.png",
            get(move || {
                let huge = huge.clone();
                async move { ([(header::CONTENT_TYPE, "image/png")], huge).into_response() }
            }),
        )
        .route(
            "/page.html",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<svg onload=alert(1)>",
                )
                    .into_response()
            }),
        )
        .route(
            "/away.png",
            get(move || {
                let private = private.clone();
                async move {
                    (axum::http::StatusCode::FOUND, [(header::LOCATION, private)]).into_response()
                }
            }),
        );
    let address = serve_loopback(router).await;
    let url = |path: &str| Url::parse(&format!("http://{address}{path}")).unwrap();
    // With the guard off (as the multi-instance tests run), the image itself is taken.
    let open = client(true);
    assert_eq!(download(&open, &url("/ok.png")).await.unwrap(), png());
    assert!(matches!(
        download(&open, &url("/huge.png")).await,
        Err(RemoteImageError::Client(ClientError::TooLarge))
    ));
    assert!(matches!(
        download(&open, &url("/page.html")).await,
        Err(RemoteImageError::Client(ClientError::BadContentType(_)))
    ));
    // With the guard on, nothing here is reached at all, redirect or not.
    let guarded = client(false);
    assert!(download(&guarded, &url("/ok.png")).await.is_err());
    assert!(download(&guarded, &url("/away.png")).await.is_err());
    assert_eq!(private_hits.count(), 0);
}
