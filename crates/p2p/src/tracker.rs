//! The HTTP tracker (BEP 3 announces, BEP 23 compact peer lists) with bounded memory: swarms
//! and peers live in memory, each swarm holds at most `max_peers_per_swarm` peers, the tracker
//! at most `max_swarms` swarms, peers that stop announcing expire, and answers carry at most
//! `max_numwant` peers. In private mode only info hashes the caller allows get an answer.
//!
//! This module knows nothing of HTTP: [`parse_announce`] reads a raw query string (the info hash
//! and peer id are percent-encoded bytes, not text) and [`Tracker::announce`] answers with the
//! bencoded body.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::bencode::Value;

/// The `[tracker]` configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackerConfig {
    /// Serve `/tracker/announce` and the WebSocket tracker `/tracker/socket`.
    pub enabled: bool,
    /// Answer only for info hashes of this instance's public and unlisted videos (both trackers).
    pub private: bool,
    /// Seconds clients are asked to wait between announces; WebSocket tracker sockets silent for
    /// twice that are closed.
    pub announce_interval_secs: u64,
    /// Most peers kept per swarm; later peers are not added (they still get an answer).
    pub max_peers_per_swarm: usize,
    /// Most swarms kept.
    pub max_swarms: usize,
    /// Most peers in one answer, whatever `numwant` asks.
    pub max_numwant: usize,
    /// Announces one client address may make per second (bursts of four times that); more
    /// are answered 429.
    pub announces_per_second_per_address: u32,
    /// Most WebSocket tracker sockets (`/tracker/socket`) open at once from one address.
    pub max_sockets_per_address: usize,
    /// Longest WebSocket tracker message (and frame) accepted, in bytes.
    pub ws_max_message_bytes: usize,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            private: true,
            announce_interval_secs: 120,
            max_peers_per_swarm: 1000,
            max_swarms: 100_000,
            max_numwant: 50,
            announces_per_second_per_address: 5,
            max_sockets_per_address: 20,
            ws_max_message_bytes: 64 * 1024,
        }
    }
}

/// What a client said in an announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announce {
    /// The torrent.
    pub info_hash: [u8; 20],
    /// The client.
    pub peer_id: [u8; 20],
    /// Its listening port.
    pub port: u16,
    /// Bytes it still needs (0: a seeder).
    pub left: u64,
    /// `started`, `stopped`, `completed` or none.
    pub event: Option<AnnounceEvent>,
    /// Peers wanted.
    pub numwant: Option<usize>,
}

/// The events of BEP 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnounceEvent {
    /// First announce.
    Started,
    /// Leaving the swarm.
    Stopped,
    /// Download finished.
    Completed,
}

/// Why an announce is refused (the text goes into `failure reason`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnounceError {
    /// A parameter is missing or malformed.
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// Private mode and the info hash is not one of this instance's.
    #[error("unknown info_hash")]
    UnknownInfoHash,
}

impl AnnounceError {
    /// The bencoded `{failure reason}` body.
    pub fn body(&self) -> Vec<u8> {
        let mut dict = std::collections::BTreeMap::new();
        dict.insert(b"failure reason".to_vec(), Value::text(&self.to_string()));
        Value::Dict(dict).encode()
    }
}

/// Longest query string read.
const MAX_QUERY: usize = 2048;

/// Decodes `%XX` escapes and `+` of one query value into bytes.
fn percent_decode(value: &str) -> Option<Vec<u8>> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(text, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Some(out)
}

fn twenty(value: Option<Vec<u8>>, name: &'static str) -> Result<[u8; 20], AnnounceError> {
    value
        .and_then(|bytes| <[u8; 20]>::try_from(bytes.as_slice()).ok())
        .ok_or(AnnounceError::Invalid(name))
}

fn number<T: std::str::FromStr>(
    value: Option<Vec<u8>>,
    name: &'static str,
) -> Result<Option<T>, AnnounceError> {
    value
        .map(|bytes| {
            std::str::from_utf8(&bytes)
                .ok()
                .and_then(|text| text.parse().ok())
                .ok_or(AnnounceError::Invalid(name))
        })
        .transpose()
}

/// Reads an announce from a raw query string.
pub fn parse_announce(query: &str) -> Result<Announce, AnnounceError> {
    if query.len() > MAX_QUERY {
        return Err(AnnounceError::Invalid("query"));
    }
    let mut params: HashMap<&str, Vec<u8>> = HashMap::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value).ok_or(AnnounceError::Invalid("query"))?;
        params.insert(key, value);
    }
    let info_hash = twenty(params.remove("info_hash"), "info_hash")?;
    let peer_id = twenty(params.remove("peer_id"), "peer_id")?;
    let port: u16 = number(params.remove("port"), "port")?.ok_or(AnnounceError::Invalid("port"))?;
    if port == 0 {
        return Err(AnnounceError::Invalid("port"));
    }
    let left = number(params.remove("left"), "left")?.unwrap_or(u64::MAX);
    let event = match params.remove("event").as_deref() {
        None | Some(b"" | b"empty") => None,
        Some(b"started") => Some(AnnounceEvent::Started),
        Some(b"stopped") => Some(AnnounceEvent::Stopped),
        Some(b"completed") => Some(AnnounceEvent::Completed),
        Some(_) => return Err(AnnounceError::Invalid("event")),
    };
    let numwant = number(params.remove("numwant"), "numwant")?;
    Ok(Announce {
        info_hash,
        peer_id,
        port,
        left,
        event,
        numwant,
    })
}

