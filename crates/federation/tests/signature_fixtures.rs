//! HTTP signatures against real captures and keys: Mastodon's captured inbox POST (and its
//! altered twin and another key), PeerTube's key pairs, Kinora's PKCS#8 keys, and the openssl
//! command line as an independent verifier.

mod common;

use std::time::Duration;

use common::fixtures::*;
use http::{HeaderMap, HeaderValue, Method};
use kinora_federation::signatures::{
    RequestSigner, SignatureError, VerifyPolicy, digest_header, parse_signature_header,
    sign_request, verify_request,
};

const MASTODON_INBOX: &str = "/accounts/ronan/inbox";
const CAPTURE: &str = "mastodon/http-signature.json";
const KEY: &str = "mastodon/public-key.json";

/// A Mastodon capture received by PeerTube's test inbox (host `localhost`), 20 s after its
/// Date, as `method` on `path` with `body` (the captured bytes when `None`), checked with the
/// key fixture `public_key`.
struct Received<'a> {
    capture: &'a str,
    public_key: &'a str,
    method: Method,
    path: &'a str,
    body: Option<Vec<u8>>,
}

impl Default for Received<'_> {
    fn default() -> Self {
        Self {
            capture: CAPTURE,
            public_key: KEY,
            method: Method::POST,
            path: MASTODON_INBOX,
            body: None,
        }
    }
}

impl Received<'_> {
    fn verify(self) -> Result<(), SignatureError> {
        let (headers, captured) = mastodon_capture(self.capture);
        let body = self.body.unwrap_or(captured);
        let key = pem(self.public_key, "publicKey");
        let policy = VerifyPolicy::new("localhost");
        let now = mastodon_date() + Duration::from_secs(20);
        verify_request(&self.method, self.path, &headers, &body, &key, &policy, now)
    }
}

#[test]
fn mastodon_capture_verifies_with_its_public_key() {
    Received::default().verify().unwrap();
}

#[test]
fn mastodon_capture_fails_with_another_public_key() {
    let public_key = "mastodon/bad-public-key.json";
    let result = Received {
        public_key,
        ..Received::default()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::BadSignature)),
        "{result:?}"
    );
}

#[test]
fn mastodon_bad_http_signature_fixture_fails() {
    let capture = "mastodon/bad-http-signature.json";
    let result = Received {
        capture,
        ..Received::default()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::BadSignature)),
        "{result:?}"
    );
}

#[test]
fn mastodon_capture_fails_on_another_path_or_method() {
    let path = "/accounts/other/inbox";
    let result = Received {
        path,
        ..Received::default()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::BadSignature)),
        "{result:?}"
    );
    let result = Received {
        method: Method::PUT,
        ..Received::default()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::BadSignature)),
        "{result:?}"
    );
}

#[test]
fn sig_01_mastodon_capture_with_a_changed_body_fails() {
    let (_, mut body) = mastodon_capture(CAPTURE);
    let position = body
        .windows(6)
        .position(|window| window == b"Create")
        .unwrap();
    body[position..position + 6].copy_from_slice(b"Delete");
    let result = Received {
        body: Some(body),
        ..Received::default()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::DigestMismatch)),
        "{result:?}"
    );
}

#[test]
fn peertube_keys_round_trip_post_and_get() {
    let signer = RequestSigner::from_pem(KEY_ID.into(), &peertube_private_key()).unwrap();
    let (now, _) = now_and_date();
    let body = fixture_text("peertube/announce-without-context.json");
    let inbox = url::Url::parse("http://kinora.test:9001/accounts/ronan/inbox").unwrap();
    let mut headers = HeaderMap::new();
    sign_request(
        &signer,
        &Method::POST,
        &inbox,
        &mut headers,
        Some(body.as_bytes()),
        now,
    )
    .unwrap();
    assert_eq!(headers["host"], OUR_HOST);
    assert_eq!(headers["date"], httpdate::fmt_http_date(now).as_str());
    assert_eq!(headers["digest"], digest_header(body.as_bytes()).as_str());
    let parsed = parse_signature_header(&headers).unwrap();
    assert_eq!(parsed.key_id, KEY_ID);
    assert_eq!(parsed.algorithm.as_deref(), Some("rsa-sha256"));
    assert_eq!(
        parsed.headers,
        ["(request-target)", "host", "date", "digest"]
    );
    let policy = VerifyPolicy::new(OUR_HOST);
    let public = peertube_public_key();
    verify_request(
        &Method::POST,
        inbox.path(),
        &headers,
        body.as_bytes(),
        &public,
        &policy,
        now,
    )
    .unwrap();

    let object = url::Url::parse("https://kinora.test:9001/videos/watch/abc?page=2").unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "accept",
        HeaderValue::from_static("application/activity+json"),
    );
    sign_request(&signer, &Method::GET, &object, &mut headers, None, now).unwrap();
    assert!(headers.get("digest").is_none());
    let parsed = parse_signature_header(&headers).unwrap();
    assert_eq!(
        parsed.headers,
        ["(request-target)", "host", "date", "accept"]
    );
    verify_request(
        &Method::GET,
        "/videos/watch/abc?page=2",
        &headers,
        b"",
        &public,
        &policy,
        now,
    )
    .unwrap();
    let without_query = verify_request(
        &Method::GET,
        "/videos/watch/abc",
        &headers,
        b"",
        &public,
        &policy,
        now,
    );
    assert!(matches!(without_query, Err(SignatureError::BadSignature)));
}

