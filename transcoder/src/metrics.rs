//! Prometheus metrics of a transcoder started on its own (`[transcoding] metrics_listen`):
//! `GET /metrics` on that address, served by the exporter's own listener. The job worker
//! records its attempts and durations (`kinora_job_*`), storage its errors, and each transcode
//! its wall time by outcome (`kinora_transcode_duration_seconds`), the names the server's
//! metrics use for its own pool.

use std::net::SocketAddr;

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

/// Buckets of job and transcode durations, seconds (as the server's).
const WORK_BUCKETS: &[f64] = &[
    0.01, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// Installs the recorder and starts the listener on `listen` (inside the runtime).
pub fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    let mut builder = PrometheusBuilder::new().with_http_listener(listen);
    for name in [
        "kinora_job_duration_seconds",
        "kinora_transcode_duration_seconds",
    ] {
        builder = builder
            .set_buckets_for_metric(Matcher::Full(name.to_owned()), WORK_BUCKETS)
            .context("metrics buckets")?;
    }
    builder
        .install()
        .with_context(|| format!("transcoding.metrics_listen: cannot serve metrics on {listen}"))?;
    tracing::info!(%listen, "metrics served at /metrics");
    Ok(())
}

/// Records one transcode's wall time by outcome (`done` or `failed`).
pub fn record_transcode(outcome: &'static str, seconds: f64) {
    metrics::histogram!("kinora_transcode_duration_seconds", "outcome" => outcome).record(seconds);
}