/// How long a peer that stopped announcing stays listed: twice the interval, at least 60 s.
pub fn peer_expiry(config: &TrackerConfig) -> Duration {
    Duration::from_secs(config.announce_interval_secs.saturating_mul(2).max(60))
}

/// The most peers an announce's answer lists: its `numwant`, capped by `max_numwant`.
pub fn wanted(config: &TrackerConfig, announce: &Announce) -> usize {
    announce
        .numwant
        .unwrap_or(config.max_numwant)
        .min(config.max_numwant)
}

/// The bencoded answer to an announce: interval, seeder and leecher counts, and `peers`
/// (compact IPv4, BEP 23) and `peers6` (compact IPv6) for the addresses given.
pub fn answer_body(
    config: &TrackerConfig,
    complete: usize,
    incomplete: usize,
    peers: &[SocketAddr],
) -> Vec<u8> {
    let mut compact4 = Vec::new();
    let mut compact6 = Vec::new();
    for peer in peers {
        match peer {
            SocketAddr::V4(address) => {
                compact4.extend_from_slice(&address.ip().octets());
                compact4.extend_from_slice(&address.port().to_be_bytes());
            }
            SocketAddr::V6(address) => {
                compact6.extend_from_slice(&address.ip().octets());
                compact6.extend_from_slice(&address.port().to_be_bytes());
            }
        }
    }
    let mut dict = std::collections::BTreeMap::new();
    let interval = i64::try_from(config.announce_interval_secs).unwrap_or(i64::MAX);
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    dict.insert(b"interval".to_vec(), Value::Int(interval));
    dict.insert(b"min interval".to_vec(), Value::Int(interval / 2));
    dict.insert(b"complete".to_vec(), Value::Int(count(complete)));
    dict.insert(b"incomplete".to_vec(), Value::Int(count(incomplete)));
    dict.insert(b"peers".to_vec(), Value::Bytes(compact4));
    if !compact6.is_empty() {
        dict.insert(b"peers6".to_vec(), Value::Bytes(compact6));
    }
    Value::Dict(dict).encode()
}

#[derive(Debug, Clone)]
struct Peer {
    address: SocketAddr,
    seeder: bool,
    seen: Instant,
}

/// The swarms.
#[derive(Debug)]
pub struct Tracker {
    config: TrackerConfig,
    swarms: Mutex<HashMap<[u8; 20], Swarm>>,
}

/// The peers of one info hash, by peer id.
type Swarm = HashMap<[u8; 20], Peer>;

