//! The WebTorrent WebSocket tracker (the protocol of npm `bittorrent-tracker`, which PeerTube
//! serves at `/tracker/socket`) as a state machine over connection ids, with no networking:
//! the server calls [`WsTracker::connect`] when a socket opens, [`WsTracker::on_message`] (or
//! [`parse_message`] then [`WsTracker::handle`]) for each text message and [`WsTracker::on_close`]
//! when it closes, and sends the returned `(connection, JSON)` pairs.
//!
//! Every message is one JSON object. `info_hash`, `peer_id`, `to_peer_id` and `offer_id` are
//! "binary strings": 20 characters, each one byte (U+0000–U+00FF). An announce may carry WebRTC
//! offers; each goes to a different other WebSocket peer of the swarm, chosen at random; the
//! answers go back to the offerer by `to_peer_id`. One socket may hold several peer ids in
//! several swarms (the npm client shares one socket per tracker URL); when it closes, all of
//! them leave.
//!
//! Everything is bounded: message size, offers per announce, peers per swarm, swarms, info
//! hashes and peers per connection, sockets per address. Peers live exactly as long as their
//! connection, which the server closes after [`WsTracker::idle_timeout`] without a message.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::tracker::TrackerConfig;

/// Identifies one open WebSocket.
pub type ConnectionId = u64;

/// A 20-byte info hash, peer id or offer id.
pub type Id20 = [u8; 20];

/// Most offers relayed from one announce (the npm client sends at most 5).
pub const MAX_OFFERS: usize = 10;
/// Most info hashes one connection may announce.
pub const MAX_INFO_HASHES_PER_CONNECTION: usize = 100;
/// Most (info hash, peer id) pairs one connection may hold.
pub const MAX_PEERS_PER_CONNECTION: usize = 200;
/// Most info hashes in one scrape.
pub const MAX_SCRAPE: usize = 100;

/// Why a message is refused; the text goes into `failure reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WsError {
    /// Longer than `ws_max_message_bytes`.
    #[error("message too large")]
    TooLarge,
    /// Not a JSON object of the protocol, or a field is missing or malformed.
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// Private mode and the info hash is not one of this instance's.
    #[error("unknown info_hash")]
    UnknownInfoHash,
    /// The connection announced too many info hashes or peer ids.
    #[error("too many info_hashes on this connection")]
    ConnectionFull,
    /// The tracker holds `max_swarms` swarms already.
    #[error("tracker full")]
    TrackerFull,
    /// The peer id is announced in this swarm by another connection.
    #[error("peer_id in use")]
    PeerIdInUse,
}

/// What an announce says the peer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsEvent {
    /// Joins the swarm.
    Started,
    /// Leaves the swarm.
    Stopped,
    /// Finished downloading.
    Completed,
    /// A periodic announce (also a missing or `empty` event).
    Update,
    /// Paused; treated as an update.
    Paused,
}

/// One WebRTC offer to relay.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Matches the answer to the offer.
    pub offer_id: Id20,
    /// The session description, relayed as is.
    pub offer: Value,
}

/// An announce (without `answer`).
#[derive(Debug, Clone, PartialEq)]
pub struct WsAnnounce {
    /// The swarm.
    pub info_hash: Id20,
    /// The announcing peer.
    pub peer_id: Id20,
    /// What it is doing.
    pub event: WsEvent,
    /// `left == 0`: it has everything (a missing `left` means incomplete).
    pub complete: bool,
    /// At most [`MAX_OFFERS`] offers.
    pub offers: Vec<Offer>,
}

/// An announce carrying the answer to an offer.
#[derive(Debug, Clone, PartialEq)]
pub struct WsAnswer {
    /// The swarm.
    pub info_hash: Id20,
    /// The answering peer.
    pub peer_id: Id20,
    /// The offering peer the answer goes to.
    pub to_peer_id: Id20,
    /// The offer answered.
    pub offer_id: Id20,
    /// The session description, relayed as is.
    pub answer: Value,
}

