//! The federation jobs the server's worker runs: fan-outs, inbox processing, back-fills and
//! mirrors.

use kinora_jobs::{Job, JobContext, JobFailure, JobKind};

use crate::Federation;

/// The kinds of job federation runs.
pub const JOB_KINDS: &[JobKind] = &[
    JobKind::Federate,
    JobKind::ProcessInbox,
    JobKind::FetchOutbox,
    JobKind::MirrorVideo,
];

/// Runs a federation job; answers `None` for a job that is not federation's.
pub async fn run(
    federation: &Federation,
    context: &JobContext,
    job: &Job,
) -> Option<Result<(), JobFailure>> {
    Some(match job {
        Job::Federate { event } => crate::outbox::fan_out(federation, context, event.clone()).await,
        Job::ProcessInbox { activity_id } => {
            crate::inbox::process(
                federation,
                *activity_id,
                context.attempt(),
                job.max_attempts(),
            )
            .await
        }
        Job::FetchOutbox { actor_id } => crate::backfill::fetch_outbox(federation, *actor_id)
            .await
            .map(|_| ()),
        Job::MirrorVideo { video_id } => {
            crate::mirror::mirror_video(federation, context, *video_id).await
        }
        _ => return None,
    })
}
