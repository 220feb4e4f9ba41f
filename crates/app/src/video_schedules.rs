//! Scheduled publication (PeerTube's `scheduleUpdate`): a video's privacy changes at the time
//! its owner chose. The schedule is written with the video (`video_updates`, `videos`); the
//! server's housekeeping calls [`publish_due`] every minute, as PeerTube's scheduler runs, and
//! each due change is applied as its owner's edit would be (torrents, file moves, federation),
//! then forgotten.

use kinora_db::Db;

use crate::AppResult;
use crate::video_updates::{VideoChanges, apply_changes};

/// Most changes applied per call (the rest wait for the next one).
const BATCH: i64 = 100;

/// Applies the changes due at `now`; answers how many were applied. One that fails is logged
/// and left for the next call.
pub async fn publish_due(
    db: &Db,
    storage: &kinora_storage::MediaStorage,
    now: i64,
) -> AppResult<usize> {
    let mut applied = 0;
    for schedule in kinora_db::video_schedules::due(db.pool(), now, BATCH).await? {
        let Some(video) = kinora_db::videos::find_by_id(db.pool(), schedule.video_id).await? else {
            continue; // deleted meanwhile: its schedule went with it
        };
        let changes = VideoChanges {
            privacy: Some(schedule.privacy),
            schedule_update: Some(None),
            ..VideoChanges::default()
        };
        match apply_changes(db, storage, &video, &changes).await {
            Ok(()) => {
                applied += 1;
                tracing::info!(video = %video.uuid, privacy = schedule.privacy, "scheduled update applied");
            }
            Err(error) => {
                tracing::warn!(video = %video.uuid, %error, "scheduled update failed; tried again later");
            }
        }
    }
    Ok(applied)
}
