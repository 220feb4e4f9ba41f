//! The must-pass signature rules of security.md §1.1: SIG-01 (the digest is recomputed over
//! the received body), SIG-02 (digest and request target signed), SIG-03 (host signed and
//! ours), SIG-05 (the date window), plus algorithms and RFC 9530 Content-Digest. Requests are
//! signed by hand (`common::fixtures::sign_by_hand`) so that each one breaks one rule only.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::fixtures::*;
use http::{HeaderMap, HeaderValue, Method};
use kinora_federation::signatures::{
    SignatureError, VerifyPolicy, check_request, content_digest_header, digest_header,
    key_owner_url, verify_request,
};

/// What fediverse-pasture/bovine and Mastodon sign on a POST.
const ALL_SIGNED: &[&str] = &["(request-target)", "host", "date", "digest", "content-type"];
const FOLLOW: &[u8] = br#"{"type":"Follow"}"#;

/// A POST as a remote instance sends it to our inbox; each test changes one field.
struct InboundPost {
    body: &'static [u8],
    date: String,
    host: &'static str,
    signed: Vec<&'static str>,
    algorithm: Option<&'static str>,
    created: Option<u64>,
}

impl InboundPost {
    /// Host ours, Date now, Digest of the body, signed by PeerTube's key over [`ALL_SIGNED`].
    fn new() -> Self {
        Self {
            body: FOLLOW,
            date: now_and_date().1,
            host: OUR_HOST,
            signed: ALL_SIGNED.to_vec(),
            algorithm: Some("rsa-sha256"),
            created: None,
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = self.unsigned_headers();
        self.sign(&mut headers);
        headers
    }

    fn unsigned_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static(self.host));
        headers.insert("date", HeaderValue::from_str(&self.date).unwrap());
        let digest = digest_header(self.body);
        headers.insert("digest", HeaderValue::from_str(&digest).unwrap());
        let content_type = HeaderValue::from_static("application/activity+json");
        headers.insert("content-type", content_type);
        headers
    }

    fn sign(&self, headers: &mut HeaderMap) {
        let key = peertube_private_key();
        let (algorithm, created) = (self.algorithm, self.created);
        sign_by_hand(
            &key,
            KEY_ID,
            "post /inbox",
            headers,
            &self.signed,
            algorithm,
            created,
        );
    }

    /// Verifies the request as received with `body`.
    fn verify_with_body(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
        let (now, _) = now_and_date();
        let public = peertube_public_key();
        let policy = VerifyPolicy::new(OUR_HOST);
        verify_request(
            &Method::POST,
            "/inbox",
            headers,
            body,
            &public,
            &policy,
            now,
        )
    }

    fn verify(&self) -> Result<(), SignatureError> {
        self.verify_with_body(&self.headers(), self.body)
    }
}

fn seconds_from_now(offset: i64) -> u64 {
    let now = now_and_date()
        .0
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    now.checked_add_signed(offset).unwrap()
}

fn date_from_now(offset: i64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(seconds_from_now(offset)))
}

#[test]
fn a_post_signed_as_bovine_signs_it_verifies() {
    InboundPost::new().verify().unwrap();
}

#[test]
fn sig_01_changed_body_with_the_original_digest_fails() {
    let post = InboundPost::new();
    let result = post.verify_with_body(&post.headers(), br#"{"type":"Undo"}"#);
    assert!(
        matches!(result, Err(SignatureError::DigestMismatch)),
        "{result:?}"
    );
}

#[test]
fn sig_01_changed_body_with_a_recomputed_digest_fails() {
    let post = InboundPost::new();
    let mut headers = post.headers();
    let changed = br#"{"type":"Undo"}"#;
    let digest = HeaderValue::from_str(&digest_header(changed)).unwrap();
    headers.insert("digest", digest);
    let result = post.verify_with_body(&headers, changed);
    assert!(
        matches!(result, Err(SignatureError::BadSignature)),
        "{result:?}"
    );
}

#[test]
fn sig_02_post_whose_signature_does_not_cover_digest_fails() {
    let signed = vec!["(request-target)", "host", "date"];
    let result = InboundPost {
        signed,
        ..InboundPost::new()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::HeaderNotSigned("digest"))),
        "{result:?}"
    );
}

#[test]
fn sig_02_request_target_must_be_signed() {
    let signed = vec!["host", "date", "digest"];
    let result = InboundPost {
        signed,
        ..InboundPost::new()
    }
    .verify();
    let expected = matches!(
        result,
        Err(SignatureError::HeaderNotSigned("(request-target)"))
    );
    assert!(expected, "{result:?}");
}

#[test]
fn sig_03_host_not_signed_fails() {
    let signed = vec!["(request-target)", "date", "digest"];
    let result = InboundPost {
        signed,
        ..InboundPost::new()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::HeaderNotSigned("host"))),
        "{result:?}"
    );
}

#[test]
fn sig_03_request_signed_for_another_host_fails() {
    // Validly signed for another instance (or another port of our host), replayed to us.
    for host in ["other.test:9001", "kinora.test:9002", "kinora.test"] {
        let result = InboundPost {
            host,
            ..InboundPost::new()
        }
        .verify();
        assert!(
            matches!(result, Err(SignatureError::WrongHost)),
            "{host}: {result:?}"
        );
    }
}

