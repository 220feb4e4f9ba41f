//! The server's own background work: which jobs it runs, and the housekeeping loop.

use std::time::Duration;

use kinora_api::LoginLimiter;
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, JobContext, JobFailure, JobHandler, JobKind};
use tokio_util::sync::CancellationToken;

use crate::cluster::Lease;

/// The kinds of job the server process runs (transcoding runs in `kinora-transcoder`).
pub const SERVER_JOB_KINDS: &[JobKind] = &[
    JobKind::GenerateActorKeys,
    JobKind::StoreOriginal,
    JobKind::RelocateMedia,
    JobKind::CreateOriginalTorrent,
    JobKind::CreateTorrents,
    JobKind::LiveEnding,
    JobKind::Federate,
    JobKind::ProcessInbox,
    JobKind::FetchOutbox,
    JobKind::MirrorVideo,
    JobKind::UpdateCaptionPlaylists,
    JobKind::SendEmail,
    JobKind::SendNotificationEmails,
    JobKind::CreateUserExport,
    JobKind::ImportUserArchive,
];

/// Runs the server's jobs by calling the matching use case.
pub struct ServerJobs {
    /// Where files are stored.
    pub storage: std::sync::Arc<kinora_storage::MediaStorage>,
    /// The instance's public URL (for the tracker URLs written in torrents).
    pub public_url: String,
    /// The federation layer (fan-outs, the inbox, back-fills, mirrors).
    pub federation: kinora_federation::Federation,
    /// Told when a video's torrents are made, so the seeder shares them.
    pub seeding: crate::seeding::SeedingTrigger,
    /// Sends e-mail; `None` when `[smtp]` has no host.
    pub mailer: Option<kinora_mail::Mailer>,
    /// The instance's settings in force (its name signs e-mails).
    pub instance: kinora_app::SharedInstance,
    /// `[moderation]` (videos of an imported archive are uploads like any other).
    pub moderation: kinora_app::ModerationConfig,
    /// `[uploads]` (the same).
    pub upload_limits: kinora_app::videos::UploadLimits,
    /// `[live]` (when a broadcast's ending is due).
    pub live: kinora_app::lives::LiveConfig,
}

impl ServerJobs {
    fn email_context(&self) -> kinora_app::emails::EmailContext {
        kinora_app::emails::EmailContext {
            public_url: self.public_url.clone(),
            instance_name: self.instance.current().name.clone(),
            enabled: self.mailer.is_some(),
        }
    }
}

impl JobHandler for ServerJobs {
    async fn handle(&self, context: JobContext, job: Job) -> Result<(), JobFailure> {
        match job {
            Job::GenerateActorKeys { actor_id } => {
                match kinora_app::actors::generate_actor_keys(context.db(), actor_id).await {
                    Ok(_) => Ok(()),
                    // The actor was deleted before its keys were made: nothing left to do.
                    Err(kinora_app::AppError::NotFound(_)) => Ok(()),
                    Err(error) => Err(JobFailure::retryable(error.to_string())),
                }
            }
            Job::StoreOriginal {
                video_id,
                resolutions,
            } => kinora_app::media::store_original(
                &context,
                &self.storage,
                video_id,
                resolutions.as_deref(),
            )
            .await
            .map_err(|error| JobFailure::retryable(error.to_string())),
            Job::RelocateMedia { video_id } => {
                kinora_app::storage_migration::relocate_media(context.db(), &self.storage, video_id)
                    .await
                    .map(|_| ())
                    .map_err(|error| JobFailure::retryable(error.to_string()))
            }
            Job::CreateOriginalTorrent { video_id } => crate::torrents::create_original_torrent(
                &context,
                &self.storage,
                &self.public_url,
                video_id,
            )
            .await
            .map_err(|error| JobFailure::retryable(error.to_string())),
            Job::CreateTorrents { video_id } => {
                let made = crate::torrents::create_rendition_torrents(
                    &context,
                    &self.storage,
                    &self.public_url,
                    video_id,
                )
                .await;
                self.seeding.request();
                made.map_err(|error| JobFailure::retryable(error.to_string()))
            }
            Job::LiveEnding { session_id } => {
                let instance = self.instance.current();
                let policy = kinora_app::lives::ending::EndingPolicy {
                    config: &self.live,
                    transcoding_resolutions: &instance.transcoding_resolutions,
                };
                kinora_app::lives::ending::run(context.db(), &self.storage, &policy, session_id)
                    .await
                    .map(|_| ())
                    .map_err(|error| JobFailure::retryable(error.to_string()))
            }
            Job::UpdateCaptionPlaylists { video_id } => {
                kinora_app::captions::update_caption_playlists(
                    context.db(),
                    &self.storage,
                    &self.public_url,
                    video_id,
                )
                .await
                .map_err(|error| JobFailure::retryable(error.to_string()))
            }
            Job::Federate { .. }
            | Job::ProcessInbox { .. }
            | Job::FetchOutbox { .. }
            | Job::MirrorVideo { .. } => {
                kinora_federation::jobs::run(&self.federation, &context, &job)
                    .await
                    .unwrap_or_else(|| Err(JobFailure::permanent("not a federation job")))
            }
            Job::SendEmail { email } => crate::emails::send_one(self.mailer.as_ref(), &email).await,
            Job::SendNotificationEmails => {
                crate::emails::send_notification_emails(
                    context.db(),
                    self.mailer.as_ref(),
                    &self.email_context(),
                )
                .await
            }
            Job::CreateUserExport { export_id } => kinora_app::user_exports::run(
                context.db(),
                &self.storage,
                std::sync::Arc::new(self.federation.clone()),
                &self.public_url,
                export_id,
            )
            .await
            .map_err(|error| JobFailure::retryable(error.to_string())),
            Job::ImportUserArchive { import_id } => {
                let job = &context;
                let import = kinora_app::user_imports::ImportContext {
                    remote: std::sync::Arc::new(kinora_federation::RemoteLookup::new(
                        self.federation.clone(),
                    )),
                    instance: (*self.instance.current()).clone(),
                    moderation: self.moderation.clone(),
                    upload_limits: self.upload_limits,
                    public_url: self.public_url.clone(),
                };
                kinora_app::user_imports::run(job.db(), &self.storage, &import, import_id)
                    .await
                    .map_err(|error| JobFailure::retryable(error.to_string()))
            }
            // Claimed only by kinora-transcoder; never by this worker's kinds.
            Job::Transcode { .. } => Err(JobFailure::retryable(
                "transcoding runs in kinora-transcoder",
            )),
        }
    }
}

