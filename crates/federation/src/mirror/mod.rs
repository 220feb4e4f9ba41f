//! Mirrors (PeerTube's redundancy): copies of remote videos' HLS files kept here, so our
//! viewers keep playing when the origin is down.
//!
//! [`mirror_video`] copies a remote video's files (`copy.rs`, checked with `playlists.rs`) into
//! a private working directory, makes it visible at once as `redundancy/hls/<videoUUID>` on
//! local disk, then in one transaction records the mirror, queues its `Create{CacheFile}` for
//! the origin and ends the job. The API serves the copy under `/static/redundancy/hls/` and
//! lists it in the video's `redundancies[]`, where the web player falls back to it.

mod copy;
mod playlists;

use kinora_app::{GeneratedName, LocalStorage, StorageKey};
use kinora_core::federation::FederationEvent;
use kinora_db::now_millis;
use kinora_db::redundancies::NewRedundancy;
use kinora_db::remote_videos::RemoteMediaRow;
use kinora_db::videos::VideoRow;
use kinora_jobs::{JobContext, JobFailure};
use url::Url;
use uuid::Uuid;

use crate::Federation;
use crate::inbox::ProcessError;
use crate::protocol::activities;

use kinora_app::mirrors::ANNOUNCED_FOR_MILLIS;

/// The URL our copy of a video's HLS files is served under (`redundancies[].baseUrl`).
pub fn mirror_base_url(federation: &Federation, video_uuid: &str) -> String {
    format!(
        "{}/static/redundancy/hls/{video_uuid}",
        federation.urls().base()
    )
}

/// Copies a remote video's HLS files here and announces the mirror (`Job::MirrorVideo`).
/// Transient failures (the origin unreachable, a 5xx, our disk) are retried; files the origin
/// serves wrong are a permanent failure. Nothing is visible until the copy is complete and
/// checked.
pub async fn mirror_video(
    federation: &Federation,
    context: &JobContext,
    video_id: i64,
) -> Result<(), JobFailure> {
    let pool = federation.db().pool();
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id)
        .await?
        .filter(|v| !v.is_local())
    else {
        return Ok(());
    };
    if !host_is_mirrored(federation, &video).await? {
        return Ok(());
    }
    let media = kinora_db::remote_videos::find_media(pool, &[video_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| JobFailure::permanent("the remote video has no media"))?;
    let (Some(master), Some(hashes)) = (&media.playlist_url, &media.segments_sha256_url) else {
        return Err(JobFailure::permanent(
            "the remote video has no HLS playlist with segment hashes",
        ));
    };
    let master = Url::parse(master).map_err(|e| JobFailure::permanent(e.to_string()))?;
    let hashes = Url::parse(hashes).map_err(|e| JobFailure::permanent(e.to_string()))?;
    let uuid = Uuid::parse_str(&video.uuid).map_err(|e| JobFailure::permanent(e.to_string()))?;

    let local = federation.storage().local().clone();
    let existing = kinora_db::redundancies::list_of(pool, &[video_id]).await?;
    if existing.iter().any(|m| m.local != 0) && copy_is_current(&local, uuid, &media) {
        // An Update of the video that did not change its files.
        return Ok(());
    }
    let (work_key, work_path) = local.create_work_directory()?;
    let copied = copy::copy_hls(
        federation.client(),
        &master,
        &hashes,
        &work_path,
        federation.config().mirror_max_video_bytes,
    )
    .await;
    let copied = match copied {
        Ok(copied) => copied,
        Err(error) => {
            let _ = local.delete(&work_key);
            tracing::warn!(video = %video.uuid, %error, "mirror copy failed");
            return Err(if error.is_retryable() {
                JobFailure::retryable(error.to_string())
            } else {
                JobFailure::permanent(error.to_string())
            });
        }
    };
    let published = {
        let local = local.clone();
        let target = StorageKey::mirror_directory(uuid);
        tokio::task::spawn_blocking(move || local.publish_directory(&work_path, &target)).await
    };
    if !matches!(published, Ok(Ok(()))) {
        let _ = local.delete(&work_key);
        return Err(JobFailure::retryable(format!(
            "publishing the mirror of {}: {published:?}",
            video.uuid
        )));
    }

    let now = now_millis();
    let id = activities::cache_file_id(federation.urls(), &video.uuid);
    let base_url = mirror_base_url(federation, &video.uuid);
    let db = federation.db();
    let mut tx = db.begin().await?;
    let mirror = kinora_db::redundancies::upsert(
        &mut tx,
        &NewRedundancy {
            video_id,
            url: &id,
            base_url: &base_url,
            local: true,
            actor_id: None,
            size: i64::try_from(copied.size).unwrap_or(i64::MAX),
            expires_at: Some(now + ANNOUNCED_FOR_MILLIS),
        },
        now,
    )
    .await?;
    kinora_app::federation_events::queue(
        &mut tx,
        FederationEvent::RedundancyCreated {
            redundancy_id: mirror.id,
        },
    )
    .await?;
    context.complete_in(&mut tx).await?;
    tx.commit().await?;
    tracing::info!(
        video = %video.uuid,
        bytes = copied.size,
        files = copied.names.len(),
        "remote video mirrored"
    );
    Ok(())
}

