//! Likes and dislikes of our videos, told to their followers as PeerTube does (an `Update` of
//! the video, whose `likes` and `dislikes` collections hold the counts), but gathered: each
//! change ([`FederationEvent::VideoRatingsChanged`]) only makes sure one
//! [`FederationEvent::VideoRatingsDue`] is queued for the end of the current interval
//! (`rating_update_interval_secs`), so a hundred likes in one interval cost one `Update` per
//! follower host, not a hundred (FD-05).
//!
//! No change is lost: the due fan-out of an interval is unique by (video, interval) and runs
//! only once the interval is over, so a change made in the interval always finds it still
//! queued, and it reads the counts when it runs.

use kinora_core::federation::FederationEvent;
use kinora_jobs::{Job, JobContext, JobFailure};

use super::{FanOutError, Plan};
use crate::Federation;

/// Handles [`FederationEvent::VideoRatingsChanged`] (queues the interval's due fan-out and ends
/// the job in one transaction); `None` for any other event.
pub(super) async fn gather(
    federation: &Federation,
    context: &JobContext,
    event: &FederationEvent,
) -> Option<Result<(), JobFailure>> {
    let FederationEvent::VideoRatingsChanged { video_id } = event else {
        return None;
    };
    Some(
        queue_due(federation, context, *video_id)
            .await
            .map_err(|error| JobFailure::retryable(format!("{}: {error}", event.name()))),
    )
}

async fn queue_due(
    federation: &Federation,
    context: &JobContext,
    video_id: i64,
) -> Result<(), FanOutError> {
    let interval = federation.config().rating_update_interval_secs.max(1) as i64 * 1000;
    let window = kinora_db::now_millis() / interval;
    let due = Job::Federate {
        event: FederationEvent::VideoRatingsDue { video_id, window },
    };
    let mut tx = federation.db().begin().await?;
    // Already queued for this interval: that one will carry this change too.
    kinora_jobs::enqueue_at(&mut tx, &due, (window + 1) * interval).await?;
    context.complete_in(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The `Update` of a local video that followers already have, with its counts as they are now.
pub(super) async fn ratings_due(
    federation: &Federation,
    video_id: i64,
) -> Result<Plan, FanOutError> {
    let video = kinora_db::videos::find_by_id(federation.db().pool(), video_id).await?;
    match video {
        Some(video) if video.is_local() && video.federated != 0 => {
            super::videos::video_changed(federation, video_id).await
        }
        _ => Ok(Plan::default()),
    }
}