impl Tracker {
    /// An empty tracker.
    pub fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            swarms: Mutex::new(HashMap::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    fn expiry(&self) -> Duration {
        peer_expiry(&self.config)
    }

    /// Records the announce of a client at `ip` and answers with the bencoded body: interval,
    /// seeder and leecher counts and up to `numwant` other peers (compact IPv4 `peers`, compact
    /// IPv6 `peers6`). `allowed` says whether the info hash may be tracked (private mode).
    pub fn announce(
        &self,
        ip: IpAddr,
        announce: &Announce,
        allowed: bool,
    ) -> Result<Vec<u8>, AnnounceError> {
        if self.config.private && !allowed {
            return Err(AnnounceError::UnknownInfoHash);
        }
        let now = Instant::now();
        let expiry = self.expiry();
        let wanted = wanted(&self.config, announce);
        let mut swarms = self
            .swarms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !swarms.contains_key(&announce.info_hash) && swarms.len() >= self.config.max_swarms {
            swarms.retain(|_, peers| {
                peers.retain(|_, peer| now.duration_since(peer.seen) < expiry);
                !peers.is_empty()
            });
        }
        let has_room = swarms.len() < self.config.max_swarms;
        let mut empty = HashMap::new();
        let peers = match swarms.get_mut(&announce.info_hash) {
            Some(peers) => peers,
            None if has_room && announce.event != Some(AnnounceEvent::Stopped) => {
                swarms.entry(announce.info_hash).or_default()
            }
            None => &mut empty,
        };
        peers.retain(|_, peer| now.duration_since(peer.seen) < expiry);
        if announce.event == Some(AnnounceEvent::Stopped) {
            peers.remove(&announce.peer_id);
        } else if peers.contains_key(&announce.peer_id)
            || peers.len() < self.config.max_peers_per_swarm
        {
            peers.insert(
                announce.peer_id,
                Peer {
                    address: SocketAddr::new(ip, announce.port),
                    seeder: announce.left == 0,
                    seen: now,
                },
            );
        }
        let complete = peers.values().filter(|peer| peer.seeder).count();
        let incomplete = peers.len() - complete;
        let others: Vec<SocketAddr> = peers
            .iter()
            .filter(|(id, peer)| **id != announce.peer_id && !(announce.left == 0 && peer.seeder))
            .map(|(_, peer)| peer.address)
            .take(wanted)
            .collect();
        if peers.is_empty() {
            swarms.remove(&announce.info_hash);
        }
        drop(swarms);
        Ok(answer_body(&self.config, complete, incomplete, &others))
    }

    /// Swarms and peers held now.
    pub fn size(&self) -> (usize, usize) {
        let swarms = self
            .swarms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (swarms.len(), swarms.values().map(HashMap::len).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(hash: &[u8], peer: &[u8], port: &str, extra: &str) -> String {
        let encode = |bytes: &[u8]| {
            bytes
                .iter()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        };
        format!(
            "info_hash={}&peer_id={}&port={port}&uploaded=0&downloaded=0&compact=1{extra}",
            encode(hash),
            encode(peer)
        )
    }

    fn peers_in(body: &[u8]) -> usize {
        // `5:peers<n>:` then n bytes: find the length after the key.
        let text = body;
        let key = b"5:peers";
        let at = text.windows(key.len()).position(|w| w == key).unwrap() + key.len();
        let colon = at + text[at..].iter().position(|b| *b == b':').unwrap();
        let length: usize = std::str::from_utf8(&text[at..colon])
            .unwrap()
            .parse()
            .unwrap();
        length / 6
    }

    #[test]
    fn announces_are_parsed_from_raw_bytes_and_bad_ones_refused() {
        let hash = [0xFFu8; 20];
        let announce = parse_announce(&query(
            &hash,
            b"-AR1360-abcdefghijkl",
            "6881",
            "&left=0&event=started&numwant=5",
        ))
        .unwrap();
        assert_eq!(announce.info_hash, hash);
        assert_eq!(announce.port, 6881);
        assert_eq!(announce.left, 0);
        assert_eq!(announce.event, Some(AnnounceEvent::Started));
        assert_eq!(announce.numwant, Some(5));
        for (bad, field) in [
            (query(&[1; 19], &[2; 20], "1", ""), "info_hash"),
            (query(&[1; 21], &[2; 20], "1", ""), "info_hash"),
            (query(&[1; 20], &[2; 3], "1", ""), "peer_id"),
            (query(&[1; 20], &[2; 20], "0", ""), "port"),
            (query(&[1; 20], &[2; 20], "70000", ""), "port"),
            (query(&[1; 20], &[2; 20], "1", "&event=boom"), "event"),
            (query(&[1; 20], &[2; 20], "1", "&numwant=-1"), "numwant"),
            ("info_hash=%GG".to_owned(), "query"),
            ("x".repeat(5000), "query"),
        ] {
            assert_eq!(
                parse_announce(&bad),
                Err(AnnounceError::Invalid(field)),
                "{bad}"
            );
        }
    }

    #[test]
    fn peers_meet_within_bounds_and_private_mode_refuses_unknown_hashes() {
        let tracker = Tracker::new(TrackerConfig {
            max_peers_per_swarm: 3,
            max_numwant: 2,
            ..TrackerConfig::default()
        });
        let hash = [7u8; 20];
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let unknown = parse_announce(&query(&[9; 20], &[1; 20], "1000", "")).unwrap();
        assert_eq!(
            tracker.announce(ip, &unknown, false),
            Err(AnnounceError::UnknownInfoHash)
        );
        assert!(
            String::from_utf8_lossy(&AnnounceError::UnknownInfoHash.body())
                .contains("failure reason")
        );
        for peer in 0..10u8 {
            let announce =
                parse_announce(&query(&hash, &[peer; 20], "1000", "&numwant=1000000")).unwrap();
            let body = tracker.announce(ip, &announce, true).unwrap();
            assert!(peers_in(&body) <= 2, "numwant is capped");
        }
        assert_eq!(tracker.size(), (1, 3), "a swarm holds at most 3 peers");
        let stopped = parse_announce(&query(&hash, &[0; 20], "1000", "&event=stopped")).unwrap();
        tracker.announce(ip, &stopped, true).unwrap();
        assert_eq!(tracker.size(), (1, 2));
        let seeder = parse_announce(&query(&hash, &[42; 20], "2000", "&left=0")).unwrap();
        let body = tracker.announce(ip, &seeder, true).unwrap();
        assert!(
            String::from_utf8_lossy(&body).contains("8:completei1e"),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }

    #[test]
    fn the_number_of_swarms_is_bounded() {
        let tracker = Tracker::new(TrackerConfig {
            max_swarms: 5,
            ..TrackerConfig::default()
        });
        let ip: IpAddr = "::1".parse().unwrap();
        for n in 0..50u8 {
            let announce = parse_announce(&query(&[n; 20], &[1; 20], "1000", "")).unwrap();
            tracker.announce(ip, &announce, true).unwrap();
        }
        assert_eq!(tracker.size().0, 5);
    }
}
