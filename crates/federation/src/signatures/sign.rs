//! Signing an outbound request, and the signing string both directions build.

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{ACCEPT, DATE, HOST};
use http::{HeaderMap, HeaderValue, Method};
use rsa::signature::{RandomizedSigner, SignatureEncoding};

use super::digest::digest_header;
use super::{RequestSigner, SignatureError};

/// Adds `Host`, `Date`, `Digest` (when there is a body: `SHA-256=<base64>`) and `Signature` to
/// `headers`. The signature is rsa-sha256 over `(request-target) host date digest` with a
/// body, and over `(request-target) host date` (then `accept` when `headers` has one) without.
/// `now` is the time written in `Date`.
pub fn sign_request(
    signer: &RequestSigner,
    method: &Method,
    url: &url::Url,
    headers: &mut HeaderMap,
    body: Option<&[u8]>,
    now: SystemTime,
) -> Result<(), SignatureError> {
    headers.insert(HOST, header_value(&host_header(url)?)?);
    headers.insert(DATE, header_value(&httpdate::fmt_http_date(now))?);
    let mut signed = vec!["(request-target)", "host", "date"];
    match body {
        Some(body) => {
            headers.insert("digest", header_value(&digest_header(body))?);
            signed.push("digest");
        }
        None if headers.contains_key(ACCEPT) => signed.push("accept"),
        None => {}
    }
    let signed: Vec<String> = signed.into_iter().map(str::to_owned).collect();
    let text = signing_string(
        method,
        &path_and_query(url),
        &signed,
        headers,
        &SignedTimes::default(),
    )?;
    let mut rng = rand_core::OsRng;
    let signature = signer
        .signing_key
        .try_sign_with_rng(&mut rng, text.as_bytes())
        .map_err(|error| SignatureError::Key(error.to_string()))?;
    let value = format!(
        "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        signer.key_id,
        signed.join(" "),
        STANDARD.encode(signature.to_bytes())
    );
    headers.insert("signature", header_value(&value)?);
    Ok(())
}

/// `host[:port]` of a URL, the port only when it is not the scheme's default.
pub(crate) fn host_header(url: &url::Url) -> Result<String, SignatureError> {
    let host = url
        .host_str()
        .ok_or_else(|| SignatureError::Malformed("the URL has no host".into()))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// The path and query of a URL, as `(request-target)` signs them.
pub(crate) fn path_and_query(url: &url::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// The `created` and `expires` parameters a signature carries, for `(created)`/`(expires)`.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct SignedTimes {
    pub(super) created: Option<u64>,
    pub(super) expires: Option<u64>,
}

/// The string a signature covers: one `name: value` line per signed header, in order.
pub(super) fn signing_string(
    method: &Method,
    path_and_query: &str,
    signed_headers: &[String],
    headers: &HeaderMap,
    times: &SignedTimes,
) -> Result<String, SignatureError> {
    let mut lines = Vec::with_capacity(signed_headers.len());
    for name in signed_headers {
        let value = match name.as_str() {
            "(request-target)" => {
                format!("{} {path_and_query}", method.as_str().to_ascii_lowercase())
            }
            "(created)" => pseudo_header(times.created, name)?,
            "(expires)" => pseudo_header(times.expires, name)?,
            _ => header_values(headers, name)?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

fn pseudo_header(value: Option<u64>, name: &str) -> Result<String, SignatureError> {
    value
        .map(|value| value.to_string())
        .ok_or_else(|| SignatureError::Malformed(format!("{name} is signed but not given")))
}

/// All values of one header, trimmed and joined with `, ` as the draft says.
fn header_values(headers: &HeaderMap, name: &str) -> Result<String, SignatureError> {
    let mut values = Vec::new();
    for value in headers.get_all(name) {
        let text = value
            .to_str()
            .map_err(|_| SignatureError::Malformed(format!("the {name} header is not ASCII")))?;
        values.push(text.trim());
    }
    if values.is_empty() {
        return Err(SignatureError::HeaderMissing(name.to_owned()));
    }
    Ok(values.join(", "))
}

fn header_value(text: &str) -> Result<HeaderValue, SignatureError> {
    HeaderValue::from_str(text)
        .map_err(|_| SignatureError::Malformed(format!("{text:?} cannot be a header value")))
}
