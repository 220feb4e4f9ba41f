//! The HTTP stack: the API router plus the health routes, the ActivityPub read routes
//! (reached by content negotiation), wrapped in layers (request ids: [`crate::request_id`];
//! tower-http's tracing, timeouts, body limits, compression, CORS, panic catching),
//! problem+json for unknown API routes and methods (the front end's not-found page, status 404,
//! for other unknown pages: `kinora_api::not_found`), and trailing-slash normalisation.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_api::{ApiError, ApiState};
use kinora_storage::MediaStorage;
use tokio_util::sync::CancellationToken;
use tower::Layer;
use tower::ServiceBuilder;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::cors::{Any, CorsLayer};
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;

/// What the health routes check.
#[derive(Clone)]
struct HealthState {
    api: ApiState,
    storage: Arc<MediaStorage>,
}

/// The whole application as one service: routes, layers, and trailing-slash trimming (so
/// `/api/v1/videos/{id}/` works as PeerTube clients expect).
pub fn router(
    config: &Config,
    api: ApiState,
    storage: Arc<MediaStorage>,
    federation: Option<&kinora_federation::Federation>,
) -> NormalizePath<Router> {
    router_in_cluster(config, api, storage, federation, None)
}

/// [`router`] for a process that shares its trackers' swarms with the other server processes
/// on the database (`shared`: the WebSocket tracker's link to them, and when to stop it).
pub fn router_in_cluster(
    config: &Config,
    api: ApiState,
    storage: Arc<MediaStorage>,
    federation: Option<&kinora_federation::Federation>,
    shared: Option<(Arc<crate::tracker_shared::SharedSwarms>, CancellationToken)>,
) -> NormalizePath<Router> {
    crate::metrics::handle(); // install the recorder before the first request is counted
    let health = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(HealthState {
            api: api.clone(),
            storage,
        });
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::RANGE])
        .expose_headers([header::CONTENT_LENGTH, header::CONTENT_RANGE]);
    let uploads = kinora_api::upload_router(api.clone()).layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(config.uploads_timeout_secs()),
    ));
    let tracker = crate::tracker_http::router(
        crate::tracker_http::TrackerState::new(
            kinora_p2p::tracker::Tracker::new(config.tracker.clone()),
            api.db.clone(),
            api.trusted_proxies.clone(),
        )
        .sharing(shared.is_some()),
    );
    // The WebSocket tracker lives outside the request timeout: its sockets stay open.
    let mut socket_state = crate::tracker_socket::SocketState::new(
        kinora_p2p::ws_tracker::WsTracker::new(config.tracker.clone()),
        api.db.clone(),
        api.trusted_proxies.clone(),
    );
    if let Some((swarms, stop)) = shared
        && config.tracker.enabled
    {
        socket_state = socket_state.sharing(swarms.clone());
        let state = socket_state.clone();
        tokio::spawn(async move { swarms.run(state, stop).await });
    }
    let tracker_socket = crate::tracker_socket::router(socket_state);
    let discovery =
        kinora_federation::discovery::router(kinora_federation::discovery::DiscoveryState {
            db: api.db.clone(),
            public_url: api.public_url.clone(),
            instance: api.instance.clone(),
        });
    // Inboxes exist where the federation layer runs (`kinora serve`; not the in-process tests).
    let inbox = federation.map_or_else(Router::new, |federation| {
        kinora_federation::inbox::route::router(federation.clone())
    });
    let activitypub =
        kinora_federation::routes::router(kinora_federation::routes::FederationState {
            db: api.db.clone(),
            urls: kinora_federation::urls::LocalUrls::new(&api.public_url),
            storage: api.storage.clone(),
        })
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ))
        .layer(axum::middleware::from_fn(crate::metrics::record_request));
    let pages_state = api.clone();
    let api_trusted_proxies = api.trusted_proxies.clone();
    let timed = kinora_api::router(api)
        .merge(health)
        .merge(tracker)
        .merge(discovery)
        .merge(inbox)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ));
    let routed = timed
        .merge(uploads)
        .merge(tracker_socket)
        .fallback(move |request: Request| {
            kinora_api::not_found::answer_unknown_path(pages_state.clone(), request)
        })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(crate::metrics::record_request));
    // Negotiation happens before routing (as the fallback of an empty router), so each of the
    // two routers matches the request afresh.
    let app = Router::new()
        .fallback_service(routed)
        .layer(axum::middleware::from_fn_with_state(
            activitypub,
            send_activitypub_requests,
        ))
        .layer(DefaultBodyLimit::max(config.server.body_limit_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    api_trusted_proxies.clone(),
                    crate::request_id::assign,
                ))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &axum::extract::Request| {
                            let id = request
                                .headers()
                                .get(&crate::request_id::REQUEST_ID)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-");
                            // At ERROR level, so the span is on whatever the log filter:
                            // every line logged while the request is handled carries its id.
                            tracing::error_span!("request", method = %request.method(),
                                            path = %request.uri().path(), request_id = %id)
                        })
                        .on_failure(log_failure),
                )
                .layer(CatchPanicLayer::custom(|_| {
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal_error",
                        "The server failed.",
                    )
                    .into_response()
                }))
                // Media is compressed already: gzip would only cost CPU (and break ranges).
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new().and(NotForContentType::const_new("video/")),
                ))
                .layer(cors),
        )
        .layer(axum::middleware::from_fn(crate::security_headers::apply));
    NormalizePathLayer::trim_trailing_slash().layer(app)
}

/// Logs a response that failed: a server fault at ERROR; a 501 (the client asked for what
/// this server does not offer, such as an oEmbed format other than JSON) is a refusal of the
/// client's request, not a fault, and is only logged at DEBUG.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: Duration,
    _span: &tracing::Span,
) {
    match class {
        tower_http::classify::ServerErrorsFailureClass::StatusCode(status)
            if status == StatusCode::NOT_IMPLEMENTED =>
        {
            tracing::debug!(%status, ?latency, "request refused: not implemented");
        }
        class => tracing::error!(classification = %class, ?latency, "response failed"),
    }
}

/// Content negotiation, in one place: a request for an ActivityPub document (a read route's
/// path with an `Accept` that prefers ActivityPub) goes to the federation router; every other
/// request (browsers, the API) to the rest. `kinora-api` and `kinora-federation` never meet.
async fn send_activitypub_requests(
    State(federation): State<Router>,
    request: Request,
    next: Next,
) -> Response {
    if kinora_federation::routes::is_activitypub_request(
        request.method(),
        request.uri().path(),
        request.headers(),
    ) {
        return match federation.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
    }
    next.run(request).await
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This route does not accept this method.",
    )
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers, the local storage root is writable and each S3 location
/// answers ([`MediaStorage::check_ready`]).
async fn readyz(State(state): State<HealthState>) -> Response {
    let (database, storage) = tokio::join!(state.api.db.ping(), state.storage.check_ready());
    match (database, storage) {
        (Ok(()), Ok(())) => (StatusCode::OK, "ready").into_response(),
        (database, storage) => {
            let mut problems = Vec::new();
            if let Err(error) = database {
                problems.push(format!("database: {error}"));
            }
            if let Err(error) = storage {
                problems.push(format!("storage: {error}"));
            }
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                problems.join("; "),
            )
            .into_response()
        }
    }
}
