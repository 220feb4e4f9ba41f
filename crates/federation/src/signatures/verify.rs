//! Verifying a signed inbound request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{DATE, HOST};
use http::{HeaderMap, Method};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;

use super::digest::{check_content_digest, check_digest};
use super::header::{SignatureHeader, parse_signature_header};
use super::sign::{SignedTimes, signing_string};
use super::{SignatureError, parse_public_key_pem};

/// What an inbound signature must satisfy besides the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// `host[:port]` of `server.public_url`: the signed Host must be this one (SIG-03).
    pub our_host: String,
    /// Oldest accepted `Date`/`(created)`, before now.
    pub max_age: Duration,
    /// Furthest accepted `Date`/`(created)` after now (clock skew).
    pub max_future: Duration,
}

impl VerifyPolicy {
    /// The recommended window for `our_host`: one hour in the past, five minutes ahead.
    pub fn new(our_host: impl Into<String>) -> Self {
        Self {
            our_host: our_host.into(),
            max_age: Duration::from_secs(60 * 60),
            max_future: Duration::from_secs(5 * 60),
        }
    }
}

/// Verifies a signed request completely: [`check_request`], then [`verify_signature`] with
/// `public_key_pem` (SPKI or PKCS#1). `path_and_query` is the request's target as received
/// (`/accounts/name/inbox`, with `?query` when there is one); `body` the bytes received.
pub fn verify_request(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    public_key_pem: &str,
    policy: &VerifyPolicy,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let signature = check_request(method, headers, body, policy, now)?;
    let key = parse_public_key_pem(public_key_pem)?;
    verify_signature(&signature, method, path_and_query, headers, &key)
}

/// Checks everything but the key, so that no key is fetched for a request that fails anyway:
/// the algorithm, the headers that must be signed (`(request-target)`, `host`, `date` or
/// `(created)`, and `digest` or `content-digest` when there is a body or the method is POST,
/// PUT or PATCH: SIG-02), the Host (SIG-03), the time window (SIG-05) and the digests,
/// recomputed over `body` (SIG-01). Returns the parsed header, whose `key_id` names the key.
pub fn check_request(
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    policy: &VerifyPolicy,
    now: SystemTime,
) -> Result<SignatureHeader, SignatureError> {
    let signature = parse_signature_header(headers)?;
    check_algorithm(signature.algorithm.as_deref())?;
    if !signature.covers("(request-target)") {
        return Err(SignatureError::HeaderNotSigned("(request-target)"));
    }
    if !signature.covers("host") {
        return Err(SignatureError::HeaderNotSigned("host"));
    }
    if !signature.covers("date") && !signature.covers("(created)") {
        return Err(SignatureError::HeaderNotSigned("date"));
    }
    let has_body = !body.is_empty() || [Method::POST, Method::PUT, Method::PATCH].contains(method);
    if has_body && !signature.covers("digest") && !signature.covers("content-digest") {
        return Err(SignatureError::HeaderNotSigned("digest"));
    }
    check_host(headers, &policy.our_host)?;
    check_times(headers, &signature, policy, now)?;
    if signature.covers("digest") {
        check_digest(&single_header(headers, "digest")?, body)?;
    }
    if signature.covers("content-digest") {
        check_content_digest(&single_header(headers, "content-digest")?, body)?;
    }
    Ok(signature)
}

/// Verifies the RSA signature (PKCS#1 v1.5 with SHA-256) of an already checked request.
pub fn verify_signature(
    signature: &SignatureHeader,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    key: &RsaPublicKey,
) -> Result<(), SignatureError> {
    let times = SignedTimes {
        created: signature.created,
        expires: signature.expires,
    };
    let text = signing_string(method, path_and_query, &signature.headers, headers, &times)?;
    let bytes = Signature::try_from(signature.signature.as_slice())
        .map_err(|_| SignatureError::BadSignature)?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(text.as_bytes(), &bytes)
        .map_err(|_| SignatureError::BadSignature)
}

/// `rsa-sha256`, `hs2019` (the fediverse uses it for RSA with SHA-256) or none.
fn check_algorithm(algorithm: Option<&str>) -> Result<(), SignatureError> {
    match algorithm {
        None => Ok(()),
        Some(name) if name.eq_ignore_ascii_case("rsa-sha256") => Ok(()),
        Some(name) if name.eq_ignore_ascii_case("hs2019") => Ok(()),
        Some(_) => Err(SignatureError::UnsupportedAlgorithm),
    }
}

/// The one Host header must name us; `:80` and `:443` are the same as no port.
fn check_host(headers: &HeaderMap, our_host: &str) -> Result<(), SignatureError> {
    let host = single_header(headers, HOST.as_str())?;
    if without_default_port(&host).eq_ignore_ascii_case(without_default_port(our_host)) {
        Ok(())
    } else {
        Err(SignatureError::WrongHost)
    }
}

fn without_default_port(host: &str) -> &str {
    host.strip_suffix(":443")
        .or_else(|| host.strip_suffix(":80"))
        .unwrap_or(host)
}

/// The signed `Date` and the `created`/`expires` parameters against the window.
fn check_times(
    headers: &HeaderMap,
    signature: &SignatureHeader,
    policy: &VerifyPolicy,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let in_window = |moment: SystemTime| match moment.duration_since(now) {
        Ok(ahead) => ahead <= policy.max_future,
        Err(behind) => behind.duration() <= policy.max_age,
    };
    let unix_time = |seconds: u64| UNIX_EPOCH.checked_add(Duration::from_secs(seconds));
    if signature.covers("date") {
        let date = single_header(headers, DATE.as_str())?;
        let date = httpdate::parse_http_date(&date).map_err(|_| SignatureError::DateUnparsable)?;
        if !in_window(date) {
            return Err(SignatureError::DateOutOfWindow);
        }
    }
    if let Some(created) = signature.created
        && !unix_time(created).is_some_and(in_window)
    {
        return Err(SignatureError::DateOutOfWindow);
    }
    if let Some(expires) = signature.expires
        && unix_time(expires).is_some_and(|expires| expires < now)
    {
        return Err(SignatureError::DateOutOfWindow);
    }
    Ok(())
}

/// The value of a header that must appear exactly once.
fn single_header(headers: &HeaderMap, name: &str) -> Result<String, SignatureError> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value
            .to_str()
            .map(|text| text.trim().to_owned())
            .map_err(|_| SignatureError::Malformed(format!("the {name} header is not ASCII"))),
        (Some(_), Some(_)) => Err(SignatureError::Malformed(format!(
            "more than one {name} header"
        ))),
        (None, _) => Err(SignatureError::HeaderMissing(name.to_owned())),
    }
}
