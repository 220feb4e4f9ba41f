//! The seeding session inside `kinora serve` ([`kinora_p2p::seeder`]), kept in step with the
//! database: [`run`] reconciles it at start, whenever the server has made a video's torrents
//! ([`SeedingTrigger::request`]), and every `seeder.reconcile_interval_secs` (which catches
//! deletions, privacy changes and replaced files whatever made them, across restarts too).
//!
//! Of several server processes on one database, the one holding the `seeder` lease seeds
//! (`crate::cluster::Lease`); the others keep an empty session, ready to take over.
//!
//! The files shared are [`kinora_db::seedable`]'s: published public and unlisted videos with
//! their media on local disk. Videos on S3 are not seeded; their torrents' web seeds serve them.

use std::sync::Arc;
use std::time::Duration;

use kinora_db::Db;
use kinora_p2p::seeder::{ReconcileReport, SeedFile, Seeder};
use kinora_storage::{GeneratedName, Location, MediaStorage, StorageKey};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::cluster::Lease;

/// Asks the seeding loop to reconcile now (several requests before it runs count as one).
#[derive(Clone, Default)]
pub struct SeedingTrigger(Arc<Notify>);

impl SeedingTrigger {
    /// Wakes the seeding loop; it reconciles once it finished what it is doing.
    pub fn request(&self) {
        self.0.notify_one();
    }
}

/// The files to seed now: each seedable rendition's media file and torrent on local disk
/// (rows whose names are not generated names are skipped with a warning).
pub async fn wanted_files(
    db: &Db,
    storage: &MediaStorage,
    limit: usize,
) -> kinora_db::DbResult<Vec<SeedFile>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = kinora_db::seedable::list_seedable_files(db.pool(), limit).await?;
    let mut files = Vec::with_capacity(rows.len());
    for row in rows {
        let parsed = (|| {
            let video = uuid::Uuid::parse_str(&row.video_uuid).ok()?;
            let media = GeneratedName::parse(&row.file_name).ok()?;
            let torrent = GeneratedName::parse(&row.torrent_file).ok()?;
            let info_hash = <[u8; 20]>::try_from(hex::decode(&row.info_hash).ok()?).ok()?;
            Some(SeedFile {
                info_hash,
                torrent_path: storage
                    .local_path(Location::Local, &StorageKey::torrent(&torrent))?,
                media_path: storage
                    .local_path(Location::Local, &StorageKey::hls_file(video, &media))?,
            })
        })();
        match parsed {
            Some(file) => files.push(file),
            None => {
                tracing::warn!(video = %row.video_uuid, file = %row.file_name, "not seeded: bad names")
            }
        }
    }
    Ok(files)
}

fn record(seeder: &Seeder, report: &ReconcileReport) {
    metrics::gauge!("kinora_seeder_torrents").set(report.seeding as f64);
    metrics::gauge!("kinora_seeder_refused").set(report.refused as f64);
    metrics::counter!("kinora_seeder_bytes_read_total").absolute(seeder.bytes_read());
}

/// How long the seeding lease lasts; its holder renews it every third of that.
pub const SEEDER_LEASE: Duration = Duration::from_secs(30);

/// Reconciles `seeder` with the database until `shutdown`, then stops it, while this process
/// holds the cluster's `seeder` lease (one process of the cluster seeds; the others seed
/// nothing, and the first to see the holder's lease expired takes over).
pub async fn run(
    seeder: Seeder,
    db: Db,
    storage: Arc<MediaStorage>,
    config: kinora_p2p::seeder::SeederConfig,
    trigger: SeedingTrigger,
    lease: Lease,
    shutdown: CancellationToken,
) {
    let (max_torrents, interval) = (
        config.max_torrents,
        Duration::from_secs(config.reconcile_interval_secs),
    );
    let mut held = false;
    let mut due = tokio::time::Instant::now();
    loop {
        let holds = lease.hold().await;
        if holds != held {
            tracing::info!(held = holds, "seeding lease changed hands");
            held = holds;
            if held {
                due = tokio::time::Instant::now();
            } else {
                let report = seeder.reconcile(Vec::new()).await;
                record(&seeder, &report);
            }
        }
        if held && tokio::time::Instant::now() >= due {
            match wanted_files(&db, &storage, max_torrents).await {
                Ok(wanted) => {
                    let report = tokio::select! {
                        report = seeder.reconcile(wanted) => report,
                        () = shutdown.cancelled() => break,
                    };
                    record(&seeder, &report);
                    if report.added + report.removed > 0 {
                        tracing::info!(
                            added = report.added,
                            removed = report.removed,
                            refused = report.refused,
                            seeding = report.seeding,
                            "seeder reconciled"
                        );
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot list the files to seed"),
            }
            due = tokio::time::Instant::now() + interval;
        }
        let renew = tokio::time::Instant::now() + SEEDER_LEASE / 3;
        let wake = if held { renew.min(due) } else { renew };
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = trigger.0.notified() => due = tokio::time::Instant::now(),
            () = shutdown.cancelled() => break,
        }
    }
    seeder.stop().await;
    if held {
        lease.release().await;
    }
    tracing::info!("seeder stopped");
}
