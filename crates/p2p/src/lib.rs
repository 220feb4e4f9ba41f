//! Kinora's peer-to-peer sharing: torrents with web seeds, the WebTorrent-compatible tracker and
//! the seeding session.
//!
//! May depend on `kinora-core` and `kinora-storage`. Start reading at [`torrent`]:
//! [`build_torrent`] writes the single-file `.torrent` PeerTube publishes for each video file
//! (web seed in `url-list`, the instance's trackers), and [`magnet_uri`] the matching magnet.
//! `bencode` is the small encoder and bounded reader both rely on. [`tracker`] is the HTTP
//! tracker and [`ws_tracker`] the WebTorrent WebSocket tracker (offer and answer relay between
//! browsers), both pure state machines the server puts behind its routes. [`seeder`] is the
//! librqbit session that seeds published files, read-only, for TCP BitTorrent clients.

use std::path::PathBuf;

mod bencode;
pub mod seeder;
pub mod torrent;
pub mod tracker;
pub mod ws_tracker;

/// Magnets are plain text the API writes too, so they live in `kinora-core`.
pub use kinora_core::magnet::magnet_uri;
pub use torrent::{
    Torrent, TorrentSpec, build_torrent, build_torrent_blocking, parse_info_hash, piece_length_for,
};

/// Why a peer-to-peer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    /// A torrent could not be built for a file.
    #[error("torrent not built: {0}")]
    Torrent(String),
    /// The file to share could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Bytes given as a `.torrent` are not one.
    #[error("not a valid .torrent: {0}")]
    InvalidTorrent(String),
    /// The seeding session could not start.
    #[error("seeder: {0}")]
    Seeder(String),
}
