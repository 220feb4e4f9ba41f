//! The typed jobs and their kinds.

use kinora_core::email::OutgoingEmail;
use kinora_core::federation::FederationEvent;
use serde::{Deserialize, Serialize};

/// Every kind of background work, with its payload. Stored as JSON tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Job {
    /// Generate the RSA-2048 key pair an actor signs its federation requests with
    /// (PeerTube's `actor-keys` job).
    GenerateActorKeys {
        /// The actor that needs keys.
        actor_id: i64,
    },
    /// Turn a video's upload into HLS renditions and images (run by `kinora-transcoder`).
    Transcode {
        /// The video.
        video_id: i64,
        /// The standard resolutions to make below the source's own (the instance's
        /// `transcoding.resolutions` when the upload was queued); absent: every one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resolutions: Option<Vec<u32>>,
    },
    /// Move a video's uploaded original from the server's disk to S3, then queue its
    /// transcode (run by the server when `storage.backend = "s3"`).
    StoreOriginal {
        /// The video.
        video_id: i64,
        /// Passed on to the [`Job::Transcode`] queued once the original is stored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resolutions: Option<Vec<u32>>,
    },
    /// Move a video's files between the public and the private S3 locations after its
    /// privacy changed (run by the server).
    RelocateMedia {
        /// The video.
        video_id: i64,
    },
    /// Make the torrent of a video's uploaded file, listed in its `files[]` until the renditions
    /// exist (run by the server).
    CreateOriginalTorrent {
        /// The video.
        video_id: i64,
    },
    /// Make the torrent of each of a video's rendition files that has none (run by the server
    /// after publication).
    CreateTorrents {
        /// The video.
        video_id: i64,
    },
    /// End a live's broadcast once `[live] ending_delay_secs` passed without its broadcaster
    /// coming back (PeerTube's `video-live-ending`): its replay becomes a video, or its
    /// segments are removed (run by the server).
    LiveEnding {
        /// The `video_live_sessions` row of the broadcast.
        session_id: i64,
    },
    /// Turn a local change into ActivityPub activities and their deliveries (run by the server).
    Federate {
        /// What changed.
        event: FederationEvent,
    },
    /// Act on an activity the inbox received and stored (run by the server).
    ProcessInbox {
        /// The `inbox_activities` row.
        activity_id: i64,
    },
    /// Fetch a remote actor's outbox after it accepted our follow, and take in its videos
    /// (back-fill, within page and time budgets).
    FetchOutbox {
        /// The remote actor.
        actor_id: i64,
    },
    /// Copy a remote video's HLS files into our storage and announce the mirror (redundancy).
    MirrorVideo {
        /// The remote video.
        video_id: i64,
    },
    /// Rewrite a local video's HLS master playlist so that its subtitles rendition lists the
    /// captions it has now (run by the server after a caption change or a new publication).
    UpdateCaptionPlaylists {
        /// The video.
        video_id: i64,
    },
    /// Send one composed e-mail (a verification or password-reset link) through SMTP (run by
    /// the server).
    SendEmail {
        /// The message.
        email: OutgoingEmail,
    },
    /// Write a user's archive (PeerTube's `create-user-export`; run by the server).
    CreateUserExport {
        /// The `user_exports` row.
        export_id: i64,
    },
    /// Bring an uploaded user archive into its account (PeerTube's `import-user-archive`; run
    /// by the server).
    ImportUserArchive {
        /// The `user_imports` row.
        import_id: i64,
    },
    /// E-mail the notifications that wait for it (`email_state = 1`), then mark them sent (run
    /// by the server). Queued by `kinora_db::notifications` in the transaction that wrote them.
    SendNotificationEmails,
}

/// The kind of a job, used to pick jobs a worker can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// [`Job::GenerateActorKeys`].
    GenerateActorKeys,
    /// [`Job::Transcode`].
    Transcode,
    /// [`Job::StoreOriginal`].
    StoreOriginal,
    /// [`Job::RelocateMedia`].
    RelocateMedia,
    /// [`Job::CreateOriginalTorrent`].
    CreateOriginalTorrent,
    /// [`Job::CreateTorrents`].
    CreateTorrents,
    /// [`Job::LiveEnding`].
    LiveEnding,
    /// [`Job::Federate`].
    Federate,
    /// [`Job::ProcessInbox`].
    ProcessInbox,
    /// [`Job::FetchOutbox`].
    FetchOutbox,
    /// [`Job::MirrorVideo`].
    MirrorVideo,
    /// [`Job::UpdateCaptionPlaylists`].
    UpdateCaptionPlaylists,
    /// [`Job::SendEmail`].
    SendEmail,
    /// [`Job::SendNotificationEmails`].
    SendNotificationEmails,
    /// [`Job::CreateUserExport`].
    CreateUserExport,
    /// [`Job::ImportUserArchive`].
    ImportUserArchive,
}

