//! Linked Data signatures (`RsaSignature2017`), as Mastodon and PeerTube make and check them:
//! what lets a receiver trust an activity a relay forwards verbatim, signed over HTTP by the
//! relay, not by the activity's actor.
//!
//! The signature is RSASSA-PKCS1-v1_5 with SHA-256 over `hex(sha256(options)) ||
//! hex(sha256(document))`, where `document` is the activity without its `signature` and
//! `options` is `{creator, created}` under the identity v1 context, each canonicalized to
//! URDNA2015 N-Quads ([`canon`]). The `signature` object is
//! `{type: "RsaSignature2017", creator: "<actor>#main-key", created, signatureValue}`.
//!
//! Verifying never fetches a context ([`contexts`] bundles the few that are allowed) and checks
//! the document's shape first ([`guard`]): it gives back the part of the activity the
//! signature vouches for, or says why it does not — in which case the caller treats the
//! activity as unsigned. Start reading at [`sign`] and [`verify`].

mod canon;
pub mod contexts;
mod guard;

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::signatures::RequestSigner;

/// The only signature suite made and accepted.
pub const SIGNATURE_TYPE: &str = "RsaSignature2017";

/// Why a document could not be signed, or its signature is not believed.
#[derive(Debug, thiserror::Error)]
pub enum LdSignatureError {
    /// The document has no `signature` object.
    #[error("the document has no Linked Data signature")]
    Missing,
    /// The signature is not `RsaSignature2017`.
    #[error("unsupported Linked Data signature type {0:?}")]
    Unsupported(String),
    /// The signature or the document lacks a field or has a wrong one.
    #[error("malformed Linked Data signature: {0}")]
    Malformed(String),
    /// The document names a context that is not bundled (nothing is fetched).
    #[error("unknown JSON-LD context: {0}")]
    UnknownContext(String),
    /// The document's JSON could say something its signed statements do not.
    #[error("the signed document cannot be trusted as JSON: {0}")]
    Unsafe(String),
    /// JSON-LD processing failed.
    #[error("canonicalization failed: {0}")]
    Canonicalization(String),
    /// The signature does not verify with the key.
    #[error("the Linked Data signature does not verify")]
    BadSignature,
    /// Signing failed.
    #[error("signing failed: {0}")]
    Key(String),
}

/// Signs `document` (a JSON object with its `@context`) as `signer`, replacing any signature
/// it had; `created` is written as an RFC 3339 time in whole seconds, as Mastodon writes it.
pub fn sign(
    document: &mut Value,
    signer: &RequestSigner,
    created: SystemTime,
) -> Result<(), LdSignatureError> {
    let Value::Object(map) = document else {
        return Err(LdSignatureError::Malformed(
            "only a JSON object can be signed".into(),
        ));
    };
    map.remove("signature");
    let created = rfc3339_seconds(created)?;
    let options = json!({ "creator": signer.key_id, "created": created });
    let to_sign = signing_input(map, &options)?;
    let value = signer
        .sign_bytes(to_sign.as_bytes())
        .map_err(|error| LdSignatureError::Key(error.to_string()))?;
    map.insert(
        "signature".into(),
        json!({
            "type": SIGNATURE_TYPE,
            "creator": signer.key_id,
            "created": created,
            "signatureValue": STANDARD.encode(value),
        }),
    );
    Ok(())
}

/// The actor whose key made `document`'s signature: its `creator` without the fragment
/// (`<actor>#main-key` as Mastodon writes it, or the bare actor URL as PeerTube does).
pub fn creator_actor(document: &Value) -> Result<url::Url, LdSignatureError> {
    let creator = signature_of(document)?
        .get("creator")
        .and_then(Value::as_str)
        .ok_or_else(|| LdSignatureError::Malformed("no creator".into()))?;
    crate::signatures::key_owner_url(creator)
        .map_err(|error| LdSignatureError::Malformed(error.to_string()))
}

/// Checks everything of `document`'s signature that needs no key: its fields, its contexts,
/// its shape. [`verify`] does the same first; this lets a caller skip fetching a key for a
/// document that could not be trusted anyway.
pub fn check_shape(document: &Value) -> Result<(), LdSignatureError> {
    let parts = read_signature(document)?;
    guard::trusted_view(parts.document).map(|_| ())
}

