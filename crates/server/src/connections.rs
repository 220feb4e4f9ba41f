//! The HTTP listener: accepts TCP connections and serves each with hyper (HTTP/1.1, h2c and
//! upgrades to WebSocket), under two limits against slow and greedy clients:
//!
//! - a connection whose first request head has not arrived within `header_read_timeout_secs` is
//!   closed (whatever it trickles: HTTP/1 headers, the HTTP/2 preface or HEADERS frames), and so
//!   is a keep-alive HTTP/1 connection whose next head takes that long (hyper's own timeout);
//! - one client address holds at most `max_connections_per_address` connections (WebSockets
//!   included, until they close); more are answered 429 and closed at once. Connections from
//!   `trusted_proxies` are not counted: a reverse proxy carries many clients.
//!
//! [`serve`] runs until its shutdown token is cancelled, then stops accepting and lets open
//! requests finish (the caller bounds that by the shutdown grace).

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;
use tower::{Service, ServiceExt};

/// What is answered to a connection beyond the per-address cap, before it is closed.
const TOO_MANY: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Length: 39\r\nConnection: close\r\n\r\n\
Too many connections from your address\n";

/// The limits [`serve`] applies to connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time a client has to send a complete request head.
    pub header_read_timeout: Duration,
    /// Open connections one client address may hold.
    pub max_per_address: usize,
    /// Addresses not counted (reverse proxies).
    pub uncounted: Vec<kinora_core::network::AddressRange>,
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then waits for open connections
/// to finish their requests.
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let counts = AddressCounts::default();
    // Each connection's task holds a receiver; all are gone once every connection has ended.
    let (open_connections, open) = watch::channel(());
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    // WebSockets over HTTP/2 (as axum::serve allows).
    builder.http2().enable_connect_protocol();
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(&error).await;
                    continue;
                }
            },
        };
        let slot = if kinora_core::network::AddressRange::any_contains(&limits.uncounted, peer.ip())
        {
            None
        } else {
            match counts.take(peer.ip(), limits.max_per_address) {
                Some(slot) => Some(slot),
                None => {
                    refuse(stream, peer);
                    continue;
                }
            }
        };
        let io = TokioIo::new(CountedStream {
            stream,
            _slot: slot,
        });
        let first_request = Arc::new(Notify::new());
        let service = TowerToHyperService::new(PeerService {
            inner: app.clone(),
            peer,
            first_request: first_request.clone(),
        });
        let builder = builder.clone();
        let shutdown = shutdown.clone();
        // hyper answers an HTTP/1 head that is too slow 408 at the timeout; this closes what
        // is still without a request a moment later (the HTTP/2 preface and first HEADERS).
        let deadline = limits.header_read_timeout + Duration::from_secs(1);
        let held = open.clone();
        tokio::spawn(async move {
            let connection = builder.serve_connection_with_upgrades(io, service);
            tokio::pin!(connection);
            let first = first_request.notified();
            tokio::pin!(first);
            let too_late = tokio::time::sleep(deadline);
            tokio::pin!(too_late);
            let mut started = false;
            let mut stopping = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(error) = result {
                            tracing::trace!(%peer, %error, "connection ended");
                        }
                        break;
                    }
                    _ = &mut first, if !started => started = true,
                    _ = &mut too_late, if !started => {
                        tracing::debug!(%peer, "no request head in time: closed");
                        break;
                    }
                    _ = shutdown.cancelled(), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(held);
        });
    }
    drop(listener);
    drop(open);
    open_connections.closed().await;
}

/// Answers 429 to a connection beyond its address's cap and closes it (a fresh socket takes the
/// few bytes at once; if not, it is just closed).
fn refuse(stream: TcpStream, peer: SocketAddr) {
    tracing::debug!(%peer, "too many connections from one address: refused");
    let _ = stream.try_write(TOO_MANY);
}

/// Errors of `accept` that concern one connection are skipped; others (out of file descriptors)
/// wait a moment, as the listener cannot do better until connections close.
async fn wait_after_accept_error(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Open connections per client address.
#[derive(Debug, Clone, Default)]
struct AddressCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl AddressCounts {
    /// One more connection of `address`, unless it holds `max` already.
    fn take(&self, address: IpAddr, max: usize) -> Option<Slot> {
        let mut counts = self.0.lock().expect("connection counts");
        let count = counts.entry(address).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Slot {
            counts: self.clone(),
            address,
        })
    }
}

/// One counted connection; dropping it frees the place.
#[derive(Debug)]
struct Slot {
    counts: AddressCounts,
    address: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().expect("connection counts");
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// A TCP stream that holds its address's place until it is dropped (after an upgrade, when the
/// WebSocket closes).
struct CountedStream {
    stream: TcpStream,
    _slot: Option<Slot>,
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The application for one connection: gives each request the client's address (axum's
/// `ConnectInfo<SocketAddr>`) and says when the first request head has arrived.
#[derive(Clone)]
struct PeerService<S> {
    inner: S,
    peer: SocketAddr,
    first_request: Arc<Notify>,
}

impl<S> Service<hyper::Request<hyper::body::Incoming>> for PeerService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = tower::util::Oneshot<S, Request>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: hyper::Request<hyper::body::Incoming>) -> Self::Future {
        self.first_request.notify_one();
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        self.inner.clone().oneshot(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_whole_http_response() {
        let text = std::str::from_utf8(TOO_MANY).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 429 "));
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())));
    }

    #[test]
    fn an_address_holds_at_most_its_places_until_they_are_freed() {
        let counts = AddressCounts::default();
        let a = IpAddr::from([192, 0, 2, 1]);
        let b = IpAddr::from([192, 0, 2, 2]);
        let first = counts.take(a, 2).unwrap();
        let second = counts.take(a, 2).unwrap();
        assert!(counts.take(a, 2).is_none());
        assert!(
            counts.take(b, 2).is_some(),
            "another address has its own places"
        );
        drop(first);
        assert!(counts.take(a, 2).is_some());
        drop(second);
        assert!(
            counts.0.lock().unwrap().is_empty(),
            "no entry is kept for idle addresses"
        );
    }
}
