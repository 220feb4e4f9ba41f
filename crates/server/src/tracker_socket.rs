//! `GET /tracker/socket`: the WebTorrent WebSocket tracker (browsers, p2p-media-loader, the npm
//! `bittorrent-tracker` client), the network face of `kinora_p2p::ws_tracker`.
//!
//! Each socket gets a task and a bounded outbox other sockets' tasks push relayed offers and
//! answers into; a socket whose outbox is full is dropped rather than slowing everyone down, and
//! one that takes no message for `SEND_TIMEOUT` is closed (its peers leave the swarms).
//! Frames and messages longer than `ws_max_message_bytes` close the socket; one address may
//! hold `max_sockets_per_address` sockets (more get 429 before the upgrade); a socket silent
//! for twice the announce interval is closed. In private mode each new info hash of a socket is
//! checked once against the database: the torrents and the web player's swarms of published
//! public and unlisted videos only. On PostgreSQL the swarms are shared with the other server
//! processes of the instance (`crate::tracker_shared`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_db::Db;
use kinora_p2p::ws_tracker::{
    ClientMessage, ConnectionId, Id20, WsError, WsTracker, failure, parse_message,
};
use tokio::sync::mpsc;

use crate::tracker_shared::{Read, SharedSwarms};

/// Messages waiting for one socket before it counts as too slow and is dropped.
const OUTBOX: usize = 64;
/// Longest wait for one message to go out before the socket counts as stuck and is closed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Private-mode decisions remembered per socket.
const MAX_CACHED_DECISIONS: usize = 256;

type Outboxes = Arc<Mutex<HashMap<ConnectionId, mpsc::Sender<String>>>>;

/// What the socket route needs.
#[derive(Clone)]
pub struct SocketState {
    /// The swarms and connections.
    pub tracker: Arc<WsTracker>,
    /// To tell this instance's info hashes.
    pub db: Db,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<kinora_core::network::AddressRange>>,
    /// The other server processes' part of the swarms (PostgreSQL; none on SQLite).
    pub shared: Option<Arc<SharedSwarms>>,
    outboxes: Outboxes,
}

impl SocketState {
    /// A state with an empty tracker.
    pub fn new(
        tracker: WsTracker,
        db: Db,
        trusted_proxies: Arc<Vec<kinora_core::network::AddressRange>>,
    ) -> Self {
        Self {
            tracker: Arc::new(tracker),
            db,
            trusted_proxies,
            shared: None,
            outboxes: Arc::default(),
        }
    }

    /// The same state sharing its swarms with the other processes of `shared`.
    pub fn sharing(mut self, shared: Arc<SharedSwarms>) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Pushes `text` into the outbox of this process's socket `target`; a full outbox drops
    /// that socket.
    pub fn deliver(&self, target: ConnectionId, text: String) {
        deliver(&self.outboxes, target, text);
    }
}

/// The socket route (none when `tracker.enabled` is false).
pub fn router(state: SocketState) -> Router {
    if !state.tracker.config().enabled {
        return Router::new();
    }
    Router::new()
        .route("/tracker/socket", get(socket))
        .with_state(state)
}

/// Frees the connection's slot and peers however the socket ends (also when the upgrade fails
/// and the callback is dropped unrun).
struct Registration {
    state: SocketState,
    conn: ConnectionId,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.state
            .outboxes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.conn);
        let left = self.state.tracker.on_close(self.conn);
        if let Some(shared) = self.state.shared.clone()
            && !left.is_empty()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move { shared.left(left).await });
        }
    }
}

async fn socket(State(state): State<SocketState>, request: Request) -> Response {
    let Some(ip) = kinora_api::extract::request_client_address(
        request.headers(),
        request.extensions(),
        &state.trusted_proxies,
    ) else {
        return (StatusCode::BAD_REQUEST, "no client address").into_response();
    };
    let Some(conn) = state.tracker.connect(ip) else {
        let mut response = (StatusCode::TOO_MANY_REQUESTS, "too many sockets").into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        return response;
    };
    let registration = Registration {
        state: state.clone(),
        conn,
    };
    let upgrade = match WebSocketUpgrade::from_request(request, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let limit = state.tracker.config().ws_max_message_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| serve(socket, registration))
}

