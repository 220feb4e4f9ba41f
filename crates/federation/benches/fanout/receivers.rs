//! The fan-out benchmark's remote hosts: one inbox per loopback port, each verifying the
//! draft-cavage signature and the Digest of what it receives with the sender's public key, as
//! a real receiver does (Host of its own, Date window, digest over the bytes received, RSA).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use kinora_federation::signatures::{VerifyPolicy, check_request, verify_signature};
use rsa::RsaPublicKey;
use tokio::net::TcpListener;

/// What all receivers saw.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests whose signature and digest verified (answered 202).
    pub verified: AtomicUsize,
    /// Requests refused (answered 401).
    pub refused: AtomicUsize,
}

impl Counters {
    pub fn verified(&self) -> usize {
        self.verified.load(Ordering::Relaxed)
    }

    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }
}

/// One receiver's state: its own `host:port` and the key its requests must be signed with.
#[derive(Clone)]
struct Receiver {
    policy: Arc<VerifyPolicy>,
    key: Arc<RsaPublicKey>,
    counters: Arc<Counters>,
}

/// Running receivers: `(host, inbox URL)` of each, as the deliveries table stores them.
pub struct Receivers {
    pub inboxes: Vec<(String, String)>,
    pub counters: Arc<Counters>,
}

/// Starts `count` receivers on distinct ports of 127.0.0.1.
pub async fn start(count: usize, key: RsaPublicKey) -> std::io::Result<Receivers> {
    let key = Arc::new(key);
    let counters = Arc::new(Counters::default());
    let mut inboxes = Vec::with_capacity(count);
    for _ in 0..count {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let host = format!("127.0.0.1:{}", listener.local_addr()?.port());
        let receiver = Receiver {
            policy: Arc::new(VerifyPolicy::new(host.clone())),
            key: key.clone(),
            counters: counters.clone(),
        };
        let router = Router::new()
            .route("/inbox", post(receive))
            .with_state(receiver);
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                eprintln!("receiver stopped: {error}");
            }
        });
        inboxes.push((host.clone(), format!("http://{host}/inbox")));
    }
    Ok(Receivers { inboxes, counters })
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let verified = check_request(
        &Method::POST,
        &headers,
        &body,
        &receiver.policy,
        SystemTime::now(),
    )
    .and_then(|signature| {
        verify_signature(&signature, &Method::POST, "/inbox", &headers, &receiver.key)
    });
    match verified {
        Ok(()) => {
            receiver.counters.verified.fetch_add(1, Ordering::Relaxed);
            StatusCode::ACCEPTED
        }
        Err(error) => {
            if receiver.counters.refused.fetch_add(1, Ordering::Relaxed) == 0 {
                eprintln!("a receiver refused a delivery: {error}");
            }
            StatusCode::UNAUTHORIZED
        }
    }
}
