//! Prometheus metrics: the `[metrics]` section, the process's recorder (with the histograms'
//! buckets), and the HTTP middleware that counts and times every request by method, route
//! template and status class. The listener that serves them, apart from the public one, and the
//! queue figures it reads from the database at each scrape are in [`crate::metrics_listener`].
//!
//! Other crates record into the same recorder through the `metrics` facade: job attempts
//! (`kinora-jobs`), storage faults (`kinora-storage`), deliveries and inbox activities
//! (`kinora-federation`); transcode durations come from the pool's `kinora-transcoder`
//! processes ([`crate::transcoders`]).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};

/// The shortest token accepted: long enough not to be guessed.
pub const MIN_TOKEN_LENGTH: usize = 16;

/// The `[metrics]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Whether `kinora serve` opens its metrics listener.
    pub enabled: bool,
    /// Where the metrics listener listens (`GET /metrics`); never the public listener. Keep it
    /// on loopback or a private network.
    pub listen: SocketAddr,
    /// A bearer token the metrics listener also asks for; empty (the default): none.
    pub token: String,
    /// How many remote hosts the delivery backlog names (those with the most pending); the
    /// others are summed under `host="(other)"`.
    pub delivery_hosts: u32,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
            token: String::new(),
            delivery_hosts: 20,
        }
    }
}

impl MetricsConfig {
    /// Refuses a token too short to be secret, and a token without metrics (`/metrics` moved
    /// from the public listener to `metrics.listen`: an old configuration says so at start).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let length = self.token.chars().count();
        if length > 0 && length < MIN_TOKEN_LENGTH {
            return Err((
                "metrics.token",
                format!(
                    "must be empty (no token) or at least {MIN_TOKEN_LENGTH} characters, not {length}"
                ),
            ));
        }
        if length > 0 && !self.enabled {
            return Err((
                "metrics.enabled",
                "metrics.token is set but metrics are off: set metrics.enabled = true \
                 (/metrics is served on metrics.listen, not on the public listener)"
                    .to_owned(),
            ));
        }
        if self.delivery_hosts == 0 || self.delivery_hosts > 1000 {
            return Err((
                "metrics.delivery_hosts",
                format!("must be between 1 and 1000, not {}", self.delivery_hosts),
            ));
        }
        Ok(())
    }
}

/// Buckets of request latencies, seconds.
const REQUEST_BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Buckets of job and transcode durations, seconds.
const WORK_BUCKETS: &[f64] = &[
    0.01, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// The process-wide Prometheus recorder (installed once, shared by every router in the process).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let mut builder = PrometheusBuilder::new();
            for (name, buckets) in [
                ("kinora_http_request_duration_seconds", REQUEST_BUCKETS),
                ("kinora_job_duration_seconds", WORK_BUCKETS),
                ("kinora_transcode_duration_seconds", WORK_BUCKETS),
            ] {
                builder = builder
                    .set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)
                    .expect("bucket lists are not empty");
            }
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            handle
        })
        .clone()
}

/// Counts and times every request, labelled by method, route template (axum's
/// [`MatchedPath`], never the raw path: `unmatched` for paths no route has) and status class.
pub async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("kinora_http_requests_total", &labels).increment(1);
    metrics::histogram!("kinora_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The method's name when it is one of HTTP's own, else `other` (bounded label values).
fn method_label(method: &axum::http::Method) -> String {
    use axum::http::Method;
    let known = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ];
    if known.contains(method) {
        method.as_str().to_owned()
    } else {
        "other".to_owned()
    }
}

/// Records one transcode's wall time by outcome (`done`, `failed`), as reported by a
/// `kinora-transcoder` of this process's pool.
pub fn record_transcode(outcome: &str, seconds: f64) {
    let outcome = if outcome == "done" { "done" } else { "failed" };
    metrics::histogram!("kinora_transcode_duration_seconds", "outcome" => outcome).record(seconds);
}
