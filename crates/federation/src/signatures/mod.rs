//! Draft-cavage HTTP signatures, as PeerTube, Mastodon and the rest of the fediverse use them,
//! both ways: [`sign_request`] for every outbound request and [`verify_request`] for every
//! signed inbound one.
//!
//! Outbound: `algorithm="rsa-sha256"` over `(request-target) host date digest` on requests
//! with a body and `(request-target) host date` (plus `accept` when the request has one) on
//! the others, with `Digest: SHA-256=<base64>`; the key id is `<actor>#main-key`.
//!
//! Inbound: `rsa-sha256`, `hs2019` (with an RSA key) or no algorithm; `(request-target)`,
//! `host`, `date` or `(created)`, and on POST `digest` or `content-digest` must be signed; the
//! Host must be ours, the date inside the window, and the digest is recomputed over the bytes
//! received. Start reading at [`verify_request`].

mod digest;
mod header;
mod sign;
mod verify;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

pub use digest::{content_digest_header, digest_header};
pub use header::{SignatureHeader, key_owner_url, parse_signature_header};
pub use sign::sign_request;
pub use verify::{VerifyPolicy, check_request, verify_request, verify_signature};

/// Smallest RSA key accepted either way, in bits.
pub const MIN_KEY_BITS: usize = 2048;

/// Why a request could not be signed or its signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The request has no `Signature` header (nor an `Authorization: Signature …`).
    #[error("the request is not signed")]
    Missing,
    /// The `Signature` header (or a signed header's value) cannot be read.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// A header that must be signed is not among the signed headers.
    #[error("the signature does not cover {0}")]
    HeaderNotSigned(&'static str),
    /// A signed header is absent from the request.
    #[error("the signed header {0} is missing from the request")]
    HeaderMissing(String),
    /// The signed Host is not ours (a request signed for another instance).
    #[error("the request was signed for another host")]
    WrongHost,
    /// The signed `Date` (or `(created)`/`(expires)`) is outside the accepted window.
    #[error("the signature date is outside the accepted window")]
    DateOutOfWindow,
    /// The signed `Date` is not an HTTP date.
    #[error("the signed Date is not an HTTP date")]
    DateUnparsable,
    /// The digest of the received body differs from the signed `Digest`/`Content-Digest`.
    #[error("the body does not match its digest")]
    DigestMismatch,
    /// The digest header names no algorithm we compute (SHA-256 or SHA-512).
    #[error("the digest uses no supported algorithm")]
    DigestUnsupported,
    /// The RSA signature does not verify with the key.
    #[error("the signature does not verify")]
    BadSignature,
    /// The `algorithm` parameter is not `rsa-sha256` or `hs2019`.
    #[error("unsupported signature algorithm")]
    UnsupportedAlgorithm,
    /// A key could not be read, is too small, or signing failed.
    #[error("key: {0}")]
    Key(String),
}

/// The private key an actor signs its requests with.
#[derive(Clone)]
pub struct RequestSigner {
    /// The key id sent in the signature, `<actor>#main-key`.
    pub key_id: String,
    signing_key: SigningKey<Sha256>,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RequestSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// A signer from a PEM private key, PKCS#8 (`BEGIN PRIVATE KEY`, what Kinora stores) or
    /// PKCS#1 (`BEGIN RSA PRIVATE KEY`, what PeerTube stores).
    pub fn from_pem(key_id: String, private_pem: &str) -> Result<Self, SignatureError> {
        let pem = private_pem.trim();
        let private_key = if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(pem).map_err(|error| key_error(&error))?
        } else {
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|error| key_error(&error))?
        };
        check_key_size(private_key.size())?;
        if key_id.is_empty()
            || !key_id
                .bytes()
                .all(|byte| byte.is_ascii_graphic() && byte != b'"' && byte != b'\\')
        {
            return Err(SignatureError::Key(format!(
                "{key_id:?} cannot be a key id in a Signature header"
            )));
        }
        Ok(Self {
            key_id,
            signing_key: SigningKey::new(private_key),
        })
    }

    /// Signs `data` with RSASSA-PKCS1-v1_5 over SHA-256 (what Linked Data signatures use).
    pub fn sign_bytes(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        use rsa::signature::{RandomizedSigner, SignatureEncoding};
        let mut rng = rand_core::OsRng;
        self.signing_key
            .try_sign_with_rng(&mut rng, data)
            .map(|signature| signature.to_vec())
            .map_err(|error| SignatureError::Key(error.to_string()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> RsaPublicKey {
        let private_key: &RsaPrivateKey = self.signing_key.as_ref();
        private_key.to_public_key()
    }
}

/// Reads a PEM public key: SPKI (`BEGIN PUBLIC KEY`, what actors publish) or PKCS#1
/// (`BEGIN RSA PUBLIC KEY`), refusing keys under [`MIN_KEY_BITS`].
pub fn parse_public_key_pem(public_pem: &str) -> Result<RsaPublicKey, SignatureError> {
    let pem = public_pem.trim();
    let key = if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
        RsaPublicKey::from_pkcs1_pem(pem).map_err(|error| key_error(&error))?
    } else {
        RsaPublicKey::from_public_key_pem(pem).map_err(|error| key_error(&error))?
    };
    check_key_size(key.size())?;
    Ok(key)
}

fn check_key_size(size_bytes: usize) -> Result<(), SignatureError> {
    if size_bytes * 8 < MIN_KEY_BITS {
        return Err(SignatureError::Key(format!(
            "the key has {} bits, fewer than {MIN_KEY_BITS}",
            size_bytes * 8
        )));
    }
    Ok(())
}

fn key_error(error: &dyn std::fmt::Display) -> SignatureError {
    SignatureError::Key(error.to_string())
}
