//! The BitTorrent seeding session: librqbit seeds the rendition files the server names, for TCP
//! BitTorrent clients (browsers use the web seed and the WebSocket tracker instead).
//!
//! [`Seeder::start`] opens one librqbit session with no DHT, no local service discovery and no
//! UPnP, listening on `[seeder] listen` and announcing `announce_port` (librqbit would announce
//! 4240 on a loopback address otherwise) to the trackers in each torrent's announce list.
//! [`Seeder::reconcile`] makes the session seed exactly the files it is given: what is no
//! longer wanted is removed first (never deleting files), then what is missing is added and
//! verified. Files are read through [`read_only`] storage: opened read-only, never written,
//! truncated or deleted; a file whose length or data does not match its torrent is refused.
//!
//! Fast-resume: the pieces verified are kept in `resume_dir` (librqbit's JSON persistence,
//! keyed by info hash), so after a restart only a sample of pieces is read again. librqbit's
//! own list of torrents there is dropped at start: the caller's list is the truth.

mod config;
mod read_only;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use librqbit::api::TorrentIdOrHash;
use librqbit::limits::LimitsConfig;
use librqbit::storage::StorageFactoryExt;
use librqbit::{
    AddTorrent, AddTorrentOptions, AddTorrentResponse, ListenerMode, ListenerOptions, Session,
    SessionOptions, SessionPersistenceConfig,
};

pub use self::config::SeederConfig;
use self::read_only::ReadOnlyStorageFactory;
use crate::P2pError;
use crate::torrent::parse_info_hash;

/// librqbit's list of the torrents of a session, in the resume directory.
const SESSION_LIST: &str = "session.json";

/// One file to seed: its torrent and where its data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedFile {
    /// The info hash recorded for the torrent; the torrent file must have it.
    pub info_hash: [u8; 20],
    /// The `.torrent` file (read when the torrent is added).
    pub torrent_path: PathBuf,
    /// The media file the torrent describes (a single-file torrent).
    pub media_path: PathBuf,
}

/// What one [`Seeder::reconcile`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Torrents added and verified.
    pub added: usize,
    /// Torrents removed (their files are left alone).
    pub removed: usize,
    /// Wanted torrents not seeded: a file missing, of another length, not matching its torrent,
    /// or past `max_torrents`.
    pub refused: usize,
    /// Torrents seeded after it.
    pub seeding: usize,
}

/// Why a file was refused, and what it looked like then (it is tried again once that changes).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Refusal {
    file: SeedFile,
    seen: Option<(u64, Option<SystemTime>)>,
}

fn looks(file: &SeedFile) -> Option<(u64, Option<SystemTime>)> {
    std::fs::metadata(&file.media_path)
        .ok()
        .map(|metadata| (metadata.len(), metadata.modified().ok()))
}

#[derive(Default)]
struct Managed {
    /// Info hash → librqbit's torrent id and the file seeded.
    seeding: HashMap<[u8; 20], (usize, SeedFile)>,
    refused: HashMap<[u8; 20], Refusal>,
}

/// A running seeding session.
pub struct Seeder {
    session: Arc<Session>,
    managed: tokio::sync::Mutex<Managed>,
    bytes_read: Arc<AtomicU64>,
    listen: SocketAddr,
    announce_port: u16,
    max_torrents: usize,
    resume_dir: PathBuf,
}

fn seeder_error(context: &str) -> impl Fn(anyhow::Error) -> P2pError + '_ {
    move |error| P2pError::Seeder(format!("{context}: {error:#}"))
}

/// `address`, with a free port chosen when its port is 0 (the port must be known before the
/// session starts, to be announced).
fn with_concrete_port(address: SocketAddr) -> Result<SocketAddr, P2pError> {
    if address.port() != 0 {
        return Ok(address);
    }
    std::net::TcpListener::bind(address)
        .and_then(|listener| listener.local_addr())
        .map_err(|error| P2pError::Seeder(format!("cannot listen on {address}: {error}")))
}

