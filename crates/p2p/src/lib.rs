//! Kinora's peer-to-peer sharing: torrents with web seeds, the WebTorrent-compatible tracker and
//! the seeding session.
//!
//! May depend on `kinora-core` and `kinora-storage`. The work lands here with the peer-to-peer
//! issue; today the crate holds its error type so the layout and dependency rules are in place.

/// Why a peer-to-peer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    /// A torrent could not be built for a file.
    #[error("torrent not built: {0}")]
    Torrent(String),
}
