//! The metrics listener: `GET /metrics` in Prometheus's text format on `metrics.listen`, a
//! listener of its own so that the public one never serves it (behind `metrics.token` too when
//! one is set). Each scrape adds, to what this process recorded, figures read from the
//! database at that moment, so they are the whole cluster's whichever process is scraped:
//!
//! - `kinora_jobs{kind, state}`: jobs queued, running and dead, per kind (every kind listed);
//! - `kinora_jobs_oldest_due_age_seconds{kind}`: how long the longest-waiting due job of the
//!   kind has been waiting to be claimed (0 when none waits);
//! - `kinora_delivery_backlog{host}` and `kinora_delivery_backlog_oldest_age_seconds{host}`:
//!   pending deliveries of the `metrics.delivery_hosts` remote hosts with the most, the others
//!   summed under `host="(other)"` (so the label has a bounded number of values and `sum` is
//!   the whole backlog); `kinora_delivery_backlog_hosts`: how many hosts have any;
//! - `kinora_database_up`: 1 when these queries succeeded, 0 when the database failed.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_db::{Db, now_millis};
use kinora_jobs::JobKind;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::metrics::MetricsConfig;

/// What a scrape needs.
#[derive(Clone)]
struct Scrape {
    db: Db,
    token: Arc<str>,
    delivery_hosts: u32,
}

/// The metrics listener's routes: `GET /metrics`; anything else is 404.
pub fn router(config: &MetricsConfig, db: Db) -> Router {
    Router::new()
        .route("/metrics", get(serve))
        .with_state(Scrape {
            db,
            token: Arc::from(config.token.as_str()),
            delivery_hosts: config.delivery_hosts,
        })
}

/// Serves [`router`] on `listener` until `shutdown` is cancelled.
pub async fn run(
    listener: TcpListener,
    config: MetricsConfig,
    db: Db,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    crate::metrics::handle();
    axum::serve(listener, router(&config, db))
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}

/// Prometheus text format, for the holder of the token when there is one.
async fn serve(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if !scrape.token.is_empty() {
        let offered = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        if !offered.is_some_and(|offered| same_secret(offered.as_bytes(), scrape.token.as_bytes()))
        {
            return (
                StatusCode::UNAUTHORIZED,
                [(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"metrics\""),
                )],
                "/metrics needs the token set in metrics.token, as Authorization: Bearer <token>.\n",
            )
                .into_response();
        }
    }
    let mut text = crate::metrics::handle().render();
    write_database_figures(&mut text, &scrape.db, scrape.delivery_hosts).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
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

/// Appends the queue figures read from the database now (see the module's header).
async fn write_database_figures(text: &mut String, db: &Db, delivery_hosts: u32) {
    let now = now_millis();
    let jobs = kinora_db::jobs::count_by_kind_and_state(db.pool(), now).await;
    let deliveries =
        kinora_db::deliveries::backlog_by_host(db.pool(), i64::from(delivery_hosts)).await;
    let up = jobs.is_ok() && deliveries.is_ok();
    if let Ok(counts) = jobs {
        header_of(
            text,
            "kinora_jobs",
            "Jobs per kind and state (queued, running, dead), cluster-wide.",
        );
        for kind in JobKind::ALL {
            for state in ["queued", "running", "dead"] {
                let count = counts
                    .iter()
                    .find(|row| row.kind == kind.as_str() && row.state == state)
                    .map_or(0, |row| row.count);
                let _ = writeln!(
                    text,
                    "kinora_jobs{{kind=\"{}\",state=\"{state}\"}} {count}",
                    kind.as_str()
                );
            }
        }
        header_of(
            text,
            "kinora_jobs_oldest_due_age_seconds",
            "Seconds the longest-waiting due queued job of each kind has waited to be claimed.",
        );
        for kind in JobKind::ALL {
            let oldest = counts
                .iter()
                .filter(|row| row.kind == kind.as_str())
                .filter_map(|row| row.oldest_due_at)
                .min();
            let _ = writeln!(
                text,
                "kinora_jobs_oldest_due_age_seconds{{kind=\"{}\"}} {}",
                kind.as_str(),
                age_seconds(now, oldest)
            );
        }
    }
    if let Ok((top, pending, hosts)) = deliveries {
        header_of(
            text,
            "kinora_delivery_backlog",
            "Pending federation deliveries of the remote hosts with the most; the rest under (other).",
        );
        let named: i64 = top.iter().map(|host| host.pending).sum();
        for host in &top {
            let _ = writeln!(
                text,
                "kinora_delivery_backlog{{host=\"{}\"}} {}",
                escape(&host.host),
                host.pending
            );
        }
        let _ = writeln!(
            text,
            "kinora_delivery_backlog{{host=\"(other)\"}} {}",
            pending - named
        );
        header_of(
            text,
            "kinora_delivery_backlog_oldest_age_seconds",
            "Seconds the oldest pending delivery to each named host has waited.",
        );
        for host in &top {
            let _ = writeln!(
                text,
                "kinora_delivery_backlog_oldest_age_seconds{{host=\"{}\"}} {}",
                escape(&host.host),
                age_seconds(now, Some(host.oldest_created_at))
            );
        }
        header_of(
            text,
            "kinora_delivery_backlog_hosts",
            "Remote hosts with pending deliveries.",
        );
        let _ = writeln!(text, "kinora_delivery_backlog_hosts {hosts}");
    }
    header_of(
        text,
        "kinora_database_up",
        "1 when the scrape's database queries succeeded.",
    );
    let _ = writeln!(text, "kinora_database_up {}", u8::from(up));
}

/// `# HELP` and `# TYPE … gauge` lines, after a blank line.
fn header_of(text: &mut String, name: &str, help: &str) {
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push('\n');
    }
    let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
}

/// Seconds from `since` (epoch milliseconds) to `now`; 0 without one.
fn age_seconds(now: i64, since: Option<i64>) -> f64 {
    since.map_or(0.0, |since| (now - since).max(0) as f64 / 1000.0)
}

/// A label value as the text format wants it (backslash, quote and newline escaped).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_ages_never_negative() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(age_seconds(10_000, Some(7_500)), 2.5);
        assert_eq!(age_seconds(10_000, Some(12_000)), 0.0);
        assert_eq!(age_seconds(10_000, None), 0.0);
        assert!(same_secret(b"abc", b"abc") && !same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"ab", b"abc"));
    }
}
