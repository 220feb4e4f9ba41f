//! The delivery worker: sends outbox activities to remote inboxes, per host, in order.
//!
//! Each host with pending deliveries is leased by one sender (`remote_hosts` row), which sends its
//! deliveries one after another, oldest first, each signed by its activity's actor (the instance
//! actor when that actor is gone). A transient failure (network, timeout, 5xx) stops the host's
//! queue and backs the host off exponentially; a 429 or a 503 with `Retry-After` waits as long as
//! asked without counting against the host; a permanent refusal (other 4xx) ends that delivery
//! only. A host failing for `host_dead_after_days` is marked dead and then only tried once a day.
//! Everything lives in the database, so nothing is lost across restarts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kinora_db::{Db, now_millis};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::FederationConfig;
use crate::http_client::{ClientError, DeliveryOutcome, OutboundClient};
use crate::signatures::RequestSigner;
use crate::urls::LocalUrls;

/// How long a sender holds a host before it must renew its lease.
const LEASE: Duration = Duration::from_secs(60);
/// How often idle senders look for work when nobody wakes them.
const POLL: Duration = Duration::from_secs(2);
/// First wait after a host fails; doubled with each failure in a row.
const BACKOFF_BASE: Duration = Duration::from_secs(15);
/// Longest wait between two attempts at a failing host.
const BACKOFF_MAX: Duration = Duration::from_secs(6 * 3600);
/// How often a dead host is tried.
const DEAD_PROBE: Duration = Duration::from_secs(24 * 3600);

/// Sends deliveries until stopped.
pub struct DeliveryWorker {
    db: Db,
    client: OutboundClient,
    urls: LocalUrls,
    config: FederationConfig,
    owner: String,
    instance_actor_id: i64,
    wake: Arc<Notify>,
    signers: Mutex<HashMap<i64, Arc<RequestSigner>>>,
}

impl DeliveryWorker {
    /// A worker; `wake` is notified by the fan-out when new deliveries are queued.
    pub fn new(
        db: Db,
        client: OutboundClient,
        urls: LocalUrls,
        config: FederationConfig,
        instance_actor_id: i64,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            db,
            client,
            urls,
            config,
            owner: format!(
                "delivery-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ),
            instance_actor_id,
            wake,
            signers: Mutex::default(),
        }
    }

