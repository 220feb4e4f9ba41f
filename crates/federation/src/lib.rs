//! Kinora's ActivityPub federation: PeerTube-shaped objects, HTTP signatures, WebFinger, NodeInfo,
//! the inbox, the outbox and the per-host delivery worker.
//!
//! May depend on `kinora-core`, `kinora-db`, `kinora-jobs` and `kinora-app`; never on
//! `kinora-api` (the two meet in `kinora-app` and the outbox). Today it owns the
//! `[federation]` configuration section, discovery ([`discovery`]: WebFinger, host-meta,
//! NodeInfo), the one outbound HTTP client ([`http_client::OutboundClient`]: SSRF guard at
//! connect time, caps, deadlines, deliveries), draft-cavage HTTP signatures both ways
//! ([`signatures`]), bounded JSON parsing ([`json`]), the documents ([`protocol`]: built from
//! rows, and parsed from other servers) and the read routes that serve them ([`routes`]).

pub mod actor_images;
mod archive;
mod backfill;
mod config;
mod context;
pub mod delivery;
pub mod discovery;
pub mod http_client;
pub mod inbox;
pub mod jobs;
pub mod json;
pub mod ld_signature;
mod lookup;
mod mirror;
mod mutes;
mod outbox;
mod playlist_icons;
mod problem;
pub mod protocol;
pub mod relays;
pub mod resolve;
pub mod routes;
pub mod signatures;
pub mod urls;

pub use config::FederationConfig;
pub use context::{Federation, StartError};
pub use lookup::RemoteLookup;

/// Why a federation operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// A remote host may not be contacted.
    #[error("remote address refused: {0}")]
    AddressRefused(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] kinora_db::DbError),
    /// A use case failed (visibility, storage URLs).
    #[error(transparent)]
    App(#[from] kinora_app::AppError),
}
