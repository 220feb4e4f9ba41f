//! Prometheus metrics: the recorder, HTTP request counters and timings, queue gauges, and the
//! `/metrics` route. The route is off (404, like any unknown path) unless `metrics.token` is
//! set; then it answers only a request bearing that token (`Authorization: Bearer …`), so a
//! default instance shows nobody its traffic, queues or seeding.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_api::ApiError;
use kinora_db::Db;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};

/// The shortest token accepted: long enough not to be guessed.
pub const MIN_TOKEN_LENGTH: usize = 16;

/// The `[metrics]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// The bearer token `/metrics` asks for; empty (the default) turns the route off.
    pub token: String,
}

impl MetricsConfig {
    /// Refuses a token too short to be secret.
    pub fn check(&self) -> Result<(), String> {
        let length = self.token.chars().count();
        if length > 0 && length < MIN_TOKEN_LENGTH {
            return Err(format!(
                "must be empty (metrics off) or at least {MIN_TOKEN_LENGTH} characters, not {length}"
            ));
        }
        Ok(())
    }
}

/// The `/metrics` route with its token.
pub fn router(config: &MetricsConfig) -> Router {
    Router::new()
        .route("/metrics", get(serve))
        .with_state(Arc::<str>::from(config.token.as_str()))
}

/// Prometheus text format, for the holder of the token.
async fn serve(State(token): State<Arc<str>>, headers: HeaderMap) -> Response {
    if token.is_empty() {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No route matches this path.",
        )
        .into_response();
    }
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    if !offered.is_some_and(|offered| same_secret(offered.as_bytes(), token.as_bytes())) {
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "/metrics needs the token set in metrics.token, as Authorization: Bearer <token>.",
        )
        .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return response;
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// Compares two secrets in time that depends on their lengths only.
fn same_secret(offered: &[u8], expected: &[u8]) -> bool {
    offered.len() == expected.len()
        && offered
            .iter()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The process-wide Prometheus recorder (installed once, shared by every router in the process).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            handle
        })
        .clone()
}

/// Counts and times every request, labelled by route pattern (not raw path) and status.
pub async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("kinora_http_requests_total", &labels).increment(1);
    metrics::histogram!("kinora_http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// Publishes how many jobs are in each state.
pub async fn record_queue(db: &Db) {
    for state in ["queued", "running", "dead"] {
        match kinora_db::jobs::count_by_state(db.pool(), state).await {
            Ok(count) => metrics::gauge!("kinora_jobs", "state" => state).set(count as f64),
            Err(error) => tracing::warn!(%error, "could not count jobs"),
        }
    }
}