/// Pushes `text` into another socket's outbox; a full outbox drops that socket.
fn deliver(outboxes: &Outboxes, target: ConnectionId, text: String) {
    let mut outboxes = outboxes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(outbox) = outboxes.get(&target)
        && outbox.try_send(text).is_err()
    {
        // Full (too slow) or gone: its task sees the closed channel and ends.
        outboxes.remove(&target);
    }
}

/// Sends one text message; false when the socket failed or did not take it within
/// `SEND_TIMEOUT` (a client that stops reading).
async fn send(socket: &mut WebSocket, text: String) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

async fn serve(mut socket: WebSocket, registration: Registration) {
    let state = registration.state.clone();
    let conn = registration.conn;
    let (sender, mut outbox) = mpsc::channel(OUTBOX);
    state
        .outboxes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(conn, sender);
    let idle = state.tracker.idle_timeout();
    let mut deadline = tokio::time::Instant::now() + idle;
    let mut decisions: HashMap<Id20, bool> = HashMap::new();
    loop {
        let text = tokio::select! {
            () = tokio::time::sleep_until(deadline) => break,
            relayed = outbox.recv() => match relayed {
                Some(text) => {
                    if !send(&mut socket, text).await {
                        break;
                    }
                    continue;
                }
                None => break,
            },
            received = socket.recv() => match received {
                Some(Ok(Message::Text(text))) => text.as_str().to_owned(),
                // The npm client reads binary frames as UTF-8 text too.
                Some(Ok(Message::Binary(bytes))) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => text,
                    Err(_) => {
                        if !send(&mut socket, failure(&WsError::Invalid("message"), None)).await {
                            break;
                        }
                        continue;
                    }
                },
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    deadline = tokio::time::Instant::now() + idle;
                    continue;
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
        };
        deadline = tokio::time::Instant::now() + idle;
        let outgoing = match parse_message(&text, state.tracker.config().ws_max_message_bytes) {
            Err(error) => vec![(conn, failure(&error, None))],
            Ok(message) => {
                let allowed = match message.info_hash() {
                    Some(hash) if state.tracker.config().private => {
                        match allowed(&state, &mut decisions, hash).await {
                            Some(allowed) => allowed,
                            None => break,
                        }
                    }
                    _ => true,
                };
                match &state.shared {
                    None => state.tracker.handle(conn, message, allowed),
                    Some(shared) => handle_shared(&state, shared, conn, message, allowed).await,
                }
            }
        };
        for (target, text) in outgoing {
            if target == conn {
                if !send(&mut socket, text).await {
                    return;
                }
            } else {
                deliver(&state.outboxes, target, text);
            }
        }
    }
    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(None))).await;
    drop(registration);
}

/// Handles a message with the other processes' part of its swarm; a database failure is
/// logged and the message handled with what this process holds.
async fn handle_shared(
    state: &SocketState,
    shared: &SharedSwarms,
    conn: ConnectionId,
    message: ClientMessage,
    allowed: bool,
) -> Vec<(ConnectionId, String)> {
    let info_hash = message.info_hash();
    let read = shared.elsewhere(&message).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot read the other processes' swarms");
        Read::default()
    });
    let out = state
        .tracker
        .handle_shared(conn, message, allowed, &read.elsewhere);
    if let Err(error) = shared
        .publish(info_hash, out.membership, out.remote, &read)
        .await
    {
        tracing::warn!(%error, "cannot share a tracker message with the other processes");
    }
    out.local
}

/// Whether `hash` belongs to a published public or unlisted video (a rendition's torrent, or
/// a web player swarm of `kinora_core::swarm`), asked once per socket; `None` when the
/// database fails (the socket is closed, the client reconnects later).
async fn allowed(
    state: &SocketState,
    decisions: &mut HashMap<Id20, bool>,
    hash: Id20,
) -> Option<bool> {
    if let Some(allowed) = decisions.get(&hash) {
        return Some(*allowed);
    }
    match kinora_db::swarms::is_public(state.db.pool(), &hex::encode(hash)).await {
        Ok(allowed) => {
            if decisions.len() >= MAX_CACHED_DECISIONS {
                decisions.clear();
            }
            decisions.insert(hash, allowed);
            Some(allowed)
        }
        Err(error) => {
            tracing::error!(%error, "checking an info hash failed");
            None
        }
    }
}
