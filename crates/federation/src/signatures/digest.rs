//! Body digests: `Digest: SHA-256=<base64>` (RFC 3230, what draft-cavage signatures cover) and
//! `Content-Digest: sha-256=:<base64>:` (RFC 9530). Checking recomputes the digest over the
//! bytes actually received.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

use super::SignatureError;

/// The `Digest` header value for `body`: `SHA-256=<base64>`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// The RFC 9530 `Content-Digest` header value for `body`: `sha-256=:<base64>:`.
pub fn content_digest_header(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// Checks a `Digest` value (`SHA-256=…`, several comma-separated algorithms allowed) against
/// `body`: at least one algorithm must be one we compute, and every such one must match.
pub(super) fn check_digest(value: &str, body: &[u8]) -> Result<(), SignatureError> {
    check_entries(
        value.split(',').map(|entry| {
            let (algorithm, encoded) = entry.trim().split_once('=').unwrap_or((entry, ""));
            (algorithm.trim(), encoded.trim())
        }),
        body,
    )
}

/// Checks an RFC 9530 `Content-Digest` value (`sha-256=:…:`, a structured-field dictionary).
pub(super) fn check_content_digest(value: &str, body: &[u8]) -> Result<(), SignatureError> {
    let mut entries = Vec::new();
    for member in value.split(',') {
        let member = member.trim();
        let (algorithm, rest) = member.split_once('=').ok_or_else(malformed)?;
        // Parameters after the byte sequence (`;…`) carry nothing we use.
        let sequence = rest.split(';').next().unwrap_or_default().trim();
        let encoded = sequence
            .strip_prefix(':')
            .and_then(|inner| inner.strip_suffix(':'))
            .ok_or_else(malformed)?;
        entries.push((algorithm.trim(), encoded));
    }
    check_entries(entries.into_iter(), body)
}

fn check_entries<'a>(
    entries: impl Iterator<Item = (&'a str, &'a str)>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let mut checked = 0;
    for (algorithm, encoded) in entries {
        let expected = if algorithm.eq_ignore_ascii_case("sha-256") {
            Sha256::digest(body).to_vec()
        } else if algorithm.eq_ignore_ascii_case("sha-512") {
            Sha512::digest(body).to_vec()
        } else {
            continue;
        };
        let received = STANDARD.decode(encoded).map_err(|_| malformed())?;
        if received != expected {
            return Err(SignatureError::DigestMismatch);
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(SignatureError::DigestUnsupported);
    }
    Ok(())
}

fn malformed() -> SignatureError {
    SignatureError::Malformed("the digest header cannot be read".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_round_trips_and_detects_changes() {
        let body = b"{\"type\":\"Follow\"}";
        check_digest(&digest_header(body), body).unwrap();
        check_content_digest(&content_digest_header(body), body).unwrap();
        assert!(matches!(
            check_digest(&digest_header(body), b"{}"),
            Err(SignatureError::DigestMismatch)
        ));
        assert!(matches!(
            check_content_digest(&content_digest_header(body), b"{}"),
            Err(SignatureError::DigestMismatch)
        ));
    }

    #[test]
    fn every_supported_algorithm_must_match() {
        let body = b"abc";
        let sha512 = STANDARD.encode(Sha512::digest(body));
        let both = format!("{},SHA-512={sha512}", digest_header(body));
        check_digest(&both, body).unwrap();
        let wrong_second = format!(
            "{},SHA-512={}",
            digest_header(body),
            STANDARD.encode([0; 64])
        );
        assert!(matches!(
            check_digest(&wrong_second, body),
            Err(SignatureError::DigestMismatch)
        ));
        // Unknown algorithms alone prove nothing.
        assert!(matches!(
            check_digest("MD5=kAFQmDzST7DWlj99KOF/cg==", body),
            Err(SignatureError::DigestUnsupported)
        ));
        assert!(matches!(
            check_digest("SHA-256=***", body),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            check_content_digest("sha-256=abc", body),
            Err(SignatureError::Malformed(_))
        ));
    }
}