impl JobKind {
    /// Every kind, for metrics that show each one even while it has no job.
    pub const ALL: [JobKind; 16] = [
        JobKind::GenerateActorKeys,
        JobKind::Transcode,
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

    /// The kind's name as stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::GenerateActorKeys => "generate-actor-keys",
            JobKind::Transcode => "transcode",
            JobKind::StoreOriginal => "store-original",
            JobKind::RelocateMedia => "relocate-media",
            JobKind::CreateOriginalTorrent => "create-original-torrent",
            JobKind::CreateTorrents => "create-torrents",
            JobKind::LiveEnding => "video-live-ending",
            JobKind::Federate => "federate",
            JobKind::ProcessInbox => "process-inbox",
            JobKind::FetchOutbox => "fetch-outbox",
            JobKind::MirrorVideo => "mirror-video",
            JobKind::UpdateCaptionPlaylists => "update-caption-playlists",
            JobKind::SendEmail => "send-email",
            JobKind::SendNotificationEmails => kinora_db::notifications::EMAIL_JOB_KIND,
            JobKind::CreateUserExport => "create-user-export",
            JobKind::ImportUserArchive => "import-user-archive",
        }
    }
}

impl Job {
    /// The job's kind.
    pub fn kind(&self) -> JobKind {
        match self {
            Job::GenerateActorKeys { .. } => JobKind::GenerateActorKeys,
            Job::Transcode { .. } => JobKind::Transcode,
            Job::StoreOriginal { .. } => JobKind::StoreOriginal,
            Job::RelocateMedia { .. } => JobKind::RelocateMedia,
            Job::CreateOriginalTorrent { .. } => JobKind::CreateOriginalTorrent,
            Job::CreateTorrents { .. } => JobKind::CreateTorrents,
            Job::LiveEnding { .. } => JobKind::LiveEnding,
            Job::Federate { .. } => JobKind::Federate,
            Job::ProcessInbox { .. } => JobKind::ProcessInbox,
            Job::FetchOutbox { .. } => JobKind::FetchOutbox,
            Job::MirrorVideo { .. } => JobKind::MirrorVideo,
            Job::UpdateCaptionPlaylists { .. } => JobKind::UpdateCaptionPlaylists,
            Job::SendEmail { .. } => JobKind::SendEmail,
            Job::SendNotificationEmails => JobKind::SendNotificationEmails,
            Job::CreateUserExport { .. } => JobKind::CreateUserExport,
            Job::ImportUserArchive { .. } => JobKind::ImportUserArchive,
        }
    }

    /// A key shared by jobs that do the same work; at most one of them is queued or running.
    pub fn unique_key(&self) -> Option<String> {
        match self {
            Job::GenerateActorKeys { actor_id } => Some(format!("actor-keys:{actor_id}")),
            Job::Transcode { video_id, .. } => Some(format!("transcode:{video_id}")),
            Job::StoreOriginal { video_id, .. } => Some(format!("store-original:{video_id}")),
            Job::RelocateMedia { video_id } => Some(format!("relocate-media:{video_id}")),
            Job::CreateOriginalTorrent { video_id } => {
                Some(format!("create-original-torrent:{video_id}"))
            }
            Job::CreateTorrents { video_id } => Some(format!("create-torrents:{video_id}")),
            // Each end of a broadcast queues its own; the ending claims its session once.
            Job::LiveEnding { .. } => None,
            // Gathered rating changes: one fan-out per video and interval. It runs only after
            // its interval ended, so any change queued in the interval finds it still queued.
            Job::Federate {
                event: FederationEvent::VideoRatingsDue { video_id, window },
            } => Some(format!("video-ratings:{video_id}:{window}")),
            // Each change is its own event: a fan-out reads the state when it runs, so one
            // queued behind a running one must not be dropped.
            Job::Federate { .. } => None,
            Job::ProcessInbox { activity_id } => Some(format!("process-inbox:{activity_id}")),
            Job::FetchOutbox { actor_id } => Some(format!("fetch-outbox:{actor_id}")),
            Job::MirrorVideo { video_id } => Some(format!("mirror-video:{video_id}")),
            // It reads the captions when it runs, and a key would drop the job of a change
            // made while one runs: each change queues its own (they are cheap and idempotent).
            Job::UpdateCaptionPlaylists { .. } => None,
            // Each message is its own.
            Job::SendEmail { .. } => None,
            // One sender at a time; it sends every notification due when it runs, and the
            // housekeeping queues it again for any written while it was finishing.
            Job::SendNotificationEmails => {
                Some(kinora_db::notifications::EMAIL_JOB_UNIQUE_KEY.to_owned())
            }
            Job::CreateUserExport { export_id } => Some(format!("user-export:{export_id}")),
            Job::ImportUserArchive { import_id } => Some(format!("user-import:{import_id}")),
        }
    }