/// A client message.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// `action: announce` without an answer.
    Announce(WsAnnounce),
    /// `action: announce` with an answer.
    Answer(WsAnswer),
    /// `action: scrape` for these info hashes (at most [`MAX_SCRAPE`]).
    Scrape(Vec<Id20>),
}

impl ClientMessage {
    /// The info hash an announce or answer is about (none for a scrape).
    pub fn info_hash(&self) -> Option<Id20> {
        match self {
            Self::Announce(announce) => Some(announce.info_hash),
            Self::Answer(answer) => Some(answer.info_hash),
            Self::Scrape(_) => None,
        }
    }
}

/// Decodes a binary string: exactly 20 characters, each at most U+00FF.
pub fn decode_binary(text: &str) -> Option<Id20> {
    let mut out = [0u8; 20];
    let mut chars = text.chars();
    for byte in &mut out {
        *byte = u8::try_from(u32::from(chars.next()?)).ok()?;
    }
    chars.next().is_none().then_some(out)
}

/// Encodes bytes as a binary string (one character per byte).
pub fn encode_binary(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawOffer {
    offer: Option<Value>,
    offer_id: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    action: Option<String>,
    info_hash: Option<OneOrMany>,
    peer_id: Option<String>,
    event: Option<String>,
    left: Option<Value>,
    offers: Option<Vec<RawOffer>>,
    answer: Option<Value>,
    to_peer_id: Option<String>,
    offer_id: Option<String>,
}

fn binary(value: Option<&str>, name: &'static str) -> Result<Id20, WsError> {
    value.and_then(decode_binary).ok_or(WsError::Invalid(name))
}

/// Parses one client message; `max_bytes` bounds its length.
pub fn parse_message(text: &str, max_bytes: usize) -> Result<ClientMessage, WsError> {
    if text.len() > max_bytes {
        return Err(WsError::TooLarge);
    }
    let raw: RawMessage = serde_json::from_str(text).map_err(|_| WsError::Invalid("message"))?;
    match raw.action.as_deref() {
        Some("announce") => {}
        Some("scrape") => {
            let hashes = match raw.info_hash {
                None => Vec::new(),
                Some(OneOrMany::One(one)) => vec![one],
                Some(OneOrMany::Many(many)) => many,
            };
            if hashes.len() > MAX_SCRAPE {
                return Err(WsError::Invalid("info_hash"));
            }
            return hashes
                .iter()
                .map(|hash| binary(Some(hash), "info_hash"))
                .collect::<Result<_, _>>()
                .map(ClientMessage::Scrape);
        }
        _ => return Err(WsError::Invalid("action")),
    }
    let info_hash = match &raw.info_hash {
        Some(OneOrMany::One(one)) => binary(Some(one), "info_hash")?,
        _ => return Err(WsError::Invalid("info_hash")),
    };
    let peer_id = binary(raw.peer_id.as_deref(), "peer_id")?;
    if let Some(answer) = raw.answer {
        if !answer.is_object() {
            return Err(WsError::Invalid("answer"));
        }
        return Ok(ClientMessage::Answer(WsAnswer {
            info_hash,
            peer_id,
            to_peer_id: binary(raw.to_peer_id.as_deref(), "to_peer_id")?,
            offer_id: binary(raw.offer_id.as_deref(), "offer_id")?,
            answer,
        }));
    }
    let event = match raw.event.as_deref() {
        None | Some("" | "empty" | "update") => WsEvent::Update,
        Some("started") => WsEvent::Started,
        Some("stopped") => WsEvent::Stopped,
        Some("completed") => WsEvent::Completed,
        Some("paused") => WsEvent::Paused,
        Some(_) => return Err(WsError::Invalid("event")),
    };
    let complete = raw.left.as_ref().and_then(Value::as_f64) == Some(0.0);
    let mut offers = Vec::new();
    for raw_offer in raw.offers.unwrap_or_default().into_iter().take(MAX_OFFERS) {
        let offer = raw_offer
            .offer
            .filter(Value::is_object)
            .ok_or(WsError::Invalid("offer"))?;
        offers.push(Offer {
            offer_id: binary(raw_offer.offer_id.as_deref(), "offer_id")?,
            offer,
        });
    }
    Ok(ClientMessage::Announce(WsAnnounce {
        info_hash,
        peer_id,
        event,
        complete,
        offers,
    }))
}

/// The `failure reason` message, with the info hash when known.
pub fn failure(error: &WsError, info_hash: Option<&Id20>) -> String {
    match info_hash {
        Some(hash) => json!({
            "action": "announce",
            "failure reason": error.to_string(),
            "info_hash": encode_binary(hash),
        }),
        None => json!({ "failure reason": error.to_string() }),
    }
    .to_string()
}

#[derive(Debug, Clone, Copy)]
struct WsPeer {
    conn: ConnectionId,
    complete: bool,
}

#[derive(Debug)]
struct Connection {
    ip: IpAddr,
    /// The (info hash, peer id) pairs this connection announced.
    peers: HashSet<(Id20, Id20)>,
    /// The info hashes it announced (even if it since left them).
    info_hashes: HashSet<Id20>,
}

#[derive(Debug, Default)]
struct State {
    swarms: HashMap<Id20, HashMap<Id20, WsPeer>>,
    connections: HashMap<ConnectionId, Connection>,
    sockets_per_address: HashMap<IpAddr, usize>,
}

impl State {
    fn counts(&self, info_hash: &Id20) -> (usize, usize) {
        self.swarms.get(info_hash).map_or((0, 0), |peers| {
            let complete = peers.values().filter(|peer| peer.complete).count();
            (complete, peers.len() - complete)
        })
    }

    fn leave(&mut self, conn: ConnectionId, info_hash: &Id20, peer_id: &Id20) {
        if let Some(peers) = self.swarms.get_mut(info_hash) {
            if peers.get(peer_id).is_some_and(|peer| peer.conn == conn) {
                peers.remove(peer_id);
            }
            if peers.is_empty() {
                self.swarms.remove(info_hash);
            }
        }
        if let Some(connection) = self.connections.get_mut(&conn) {
            connection.peers.remove(&(*info_hash, *peer_id));
        }
    }

    /// Adds or refreshes `peer_id` in the swarm for `conn`; `Ok(false)` when the swarm is full.
    fn join(
        &mut self,
        config: &TrackerConfig,
        conn: ConnectionId,
        info_hash: Id20,
        peer_id: Id20,
        complete: Option<bool>,
    ) -> Result<bool, WsError> {
        let connection = self
            .connections
            .get(&conn)
            .ok_or(WsError::Invalid("connection"))?;
        let new_hash = !connection.info_hashes.contains(&info_hash);
        let new_pair = !connection.peers.contains(&(info_hash, peer_id));
        if (new_hash && connection.info_hashes.len() >= MAX_INFO_HASHES_PER_CONNECTION)
            || (new_pair && connection.peers.len() >= MAX_PEERS_PER_CONNECTION)
        {
            return Err(WsError::ConnectionFull);
        }
        if !self.swarms.contains_key(&info_hash) && self.swarms.len() >= config.max_swarms {
            return Err(WsError::TrackerFull);
        }
        let peers = self.swarms.entry(info_hash).or_default();
        let full = peers.len() >= config.max_peers_per_swarm;
        match peers.get_mut(&peer_id) {
            Some(peer) if peer.conn != conn => return Err(WsError::PeerIdInUse),
            Some(peer) => {
                if let Some(complete) = complete {
                    peer.complete |= complete;
                }
            }
            None if full => {
                if peers.is_empty() {
                    self.swarms.remove(&info_hash);
                }
                return Ok(false);
            }
            None => {
                peers.insert(
                    peer_id,
                    WsPeer {
                        conn,
                        complete: complete.unwrap_or(false),
                    },
                );
            }
        }
        let connection = self
            .connections
            .get_mut(&conn)
            .ok_or(WsError::Invalid("connection"))?;
        connection.info_hashes.insert(info_hash);
        connection.peers.insert((info_hash, peer_id));
        Ok(true)
    }
}

/// The swarms of WebSocket peers and the open connections.
#[derive(Debug)]
pub struct WsTracker {
    config: TrackerConfig,
    next: AtomicU64,
    state: Mutex<State>,
}

/// `(connection, JSON text)` pairs to send.
pub type Outgoing = Vec<(ConnectionId, String)>;

/// What other server processes of the same instance hold of the swarm a message is about
/// (several `kinora serve` processes share their swarms through the database): the caller
/// reads it before [`WsTracker::handle_shared`].
#[derive(Debug, Clone, Default)]
pub struct Elsewhere {
    /// Complete and incomplete peers elsewhere, per info hash.
    pub counts: HashMap<Id20, (usize, usize)>,
    /// Peers of the message's swarm elsewhere that may receive its offers, by peer id.
    pub peers: Vec<Id20>,
}

/// A change of this process's swarm membership that other processes must learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// The peer joined the swarm here (or its `complete` changed).
    Joined {
        /// The swarm.
        info_hash: Id20,
        /// The peer.
        peer_id: Id20,
        /// It has the whole file.
        complete: bool,
    },
    /// The peer left the swarm here.
    Left {
        /// The swarm.
        info_hash: Id20,
        /// The peer.
        peer_id: Id20,
    },
}