/// Whether our copy holds every file the origin lists now (a new publication at the origin
/// brings new file names).
fn copy_is_current(local: &LocalStorage, uuid: Uuid, media: &RemoteMediaRow) -> bool {
    let files = kinora_core::remote::RemoteFile::from_json(&media.files);
    let urls = [&media.playlist_url, &media.segments_sha256_url]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .chain(files.iter().map(|f| f.file_url.as_str()))
        .chain(files.iter().filter_map(|f| f.playlist_url.as_deref()));
    let mut any = false;
    for url in urls {
        let name = url.rsplit('/').next().unwrap_or_default();
        let Ok(name) = GeneratedName::parse(name) else {
            return false;
        };
        if !local.path(&StorageKey::mirror_file(uuid, &name)).is_file() {
            return false;
        }
        any = true;
    }
    any
}

/// Whether the video's instance is still mirrored here (mirroring may have been turned off
/// since the job was queued).
async fn host_is_mirrored(federation: &Federation, video: &VideoRow) -> Result<bool, JobFailure> {
    let pool = federation.db().pool();
    let Some(channel) = kinora_db::channels::find_by_id(pool, video.channel_id).await? else {
        return Ok(false);
    };
    let Some(host) = kinora_db::actors::find_by_id(pool, channel.actor_id)
        .await?
        .and_then(|actor| actor.host)
    else {
        return Ok(false);
    };
    Ok(kinora_db::deliveries::find_host(pool, &host)
        .await?
        .is_some_and(|h| h.redundancy_allowed != 0))
}

/// Forgets the mirrors of a video about to be deleted: every mirror's row, and our copy's
/// files (after the rows, so nothing listed is ever missing).
pub async fn forget_mirrors(federation: &Federation, video_id: i64) -> Result<(), ProcessError> {
    let pool = federation.db().pool();
    let mirrors = kinora_db::redundancies::list_of(pool, &[video_id]).await?;
    if mirrors.is_empty() {
        return Ok(());
    }
    let db = federation.db();
    let mut tx = db.begin().await?;
    for mirror in &mirrors {
        kinora_db::redundancies::delete(&mut tx, mirror.id).await?;
    }
    tx.commit().await?;
    if mirrors.iter().any(|m| m.local != 0) {
        let video = kinora_db::videos::find_by_id(pool, video_id).await?;
        if let Some(uuid) = video.and_then(|v| Uuid::parse_str(&v.uuid).ok()) {
            let key = StorageKey::mirror_directory(uuid);
            if let Err(error) = federation.storage().local().delete(&key) {
                tracing::warn!(%key, %error, "a mirror's files stayed behind");
            }
        }
    }
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
