//! Discovery, as PeerTube answers it: WebFinger (`/.well-known/webfinger`) for local accounts,
//! channels and the instance actor `peertube` (their names share one namespace), host-meta
//! (XRD with the WebFinger template), and NodeInfo 2.0 (`/.well-known/nodeinfo` →
//! `/nodeinfo/2.0.json`, software name `kinora`).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_core::RegistrationMode;
use kinora_db::Db;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::problem::problem;

pub use crate::urls::INSTANCE_ACTOR;

/// What the discovery routes read.
#[derive(Clone)]
pub struct DiscoveryState {
    /// The database.
    pub db: Db,
    /// The instance's public URL without a trailing slash.
    pub public_url: Arc<str>,
    /// The `[instance]` section.
    pub instance: kinora_app::SharedInstance,
}

impl DiscoveryState {
    /// `host[:port]` of the public URL.
    fn host(&self) -> &str {
        kinora_core::urls::host_of(&self.public_url)
    }
}

/// The discovery routes.
pub fn router(state: DiscoveryState) -> Router {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.0.json", get(nodeinfo))
        .with_state(state)
}

/// The query of a WebFinger request.
#[derive(Debug, Deserialize)]
pub struct WebFingerQuery {
    resource: Option<String>,
}

/// The local actor name a WebFinger resource names: `acct:name@host` (or `name@host`) on this
/// host, or the URL of a local account or channel.
fn actor_name<'a>(state: &DiscoveryState, resource: &'a str) -> Option<&'a str> {
    let base = &*state.public_url;
    for prefix in ["/accounts/", "/video-channels/", "/a/", "/c/"] {
        if let Some(name) = resource
            .strip_prefix(base)
            .and_then(|path| path.strip_prefix(prefix))
        {
            return Some(name);
        }
    }
    let handle = resource.strip_prefix("acct:").unwrap_or(resource);
    let (name, host) = handle.rsplit_once('@')?;
    host.eq_ignore_ascii_case(state.host()).then_some(name)
}

async fn webfinger(
    State(state): State<DiscoveryState>,
    Query(query): Query<WebFingerQuery>,
) -> Response {
    let Some(resource) = query.resource.filter(|r| !r.is_empty() && r.len() <= 512) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            "resource is required",
        );
    };
    let Some(name) = actor_name(&state, &resource)
        .filter(|name| !name.is_empty() && name.len() <= 64 && !name.contains(['/', '?', '#']))
    else {
        return problem(
            StatusCode::NOT_FOUND,
            "not_found",
            "No local actor has this name.",
        );
    };
    let pool = state.db.pool();
    let href = if name == INSTANCE_ACTOR {
        format!("{}/accounts/{INSTANCE_ACTOR}", state.public_url)
    } else {
        match kinora_db::accounts::find_local_by_name(pool, name).await {
            Ok(Some(account)) => format!("{}/accounts/{}", state.public_url, account.name),
            Ok(None) => match kinora_db::channels::find_local_by_name(pool, name).await {
                Ok(Some(channel)) => {
                    format!("{}/video-channels/{}", state.public_url, channel.name)
                }
                Ok(None) => {
                    return problem(
                        StatusCode::NOT_FOUND,
                        "not_found",
                        "No local actor has this name.",
                    );
                }
                Err(error) => return internal(&error),
            },
            Err(error) => return internal(&error),
        }
    };
    let subject = format!("acct:{name}@{}", state.host());
    let mut response = Json(json!({
        "subject": subject,
        "aliases": [href],
        "links": [
            { "rel": "self", "type": "application/activity+json", "href": href },
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": format!("{}/remote-interaction?uri={{uri}}", state.public_url)
            }
        ]
    }))
    .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json; charset=utf-8"),
    );
    response
}

fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "discovery query failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "The server failed.",
    )
}

async fn host_meta(State(state): State<DiscoveryState>) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" type=\"application/xrd+xml\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n\
         </XRD>\n",
        state.public_url
    );
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xrd+xml; charset=utf-8"),
    );
    response
}

async fn nodeinfo_links(State(state): State<DiscoveryState>) -> Json<Value> {
    Json(json!({
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": format!("{}/nodeinfo/2.0.json", state.public_url)
            },
            {
                "rel": "https://www.w3.org/ns/activitystreams#Application",
                "href": format!("{}/accounts/{INSTANCE_ACTOR}", state.public_url)
            }
        ]
    }))
}

async fn nodeinfo(State(state): State<DiscoveryState>) -> Response {
    let counts = match kinora_db::instance_stats::counts(state.db.pool()).await {
        Ok(counts) => counts,
        Err(error) => return internal(&error),
    };
    let instance = state.instance.current();
    let mut response = Json(json!({
        "version": "2.0",
        "software": { "name": "kinora", "version": env!("CARGO_PKG_VERSION") },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": ["atom1.0", "rss2.0"] },
        "openRegistrations": instance.registration != RegistrationMode::Closed,
        "usage": {
            "users": { "total": counts.users },
            "localPosts": counts.local_videos,
            "localComments": counts.local_comments
        },
        "metadata": {
            "taxonomy": { "postsName": "Videos" },
            "nodeName": instance.name,
            "nodeDescription": instance.short_description
        }
    }))
    .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"",
        ),
    );
    response
}
