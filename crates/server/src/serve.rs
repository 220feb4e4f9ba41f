//! `kinora serve`: open the database (migrating or refusing), prepare storage, create the first
//! administrator on first start, then run the HTTP server, the metrics listener, the job worker
//! and the seeding session until SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kinora_api::{ApiState, LoginLimiter};
use kinora_db::Db;
use kinora_jobs::{Worker, WorkerConfig};
use kinora_storage::MediaStorage;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::jobs::{SERVER_JOB_KINDS, ServerJobs};

/// Opens the database and brings its schema to this build's level, or refuses with a message
/// saying what to do.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database).await.with_context(|| {
        format!(
            "cannot open the database at database.url = {:?}",
            redact(&config.database.url)
        )
    })?;
    let status = db.migration_status().await?;
    if !status.is_current() {
        if config.database.auto_migrate && status.unknown.is_empty() {
            db.migrate().await?;
            tracing::info!(applied = status.pending.len(), "database migrated");
        } else {
            db.require_current_schema().await?;
        }
    }
    Ok(db)
}

/// Hides the password of a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Runs the server until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        signal.cancel();
    });
    run_until(config, shutdown, |address| {
        tracing::info!(%address, "listening");
    })
    .await
}

/// Runs the server until `shutdown` is cancelled; `on_listening` is called with the bound
/// address once requests are accepted.
pub async fn run_until(
    config: Config,
    shutdown: CancellationToken,
    on_listening: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let db = open_database(&config).await?;
    let storage = Arc::new(MediaStorage::open(&config.storage).context("storage")?);
    storage.self_test().await.context(
        "storage self-test failed; fix [storage] (or run `kinora storage check`) and start again",
    )?;
    kinora_app::auth::local_client(&db).await?;
    if let Some(password) = kinora_app::users::create_first_admin(&db, &config.instance).await? {
        println!(
            "\nFirst start: created the administrator account.\n  username: root\n  \
             password: {password}\n  (shown once; change it after logging in)\n"
        );
    }
    let backfilled = kinora_app::swarms::record_missing(&db).await?;
    if backfilled > 0 {
        tracing::info!(
            videos = backfilled,
            "recorded the web player swarms of older videos"
        );
    }
    let federation = kinora_federation::Federation::start(
        db.clone(),
        storage.clone(),
        config.federation.clone(),
        &config.server.public_url,
    )
    .await
    .context("federation")?;
    let api = ApiState {
        db: db.clone(),
        instance: kinora_app::SharedInstance::load(&db, config.instance.clone())
            .await
            .context("reading the instance settings")?,
        auth: Arc::new(config.auth.clone()),
        public_url: Arc::from(config.server.public_url.as_str()),
        trusted_proxies: Arc::new(config.server.trusted_proxies.clone()),
        login_limiter: Arc::new(LoginLimiter::new(&config.auth)),
        storage: storage.clone(),
        upload_limits: Arc::new(config.uploads),
        web: Arc::new(kinora_api::pages::WebPages::load(&config.web)),
        p2p: Arc::new(config.p2p.clone()),
        tracker_enabled: config.tracker.enabled,
        remote: Arc::new(kinora_federation::RemoteLookup::new(federation.clone())),
        list_cache: Arc::default(),
        moderation: Arc::new(config.moderation.clone()),
        search: Arc::new(config.search.clone()),
        history: Arc::default(),
        viewers: Arc::default(),
        email_enabled: config.smtp.enabled(),
        exports: Arc::new(config.export.clone()),
        live: Arc::new(config.live.clone()),
    };
    refresh_instance_settings(api.instance.clone(), db.clone());
    let history = api.history.clone();
    let instance = api.instance.clone();
    // Stops the workers, and this process's part in the cluster, after the HTTP server.
    let workers_stop = CancellationToken::new();
    let cluster = crate::cluster::Cluster::new(db.clone(), &config.database.url);
    let shared = cluster.is_shared().then(|| {
        (
            Arc::new(crate::tracker_shared::SharedSwarms::new(cluster.clone())),
            workers_stop.clone(),
        )
    });
    let app =
        crate::http::router_in_cluster(&config, api, storage.clone(), Some(&federation), shared);
    let listener = TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on server.listen = {}", config.server.listen))?;
    let address = listener.local_addr()?;
    let metrics = if config.metrics.enabled {
        let listener = TcpListener::bind(config.metrics.listen)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on metrics.listen = {}",
                    config.metrics.listen
                )
            })?;
        tracing::info!(address = %listener.local_addr()?, "metrics listening");
        Some(tokio::spawn(crate::metrics_listener::run(
            listener,
            config.metrics.clone(),
            db.clone(),
            workers_stop.clone(),
        )))
    } else {
        None
    };
    let seeder = if config.seeder.enabled {
        if !config.tracker.enabled {
            tracing::warn!("[seeder] is on but [tracker] is off: only other trackers can name it");
        }
        Some(
            kinora_p2p::seeder::Seeder::start(&config.seeder)
                .await
                .context("set [seeder] listen (or enabled = false)")?,
        )
    } else {
        None
    };
    let seeding = crate::seeding::SeedingTrigger::default();

    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let mut worker_config = WorkerConfig::new(
        format!("server-{}", cluster.process_id),
        SERVER_JOB_KINDS.to_vec(),
    );
    worker_config.shutdown_grace = grace;
    // Federation jobs wait on other instances (fetches, back-fills, mirror downloads).
    worker_config.concurrency = 8;
    let worker = tokio::spawn(
        Worker::new(
            db.clone(),
            worker_config,
            ServerJobs {
                storage: storage.clone(),
                public_url: config.server.public_url.clone(),
                federation: federation.clone(),
                seeding: seeding.clone(),
                mailer: kinora_mail::Mailer::from_config(&config.smtp, &config.instance.name)
                    .context("[smtp]")?,
                instance,
                moderation: config.moderation.clone(),
                upload_limits: config.uploads,
                live: config.live.clone(),
            },
        )
        .run(workers_stop.clone()),
    );
    let delivery = tokio::spawn(
        Arc::new(kinora_federation::delivery::DeliveryWorker::new(
            db.clone(),
            federation.client().clone(),
            federation.urls().clone(),
            config.federation.clone(),
            federation.instance_actor_id(),
            federation.delivery_bell(),
        ))
        .run(workers_stop.clone()),
    );
    let transcoder_config = config.clone();
    let transcoders_stop = workers_stop.clone();
    let transcoders = tokio::spawn(async move {
        crate::transcoders::supervise(&transcoder_config, transcoders_stop).await;
    });
    let history_flush = tokio::spawn(flush_history(
        history.clone(),
        db.clone(),
        workers_stop.clone(),
    ));
    let housekeeping = tokio::spawn(crate::jobs::housekeeping(
        db.clone(),
        storage.clone(),
        cluster.lease("housekeeping", crate::jobs::HOUSEKEEPING_LEASE),
        config.tracker.clone(),
        config.export.clone(),
        workers_stop.clone(),
    ));

    let scheduled_backups = tokio::spawn(crate::scheduled_backups::run(
        config.clone(),
        db.clone(),
        storage.clone(),
        cluster.lease("backup", crate::scheduled_backups::BACKUP_LEASE),
        workers_stop.clone(),
    ));

    let limits = crate::connections::ConnectionLimits {
        header_read_timeout: Duration::from_secs(config.server.header_read_timeout_secs),
        max_per_address: config.server.max_connections_per_address,
        uncounted: config.server.trusted_proxies.clone(),
    };
    let server = tokio::spawn(crate::connections::serve(
        listener,
        app,
        limits,
        shutdown.clone(),
    ));
    // After the HTTP server, so that the seeder's first announces reach this instance's tracker.
    let seeding_task = seeder.map(|seeder| {
        tokio::spawn(crate::seeding::run(
            seeder,
            db.clone(),
            storage.clone(),
            config.seeder.clone(),
            seeding,
            cluster.lease("seeder", crate::seeding::SEEDER_LEASE),
            workers_stop.clone(),
        ))
    });
    println!(
        "Kinora {} is running at {} (listening on {address})",
        env!("CARGO_PKG_VERSION"),
        config.server.public_url
    );
    on_listening(address);

    shutdown.cancelled().await;
    // Stop accepting, let in-flight requests finish within the grace period.
    match tokio::time::timeout(grace, server).await {
        Ok(result) => result?,
        Err(_) => tracing::warn!("requests still running after the grace period; stopping"),
    }
    // Stop claiming jobs; running ones finish or are released.
    workers_stop.cancel();
    let _ = worker.await;
    let _ = delivery.await;
    let _ = housekeeping.await;
    let _ = scheduled_backups.await;
    let _ = history_flush.await;
    let _ = transcoders.await;
    if let Some(task) = metrics {
        let _ = task.await;
    }
    if let Some(task) = seeding_task {
        let _ = task.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Seconds between two readings of the run-time instance settings, so that a change made
/// through another server process on the same database is seen here too.
const SETTINGS_REFRESH_SECS: u64 = 30;

/// Reads the run-time instance settings again every [`SETTINGS_REFRESH_SECS`].
fn refresh_instance_settings(instance: kinora_app::SharedInstance, db: kinora_db::Db) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(SETTINGS_REFRESH_SECS));
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(error) = instance.refresh(&db).await {
                tracing::warn!(%error, "reading the instance settings again failed");
            }
        }
    });
}

/// Writes the watch positions held back by [`kinora_app::history::HistoryWriter`] every second,
/// and the rest when `stop` is cancelled.
async fn flush_history(
    history: Arc<kinora_app::history::HistoryWriter>,
    db: kinora_db::Db,
    stop: CancellationToken,
) {
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = ticks.tick() => {
                if let Err(error) = history.flush_due(&db).await {
                    tracing::warn!(%error, "cannot write watch history; kept for the next try");
                }
            }
        }
    }
    if let Err(error) = history.flush_all(&db).await {
        tracing::warn!(%error, "cannot write the last watch positions at shutdown");
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/k.db"), "sqlite://data/k.db");
    }
}
