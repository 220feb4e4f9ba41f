//! Kinora's ActivityPub federation: PeerTube-shaped objects, HTTP signatures, WebFinger, NodeInfo,
//! the inbox, the outbox and the per-host delivery worker.
//!
//! May depend on `kinora-core`, `kinora-db`, `kinora-jobs` and `kinora-app`; never on
//! `kinora-api` (the two meet in `kinora-app` and the outbox). Today it owns the
//! `[federation]` configuration section, discovery ([`discovery`]: WebFinger, host-meta,
//! NodeInfo), the documents ([`protocol`]: built from rows, and parsed from other servers) and
//! the read routes that serve them ([`routes`]). Start reading at [`protocol::loader`].

pub mod discovery;
pub mod protocol;
pub mod routes;
pub mod urls;

use serde::{Deserialize, Serialize};

/// The `[federation]` configuration section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationConfig {
    /// Let the outbound client reach private, loopback and link-local addresses. Off by default;
    /// meant for tests that run several instances on one machine.
    pub allow_private_addresses: bool,
}

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
