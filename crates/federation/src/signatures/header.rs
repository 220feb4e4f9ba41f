//! Reading the `Signature` header: `keyId="…",algorithm="…",headers="…",signature="…"`, with
//! optional `created` and `expires`; and the actor a key id names.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use http::header::AUTHORIZATION;

use super::SignatureError;

/// Longest `Signature` header read, in bytes.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Longest signature, in bytes after base64 (an RSA-8192 signature is 1,024 bytes).
const MAX_SIGNATURE_BYTES: usize = 1024;
/// Longest key id.
const MAX_KEY_ID_BYTES: usize = 2048;

/// A parsed draft-cavage `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The `keyId` parameter, e.g. `https://host/accounts/name#main-key`.
    pub key_id: String,
    /// The `algorithm` parameter, when given.
    pub algorithm: Option<String>,
    /// The signed header names in order, lower-cased (`(request-target)`, `host`, …).
    pub headers: Vec<String>,
    /// The signature bytes (decoded from base64).
    pub signature: Vec<u8>,
    /// The `created` parameter (seconds since the Unix epoch), when given.
    pub created: Option<u64>,
    /// The `expires` parameter (seconds since the Unix epoch), when given.
    pub expires: Option<u64>,
}

impl SignatureHeader {
    /// Whether `name` (lower-case) is among the signed headers.
    pub fn covers(&self, name: &str) -> bool {
        self.headers.iter().any(|signed| signed == name)
    }
}

/// Reads the `Signature` header (or, without one, an `Authorization: Signature …` header). A
/// leading `Signature ` is tolerated in both, as PeerTube does. Without `headers`, the signed
/// headers are `date` alone (the draft's default), which [`super::verify_request`] refuses.
pub fn parse_signature_header(headers: &HeaderMap) -> Result<SignatureHeader, SignatureError> {
    let value = signature_value(headers)?;
    if value.len() > MAX_HEADER_BYTES {
        return Err(malformed("the Signature header is too long"));
    }
    let value = value.trim();
    let value = match value.get(..10) {
        Some(prefix) if prefix.eq_ignore_ascii_case("signature ") => &value[10..],
        _ => value,
    };
    let mut parameters = parse_parameters(value)?;
    let key_id = parameters
        .remove("keyid")
        .filter(|key_id| !key_id.is_empty())
        .ok_or_else(|| malformed("keyId is missing"))?;
    if key_id.len() > MAX_KEY_ID_BYTES {
        return Err(malformed("keyId is too long"));
    }
    let encoded = parameters
        .remove("signature")
        .ok_or_else(|| malformed("signature is missing"))?;
    let signature = STANDARD
        .decode(encoded.as_bytes())
        .map_err(|_| malformed("signature is not base64"))?;
    if signature.is_empty() || signature.len() > MAX_SIGNATURE_BYTES {
        return Err(malformed("signature has an impossible length"));
    }
    let signed_headers: Vec<String> = match parameters.remove("headers") {
        Some(list) => list
            .split_ascii_whitespace()
            .map(str::to_ascii_lowercase)
            .collect(),
        None => vec!["date".to_owned()],
    };
    if signed_headers.is_empty() {
        return Err(malformed("headers is empty"));
    }
    Ok(SignatureHeader {
        key_id,
        algorithm: parameters.remove("algorithm"),
        headers: signed_headers,
        signature,
        created: parse_timestamp(parameters.remove("created"), "created")?,
        expires: parse_timestamp(parameters.remove("expires"), "expires")?,
    })
}

/// The actor URL a key id names: `<actor>#main-key`, `<actor>#main` (or any other fragment)
/// name `<actor>`; a bare actor URL (PeerTube 6) names itself. Only http(s) URLs without
/// credentials are accepted; an `acct:` key id is refused.
pub fn key_owner_url(key_id: &str) -> Result<url::Url, SignatureError> {
    if key_id.len() > MAX_KEY_ID_BYTES {
        return Err(malformed("keyId is too long"));
    }
    let mut url = url::Url::parse(key_id).map_err(|_| malformed("keyId is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(malformed("keyId is not an http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(malformed("keyId carries credentials"));
    }
    url.set_fragment(None);
    Ok(url)
}

fn signature_value(headers: &HeaderMap) -> Result<&str, SignatureError> {
    let mut signatures = headers.get_all("signature").iter();
    let value = match (signatures.next(), signatures.next()) {
        (Some(_), Some(_)) => return Err(malformed("more than one Signature header")),
        (Some(value), None) => value,
        (None, _) => {
            let authorization = headers.get(AUTHORIZATION).ok_or(SignatureError::Missing)?;
            let bytes = authorization.as_bytes();
            if bytes.len() < 10 || !bytes[..10].eq_ignore_ascii_case(b"signature ") {
                return Err(SignatureError::Missing);
            }
            authorization
        }
    };
    value
        .to_str()
        .map_err(|_| malformed("the Signature header is not ASCII"))
}

/// `name=value` pairs separated by commas; values are quoted strings (with `\` escapes) or bare
/// tokens. Names are lower-cased; a repeated name is refused.
fn parse_parameters(mut rest: &str) -> Result<HashMap<String, String>, SignatureError> {
    let mut parameters = HashMap::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(parameters);
        }
        let (name, after_name) = rest
            .split_once('=')
            .ok_or_else(|| malformed("a parameter has no value"))?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || !name.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
            return Err(malformed("a parameter name is invalid"));
        }
        let after_name = after_name.trim_start();
        let (value, after_value) = match after_name.strip_prefix('"') {
            Some(quoted) => parse_quoted(quoted)?,
            None => {
                let end = after_name.find(',').unwrap_or(after_name.len());
                (after_name[..end].trim().to_owned(), &after_name[end..])
            }
        };
        if parameters.insert(name, value).is_some() {
            return Err(malformed("a parameter is repeated"));
        }
        rest = after_value.trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            rest = next;
        } else if !rest.is_empty() {
            return Err(malformed("parameters must be separated by commas"));
        }
    }
}

/// Reads a quoted string whose opening quote is already consumed; returns it and the rest.
fn parse_quoted(input: &str) -> Result<(String, &str), SignatureError> {
    let mut value = String::new();
    let mut characters = input.char_indices();
    while let Some((index, character)) = characters.next() {
        match character {
            '"' => return Ok((value, &input[index + 1..])),
            '\\' => match characters.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            _ => value.push(character),
        }
    }
    Err(malformed("a quoted value is not terminated"))
}

fn parse_timestamp(value: Option<String>, name: &str) -> Result<Option<u64>, SignatureError> {
    value
        .map(|value| {
            value
                .parse::<u64>()
                .map_err(|_| malformed(&format!("{name} is not a Unix time")))
        })
        .transpose()
}

fn malformed(detail: &str) -> SignatureError {
    SignatureError::Malformed(detail.to_owned())
}
