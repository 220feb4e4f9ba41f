//! The guard ON against real https servers: each test runs inside its own network namespace
//! (see `common::netns`) where public addresses live on loopback, so "remote" servers are
//! reachable with the guard on while 127.0.0.1 hosts a server the guard must never reach.
//! Covers DNS rebinding (SSRF-02) and redirects to inside addresses (SSRF-03).

mod common;

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use common::netns::*;
use common::servers::*;
use kinora_federation::http_client::{ClientError, HostLookup, OutboundClient, OutboundConfig};
use std::sync::Arc;

const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// Answers every request with an object whose id is its own URL, and `Connection: close` so
/// every request needs a new connection (and so a new lookup); counts requests.
fn object_router(hits: Hits) -> Router {
    Router::new().fallback(get(move |headers: HeaderMap, uri: Uri| {
        hits.hit();
        async move {
            let id = format!(
                "https://{}{}",
                headers["host"].to_str().unwrap(),
                uri.path()
            );
            (
                [
                    ("content-type", "application/activity+json"),
                    ("connection", "close"),
                ],
                serde_json::json!({ "id": id, "type": "Note" }).to_string(),
            )
        }
    }))
}

/// A "public" server on `public` and a loopback server on the same port, both https with a
/// certificate for `names`; returns the port and their hit counters.
async fn public_and_loopback(public: IpAddr, tls: &TestTls) -> (u16, Hits, Hits) {
    let public_hits = Hits::default();
    let loopback_hits = Hits::default();
    let bound = serve_tls(
        SocketAddr::new(public, 0),
        object_router(public_hits.clone()),
        tls,
    )
    .await;
    serve_tls(
        SocketAddr::new(LOOPBACK, bound.port()),
        object_router(loopback_hits.clone()),
        tls,
    )
    .await;
    (bound.port(), public_hits, loopback_hits)
}

fn guarded(tls: &TestTls, lookup: Arc<dyn HostLookup>) -> OutboundClient {
    let config = OutboundConfig {
        extra_root_certificates: vec![tls.ca_pem.clone()],
        ..client_config(false)
    };
    OutboundClient::with_lookup(&config, lookup).unwrap()
}

#[tokio::test]
async fn ssrf_02_dns_rebinding_never_reaches_loopback() {
    if !run_inside_namespace("ssrf_02_dns_rebinding_never_reaches_loopback") {
        return;
    }
    let tls = TestTls::new(&["rebind.test"], &[]);
    let (port, public_hits, loopback_hits) = public_and_loopback(PUBLIC_V4.into(), &tls).await;
    // First answer public, every later one 127.0.0.1 (TTL 0).
    let lookup = RebindingLookup::new(vec![vec![PUBLIC_V4.into()], vec![LOOPBACK]]);
    let client = guarded(&tls, lookup.clone());
    let url = url::Url::parse(&format!("https://rebind.test:{port}/actor")).unwrap();
    let first = client.fetch_object(&url, None).await.unwrap();
    assert_eq!(first.object["id"], url.as_str());
    assert_eq!(public_hits.count(), 1);
    let second = client.fetch_object(&url, None).await;
    assert!(
        matches!(second, Err(ClientError::AddressRefused(_))),
        "{second:?}"
    );
    assert_eq!(
        loopback_hits.count(),
        0,
        "the rebound name must not reach loopback"
    );
    // One lookup per connection, none beforehand: what was checked is what was connected to.
    assert_eq!(lookup.lookups(), 2);
}

#[tokio::test]
async fn ssrf_02_mixed_answers_connect_only_to_the_public_address() {
    if !run_inside_namespace("ssrf_02_mixed_answers_connect_only_to_the_public_address") {
        return;
    }
    let tls = TestTls::new(&["mixed.test"], &[]);
    let (port, public_hits, loopback_hits) = public_and_loopback(PUBLIC_V4.into(), &tls).await;
    let answers: [IpAddr; 3] = [
        LOOPBACK,
        "::ffff:127.0.0.1".parse().unwrap(),
        PUBLIC_V4.into(),
    ];
    let client = guarded(&tls, StaticLookup::new(&[("mixed.test", &answers)]));
    let url = url::Url::parse(&format!("https://mixed.test:{port}/actor")).unwrap();
    for _ in 0..3 {
        client.fetch_object(&url, None).await.unwrap();
    }
    assert_eq!((public_hits.count(), loopback_hits.count()), (3, 0));
}