    /// How many attempts the job gets before it goes to the dead letters.
    pub fn max_attempts(&self) -> i64 {
        match self {
            Job::GenerateActorKeys { .. } => 5,
            Job::Transcode { .. } => 3,
            // An S3 outage can last a while; the backoff spreads these over hours.
            Job::StoreOriginal { .. } | Job::RelocateMedia { .. } => 12,
            Job::CreateOriginalTorrent { .. } | Job::CreateTorrents { .. } => 5,
            Job::LiveEnding { .. } => 5,
            Job::Federate { .. } | Job::ProcessInbox { .. } => 8,
            Job::FetchOutbox { .. } | Job::MirrorVideo { .. } => 6,
            Job::UpdateCaptionPlaylists { .. } => 8,
            // An SMTP server can be down for a while; the backoff spreads these over hours.
            Job::SendEmail { .. } | Job::SendNotificationEmails => 10,
            // A failed archive is marked errored by the job itself; the user asks again.
            Job::CreateUserExport { .. } => 3,
            // The job marks a failed import errored itself; a retry would import twice.
            Job::ImportUserArchive { .. } => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_stored_with_a_type_tag() {
        let job = Job::GenerateActorKeys { actor_id: 7 };
        let json = serde_json::to_string(&job).unwrap();
        assert_eq!(json, r#"{"type":"generate-actor-keys","actor_id":7}"#);
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), job);
        assert_eq!(job.kind().as_str(), "generate-actor-keys");
        assert_eq!(job.unique_key().as_deref(), Some("actor-keys:7"));
    }

    #[test]
    fn a_transcode_queued_before_resolutions_existed_makes_every_one() {
        let old: Job = serde_json::from_str(r#"{"type":"transcode","video_id":3}"#).unwrap();
        assert_eq!(
            old,
            Job::Transcode {
                video_id: 3,
                resolutions: None
            }
        );
        let chosen = Job::StoreOriginal {
            video_id: 4,
            resolutions: Some(vec![240, 720]),
        };
        let json = serde_json::to_string(&chosen).unwrap();
        assert_eq!(
            json,
            r#"{"type":"store-original","video_id":4,"resolutions":[240,720]}"#
        );
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), chosen);
        assert_eq!(chosen.unique_key().as_deref(), Some("store-original:4"));
    }

    #[test]
    fn the_notification_email_job_is_the_one_the_database_queues() {
        // kinora_db::notifications writes this job's row itself (it cannot depend on this
        // crate): its kind, payload, unique key and attempts must be this job's.
        let job = Job::SendNotificationEmails;
        assert_eq!(
            serde_json::to_string(&job).unwrap(),
            kinora_db::notifications::EMAIL_JOB_PAYLOAD
        );
        assert_eq!(
            job.kind().as_str(),
            kinora_db::notifications::EMAIL_JOB_KIND
        );
        assert_eq!(
            job.unique_key().as_deref(),
            Some(kinora_db::notifications::EMAIL_JOB_UNIQUE_KEY)
        );
        assert_eq!(
            job.max_attempts(),
            kinora_db::notifications::EMAIL_JOB_MAX_ATTEMPTS
        );
        let email = Job::SendEmail {
            email: OutgoingEmail {
                to: "ana@example.org".into(),
                subject: "s".into(),
                text: "t".into(),
                html: "<p>h</p>".into(),
                unsubscribe_url: None,
            },
        };
        let json = serde_json::to_string(&email).unwrap();
        assert!(
            json.starts_with(r#"{"type":"send-email","email":{"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), email);
    }
}
