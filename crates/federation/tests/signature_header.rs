//! Reading the `Signature` header and key ids: what is tolerated and what is refused.

use http::{HeaderMap, HeaderValue};
use kinora_federation::signatures::{SignatureError, key_owner_url, parse_signature_header};

const SIGNATURE_B64: &str = "c2lnbmF0dXJl"; // "signature"

fn headers_with(name: &str, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
        HeaderValue::from_str(value).unwrap(),
    );
    headers
}

fn parse(value: &str) -> Result<kinora_federation::signatures::SignatureHeader, SignatureError> {
    parse_signature_header(&headers_with("signature", value))
}

#[test]
fn a_full_header_is_read() {
    let parsed = parse(&format!(
        "keyId=\"https://a.test/users/x#main-key\",algorithm=\"hs2019\",created=1700000000,expires=\"1700000300\",headers=\"(request-target) Host date\",signature=\"{SIGNATURE_B64}\""
    ))
    .unwrap();
    assert_eq!(parsed.key_id, "https://a.test/users/x#main-key");
    assert_eq!(parsed.algorithm.as_deref(), Some("hs2019"));
    assert_eq!(parsed.headers, ["(request-target)", "host", "date"]);
    assert_eq!(parsed.signature, b"signature");
    assert_eq!(parsed.created, Some(1_700_000_000));
    assert_eq!(parsed.expires, Some(1_700_000_300));
    assert!(parsed.covers("host") && !parsed.covers("digest"));
}

#[test]
fn a_leading_signature_prefix_spaces_and_unknown_parameters_are_tolerated() {
    let parsed = parse(&format!(
        "Signature keyId=\"k\" , headers=\"date\",  extra=\"ignored\",signature=\"{SIGNATURE_B64}\""
    ))
    .unwrap();
    assert_eq!(parsed.key_id, "k");
    assert_eq!(parsed.algorithm, None);
    assert_eq!(parsed.headers, ["date"]);
}

#[test]
fn the_authorization_form_is_read_when_there_is_no_signature_header() {
    let value = format!("Signature keyId=\"k\",signature=\"{SIGNATURE_B64}\"");
    let parsed = parse_signature_header(&headers_with("authorization", &value)).unwrap();
    assert_eq!(parsed.key_id, "k");
    // Without `headers`, only `date` is signed (the draft's default).
    assert_eq!(parsed.headers, ["date"]);
    let bearer = parse_signature_header(&headers_with("authorization", "Bearer abc"));
    assert!(matches!(bearer, Err(SignatureError::Missing)), "{bearer:?}");
}

#[test]
fn an_unsigned_request_is_missing() {
    assert!(matches!(
        parse_signature_header(&HeaderMap::new()),
        Err(SignatureError::Missing)
    ));
}

#[test]
fn quoted_values_keep_commas_and_escapes() {
    let parsed = parse(&format!(
        "keyId=\"https://a.test/k?x=1,2#\\\"q\\\"\",signature=\"{SIGNATURE_B64}\""
    ))
    .unwrap();
    assert_eq!(parsed.key_id, "https://a.test/k?x=1,2#\"q\"");
}

#[test]
fn malformed_headers_are_refused() {
    let long = format!(
        "keyId=\"{}\",signature=\"{SIGNATURE_B64}\"",
        "k".repeat(9000)
    );
    let huge_signature = format!("keyId=\"k\",signature=\"{}\"", "A".repeat(2000));
    let cases = [
        format!("signature=\"{SIGNATURE_B64}\""),
        "keyId=\"k\"".to_owned(),
        format!("keyId=\"\",signature=\"{SIGNATURE_B64}\""),
        format!("keyId=\"k\",keyId=\"j\",signature=\"{SIGNATURE_B64}\""),
        format!("keyId=\"k,signature=\"{SIGNATURE_B64}"),
        "keyId=\"k\",signature=\"not base64!\"".to_owned(),
        "keyId=\"k\",signature=\"\"".to_owned(),
        format!("keyId=\"k\",headers=\"\",signature=\"{SIGNATURE_B64}\""),
        format!("keyId=\"k\",created=soon,signature=\"{SIGNATURE_B64}\""),
        format!("keyId=\"k\",expires=-1,signature=\"{SIGNATURE_B64}\""),
        format!("keyId=\"k\" signature=\"{SIGNATURE_B64}\""),
        format!("keyId=\"k\",novalue,signature=\"{SIGNATURE_B64}\""),
        format!("key-id=\"k\",signature=\"{SIGNATURE_B64}\""),
        long,
        huge_signature,
    ];
    for case in &cases {
        let result = parse(case);
        assert!(
            matches!(result, Err(SignatureError::Malformed(_))),
            "{case:.80}: {result:?}"
        );
    }
}

#[test]
fn two_signature_headers_are_refused() {
    let mut headers = HeaderMap::new();
    let value =
        HeaderValue::from_str(&format!("keyId=\"k\",signature=\"{SIGNATURE_B64}\"")).unwrap();
    headers.append("signature", value.clone());
    headers.append("signature", value);
    assert!(matches!(
        parse_signature_header(&headers),
        Err(SignatureError::Malformed(_))
    ));
}

#[test]
fn key_owner_url_strips_the_key_fragment() {
    for (key_id, owner) in [
        (
            "https://a.test/accounts/x#main-key",
            "https://a.test/accounts/x",
        ),
        (
            "http://127.0.0.1:2910/actor#main",
            "http://127.0.0.1:2910/actor",
        ),
        ("https://a.test/accounts/x", "https://a.test/accounts/x"),
        (
            "https://a.test:8443/users/x?y=1#k",
            "https://a.test:8443/users/x?y=1",
        ),
    ] {
        assert_eq!(key_owner_url(key_id).unwrap().as_str(), owner);
    }
}

#[test]
fn key_owner_url_refuses_what_is_not_an_http_actor() {
    let long = format!("https://a.test/{}", "x".repeat(3000));
    for key_id in [
        "acct:x@a.test",
        "/accounts/x#main-key",
        "main-key",
        "ftp://a.test/x#main-key",
        "file:///etc/passwd",
        "https://user:pw@a.test/x#main-key",
        "https://user@a.test/x#main-key",
        "https://",
        long.as_str(),
    ] {
        assert!(
            matches!(key_owner_url(key_id), Err(SignatureError::Malformed(_))),
            "{key_id:.60}"
        );
    }
}
