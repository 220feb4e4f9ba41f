//! Request ids: every request gets one, in `X-Request-Id` on the request (where the tracing
//! span and the handlers read it) and on the response. A client's own `X-Request-Id` is kept only
//! when the connection comes from one of `server.trusted_proxies` (the reverse proxy that made
//! it, so that its logs and ours share the id) and it is well-formed: 1 to 128 letters, digits,
//! `-`, `_`, `.`, `:` or `@`. Otherwise a fresh UUID replaces it, so nobody can plant an id (or
//! text) in another's log lines.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use kinora_core::network::AddressRange;

/// The header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id accepted from a trusted proxy.
pub const MAX_LENGTH: usize = 128;

/// Sets the request's id (kept from a trusted proxy, else generated) and echoes it in the
/// response.
pub async fn assign(
    State(trusted): State<Arc<Vec<AddressRange>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| AddressRange::any_contains(&trusted, peer.ip()));
    let offered = request
        .headers()
        .get(&REQUEST_ID)
        .filter(|value| from_proxy && is_well_formed(value.as_bytes()))
        .cloned();
    let id = offered.unwrap_or_else(|| {
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).expect("a UUID is a header value")
    });
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// Whether `id` may be kept: 1 to [`MAX_LENGTH`] bytes of `[A-Za-z0-9_.:@-]`.
pub fn is_well_formed(id: &[u8]) -> bool {
    (1..=MAX_LENGTH).contains(&id.len())
        && id
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.:@".contains(byte))
}

#[cfg(test)]
mod tests {
    use super::is_well_formed;

    #[test]
    fn only_plain_bounded_ids_are_well_formed() {
        assert!(is_well_formed(b"2f1e0c1a-8a4b-4d51-9a43-1b9c5d7e9f00"));
        assert!(is_well_formed(b"nginx.4b2c:1@edge_2"));
        assert!(!is_well_formed(b""));
        assert!(!is_well_formed(&[b'a'; 129]));
        assert!(is_well_formed(&[b'a'; 128]));
        for bad in [&b"a b"[..], b"a\"b", b"a\nb", b"id=1;x", b"caf\xc3\xa9"] {
            assert!(!is_well_formed(bad), "{bad:?}");
        }
    }
}
