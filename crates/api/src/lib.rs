//! Kinora's REST API, compatible with PeerTube's `/api/v1` for what real clients call.
//!
//! One file per endpoint, at the path of its URL (`v1/users/token.rs` serves
//! `POST /api/v1/users/token`). Handlers parse and check input with the extractors of
//! [`extract`], call a use case of `kinora-app` or a read-only query of `kinora-db`, and shape
//! PeerTube's JSON ([`json`]). Every error leaves as `application/problem+json` with a stable
//! `code` ([`error::ApiError`]). May depend on `kinora-core`, `kinora-app` and `kinora-db`
//! (reads only); never on `kinora-federation`. Start reading at [`router`].

#![recursion_limit = "256"]

mod downloads;
pub mod error;
pub mod extract;
mod feeds;
pub mod json;
pub mod list_cache;
mod local_file;
pub mod login_limiter;
pub mod markdown;
pub mod not_found;
mod object_proxy;
mod oembed;
pub mod openapi;
pub mod pages;
pub mod security_headers;
pub mod segment_cache;
pub mod static_files;
mod unsubscribe;
mod v1;

use std::sync::Arc;

use axum::Router;
use kinora_app::AuthConfig;
use kinora_db::Db;

pub use error::ApiError;
pub use login_limiter::LoginLimiter;

/// What every handler can reach.
#[derive(Clone)]
pub struct ApiState {
    /// The database.
    pub db: Db,
    /// The `[instance]` section as in force now: read it with `state.instance.current()`
    /// (administrators change parts of it at run time, `/api/v1/config/custom`).
    pub instance: kinora_app::SharedInstance,
    /// The `[auth]` section.
    pub auth: Arc<AuthConfig>,
    /// The instance's public URL without a trailing slash, e.g. `http://localhost:9000`.
    pub public_url: Arc<str>,
    /// Peers whose `X-Forwarded-For` is believed (reverse proxies in front of the server).
    pub trusted_proxies: Arc<Vec<kinora_core::network::AddressRange>>,
    /// Login attempt limits.
    pub login_limiter: Arc<LoginLimiter>,
    /// Where files are kept.
    pub storage: Arc<kinora_app::MediaStorage>,
    /// Upload limits.
    pub upload_limits: Arc<kinora_app::videos::UploadLimits>,
    /// The built web front end.
    pub web: Arc<pages::WebPages>,
    /// The `[p2p]` section: the web player's peer-to-peer defaults and STUN servers.
    pub p2p: Arc<kinora_app::P2pConfig>,
    /// Whether the tracker runs (`tracker.enabled`); without it the player cannot share.
    pub tracker_enabled: bool,
    /// Other instances, reached through federation.
    pub remote: Arc<dyn kinora_app::remote::RemoteActors>,
    /// Video list pages and totals, kept while the data they show has not changed.
    pub list_cache: Arc<list_cache::ListCache>,
    /// The `[moderation]` section.
    pub moderation: Arc<kinora_app::ModerationConfig>,
    /// The `[search]` section.
    pub search: Arc<kinora_app::remote_search::SearchConfig>,
    /// Watch positions held back between writes (one per process).
    pub history: Arc<kinora_app::history::HistoryWriter>,
    /// Who is watching each video now (one counter per process).
    pub viewers: Arc<kinora_app::viewers::ViewerCounter>,
    /// Whether e-mail is on (`[smtp]` has a host): verification and reset links are sent.
    pub email_enabled: bool,
    /// The `[export]` section: user archives.
    pub exports: Arc<kinora_app::user_exports::UserExportConfig>,
    /// The `[live]` section: live streaming.
    pub live: Arc<kinora_app::lives::LiveConfig>,
}

impl ApiState {
    /// What composing e-mail needs to know of the instance now.
    pub fn email_context(&self) -> kinora_app::emails::EmailContext {
        kinora_app::emails::EmailContext {
            public_url: self.public_url.to_string(),
            instance_name: self.instance.current().name.clone(),
            enabled: self.email_enabled,
        }
    }

    /// The public host with its port when not the default (`localhost:9000`), as PeerTube
    /// writes `host` in JSON.
    pub fn host(&self) -> &str {
        kinora_core::urls::host_of(&self.public_url)
    }
}

/// The upload routes (`/api/v1/videos/upload`, `/api/v1/videos/upload-resumable`), kept apart
/// so the server can give them a longer timeout than the rest.
pub fn upload_router(state: ApiState) -> Router {
    Router::new()
        .nest("/api/v1", v1::upload_router())
        .with_state(state)
}

/// The `/api/v1` routes and the static media routes, with the API's state.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .nest("/api/v1", v1::router())
        .route("/feeds/{file}", axum::routing::get(feeds::video_feed))
        .route("/services/oembed", axum::routing::get(oembed::oembed))
        .route(
            "/download/user-exports/{file}",
            axum::routing::get(v1::download_export),
        )
        .route(
            "/unsubscribe",
            axum::routing::get(unsubscribe::show).post(unsubscribe::confirm),
        )
        .with_state(state.clone())
        .merge(static_files::router(state.clone()))
        .merge(downloads::router(state.clone()))
        .merge(pages::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state,
            segment_cache::forget_after_writes,
        ))
}
