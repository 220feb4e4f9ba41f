//! Mirrors (PeerTube's redundancy): copies of remote videos' HLS files kept here, so our
//! viewers keep playing when the origin is down.

use kinora_jobs::{JobContext, JobFailure};

use crate::Federation;
use crate::inbox::ProcessError;

/// Copies a remote video's HLS files here and announces the mirror (`Job::MirrorVideo`).
pub async fn mirror_video(
    _federation: &Federation,
    _context: &JobContext,
    video_id: i64,
) -> Result<(), JobFailure> {
    Err(JobFailure::permanent(format!(
        "mirroring video {video_id}: not built yet"
    )))
}

/// Forgets the mirrors of a video about to be deleted (our copies' rows; their files go with
/// them).
pub async fn forget_mirrors(federation: &Federation, video_id: i64) -> Result<(), ProcessError> {
    let mirrors = kinora_db::redundancies::list_of(federation.db().pool(), &[video_id]).await?;
    let db = federation.db();
    let mut tx = db.begin().await?;
    for mirror in mirrors {
        kinora_db::redundancies::delete(&mut tx, mirror.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Forgets the mirrors of every video of a remote actor about to be deleted.
pub async fn forget_mirrors_of_actor(
    federation: &Federation,
    actor_id: i64,
) -> Result<(), ProcessError> {
    let Some(actor) = kinora_db::actors::find_by_id(federation.db().pool(), actor_id).await? else {
        return Ok(());
    };
    let Some(host) = actor.host else {
        return Ok(());
    };
    for video_id in
        kinora_db::remote_videos::list_ids_of_host(federation.db().pool(), &host).await?
    {
        forget_mirrors(federation, video_id).await?;
    }
    Ok(())
}
