//! Prometheus metrics: the recorder, HTTP request counters and timings, and queue gauges.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use kinora_db::Db;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

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