impl Seeder {
    /// Starts the session: listens on `config.listen` and prepares `config.resume_dir`. Nothing
    /// is seeded until [`Seeder::reconcile`].
    pub async fn start(config: &SeederConfig) -> Result<Seeder, P2pError> {
        let listen = with_concrete_port(config.listen)?;
        let resume_dir = config.resume_dir.clone();
        let io_error = |source| P2pError::Read {
            path: resume_dir.clone(),
            source,
        };
        std::fs::create_dir_all(&resume_dir).map_err(io_error)?;
        match std::fs::remove_file(resume_dir.join(SESSION_LIST)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error(error));
            }
            _ => {}
        }
        let announce_port = match config.announce_port {
            0 => listen.port(),
            port => port,
        };
        let bytes_read = Arc::new(AtomicU64::new(0));
        let options = SessionOptions {
            dht: None,
            disable_local_service_discovery: true,
            fastresume: true,
            persistence: Some(SessionPersistenceConfig::Json {
                folder: Some(resume_dir.clone()),
            }),
            listen: Some(ListenerOptions {
                mode: ListenerMode::TcpOnly,
                listen_addr: listen,
                enable_upnp_port_forwarding: false,
                announce_port: Some(announce_port),
                ipv4_only: listen.is_ipv4(),
                ..ListenerOptions::default()
            }),
            default_storage_factory: Some(
                ReadOnlyStorageFactory::new(Vec::new(), bytes_read.clone()).boxed(),
            ),
            ratelimits: LimitsConfig {
                upload_bps: NonZeroU32::new(config.upload_bytes_per_second),
                download_bps: None,
            },
            peer_limit: Some(config.max_peers_per_torrent),
            ipv4_only: listen.is_ipv4(),
            client_name_and_version: Some(format!("Kinora {}", env!("CARGO_PKG_VERSION"))),
            ..SessionOptions::default()
        };
        let session = Session::new_with_opts(resume_dir.clone(), options)
            .await
            .map_err(seeder_error(&format!("cannot start seeding on {listen}")))?;
        let listen = session.listen_addr().unwrap_or(listen);
        tracing::info!(%listen, announce_port, "seeder listening");
        Ok(Seeder {
            session,
            managed: tokio::sync::Mutex::default(),
            bytes_read,
            listen,
            announce_port,
            max_torrents: config.max_torrents,
            resume_dir,
        })
    }

    /// The address peers connect to.
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen
    }

    /// The port announced to trackers.
    pub fn announce_port(&self) -> u16 {
        self.announce_port
    }

    /// Bytes read from media files since the start (verifying pieces and uploading them).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// The info hashes seeded now.
    pub async fn info_hashes(&self) -> Vec<[u8; 20]> {
        self.managed.lock().await.seeding.keys().copied().collect()
    }

    /// Makes the session seed exactly `wanted` (at most `max_torrents` of them, the first
    /// ones): removes the torrents not in it (and those whose file moved), then adds and
    /// verifies the missing ones. A refused file is tried again when its length or
    /// modification time changes. Calls run one after another.
    pub async fn reconcile(&self, wanted: Vec<SeedFile>) -> ReconcileReport {
        let mut managed = self.managed.lock().await;
        let mut report = ReconcileReport {
            refused: wanted.len().saturating_sub(self.max_torrents),
            ..ReconcileReport::default()
        };
        let wanted: HashMap<[u8; 20], SeedFile> = wanted
            .into_iter()
            .take(self.max_torrents)
            .map(|file| (file.info_hash, file))
            .collect();
        let stale: Vec<([u8; 20], usize)> = managed
            .seeding
            .iter()
            .filter(|(hash, (_, file))| wanted.get(*hash) != Some(file))
            .map(|(hash, (id, _))| (*hash, *id))
            .collect();
        for (hash, id) in stale {
            self.remove(id).await;
            managed.seeding.remove(&hash);
            report.removed += 1;
        }
        managed
            .refused
            .retain(|hash, refusal| wanted.get(hash) == Some(&refusal.file));
        for (hash, file) in wanted {
            if managed.seeding.contains_key(&hash) {
                continue;
            }
            if let Some(refusal) = managed.refused.get(&hash)
                && refusal.seen == looks(&file)
            {
                report.refused += 1;
                continue;
            }
            match self.add(&file).await {
                Ok(id) => {
                    managed.refused.remove(&hash);
                    managed.seeding.insert(hash, (id, file));
                    report.added += 1;
                }
                Err(reason) => {
                    tracing::warn!(
                        info_hash = %hex::encode(hash),
                        file = %file.media_path.display(),
                        %reason,
                        "not seeded"
                    );
                    let seen = looks(&file);
                    managed.refused.insert(hash, Refusal { file, seen });
                    report.refused += 1;
                }
            }
        }
        self.forget_resume_state_except(&managed.seeding.keys().copied().collect());
        report.seeding = managed.seeding.len();
        report
    }

    /// Adds one torrent and waits until its data is verified; answers librqbit's id.
    async fn add(&self, file: &SeedFile) -> Result<usize, String> {
        let bytes = tokio::fs::read(&file.torrent_path)
            .await
            .map_err(|error| format!("cannot read {}: {error}", file.torrent_path.display()))?;
        let info_hash = parse_info_hash(&bytes).map_err(|error| error.to_string())?;
        if info_hash != file.info_hash {
            return Err(format!(
                "the torrent's info hash is {}, not {}",
                hex::encode(info_hash),
                hex::encode(file.info_hash)
            ));
        }
        let folder = file.media_path.parent().unwrap_or(Path::new("/"));
        let options = AddTorrentOptions {
            output_folder: Some(folder.to_string_lossy().into_owned()),
            storage_factory: Some(
                ReadOnlyStorageFactory::new(vec![file.media_path.clone()], self.bytes_read.clone())
                    .boxed(),
            ),
            ..AddTorrentOptions::default()
        };
        let added = self
            .session
            .add_torrent(AddTorrent::from_bytes(bytes), Some(options))
            .await
            .map_err(|error| format!("{error:#}"))?;
        let (id, handle) = match added {
            AddTorrentResponse::Added(id, handle)
            | AddTorrentResponse::AlreadyManaged(id, handle) => (id, handle),
            AddTorrentResponse::ListOnly(_) => return Err("listed only".to_owned()),
        };
        if let Err(error) = handle.wait_until_initialized().await {
            self.remove(id).await;
            return Err(format!("{error:#}"));
        }
        let stats = handle.stats();
        if !stats.finished {
            self.remove(id).await;
            return Err(format!(
                "only {} of {} bytes match the torrent",
                stats.progress_bytes, stats.total_bytes
            ));
        }
        Ok(id)
    }

    /// Removes a torrent from the session, leaving its files alone.
    async fn remove(&self, id: usize) {
        if let Err(error) = self.session.delete(TorrentIdOrHash::Id(id), false).await {
            tracing::warn!(id, error = %format!("{error:#}"), "removing a torrent failed");
        }
    }

    /// Deletes the fast-resume files (`<info hash>.bitv`, `<info hash>.torrent`) of torrents
    /// not seeded, e.g. of videos deleted while the server was stopped.
    fn forget_resume_state_except(&self, seeding: &HashSet<[u8; 20]>) {
        let Ok(entries) = std::fs::read_dir(&self.resume_dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            let Some((stem, extension)) = name.to_str().and_then(|name| name.split_once('.'))
            else {
                continue;
            };
            if !matches!(extension, "bitv" | "torrent" | "bitv.tmp") {
                continue;
            }
            let Ok(hash) = <[u8; 20]>::try_from(hex::decode(stem).unwrap_or_default()) else {
                continue;
            };
            if !seeding.contains(&hash)
                && let Err(error) = std::fs::remove_file(entry.path())
            {
                tracing::warn!(file = %entry.path().display(), %error, "cannot delete");
            }
        }
    }

    /// Stops the session: closes every connection and listener. Files are left alone.
    pub async fn stop(&self) {
        self.session.stop().await;
    }
}