#[tokio::test]
async fn public_ipv6_and_ipv4_literals_are_reached_over_verified_tls() {
    if !run_inside_namespace("public_ipv6_and_ipv4_literals_are_reached_over_verified_tls") {
        return;
    }
    let tls = TestTls::new(&[], &[PUBLIC_V6.into(), PUBLIC_V4.into()]);
    let hits = Hits::default();
    let v6 = serve_tls(
        SocketAddr::new(PUBLIC_V6.into(), 0),
        object_router(hits.clone()),
        &tls,
    )
    .await;
    let v4 = serve_tls(
        SocketAddr::new(PUBLIC_V4.into(), 0),
        object_router(hits.clone()),
        &tls,
    )
    .await;
    let client = guarded(&tls, StaticLookup::new(&[]));
    for url in [
        format!("https://[{PUBLIC_V6}]:{}/a", v6.port()),
        format!("https://{PUBLIC_V4}:{}/b", v4.port()),
    ] {
        let url = url::Url::parse(&url).unwrap();
        assert_eq!(
            client.fetch_object(&url, None).await.unwrap().final_url,
            url
        );
    }
    assert_eq!(hits.count(), 2);
    // Without the test authority the certificate is not trusted: TLS is verified.
    let untrusted =
        OutboundClient::with_lookup(&client_config(false), StaticLookup::new(&[])).unwrap();
    let url = url::Url::parse(&format!("https://{PUBLIC_V4}:{}/c", v4.port())).unwrap();
    let result = untrusted.fetch_object(&url, None).await;
    assert!(matches!(result, Err(ClientError::Network(_))), "{result:?}");
    assert_eq!(hits.count(), 2);
}