#[test]
fn sig_05_date_from_2015_fails() {
    let date = "Tue, 13 Jan 2015 10:00:00 GMT".to_owned();
    let result = InboundPost {
        date,
        ..InboundPost::new()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::DateOutOfWindow)),
        "{result:?}"
    );
}

#[test]
fn sig_05_date_two_hours_ahead_fails() {
    let date = date_from_now(2 * 3600);
    let result = InboundPost {
        date,
        ..InboundPost::new()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::DateOutOfWindow)),
        "{result:?}"
    );
}

#[test]
fn sig_05_window_edges() {
    let policy = VerifyPolicy::new(OUR_HOST);
    let (past, future) = (
        policy.max_age.as_secs() as i64,
        policy.max_future.as_secs() as i64,
    );
    for (offset, inside) in [
        (-past, true),
        (-past - 1, false),
        (future, true),
        (future + 1, false),
    ] {
        let date = date_from_now(offset);
        let result = InboundPost {
            date,
            ..InboundPost::new()
        }
        .verify();
        assert_eq!(result.is_ok(), inside, "offset {offset}: {result:?}");
    }
}

#[test]
fn sig_05_unparsable_date_fails() {
    let date = "wrong date".to_owned();
    let result = InboundPost {
        date,
        ..InboundPost::new()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::DateUnparsable)),
        "{result:?}"
    );
}

#[test]
fn sig_05_neither_date_nor_created_signed_fails() {
    let signed = vec!["(request-target)", "host", "digest"];
    let result = InboundPost {
        signed,
        ..InboundPost::new()
    }
    .verify();
    assert!(
        matches!(result, Err(SignatureError::HeaderNotSigned("date"))),
        "{result:?}"
    );
}

#[test]
fn sig_05_created_is_checked_like_date() {
    let signed = vec!["(request-target)", "host", "(created)", "digest"];
    for (offset, inside) in [(-10, true), (-2 * 3600, false), (2 * 3600, false)] {
        let post = InboundPost {
            signed: signed.clone(),
            algorithm: Some("hs2019"),
            created: Some(seconds_from_now(offset)),
            ..InboundPost::new()
        };
        let result = post.verify();
        assert_eq!(result.is_ok(), inside, "created {offset}: {result:?}");
    }
}

#[test]
fn sig_05_an_expired_signature_fails() {
    for (offset, accepted) in [(60, true), (-1, false)] {
        let post = InboundPost::new();
        let mut headers = post.headers();
        let signature = headers["signature"].to_str().unwrap();
        let value = format!("{signature},expires={}", seconds_from_now(offset));
        headers.insert("signature", HeaderValue::from_str(&value).unwrap());
        let result = post.verify_with_body(&headers, post.body);
        match accepted {
            true => result.unwrap(),
            false => assert!(
                matches!(result, Err(SignatureError::DateOutOfWindow)),
                "{result:?}"
            ),
        }
    }
}

#[test]
fn hs2019_and_absent_algorithm_are_accepted_others_are_not() {
    for algorithm in [None, Some("hs2019"), Some("RSA-SHA256")] {
        InboundPost {
            algorithm,
            ..InboundPost::new()
        }
        .verify()
        .unwrap();
    }
    for algorithm in ["rsa-sha512", "hmac-sha256", "ed25519"] {
        let result = InboundPost {
            algorithm: Some(algorithm),
            ..InboundPost::new()
        }
        .verify();
        assert!(
            matches!(result, Err(SignatureError::UnsupportedAlgorithm)),
            "{algorithm}: {result:?}"
        );
    }
}

#[test]
fn rfc9530_content_digest_is_accepted_when_signed() {
    let post = InboundPost {
        signed: vec!["(request-target)", "host", "date", "content-digest"],
        ..InboundPost::new()
    };
    let mut headers = post.unsigned_headers();
    headers.remove("digest");
    let digest = HeaderValue::from_str(&content_digest_header(post.body)).unwrap();
    headers.insert("content-digest", digest);
    post.sign(&mut headers);
    post.verify_with_body(&headers, post.body).unwrap();
    let result = post.verify_with_body(&headers, br#"{"type":"Dislike"}"#);
    assert!(
        matches!(result, Err(SignatureError::DigestMismatch)),
        "{result:?}"
    );
}

#[test]
fn check_request_runs_without_the_key() {
    let post = InboundPost::new();
    let (now, _) = now_and_date();
    let policy = VerifyPolicy::new(OUR_HOST);
    let checked = check_request(&Method::POST, &post.headers(), post.body, &policy, now).unwrap();
    assert_eq!(checked.key_id, KEY_ID);
    let owner = key_owner_url(&checked.key_id).unwrap();
    assert_eq!(owner.as_str(), "http://peer.test:9002/accounts/peertube");
    // A failing request fails there too, before any key is looked for.
    let late: SystemTime = now + Duration::from_secs(7200);
    let result = check_request(&Method::POST, &post.headers(), post.body, &policy, late);
    assert!(
        matches!(result, Err(SignatureError::DateOutOfWindow)),
        "{result:?}"
    );
}
