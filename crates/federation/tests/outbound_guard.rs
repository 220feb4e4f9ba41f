//! The outbound client's address and scheme rules (security.md SSRF-01, SIG-08), against real
//! listeners on 127.0.0.1 that must see no connection while the guard is on and do see one
//! when `allow_private_addresses` is set.

mod common;

use std::net::IpAddr;

use axum::Router;
use axum::routing::get;
use common::servers::*;
use kinora_federation::http_client::{
    ClientError, OutboundClient, is_public_address, refusal_reason,
};
use kinora_federation::signatures::{RequestSigner, key_owner_url};

/// Addresses that must be refused: SSRF-01's list, then the first and last address of every
/// refused range, IPv4 and IPv6, including the ones that embed a refused IPv4 address.
const REFUSED: &[&str] = &[
    // SSRF-01 as listed.
    "127.0.0.1",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "198.18.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "::",
    "::1",
    "fc00::1",
    "fe80::1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",
    "2002:c0a8::1",
    // IPv4 ranges, first and last.
    "0.255.255.255",
    "10.255.255.255",
    "100.127.255.255",
    "127.255.255.255",
    "169.254.0.0",
    "169.254.255.255",
    "172.31.255.255",
    "192.0.0.0",
    "192.0.0.255",
    "192.0.2.0",
    "192.0.2.255",
    "192.88.99.1",
    "192.168.0.0",
    "192.168.255.255",
    "198.19.255.255",
    "198.51.100.0",
    "198.51.100.255",
    "203.0.113.0",
    "203.0.113.255",
    "239.255.255.255",
    "255.255.255.255",
    // IPv6.
    "::2",
    "::10.0.0.1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0.0.0.0",
    "::ffff:0:7f00:1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1",
    "100::1",
    "2001::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:2::1",
    "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:db8::1",
    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
    "2002::1",
    "2002:7f00:1::1",
    "3fff::1",
    "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
    "5f00::1",
    "fd00::1",
    "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fec0::1",
    "ff02::1",
    "ff0e::1",
    "4000::1",
    "1000::1",
    "e000::1",
];

/// Addresses just outside the refused ranges, and ordinary public ones.
const PUBLIC: &[&str] = &[
    "1.1.1.1",
    "8.8.8.8",
    "93.184.216.34",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.0.1.0",
    "192.0.3.0",
    "192.88.98.255",
    "192.88.100.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "198.51.99.255",
    "198.51.101.0",
    "203.0.112.255",
    "203.0.114.0",
    "223.255.255.255",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2000::1",
    "2001:200::1",
    "2001:db7:ffff::1",
    "2001:db9::1",
    "2003::1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "3ffe:ffff::1",
    "3fff:1000::1",
];

fn address(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn ssrf_01_every_refused_range_is_refused() {
    for text in REFUSED {
        assert!(!is_public_address(address(text)), "{text} must be refused");
    }
}

#[test]
fn ssrf_01_addresses_next_to_refused_ranges_are_public() {
    for text in PUBLIC {
        assert_eq!(
            refusal_reason(address(text), false),
            None,
            "{text} is public"
        );
    }
}

#[test]
fn ssrf_01_allow_private_addresses_still_refuses_the_unconnectable() {
    for text in [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "fd00::1",
        "169.254.1.1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ] {
        assert_eq!(
            refusal_reason(address(text), true),
            None,
            "{text} allowed for tests"
        );
    }
    for text in [
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "255.255.255.255",
        "::ffff:0.0.0.0",
    ] {
        assert!(
            refusal_reason(address(text), true).is_some(),
            "{text} is never connectable"
        );
    }
}

fn guarded_with_names(names: &[(&str, &[IpAddr])]) -> OutboundClient {
    OutboundClient::with_lookup(&client_config(false), StaticLookup::new(names)).unwrap()
}

#[tokio::test]
async fn ssrf_01_ip_literal_urls_are_refused_before_connecting() {
    let client = client(false);
    let signer = RequestSigner::from_pem(
        "https://kinora.test/accounts/peertube#main-key".into(),
        &common::fixtures::peertube_private_key(),
    )
    .unwrap();
    for text in REFUSED {
        let ip = address(text);
        let host = if ip.is_ipv6() {
            format!("[{ip}]")
        } else {
            ip.to_string()
        };
        let url = url::Url::parse(&format!("https://{host}:8443/actor")).unwrap();
        let fetched = client.fetch_object(&url, None).await;
        assert!(
            matches!(fetched, Err(ClientError::AddressRefused(_))),
            "{text}: {fetched:?}"
        );
        let delivered = client.post_activity(&url, "{}".into(), &signer).await;
        assert!(
            matches!(delivered, Err(ClientError::AddressRefused(_))),
            "{text}: {delivered:?}"
        );
        let downloaded = client.download(&url, 10, &["*/*"], &mut Vec::new()).await;
        assert!(
            matches!(downloaded, Err(ClientError::AddressRefused(_))),
            "{text}: {downloaded:?}"
        );
    }
}

#[tokio::test]
async fn ssrf_01_other_spellings_of_loopback_are_refused() {
    let (listening, hits) = connection_counter().await;
    let client = client(false);
    let port = listening.port();
    for host in [
        "0x7f.1",
        "2130706433",
        "127.1",
        "0177.0.0.1",
        "0",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:0:0:1]",
        "[::]",
        "localhost",
        "LocalHost",
    ] {
        let url = url::Url::parse(&format!("https://{host}:{port}/actor")).unwrap();
        let result = client.fetch_object(&url, None).await;
        assert!(
            matches!(result, Err(ClientError::AddressRefused(_))),
            "{host}: {result:?}"
        );
    }
    assert_eq!(hits.count(), 0, "nothing may connect to loopback");
}