    /// Claims hosts and serves them until `shutdown`; hosts being served then finish the
    /// request in flight and give their lease back.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut senders: JoinSet<()> = JoinSet::new();
        loop {
            while senders.try_join_next().is_some() {}
            let free = self.config.delivery_concurrency.max(1) - senders.len();
            if free > 0 {
                match self.claim(free).await {
                    Ok(hosts) => {
                        for host in hosts {
                            let worker = self.clone();
                            let stop = shutdown.clone();
                            senders.spawn(async move { worker.serve_host(host, stop).await });
                        }
                    }
                    Err(error) => tracing::warn!(%error, "claiming delivery hosts failed"),
                }
            }
            tokio::select! {
                () = self.wake.notified() => {}
                Some(_) = senders.join_next(), if !senders.is_empty() => {}
                () = tokio::time::sleep(POLL) => {}
                () = shutdown.cancelled() => break,
            }
        }
        while senders.join_next().await.is_some() {}
    }

    async fn claim(&self, limit: usize) -> Result<Vec<String>, kinora_db::DbError> {
        let now = now_millis();
        kinora_db::deliveries::claim_hosts(
            self.db.pool(),
            &self.owner,
            now + LEASE.as_millis() as i64,
            now,
            limit as i64,
        )
        .await
    }

    /// Sends a host's pending deliveries in order until none is left, the host fails, the
    /// lease is lost or the worker stops; then gives the lease back.
    async fn serve_host(&self, host: String, shutdown: CancellationToken) {
        if let Err(error) = self.send_pending(&host, &shutdown).await {
            tracing::warn!(%host, %error, "delivery to host interrupted");
        }
        if let Err(error) =
            kinora_db::deliveries::release_host(self.db.pool(), &host, &self.owner).await
        {
            tracing::warn!(%host, %error, "releasing a delivery host failed");
        }
    }

    async fn send_pending(
        &self,
        host: &str,
        shutdown: &CancellationToken,
    ) -> Result<(), kinora_db::DbError> {
        let pool = self.db.pool();
        if crate::mutes::is_host_muted(&self.db, host).await? {
            // A muted server gets nothing: what waits for it ends as failed, unsent.
            let dropped = kinora_db::blocklists::drop_deliveries_to_host(
                pool,
                host,
                "host muted",
                now_millis(),
            )
            .await?;
            tracing::info!(%host, dropped, "deliveries to a muted host dropped");
            return Ok(());
        }
        let state = kinora_db::deliveries::find_host(pool, host).await?;
        let mut healthy = state
            .as_ref()
            .is_some_and(|h| h.failures == 0 && h.dead == 0 && h.last_error.is_none());
        let mut lease_renewed_at = std::time::Instant::now();
        while !shutdown.is_cancelled() {
            if lease_renewed_at.elapsed() > LEASE / 2 {
                let until = now_millis() + LEASE.as_millis() as i64;
                if !kinora_db::deliveries::renew_lease(pool, host, &self.owner, until).await? {
                    return Ok(());
                }
                lease_renewed_at = std::time::Instant::now();
            }
            let Some(delivery) = kinora_db::deliveries::next_pending(pool, host).await? else {
                return Ok(());
            };
            let outcome = self.send(&delivery).await;
            let now = now_millis();
            match outcome {
                Sent::Delivered => {
                    kinora_db::deliveries::finish(pool, delivery.id, "delivered", None, now)
                        .await?;
                    if !healthy {
                        kinora_db::deliveries::host_succeeded(pool, host, now).await?;
                        healthy = true;
                    }
                    metrics::counter!("kinora_deliveries_total", "outcome" => "delivered")
                        .increment(1);
                }
                Sent::Refused(reason) => {
                    // The host answered: it is alive, this activity is just not wanted.
                    kinora_db::deliveries::finish(pool, delivery.id, "failed", Some(&reason), now)
                        .await?;
                    if !healthy {
                        kinora_db::deliveries::host_succeeded(pool, host, now).await?;
                        healthy = true;
                    }
                    tracing::info!(%host, inbox = %delivery.inbox_url, %reason, "delivery refused");
                    crate::relays::follow_refused(&self.db, &delivery.body).await?;
                    metrics::counter!("kinora_deliveries_total", "outcome" => "refused")
                        .increment(1);
                }
                Sent::Later(retry_after) => {
                    let wait = retry_after
                        .unwrap_or(Duration::from_secs(60))
                        .min(BACKOFF_MAX);
                    kinora_db::deliveries::host_failed(
                        pool,
                        host,
                        "rate limited",
                        now + wait.as_millis() as i64,
                        false,
                        false,
                        now,
                    )
                    .await?;
                    metrics::counter!("kinora_deliveries_total", "outcome" => "rate-limited")
                        .increment(1);
                    return Ok(());
                }
                Sent::Failed(reason) => {
                    self.host_failed(host, &delivery, &reason, state.as_ref(), now)
                        .await?;
                    metrics::counter!("kinora_deliveries_total", "outcome" => "failed")
                        .increment(1);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// A transient failure: the delivery stays first in the host's queue (unless it used its
    /// attempts), and the host waits longer each time, until it is dead.
    async fn host_failed(
        &self,
        host: &str,
        delivery: &kinora_db::deliveries::PendingDelivery,
        reason: &str,
        state: Option<&kinora_db::deliveries::HostRow>,
        now: i64,
    ) -> Result<(), kinora_db::DbError> {
        let pool = self.db.pool();
        if delivery.attempts + 1 >= self.config.delivery_max_attempts {
            kinora_db::deliveries::finish(pool, delivery.id, "failed", Some(reason), now).await?;
        } else {
            kinora_db::deliveries::count_attempt(pool, delivery.id, reason, now).await?;
        }
        let failures = state.map_or(0, |h| h.failures) + 1;
        let failing_since = state.and_then(|h| h.failing_since).unwrap_or(now);
        let dead_after = Duration::from_secs(self.config.host_dead_after_days * 24 * 3600);
        let dead = now - failing_since >= dead_after.as_millis() as i64;
        let wait = if dead { DEAD_PROBE } else { backoff(failures) };
        if dead && state.is_some_and(|h| h.dead == 0) {
            tracing::warn!(%host, "remote host marked dead after failing for days");
        }
        tracing::info!(%host, %reason, failures, wait_secs = wait.as_secs(), "delivery failed");
        kinora_db::deliveries::host_failed(
            pool,
            host,
            reason,
            now + wait.as_millis() as i64,
            dead,
            true,
            now,
        )
        .await
    }

    async fn send(&self, delivery: &kinora_db::deliveries::PendingDelivery) -> Sent {
        let inbox = match url::Url::parse(&delivery.inbox_url) {
            Ok(inbox) => inbox,
            Err(error) => return Sent::Refused(format!("bad inbox URL: {error}")),
        };
        let signer = match self
            .signer(delivery.actor_id.unwrap_or(self.instance_actor_id))
            .await
        {
            Ok(signer) => signer,
            Err(reason) => return Sent::Failed(reason),
        };
        let body = bytes::Bytes::from(delivery.body.clone().into_bytes());
        match self.client.post_activity(&inbox, body, &signer).await {
            Ok(DeliveryOutcome::Delivered) => Sent::Delivered,
            Ok(DeliveryOutcome::Permanent { status }) => Sent::Refused(format!("HTTP {status}")),
            Ok(DeliveryOutcome::RateLimited { retry_after }) => Sent::Later(retry_after),
            Ok(DeliveryOutcome::Transient { reason }) => Sent::Failed(reason),
            Err(error) if is_permanent(&error) => Sent::Refused(error.to_string()),
            Err(error) => Sent::Failed(error.to_string()),
        }
    }

    /// The signer of a local actor (cached: parsing a key costs more than signing).
    async fn signer(&self, actor_id: i64) -> Result<Arc<RequestSigner>, String> {
        if let Some(signer) = self.signers.lock().expect("signers").get(&actor_id) {
            return Ok(signer.clone());
        }
        let actor = kinora_db::actors::find_by_id(self.db.pool(), actor_id)
            .await
            .map_err(|error| error.to_string())?;
        let (actor, actor_id) = match actor {
            Some(actor) => (actor, actor_id),
            None => {
                let instance =
                    kinora_db::actors::find_by_id(self.db.pool(), self.instance_actor_id)
                        .await
                        .map_err(|error| error.to_string())?
                        .ok_or("the instance actor is missing")?;
                (instance, self.instance_actor_id)
            }
        };
        let private = kinora_db::actors::find_private_key(self.db.pool(), actor_id)
            .await
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("actor {actor_id} has no key yet"))?;
        let key_id = crate::urls::key_id(&self.urls.actor(&actor));
        let signer =
            Arc::new(RequestSigner::from_pem(key_id, &private).map_err(|error| error.to_string())?);
        self.signers
            .lock()
            .expect("signers")
            .insert(actor_id, signer.clone());
        Ok(signer)
    }
}

/// What became of one delivery.
enum Sent {
    Delivered,
    /// Never to be retried (the host said no, or may not be contacted).
    Refused(String),
    /// The host asks to wait.
    Later(Option<Duration>),
    /// Try again later.
    Failed(String),
}

/// Errors that retrying cannot mend: the address or scheme is refused by our own rules.
fn is_permanent(error: &ClientError) -> bool {
    !error.is_retryable()
}

/// The wait after `failures` failures in a row: 15 s doubling up to 6 h, with ±20 % jitter so
/// hosts that failed together do not come back together.
fn backoff(failures: i64) -> Duration {
    let exponent = u32::try_from(failures.clamp(1, 20) - 1).unwrap_or(0);
    let base = BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(BACKOFF_MAX);
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    base.mul_f64(jitter).min(BACKOFF_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_the_maximum() {
        let first = backoff(1);
        assert!(first >= Duration::from_secs(12) && first <= Duration::from_secs(18));
        let fourth = backoff(4);
        assert!(fourth >= Duration::from_secs(96) && fourth <= Duration::from_secs(144));
        assert!(backoff(40) <= BACKOFF_MAX);
        assert!(backoff(40) >= BACKOFF_MAX.mul_f64(0.8));
    }
}