#[test]
fn peertube_invalid_keys_do_not_verify() {
    // invalid-keys.json pairs the same private key with a public key one character off.
    let invalid_public = pem("peertube/invalid-keys.json", "publicKey");
    assert_ne!(invalid_public, peertube_public_key());
    let (now, _) = now_and_date();
    let body = br#"{"type":"Follow"}"#;
    let inbox = url::Url::parse("http://kinora.test:9001/inbox").unwrap();
    let policy = VerifyPolicy::new(OUR_HOST);
    for private in [
        peertube_private_key(),
        pem("peertube/invalid-keys.json", "privateKey"),
    ] {
        let signer = RequestSigner::from_pem(KEY_ID.into(), &private).unwrap();
        let mut headers = HeaderMap::new();
        sign_request(
            &signer,
            &Method::POST,
            &inbox,
            &mut headers,
            Some(body),
            now,
        )
        .unwrap();
        let result = verify_request(
            &Method::POST,
            "/inbox",
            &headers,
            body,
            &invalid_public,
            &policy,
            now,
        );
        assert!(
            matches!(result, Err(SignatureError::BadSignature)),
            "{result:?}"
        );
        // …while the same request verifies with the real public key.
        verify_request(
            &Method::POST,
            "/inbox",
            &headers,
            body,
            &peertube_public_key(),
            &policy,
            now,
        )
        .unwrap();
    }
}

#[test]
fn signatures_made_by_sign_request_verify_with_openssl() {
    // An independent verifier: the openssl command line, over the signing string rebuilt here.
    let signer = RequestSigner::from_pem(KEY_ID.into(), &peertube_private_key()).unwrap();
    let (now, _) = now_and_date();
    let body = br#"{"type":"Create"}"#;
    let inbox = url::Url::parse("https://kinora.test/inbox?x=1").unwrap();
    let mut headers = HeaderMap::new();
    sign_request(
        &signer,
        &Method::POST,
        &inbox,
        &mut headers,
        Some(body),
        now,
    )
    .unwrap();
    assert_eq!(headers["host"], "kinora.test");
    let text = format!(
        "(request-target): post /inbox?x=1\nhost: kinora.test\ndate: {}\ndigest: {}",
        httpdate::fmt_http_date(now),
        digest_header(body)
    );
    let directory = tempfile::tempdir().unwrap();
    let path = |name: &str| directory.path().join(name);
    std::fs::write(path("text"), &text).unwrap();
    std::fs::write(path("public.pem"), peertube_public_key()).unwrap();
    std::fs::write(
        path("signature"),
        parse_signature_header(&headers).unwrap().signature,
    )
    .unwrap();
    let output = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(path("public.pem"))
        .arg("-signature")
        .arg(path("signature"))
        .arg(path("text"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "Verified OK"
    );
}

#[test]
fn kinora_pkcs8_keys_sign_and_verify() {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let private_pem = private.to_pkcs8_pem(LineEnding::LF).unwrap();
    let public_pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let signer = RequestSigner::from_pem(
        "https://kinora.test/accounts/a#main-key".into(),
        &private_pem,
    )
    .unwrap();
    let (now, _) = now_and_date();
    let url = url::Url::parse("https://kinora.test/inbox").unwrap();
    let mut headers = HeaderMap::new();
    sign_request(&signer, &Method::POST, &url, &mut headers, Some(b"{}"), now).unwrap();
    verify_request(
        &Method::POST,
        "/inbox",
        &headers,
        b"{}",
        &public_pem,
        &VerifyPolicy::new("kinora.test"),
        now,
    )
    .unwrap();
}

#[test]
fn small_keys_and_bad_key_ids_are_refused() {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let small = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
    let small_pem = small.to_pkcs8_pem(LineEnding::LF).unwrap();
    assert!(matches!(
        RequestSigner::from_pem(KEY_ID.into(), &small_pem),
        Err(SignatureError::Key(_))
    ));
    let small_public = small
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    assert!(matches!(
        kinora_federation::signatures::parse_public_key_pem(&small_public),
        Err(SignatureError::Key(_))
    ));
    assert!(matches!(
        kinora_federation::signatures::parse_public_key_pem(
            "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"
        ),
        Err(SignatureError::Key(_))
    ));
    for key_id in ["", "a\"b", "with space", "back\\slash"] {
        assert!(
            matches!(
                RequestSigner::from_pem(key_id.into(), &peertube_private_key()),
                Err(SignatureError::Key(_))
            ),
            "{key_id:?}"
        );
    }
}
