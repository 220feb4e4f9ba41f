//! PeerTube's ActivityPub fixtures (`shared/fixtures/peertube/ap-json`) and an independent
//! draft-cavage signer, written here from the draft rather than with the crate's code, so the
//! tests do not only check the crate against itself.

use std::path::PathBuf;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue};
use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::Value;
use sha2::Sha256;

/// The fixture folder.
pub fn ap_json_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/peertube/ap-json")
}

/// A fixture's text.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(ap_json_dir().join(name)).unwrap()
}

/// A fixture parsed.
pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

/// `{publicKey}` / `{privateKey}` of a key fixture.
pub fn pem(name: &str, field: &str) -> String {
    fixture(name)[field].as_str().unwrap().to_owned()
}

/// A captured Mastodon inbox POST (`mastodon/http-signature.json` and its variants): the
/// headers, and the body as the exact bytes Mastodon sent. The fixture stores the body as
/// pretty-printed JSON; Mastodon (Rails) wrote it compact, keys in this order, with `<`, `>`
/// and `&` escaped as `\u003c`, `\u003e`, `\u0026`: rebuilding that gives the bytes whose
/// SHA-256 the captured `Digest` header carries.
pub fn mastodon_capture(name: &str) -> (HeaderMap, Vec<u8>) {
    let parsed = fixture(name);
    let mut headers = HeaderMap::new();
    for (header, value) in parsed["headers"].as_object().unwrap() {
        headers.append(
            HeaderName::from_bytes(header.as_bytes()).unwrap(),
            HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    let compact = minify(&fixture_text(name));
    let body_start = compact.find(",\"body\":").unwrap() + ",\"body\":".len();
    let body = &compact[body_start..compact.len() - 1];
    let rails = body
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    (headers, rails.into_bytes())
}

/// JSON text without the whitespace outside strings, everything else kept as written.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for character in text.chars() {
        if in_string {
            out.push(character);
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_string = false;
            }
        } else if character == '"' {
            in_string = true;
            out.push(character);
        } else if !character.is_whitespace() {
            out.push(character);
        }
    }
    out
}

/// The `Date` of the Mastodon capture.
pub fn mastodon_date() -> SystemTime {
    httpdate::parse_http_date("Mon, 22 Oct 2018 13:34:22 GMT").unwrap()
}

/// PeerTube's `keys.json` private key.
pub fn peertube_private_key() -> String {
    pem("peertube/keys.json", "privateKey")
}

/// PeerTube's `keys.json` public key.
pub fn peertube_public_key() -> String {
    pem("peertube/keys.json", "publicKey")
}

/// Signs `signed` (names as in the draft, in order) of a request by hand and adds the
/// `Signature` header: the test's own implementation of the signing string.
pub fn sign_by_hand(
    private_pkcs1_pem: &str,
    key_id: &str,
    request_target: &str,
    headers: &mut HeaderMap,
    signed: &[&str],
    algorithm: Option<&str>,
    created: Option<u64>,
) {
    let text = signed
        .iter()
        .map(|name| match *name {
            "(request-target)" => format!("(request-target): {request_target}"),
            "(created)" => format!("(created): {}", created.unwrap()),
            other => format!("{other}: {}", headers[other].to_str().unwrap()),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let key = RsaPrivateKey::from_pkcs1_pem(private_pkcs1_pem).unwrap();
    let signature = SigningKey::<Sha256>::new(key).sign(text.as_bytes());
    let mut value = format!("keyId=\"{key_id}\"");
    if let Some(algorithm) = algorithm {
        value.push_str(&format!(",algorithm=\"{algorithm}\""));
    }
    if let Some(created) = created {
        value.push_str(&format!(",created={created}"));
    }
    value.push_str(&format!(
        ",headers=\"{}\",signature=\"{}\"",
        signed.join(" "),
        STANDARD.encode(signature.to_bytes())
    ));
    headers.insert("signature", HeaderValue::from_str(&value).unwrap());
}

/// The host[:port] the test instance answers as.
pub const OUR_HOST: &str = "kinora.test:9001";
/// The key id of the remote actor signing test requests (PeerTube's keys).
pub const KEY_ID: &str = "http://peer.test:9002/accounts/peertube#main-key";

/// A fixed "now" and its HTTP date.
pub fn now_and_date() -> (SystemTime, String) {
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_790_000_000);
    (now, httpdate::fmt_http_date(now))
}
