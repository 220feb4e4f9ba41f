//! Our mirrors of remote videos (PeerTube's redundancy) as use cases see them: when an
//! administrator stops mirroring an instance, our copies of its videos go — rows first, each
//! withdrawal queued for the origin (`Undo{Create{CacheFile}}`) in the same transaction, then
//! the files; and mirrors about to expire are announced again for another
//! [`ANNOUNCED_FOR_MILLIS`] ([`renew_expiring`]), as PeerTube extends its own.
//!
//! Copying is the federation layer's `Job::MirrorVideo`; the files live on local disk at
//! [`StorageKey::mirror_directory`].

use kinora_core::federation::FederationEvent;
use kinora_db::Db;
use kinora_storage::{MediaStorage, StorageKey};

use crate::AppResult;

/// How long a mirror is announced for (its `CacheFile`'s `expires`).
pub const ANNOUNCED_FOR_MILLIS: i64 = 30 * 24 * 3600 * 1000;

/// A mirror is announced again once less than this is left of its announcement.
pub const RENEW_WITHIN_MILLIS: i64 = 7 * 24 * 3600 * 1000;

/// Mirrors renewed in one call at most (the rest wait for the next).
const RENEW_BATCH: i64 = 100;

/// Extends our mirrors whose announcement ends within [`RENEW_WITHIN_MILLIS`] of `now` to
/// `now` + [`ANNOUNCED_FOR_MILLIS`], queuing a new `Create{CacheFile}` for each origin in the
/// same transaction. Returns how many were renewed.
pub async fn renew_expiring(db: &Db, now: i64) -> AppResult<usize> {
    let expiring = kinora_db::redundancies::list_local_expiring(
        db.pool(),
        now + RENEW_WITHIN_MILLIS,
        RENEW_BATCH,
    )
    .await?;
    if expiring.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for mirror in &expiring {
        kinora_db::redundancies::set_expiry(&mut tx, mirror.id, now + ANNOUNCED_FOR_MILLIS, now)
            .await?;
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::RedundancyCreated {
                redundancy_id: mirror.id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(expiring.len())
}

/// Removes our copies of the videos of the instance at `host`. Returns how many went.
pub async fn drop_local_mirrors_of_host(
    db: &Db,
    storage: &MediaStorage,
    host: &str,
) -> AppResult<usize> {
    let video_ids = kinora_db::remote_videos::list_ids_of_host(db.pool(), host).await?;
    let ours: Vec<_> = kinora_db::redundancies::list_of(db.pool(), &video_ids)
        .await?
        .into_iter()
        .filter(|mirror| mirror.local != 0)
        .collect();
    if ours.is_empty() {
        return Ok(0);
    }
    let mut directories = Vec::new();
    let mut tx = db.begin().await?;
    for mirror in &ours {
        kinora_db::redundancies::delete(&mut tx, mirror.id).await?;
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::RedundancyRemoved {
                video_id: mirror.video_id,
                cache_file_url: mirror.url.clone(),
            },
        )
        .await?;
        if let Some(video) = kinora_db::videos::find_by_id(&mut *tx, mirror.video_id).await?
            && let Ok(uuid) = uuid::Uuid::parse_str(&video.uuid)
        {
            directories.push(StorageKey::mirror_directory(uuid));
        }
    }
    tx.commit().await?;
    for directory in directories {
        if let Err(error) = storage.local().delete(&directory) {
            tracing::warn!(%directory, %error, "a mirror's files stayed behind");
        }
    }
    Ok(ours.len())
}