/// How long the housekeeping lease lasts: more than the minute between two rounds, so that its
/// holder keeps it, and short enough that another process takes over soon after it died.
pub const HOUSEKEEPING_LEASE: Duration = Duration::from_secs(150);

/// Every minute, in the one process of the cluster holding the `housekeeping` lease: forgets
/// recovered login-limit keys and expired tracker peers, deletes expired tokens, week-old
/// finished jobs and expired upload sessions, applies due scheduled video updates. Stops
/// when `shutdown` is cancelled (giving the lease
/// back).
pub async fn housekeeping(
    db: Db,
    storage: std::sync::Arc<kinora_storage::MediaStorage>,
    lease: Lease,
    tracker: kinora_p2p::tracker::TrackerConfig,
    exports: kinora_app::user_exports::UserExportConfig,
    shutdown: CancellationToken,
) {
    let mut ticker = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = shutdown.cancelled() => break,
        }
        if lease.hold().await {
            clean_up(&db, &storage, &tracker).await;
            if let Err(error) = kinora_app::user_exports::expire(&db, &storage, &exports).await {
                tracing::warn!(%error, "could not remove expired user exports");
            }
        }
    }
    lease.release().await;
}

/// One round of housekeeping (see [`housekeeping`]).
async fn clean_up(
    db: &Db,
    storage: &std::sync::Arc<kinora_storage::MediaStorage>,
    tracker: &kinora_p2p::tracker::TrackerConfig,
) {
    let (db, storage) = (db.clone(), storage.clone());
    let now = now_millis();
    match LoginLimiter::forget_idle(&db).await {
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not forget recovered login limits"),
    }
    let expiry = kinora_p2p::tracker::peer_expiry(tracker).as_millis();
    let cutoff = now - i64::try_from(expiry).unwrap_or(i64::MAX / 2);
    if let Err(error) = kinora_db::tracker_http_peers::expire(db.pool(), cutoff).await {
        tracing::warn!(%error, "could not forget expired tracker peers");
    }
    if let Err(error) = kinora_db::tokens::delete_expired(db.pool(), now).await {
        tracing::warn!(%error, "could not delete expired tokens");
    }
    if let Err(error) = kinora_db::user_emails::delete_expired_tokens(db.pool(), now).await {
        tracing::warn!(%error, "could not delete expired e-mail links");
    }
    // A notification written while the e-mail job was finishing found it still running and
    // queued none: queue it now.
    match db.pool().acquire().await {
        Ok(mut connection) => {
            if let Err(error) =
                kinora_db::notifications::queue_email_job_if_due(&mut connection, now).await
            {
                tracing::warn!(%error, "could not queue the notification e-mails");
            }
        }
        Err(error) => tracing::warn!(%error, "could not queue the notification e-mails"),
    }
    let week_ago = now - 7 * 24 * 3600 * 1000;
    if let Err(error) = kinora_db::jobs::delete_done_before(db.pool(), week_ago).await {
        tracing::warn!(%error, "could not delete old jobs");
    }
    // Received activities are remembered a week (their ids deduplicate retries); finished
    // deliveries likewise.
    if let Err(error) = kinora_db::inbox::delete_before(db.pool(), week_ago).await {
        tracing::warn!(%error, "could not delete old inbox activities");
    }
    if let Err(error) = kinora_db::deliveries::delete_finished_before(db.pool(), week_ago).await {
        tracing::warn!(%error, "could not delete old deliveries");
    }
    // Scheduled privacy changes (PeerTube's `scheduleUpdate`) that are due.
    match kinora_app::video_schedules::publish_due(&db, &storage, now).await {
        Ok(0) => {}
        Ok(applied) => tracing::info!(applied, "scheduled video updates applied"),
        Err(error) => tracing::warn!(%error, "could not apply scheduled video updates"),
    }
    // Mirrors of remote videos are announced again before their announcement ends.
    match kinora_app::mirrors::renew_expiring(&db, now).await {
        Ok(0) => {}
        Ok(renewed) => tracing::info!(renewed, "mirrors announced again"),
        Err(error) => tracing::warn!(%error, "could not renew mirrors"),
    }
    // Work directories of transcodes or uploads whose process was killed: any older than a
    // day is abandoned (a transcode's wall-time limit is shorter).
    match storage
        .local()
        .purge_stale_work(Duration::from_secs(24 * 3600))
    {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "stale work directories removed"),
        Err(error) => tracing::warn!(%error, "could not purge work directories"),
    }
    match kinora_app::videos::purge_expired_uploads(&db, &storage, now).await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "expired upload sessions purged"),
        Err(error) => tracing::warn!(%error, "could not purge expired uploads"),
    }
}