#[tokio::test]
async fn ssrf_01_names_resolving_to_refused_addresses_are_refused() {
    let addresses: Vec<IpAddr> = REFUSED.iter().map(|text| address(text)).collect();
    let names: Vec<String> = (0..addresses.len())
        .map(|index| format!("n{index}.test"))
        .collect();
    let table: Vec<(&str, &[IpAddr])> = names
        .iter()
        .zip(&addresses)
        .map(|(name, address)| (name.as_str(), std::slice::from_ref(address)))
        .collect();
    let client = guarded_with_names(&table);
    for (name, address) in names.iter().zip(&addresses) {
        let url = url::Url::parse(&format!("https://{name}/actor")).unwrap();
        let result = client.fetch_object(&url, None).await;
        assert!(
            matches!(result, Err(ClientError::AddressRefused(_))),
            "{name} → {address}: {result:?}"
        );
    }
    // Several answers, all refused: refused too.
    let all: Vec<IpAddr> = ["127.0.0.1", "::1", "10.0.0.1"].map(address).to_vec();
    let client = guarded_with_names(&[("many.test", &all)]);
    let result = client
        .fetch_object(&url::Url::parse("https://many.test/").unwrap(), None)
        .await;
    assert!(
        matches!(result, Err(ClientError::AddressRefused(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn ssrf_01_localhost_is_refused_through_the_system_resolver_and_allowed_for_tests() {
    let (listening, hits) = connection_counter().await;
    let port = listening.port();
    let url = url::Url::parse(&format!("https://localhost:{port}/actor")).unwrap();
    let result = client(false).fetch_object(&url, None).await;
    assert!(
        matches!(result, Err(ClientError::AddressRefused(_))),
        "{result:?}"
    );
    assert_eq!(hits.count(), 0);
    // With the switch on, the same name connects (the counter drops the connection at once).
    let url = url::Url::parse(&format!("http://localhost:{port}/actor")).unwrap();
    let result = client(true).fetch_object(&url, None).await;
    assert!(matches!(result, Err(ClientError::Network(_))), "{result:?}");
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn guard_on_refuses_a_real_loopback_server_that_guard_off_reaches() {
    let hits = Hits::default();
    let counted = hits.clone();
    let router = Router::new().route(
        "/actor",
        get(move || async move {
            counted.hit();
            (
                [("content-type", "application/activity+json")],
                r#"{"type":"Person"}"#,
            )
        }),
    );
    let address = serve_loopback(router).await;
    let plain = url::Url::parse(&format!("http://localhost:{}/actor", address.port())).unwrap();
    let tls = url::Url::parse(&format!("https://localhost:{}/actor", address.port())).unwrap();
    let guarded = client(false);
    assert!(matches!(
        guarded.fetch_object(&plain, None).await,
        Err(ClientError::SchemeRefused)
    ));
    assert!(matches!(
        guarded.fetch_object(&tls, None).await,
        Err(ClientError::AddressRefused(_))
    ));
    assert_eq!(hits.count(), 0);
    let fetched = client(true).fetch_object(&plain, None).await.unwrap();
    assert_eq!(fetched.object["type"], "Person");
    assert_eq!(fetched.final_url, plain);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn only_https_and_test_http_schemes_are_fetched() {
    for allow_private in [false, true] {
        let client = client(allow_private);
        for url in [
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_INFO",
            "ftp://example.com/x",
            "ws://example.com/socket",
            "data:application/activity+json,{}",
            "javascript:alert(1)",
        ] {
            let result = client
                .fetch_object(&url::Url::parse(url).unwrap(), None)
                .await;
            assert!(
                matches!(result, Err(ClientError::SchemeRefused)),
                "{url}: {result:?}"
            );
        }
    }
    let result = client(false)
        .fetch_object(&url::Url::parse("http://example.com/actor").unwrap(), None)
        .await;
    assert!(
        matches!(result, Err(ClientError::SchemeRefused)),
        "{result:?}"
    );
    let result = client(true)
        .fetch_object(
            &url::Url::parse("https://user:secret@example.com/actor").unwrap(),
            None,
        )
        .await;
    assert!(
        matches!(result, Err(ClientError::InvalidUrl(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn sig_08_key_ids_pointing_inside_are_never_contacted() {
    let (listening, hits) = connection_counter().await;
    let port = listening.port();
    let metadata = [address("169.254.169.254")];
    let internal = [address("10.0.0.5")];
    let client = guarded_with_names(&[("metadata.test", &metadata), ("internal.test", &internal)]);
    for key_id in [
        "http://[::]:6379/#k".to_owned(),
        "https://[::]:6379/#k".to_owned(),
        format!("https://127.0.0.1:{port}/actor#main-key"),
        format!("https://[::ffff:127.0.0.1]:{port}/actor#main-key"),
        "https://169.254.169.254/latest/meta-data/#main-key".to_owned(),
        "https://metadata.test/latest/meta-data/#main-key".to_owned(),
        "https://internal.test/users/admin#main-key".to_owned(),
    ] {
        let owner = key_owner_url(&key_id).unwrap();
        let result = client.fetch_object(&owner, None).await;
        assert!(
            matches!(
                result,
                Err(ClientError::AddressRefused(_) | ClientError::SchemeRefused)
            ),
            "{key_id}: {result:?}"
        );
    }
    assert_eq!(hits.count(), 0, "no key fetch may reach an inside address");
}