/// Checks `document`'s signature with `key` and gives back its trusted view: the activity
/// with only what the signature covers and the inbox understands (see [`guard`]).
pub fn verify(document: &Value, key: &RsaPublicKey) -> Result<Value, LdSignatureError> {
    let parts = read_signature(document)?;
    // The shape first: a document that cannot be trusted costs no canonicalization.
    let trusted = guard::trusted_view(parts.document)?;
    let to_verify = signing_input(parts.document, &Value::Object(parts.options))?;
    let signature =
        Signature::try_from(parts.value.as_slice()).map_err(|_| LdSignatureError::BadSignature)?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(to_verify.as_bytes(), &signature)
        .map_err(|_| LdSignatureError::BadSignature)?;
    Ok(trusted)
}

/// A signed document read: what [`verify`] works on.
struct SignatureParts<'a> {
    /// The document (with its signature).
    document: &'a Map<String, Value>,
    /// The signature options to hash (without `type`, `id`, `signatureValue`).
    options: Map<String, Value>,
    /// The decoded `signatureValue`.
    value: Vec<u8>,
}

/// Reads the document's object, the signature options and the signature value.
fn read_signature(document: &Value) -> Result<SignatureParts<'_>, LdSignatureError> {
    let signature = signature_of(document)?;
    let Value::Object(map) = document else {
        return Err(LdSignatureError::Malformed("not a JSON object".into()));
    };
    let kind = signature.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != SIGNATURE_TYPE {
        return Err(LdSignatureError::Unsupported(kind.to_owned()));
    }
    let value = signature
        .get("signatureValue")
        .and_then(Value::as_str)
        .ok_or_else(|| LdSignatureError::Malformed("no signatureValue".into()))?;
    let value = STANDARD
        .decode(value.trim())
        .map_err(|_| LdSignatureError::Malformed("signatureValue is not base64".into()))?;
    let mut options = Map::new();
    for (field, content) in signature {
        match field.as_str() {
            "type" | "id" | "signatureValue" => {}
            "creator" | "created" | "nonce" | "domain" if content.is_string() => {
                options.insert(field.clone(), content.clone());
            }
            other => {
                return Err(LdSignatureError::Malformed(format!(
                    "unexpected signature field {other:?}"
                )));
            }
        }
    }
    if !options.contains_key("creator") || !options.contains_key("created") {
        return Err(LdSignatureError::Malformed(
            "the signature needs creator and created".into(),
        ));
    }
    Ok(SignatureParts {
        document: map,
        options,
        value,
    })
}

/// `hash(options) || hash(document without signature)`, the bytes that are signed.
fn signing_input(
    document: &Map<String, Value>,
    options: &Value,
) -> Result<String, LdSignatureError> {
    let mut options = options.clone();
    options["@context"] = json!(contexts::IDENTITY_V1);
    let mut document = document.clone();
    document.remove("signature");
    let options_hash = canon::hash(&options)?;
    let document_hash = canon::hash(&Value::Object(document))?;
    Ok(options_hash + &document_hash)
}

fn signature_of(document: &Value) -> Result<&Map<String, Value>, LdSignatureError> {
    match document.get("signature") {
        Some(Value::Object(signature)) => Ok(signature),
        Some(_) => Err(LdSignatureError::Malformed(
            "signature is not an object".into(),
        )),
        None => Err(LdSignatureError::Missing),
    }
}

fn rfc3339_seconds(at: SystemTime) -> Result<String, LdSignatureError> {
    let at = time::OffsetDateTime::from(at)
        .replace_nanosecond(0)
        .map_err(|error| LdSignatureError::Malformed(error.to_string()))?;
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|error| LdSignatureError::Malformed(error.to_string()))
}

/// The canonical N-Quads of a JSON-LD document (for tests and tools comparing with other
/// implementations).
pub fn canonical_nquads(document: &Value) -> Result<String, LdSignatureError> {
    canon::canonical_nquads(document)
}