/// A public origin whose paths redirect (302) to their location in `targets`, plus the usual
/// object everywhere else; every request counts in `hits`.
fn redirecting_router(targets: Vec<(&'static str, String)>, hits: Hits) -> Router {
    let mut router = Router::new();
    for (path, location) in targets {
        let hits = hits.clone();
        router = router.route(
            path,
            get(move || async move {
                hits.hit();
                (StatusCode::FOUND, [("location", location)]).into_response()
            }),
        );
    }
    router.merge(object_router(hits))
}

#[tokio::test]
async fn ssrf_03_redirects_to_inside_addresses_and_other_schemes_are_refused() {
    if !run_inside_namespace("ssrf_03_redirects_to_inside_addresses_and_other_schemes_are_refused")
    {
        return;
    }
    let tls = TestTls::new(
        &["origin.test", "inside.test"],
        &[LOOPBACK, "::1".parse().unwrap()],
    );
    let loopback_hits = Hits::default();
    let inside = serve_tls(
        SocketAddr::new(LOOPBACK, 0),
        object_router(loopback_hits.clone()),
        &tls,
    )
    .await;
    let port = inside.port();
    let targets = vec![
        (
            "/to-metadata-http",
            "http://169.254.169.254/latest/meta-data/".to_owned(),
        ),
        (
            "/to-metadata-https",
            "https://169.254.169.254/latest/meta-data/".to_owned(),
        ),
        (
            "/to-inside-name",
            format!("https://inside.test:{port}/object"),
        ),
        ("/to-loopback", format!("https://127.0.0.1:{port}/object")),
        ("/to-v6-loopback", format!("https://[::1]:{port}/object")),
        (
            "/to-v4-mapped",
            format!("https://[::ffff:127.0.0.1]:{port}/object"),
        ),
        ("/to-file", "file:///etc/passwd".to_owned()),
        ("/to-gopher", format!("gopher://127.0.0.1:{port}/_INFO")),
        (
            "/to-plain-http",
            format!("http://origin.test:{port}/object"),
        ),
    ];
    let public_hits = Hits::default();
    let origin = serve_tls(
        SocketAddr::new(PUBLIC_V4.into(), port),
        redirecting_router(targets.clone(), public_hits.clone()),
        &tls,
    )
    .await;
    let client = guarded(
        &tls,
        StaticLookup::new(&[
            ("origin.test", &[PUBLIC_V4.into()]),
            ("inside.test", &[LOOPBACK]),
        ]),
    );
    for (path, location) in &targets {
        let url = url::Url::parse(&format!("https://origin.test:{}{path}", origin.port())).unwrap();
        let fetched = client.fetch_object(&url, None).await;
        let downloaded = client.download(&url, 1024, &["*/*"], &mut Vec::new()).await;
        for result in [fetched.map(|_| ()), downloaded.map(|_| ())] {
            assert!(
                matches!(
                    result,
                    Err(ClientError::AddressRefused(_) | ClientError::SchemeRefused)
                ),
                "{path} → {location}: {result:?}"
            );
        }
    }
    assert_eq!(
        public_hits.count(),
        2 * targets.len(),
        "every first hop was served"
    );
    assert_eq!(loopback_hits.count(), 0, "no redirect reached loopback");
}

#[tokio::test]
async fn ssrf_03_hops_are_capped_and_authority_is_the_final_url() {
    if !run_inside_namespace("ssrf_03_hops_are_capped_and_authority_is_the_final_url") {
        return;
    }
    let tls = TestTls::new(&["origin.test", "other.test"], &[]);
    let other_hits = Hits::default();
    let other = serve_tls(
        SocketAddr::new(PUBLIC_V4_OTHER.into(), 0),
        object_router(other_hits.clone()),
        &tls,
    )
    .await;
    let port = other.port();
    let liar = Router::new().route(
        "/liar",
        get(move || async move {
            (
                [("content-type", "application/activity+json")],
                serde_json::json!({ "id": format!("https://origin.test:{port}/object") })
                    .to_string(),
            )
        }),
    );
    let targets = vec![
        ("/one-hop", format!("https://other.test:{port}/object")),
        ("/two-hops", "/one-hop".to_owned()),
        ("/to-liar", format!("https://liar.test:{port}/liar")),
    ];
    serve_tls(
        SocketAddr::new(PUBLIC_V4.into(), port),
        redirecting_router(targets, Hits::default()),
        &tls,
    )
    .await;
    let liar_tls = TestTls::new(&["liar.test"], &[]);
    let liar_address: IpAddr = PUBLIC_V6.into();
    serve_tls(SocketAddr::new(liar_address, port), liar, &liar_tls).await;
    let lookup = StaticLookup::new(&[
        ("origin.test", &[PUBLIC_V4.into()]),
        ("other.test", &[PUBLIC_V4_OTHER.into()]),
        ("liar.test", &[liar_address]),
    ]);
    let config = OutboundConfig {
        extra_root_certificates: vec![tls.ca_pem.clone(), liar_tls.ca_pem.clone()],
        ..client_config(false)
    };
    let client = OutboundClient::with_lookup(&config, lookup.clone()).unwrap();
    let origin =
        |path: &str| url::Url::parse(&format!("https://origin.test:{port}{path}")).unwrap();
    let fetched = client
        .fetch_object(&origin("/one-hop"), None)
        .await
        .unwrap();
    assert_eq!(
        fetched.final_url.as_str(),
        format!("https://other.test:{port}/object")
    );
    assert_eq!(fetched.object["id"], fetched.final_url.as_str());
    let result = client.fetch_object(&origin("/two-hops"), None).await;
    assert!(
        matches!(result, Err(ClientError::TooManyRedirects)),
        "{result:?}"
    );
    assert_eq!(other_hits.count(), 1);
    // The liar, reached through origin.test, claims an id on origin.test: the final URL decides.
    let result = client.fetch_object(&origin("/to-liar"), None).await;
    assert!(
        matches!(result, Err(ClientError::ForeignId { .. })),
        "{result:?}"
    );
}
