//! `GET /tracker/announce`: the HTTP face of `kinora_p2p::tracker`. The client's address comes
//! from the connection (or `X-Forwarded-For` from a trusted proxy); each address may announce
//! `tracker.announces_per_second_per_address` times a second (bursts of four times that); in
//! private mode an info hash
//! is tracked only when it belongs to a published public or unlisted video of this instance.
//! Answers are bencoded, failures too (`failure reason`, status 200, as BEP 3 wants).
//! On PostgreSQL the peers live in the database (`kinora_db::tracker_http_peers`), so every
//! server process of the instance answers with the same swarm.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kinora_db::Db;
use kinora_db::tracker_http_peers::{self, HttpPeer};
use kinora_p2p::tracker::{
    Announce, AnnounceError, AnnounceEvent, Tracker, answer_body, parse_announce, peer_expiry,
    wanted,
};

/// Addresses remembered by the limiter before those whose limit has recovered are forgotten.
const MAX_REMEMBERED_ADDRESSES: usize = 10_000;

/// What the tracker route needs.
#[derive(Clone)]
pub struct TrackerState {
    /// The swarms.
    pub tracker: Arc<Tracker>,
    /// To tell this instance's info hashes.
    pub db: Db,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<kinora_core::network::AddressRange>>,
    /// Announces per address (per process: see ARCHITECTURE.md, "Which state lives where").
    pub limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Whether the peers live in the database, shared by every server process (PostgreSQL),
    /// rather than in [`TrackerState::tracker`].
    pub shared: bool,
}

impl TrackerState {
    /// A tracker state with an empty tracker.
    pub fn new(
        tracker: Tracker,
        db: Db,
        trusted_proxies: Arc<Vec<kinora_core::network::AddressRange>>,
    ) -> Self {
        let rate = tracker.config().announces_per_second_per_address.max(1);
        let quota = Quota::per_second(NonZeroU32::new(rate).expect("at least one"))
            .allow_burst(NonZeroU32::new(rate.saturating_mul(4)).expect("at least one"));
        Self {
            tracker: Arc::new(tracker),
            db,
            trusted_proxies,
            limiter: Arc::new(RateLimiter::keyed(quota)),
            shared: false,
        }
    }

    /// The same state keeping its peers in the database when `shared`.
    pub fn sharing(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }
}

/// The tracker route (none when `tracker.enabled` is false).
pub fn router(state: TrackerState) -> Router {
    if !state.tracker.config().enabled {
        return Router::new();
    }
    Router::new()
        .route("/tracker/announce", get(announce))
        .with_state(state)
}

fn bencoded(body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

async fn announce(State(state): State<TrackerState>, request: Request) -> Response {
    let query = request.uri().query().map(str::to_owned);
    let Some(ip) = kinora_api::extract::request_client_address(
        request.headers(),
        request.extensions(),
        &state.trusted_proxies,
    ) else {
        return bencoded(AnnounceError::Invalid("address").body());
    };
    if state.limiter.len() > MAX_REMEMBERED_ADDRESSES {
        state.limiter.retain_recent();
    }
    if state.limiter.check_key(&ip).is_err() {
        let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let announce = match parse_announce(query.as_deref().unwrap_or("")) {
        Ok(announce) => announce,
        Err(error) => return bencoded(error.body()),
    };
    let allowed = if state.tracker.config().private {
        match kinora_db::videos::info_hash_is_public(
            state.db.pool(),
            &hex::encode(announce.info_hash),
        )
        .await
        {
            Ok(allowed) => allowed,
            Err(error) => {
                tracing::error!(%error, "checking an info hash failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    } else {
        true
    };
    if state.shared {
        if state.tracker.config().private && !allowed {
            return bencoded(AnnounceError::UnknownInfoHash.body());
        }
        return match announce_shared(&state, ip, &announce).await {
            Ok(body) => bencoded(body),
            Err(error) => {
                tracing::error!(%error, "a shared tracker announce failed");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        };
    }
    match state.tracker.announce(ip, &announce, allowed) {
        Ok(body) => bencoded(body),
        Err(error) => bencoded(error.body()),
    }
}

/// The announce with the swarm in the database (`kinora_db::tracker_http_peers`), so that every
/// server process answers with the same peers; the same bounds as the in-process tracker.
async fn announce_shared(
    state: &TrackerState,
    ip: IpAddr,
    announce: &Announce,
) -> kinora_db::DbResult<Vec<u8>> {
    let config = state.tracker.config();
    let pool = state.db.pool();
    let hash = hex::encode(announce.info_hash);
    let peer_id = hex::encode(announce.peer_id);
    let now = kinora_db::now_millis();
    let cutoff = now - i64::try_from(peer_expiry(config).as_millis()).unwrap_or(i64::MAX / 2);
    let seeder = announce.left == 0;
    if announce.event == Some(AnnounceEvent::Stopped) {
        tracker_http_peers::remove(pool, &hash, &peer_id).await?;
    } else {
        let peer = HttpPeer {
            address: ip.to_string(),
            port: announce.port,
            seeder,
        };
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let limits = (count(config.max_peers_per_swarm), count(config.max_swarms));
        tracker_http_peers::upsert(pool, &hash, &peer_id, &peer, now, limits).await?;
    }
    let (complete, incomplete) = tracker_http_peers::counts(pool, &hash, cutoff).await?;
    let wanted = i64::try_from(wanted(config, announce)).unwrap_or(0);
    let others = tracker_http_peers::others(pool, &hash, &peer_id, seeder, cutoff, wanted).await?;
    let addresses: Vec<SocketAddr> = others
        .iter()
        .filter_map(|peer| Some(SocketAddr::new(peer.address.parse().ok()?, peer.port)))
        .collect();
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(answer_body(
        config,
        count(complete),
        count(incomplete),
        &addresses,
    ))
}
