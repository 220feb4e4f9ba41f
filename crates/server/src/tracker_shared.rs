//! The WebSocket tracker across several server processes on one PostgreSQL database. Each
//! process keeps its own sockets and swarms (`kinora_p2p::ws_tracker`); the database
//! (`kinora_db::tracker_peers`) says which live process holds each peer's socket, so that:
//!
//! - an announce's counts include the peers on other processes, and its offers may go to them;
//! - an offer or answer for a peer on another process is written for that process
//!   (`tracker_relays`) and the process is woken by `NOTIFY` (it also polls every second);
//! - each process records its peers joining and leaving, and a heartbeat every few seconds;
//!   the peers of a process not seen for [`DEAD_AFTER`] are ignored, then deleted.
//!
//! On SQLite (one process) none of this runs: the in-process tracker is the whole tracker.

use std::collections::HashMap;
use std::time::Duration;

use kinora_db::DbResult;
use kinora_db::tracker_peers::{self, RelayListener};
use kinora_p2p::ws_tracker::{ClientMessage, Elsewhere, Id20, MAX_OFFERS, Membership};
use tokio_util::sync::CancellationToken;

use crate::cluster::Cluster;
use crate::tracker_socket::SocketState;

/// How often a process says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// A process silent for this long is dead: its peers are no longer offered.
pub const DEAD_AFTER: Duration = Duration::from_secs(20);
/// How often relayed messages are looked for without a notification.
const POLL: Duration = Duration::from_secs(1);

/// The WebSocket tracker's view of the other processes.
pub struct SharedSwarms {
    cluster: Cluster,
}

/// What [`SharedSwarms::elsewhere`] read: the other processes' part of the swarm, and which
/// process holds each of the peers it names.
#[derive(Default)]
pub struct Read {
    /// For `WsTracker::handle_shared`.
    pub elsewhere: Elsewhere,
    processes: HashMap<Id20, String>,
}

fn hex20(text: &str) -> Option<Id20> {
    <[u8; 20]>::try_from(hex::decode(text).ok()?).ok()
}

fn cutoff() -> i64 {
    kinora_db::now_millis() - i64::try_from(DEAD_AFTER.as_millis()).unwrap_or(20_000)
}

impl SharedSwarms {
    /// Sharing for this process of `cluster`.
    pub fn new(cluster: Cluster) -> Self {
        Self { cluster }
    }

    fn me(&self) -> &str {
        &self.cluster.process_id
    }

    /// What the other processes hold of the swarms `message` is about.
    pub async fn elsewhere(&self, message: &ClientMessage) -> DbResult<Read> {
        let pool = self.cluster.db.pool();
        let mut read = Read::default();
        let hashes = match message {
            ClientMessage::Announce(announce) => {
                if !announce.offers.is_empty() {
                    let peers = tracker_peers::remote_peers(
                        pool,
                        &hex::encode(announce.info_hash),
                        self.me(),
                        cutoff(),
                        i64::try_from(MAX_OFFERS).unwrap_or(10),
                    )
                    .await?;
                    for peer in peers {
                        if let Some(id) = hex20(&peer.peer_id) {
                            read.elsewhere.peers.push(id);
                            read.processes.insert(id, peer.process_id);
                        }
                    }
                }
                vec![announce.info_hash]
            }
            ClientMessage::Answer(_) => Vec::new(),
            ClientMessage::Scrape(hashes) => hashes.clone(),
        };
        for hash in hashes {
            let (complete, incomplete) =
                tracker_peers::remote_counts(pool, &hex::encode(hash), self.me(), cutoff()).await?;
            let count = |n: i64| usize::try_from(n).unwrap_or(0);
            read.elsewhere
                .counts
                .insert(hash, (count(complete), count(incomplete)));
        }
        Ok(read)
    }