/// What handling one message in shared mode produced.
#[derive(Debug, Clone, Default)]
pub struct SharedOutgoing {
    /// Messages for sockets of this process.
    pub local: Outgoing,
    /// Messages for peers elsewhere, by peer id (the caller relays them).
    pub remote: Vec<(Id20, String)>,
    /// A membership change to record for the other processes.
    pub membership: Option<Membership>,
}

/// Where one message goes.
enum Target {
    Conn(ConnectionId),
    Peer(Id20),
}

impl WsTracker {
    /// An empty tracker.
    pub fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            next: AtomicU64::new(1),
            state: Mutex::new(State::default()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    /// How long a connection may stay silent before the server closes it: twice the announce
    /// interval (clients re-announce every interval), at least 10 s.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.config.announce_interval_secs.saturating_mul(2).max(10))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a new socket from `ip`; `None` when that address already has
    /// `max_sockets_per_address` open.
    pub fn connect(&self, ip: IpAddr) -> Option<ConnectionId> {
        let mut state = self.lock();
        let open = state.sockets_per_address.entry(ip).or_default();
        if *open >= self.config.max_sockets_per_address {
            return None;
        }
        *open += 1;
        let conn = self.next.fetch_add(1, Ordering::Relaxed);
        state.connections.insert(
            conn,
            Connection {
                ip,
                peers: HashSet::new(),
                info_hashes: HashSet::new(),
            },
        );
        Some(conn)
    }

    /// The socket closed: its peers leave every swarm and its address slot is freed. Answers
    /// the (info hash, peer id) pairs that left.
    pub fn on_close(&self, conn: ConnectionId) -> Vec<(Id20, Id20)> {
        let mut state = self.lock();
        let Some(connection) = state.connections.get(&conn) else {
            return Vec::new();
        };
        let ip = connection.ip;
        let pairs: Vec<_> = connection.peers.iter().copied().collect();
        for (info_hash, peer_id) in &pairs {
            state.leave(conn, info_hash, peer_id);
        }
        state.connections.remove(&conn);
        if let Some(open) = state.sockets_per_address.get_mut(&ip) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                state.sockets_per_address.remove(&ip);
            }
        }
        pairs
    }

    /// The socket of this process holding `peer_id` in swarm `info_hash`, if any.
    pub fn connection_of(&self, info_hash: &Id20, peer_id: &Id20) -> Option<ConnectionId> {
        self.lock()
            .swarms
            .get(info_hash)
            .and_then(|peers| peers.get(peer_id))
            .map(|peer| peer.conn)
    }

    /// Parses and handles a text message; `allowed` tells whether an info hash may be tracked
    /// (asked only in private mode). Parse errors are answered with a failure.
    pub fn on_message(
        &self,
        conn: ConnectionId,
        text: &str,
        allowed: impl FnOnce(&Id20) -> bool,
    ) -> Outgoing {
        match parse_message(text, self.config.ws_max_message_bytes) {
            Ok(message) => {
                let allowed = match message.info_hash() {
                    Some(hash) if self.config.private => allowed(&hash),
                    _ => true,
                };
                self.handle(conn, message, allowed)
            }
            Err(error) => vec![(conn, failure(&error, None))],
        }
    }

    /// Handles a parsed message from `conn`; `allowed` is the private-mode decision for its
    /// info hash (ignored when the tracker is not private).
    pub fn handle(&self, conn: ConnectionId, message: ClientMessage, allowed: bool) -> Outgoing {
        self.handle_shared(conn, message, allowed, &Elsewhere::default())
            .local
    }

    /// [`WsTracker::handle`] when other server processes hold sockets of the same swarms:
    /// counts include `elsewhere`'s, offers may go to its peers, answers to peers not held here
    /// are returned for relaying, and the membership change is returned for recording.
    pub fn handle_shared(
        &self,
        conn: ConnectionId,
        message: ClientMessage,
        allowed: bool,
        elsewhere: &Elsewhere,
    ) -> SharedOutgoing {
        let refused = |error: WsError, hash: &Id20| SharedOutgoing {
            local: vec![(conn, failure(&error, Some(hash)))],
            ..SharedOutgoing::default()
        };
        match message {
            ClientMessage::Announce(announce) => {
                if self.config.private && !allowed {
                    return refused(WsError::UnknownInfoHash, &announce.info_hash);
                }
                self.announce(conn, announce, elsewhere)
                    .unwrap_or_else(|(error, hash)| refused(error, &hash))
            }
            ClientMessage::Answer(answer) => {
                if self.config.private && !allowed {
                    return refused(WsError::UnknownInfoHash, &answer.info_hash);
                }
                self.answer(conn, answer)
                    .unwrap_or_else(|(error, hash)| refused(error, &hash))
            }
            ClientMessage::Scrape(hashes) => SharedOutgoing {
                local: vec![(conn, self.scrape(&hashes, elsewhere))],
                ..SharedOutgoing::default()
            },
        }
    }

    fn announce(
        &self,
        conn: ConnectionId,
        announce: WsAnnounce,
        elsewhere: &Elsewhere,
    ) -> Result<SharedOutgoing, (WsError, Id20)> {
        let hash = announce.info_hash;
        let mut state = self.lock();
        let before = state
            .swarms
            .get(&hash)
            .and_then(|peers| peers.get(&announce.peer_id))
            .filter(|peer| peer.conn == conn)
            .map(|peer| peer.complete);
        let member = if announce.event == WsEvent::Stopped {
            state.leave(conn, &hash, &announce.peer_id);
            false
        } else {
            let complete = announce.complete || announce.event == WsEvent::Completed;
            state
                .join(&self.config, conn, hash, announce.peer_id, Some(complete))
                .map_err(|error| (error, hash))?
        };
        let after = state
            .swarms
            .get(&hash)
            .and_then(|peers| peers.get(&announce.peer_id))
            .filter(|peer| peer.conn == conn)
            .map(|peer| peer.complete);
        let membership = match (before, after) {
            (Some(_), None) => Some(Membership::Left {
                info_hash: hash,
                peer_id: announce.peer_id,
            }),
            (before, Some(complete)) if before != Some(complete) => Some(Membership::Joined {
                info_hash: hash,
                peer_id: announce.peer_id,
                complete,
            }),
            _ => None,
        };
        let (mut complete, mut incomplete) = state.counts(&hash);
        if let Some((more_complete, more_incomplete)) = elsewhere.counts.get(&hash) {
            complete += more_complete;
            incomplete += more_incomplete;
        }
        let encoded_hash = encode_binary(&hash);
        let mut out = SharedOutgoing {
            local: vec![(
                conn,
                json!({
                    "action": "announce",
                    "interval": self.config.announce_interval_secs,
                    "complete": complete,
                    "incomplete": incomplete,
                    "info_hash": encoded_hash,
                })
                .to_string(),
            )],
            remote: Vec::new(),
            membership,
        };
        if member && !announce.offers.is_empty() {
            let mut others: Vec<Target> = state
                .swarms
                .get(&hash)
                .map(|peers| {
                    peers
                        .iter()
                        .filter(|(id, _)| **id != announce.peer_id)
                        .map(|(_, peer)| Target::Conn(peer.conn))
                        .collect()
                })
                .unwrap_or_default();
            others.extend(
                elsewhere
                    .peers
                    .iter()
                    .filter(|id| **id != announce.peer_id)
                    .map(|id| Target::Peer(*id)),
            );
            let chosen = announce.offers.len().min(others.len());
            shuffle_prefix(&mut others, chosen);
            let peer_id = encode_binary(&announce.peer_id);
            for (offer, target) in announce.offers.into_iter().zip(others) {
                let mut message = Map::new();
                message.insert("action".into(), "announce".into());
                message.insert("offer".into(), offer.offer);
                message.insert("offer_id".into(), encode_binary(&offer.offer_id).into());
                message.insert("peer_id".into(), peer_id.clone().into());
                message.insert("info_hash".into(), encoded_hash.clone().into());
                let text = Value::Object(message).to_string();
                match target {
                    Target::Conn(target) => out.local.push((target, text)),
                    Target::Peer(peer) => out.remote.push((peer, text)),
                }
            }
        }
        Ok(out)
    }

    fn answer(
        &self,
        conn: ConnectionId,
        answer: WsAnswer,
    ) -> Result<SharedOutgoing, (WsError, Id20)> {
        let hash = answer.info_hash;
        let mut state = self.lock();
        let known = state
            .swarms
            .get(&hash)
            .is_some_and(|peers| peers.get(&answer.peer_id).is_some_and(|p| p.conn == conn));
        let member = state
            .join(&self.config, conn, hash, answer.peer_id, None)
            .map_err(|error| (error, hash))?;
        let membership = (member && !known).then_some(Membership::Joined {
            info_hash: hash,
            peer_id: answer.peer_id,
            complete: false,
        });
        let target = state
            .swarms
            .get(&hash)
            .and_then(|peers| peers.get(&answer.to_peer_id))
            .map(|peer| peer.conn);
        let mut message = Map::new();
        message.insert("action".into(), "announce".into());
        message.insert("answer".into(), answer.answer);
        message.insert("offer_id".into(), encode_binary(&answer.offer_id).into());
        message.insert("peer_id".into(), encode_binary(&answer.peer_id).into());
        message.insert("info_hash".into(), encode_binary(&hash).into());
        let text = Value::Object(message).to_string();
        let mut out = SharedOutgoing {
            membership,
            ..SharedOutgoing::default()
        };
        match target {
            Some(target) => out.local.push((target, text)),
            None => out.remote.push((answer.to_peer_id, text)),
        }
        Ok(out)
    }

    fn scrape(&self, hashes: &[Id20], elsewhere: &Elsewhere) -> String {
        let state = self.lock();
        let mut files = Map::new();
        for hash in hashes {
            let (mut complete, mut incomplete) = state.counts(hash);
            if let Some((more_complete, more_incomplete)) = elsewhere.counts.get(hash) {
                complete += more_complete;
                incomplete += more_incomplete;
            }
            files.insert(
                encode_binary(hash),
                json!({"complete": complete, "incomplete": incomplete, "downloaded": complete}),
            );
        }
        json!({
            "action": "scrape",
            "files": files,
            "flags": {"min_request_interval": self.config.announce_interval_secs},
        })
        .to_string()
    }

    /// Swarms, peers and connections held now.
    pub fn size(&self) -> (usize, usize, usize) {
        let state = self.lock();
        (
            state.swarms.len(),
            state.swarms.values().map(HashMap::len).sum(),
            state.connections.len(),
        )
    }
}

/// Moves `count` randomly chosen elements to the front (a partial Fisher–Yates shuffle).
fn shuffle_prefix<T>(items: &mut [T], count: usize) {
    let mut seed = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
        | 1;
    for i in 0..count.min(items.len()) {
        // xorshift64
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let span = (items.len() - i) as u64;
        let j = i + usize::try_from(seed % span).unwrap_or(0);
        items.swap(i, j);
    }
}

#[cfg(test)]
#[path = "ws_tracker_tests.rs"]
mod tests;