    /// Records `membership` for the other processes, then relays `remote` messages (for peers
    /// of swarm `info_hash` elsewhere) to the processes holding them.
    pub async fn publish(
        &self,
        info_hash: Option<Id20>,
        membership: Option<Membership>,
        remote: Vec<(Id20, String)>,
        read: &Read,
    ) -> DbResult<()> {
        let pool = self.cluster.db.pool();
        match membership {
            Some(Membership::Joined {
                info_hash,
                peer_id,
                complete,
            }) => {
                tracker_peers::join(
                    pool,
                    &hex::encode(info_hash),
                    &hex::encode(peer_id),
                    self.me(),
                    complete,
                )
                .await?;
            }
            Some(Membership::Left { info_hash, peer_id }) => {
                tracker_peers::leave(
                    pool,
                    &hex::encode(info_hash),
                    &hex::encode(peer_id),
                    self.me(),
                )
                .await?;
            }
            None => {}
        }
        let Some(info_hash) = info_hash else {
            return Ok(());
        };
        let hash = hex::encode(info_hash);
        let mut woken = Vec::new();
        for (peer, text) in remote {
            let peer_hex = hex::encode(peer);
            let process = match read.processes.get(&peer) {
                Some(process) => Some(process.clone()),
                None => {
                    tracker_peers::process_of(pool, &hash, &peer_hex, self.me(), cutoff()).await?
                }
            };
            let Some(process) = process else {
                continue;
            };
            let now = kinora_db::now_millis();
            tracker_peers::relay(pool, &process, &hash, &peer_hex, &text, now).await?;
            if !woken.contains(&process) {
                woken.push(process);
            }
        }
        for process in woken {
            tracker_peers::notify(pool, &process).await?;
        }
        Ok(())
    }

    /// The peers of a closed socket left their swarms.
    pub async fn left(&self, pairs: Vec<(Id20, Id20)>) {
        for (info_hash, peer_id) in pairs {
            let result = tracker_peers::leave(
                self.cluster.db.pool(),
                &hex::encode(info_hash),
                &hex::encode(peer_id),
                self.me(),
            )
            .await;
            if let Err(error) = result {
                tracing::warn!(%error, "cannot record a tracker peer leaving");
            }
        }
    }

    /// Sends the messages relayed to this process's sockets.
    async fn deliver_relayed(&self, state: &SocketState) {
        match tracker_peers::take_relays(self.cluster.db.pool(), self.me()).await {
            Ok(relayed) => {
                for message in relayed {
                    let (Some(hash), Some(peer)) =
                        (hex20(&message.info_hash), hex20(&message.peer_id))
                    else {
                        continue;
                    };
                    if let Some(conn) = state.tracker.connection_of(&hash, &peer) {
                        state.deliver(conn, message.message);
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read relayed tracker messages"),
        }
    }

    async fn heartbeat(&self) {
        let pool = self.cluster.db.pool();
        if let Err(error) = tracker_peers::heartbeat(pool, self.me(), kinora_db::now_millis()).await
        {
            tracing::warn!(%error, "tracker heartbeat failed");
        }
        if let Err(error) = tracker_peers::forget_dead(pool, cutoff()).await {
            tracing::warn!(%error, "cannot forget dead tracker processes");
        }
    }

    /// Beats, and delivers what other processes relay here, until `shutdown`; then forgets
    /// this process's peers.
    pub async fn run(&self, state: SocketState, shutdown: CancellationToken) {
        self.heartbeat().await;
        let mut listener = match RelayListener::connect(&self.cluster.database_url).await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "cannot LISTEN for tracker relays; polling each second");
                None
            }
        };
        let mut poll = tokio::time::interval(POLL);
        let mut beat = tokio::time::interval(HEARTBEAT);
        loop {
            let notified = async {
                match listener.as_mut() {
                    Some(listener) => listener.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                woken = notified => match woken {
                    Ok(process) if process == self.me() => self.deliver_relayed(&state).await,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(%error, "tracker relay notifications failed");
                        tokio::time::sleep(POLL).await;
                    }
                },
                _ = poll.tick() => self.deliver_relayed(&state).await,
                _ = beat.tick() => self.heartbeat().await,
                () = shutdown.cancelled() => break,
            }
        }
        if let Err(error) = tracker_peers::forget_process(self.cluster.db.pool(), self.me()).await {
            tracing::warn!(%error, "cannot forget this process's tracker peers");
        }
    }
}
