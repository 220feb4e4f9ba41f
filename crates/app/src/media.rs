//! Where a video's files are, and the work that moves them: the keys of a video's files, the
//! [`Job::StoreOriginal`] step that puts an upload's original in S3, deleting a video's files,
//! and the URLs the API links them at.

use kinora_db::now_millis;
use kinora_db::videos::{VideoFileRow, VideoRow};
use kinora_jobs::{Job, JobContext, enqueue};
use kinora_storage::{GeneratedName, Location, MediaStorage, StorageError, StorageKey};
use uuid::Uuid;

use crate::{AppError, AppResult};

/// The UUID of a stored video.
pub fn video_uuid(video: &VideoRow) -> AppResult<Uuid> {
    Uuid::parse_str(&video.uuid).map_err(|error| AppError::Internal(error.to_string()))
}

/// Reads a location name from the database.
pub fn parse_location(name: &str) -> AppResult<Location> {
    Location::parse(name)
        .ok_or_else(|| AppError::Internal(format!("unknown storage location {name:?}")))
}

/// Where the video's HLS files and images are.
pub fn media_location(video: &VideoRow) -> AppResult<Location> {
    parse_location(&video.media_location)
}

/// Where the video's original is.
pub fn original_location(video: &VideoRow) -> AppResult<Location> {
    parse_location(&video.original_location)
}

/// The keys of every HLS file and image the database lists for a video (not the original).
pub fn media_keys(video: &VideoRow, files: &[VideoFileRow]) -> AppResult<Vec<StorageKey>> {
    let hls = [&video.hls_master_file, &video.hls_segments_file]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .chain(
            files
                .iter()
                .flat_map(|file| [file.file_name.as_str(), file.playlist_name.as_str()]),
        );
    StorageKey::video_media(
        video_uuid(video)?,
        hls,
        video.thumbnail_file.as_deref(),
        video.preview_file.as_deref(),
        video.storyboard_file.as_deref(),
    )
    .map_err(|error| AppError::Internal(error.to_string()))
}

/// Deletes every file of a (deleted) video wherever it is: the HLS directory and images at its
/// media location, and the original at its location.
pub async fn delete_stored_files(storage: &MediaStorage, video: &VideoRow) -> AppResult<()> {
    let uuid = video_uuid(video)?;
    let media = media_location(video)?;
    storage
        .delete_directory(media, &StorageKey::hls_directory(uuid))
        .await?;
    for key in media_keys(video, &[])? {
        storage.delete(media, &key).await?;
    }
    storage
        .delete(original_location(video)?, &StorageKey::original(uuid))
        .await?;
    // A live's segments and the recordings of its broadcasts not yet made replays.
    for directory in [
        StorageKey::live_directory(uuid),
        StorageKey::live_replays_directory(uuid),
    ] {
        storage
            .delete_directory(Location::Local, &directory)
            .await?;
    }
    if let Some(torrent) = video
        .original_torrent_file
        .as_deref()
        .and_then(|name| GeneratedName::parse(name).ok())
    {
        storage
            .delete(Location::Local, &StorageKey::torrent(&torrent))
            .await?;
    }
    Ok(())
}

/// Deletes the torrents of rendition files (kept on local disk).
pub async fn delete_file_torrents(storage: &MediaStorage, files: &[VideoFileRow]) -> AppResult<()> {
    for name in files
        .iter()
        .filter_map(|file| file.torrent_file.as_deref())
        .filter_map(|name| GeneratedName::parse(name).ok())
    {
        storage
            .delete(Location::Local, &StorageKey::torrent(&name))
            .await?;
    }
    Ok(())
}

/// Runs [`Job::StoreOriginal`]: uploads the video's original from local disk to where
/// originals go (S3), checks its size there, then in one transaction records the new location,
/// queues the transcode and ends the job; the local copy is deleted last. Idempotent: a video
/// whose original already moved, or that was deleted, ends the job with nothing to do. The
/// transcode gets the job's `resolutions`.
pub async fn store_original(
    context: &JobContext,
    storage: &MediaStorage,
    video_id: i64,
    resolutions: Option<&[u32]>,
) -> AppResult<()> {
    let db = context.db();
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(());
    };
    let from = original_location(&video)?;
    if from != Location::Local {
        return Ok(());
    }
    let key = StorageKey::original(video_uuid(&video)?);
    let to = storage.location_for_originals();
    if to != Location::Local {
        let expected = u64::try_from(video.original_size).unwrap_or(0);
        storage.copy(from, to, &key).await?;
        let stored = storage.size(to, &key).await?;
        if stored != Some(expected) {
            return Err(AppError::Storage(StorageError::S3 {
                operation: "verify",
                key: key.to_string(),
                detail: format!("stored size {stored:?}, expected {expected}"),
            }));
        }
    }
    let mut tx = db.begin().await?;
    let moved = kinora_db::videos::move_original(
        &mut *tx,
        video.id,
        from.as_str(),
        to.as_str(),
        now_millis(),
    )
    .await?;
    if moved {
        enqueue(
            &mut tx,
            &Job::Transcode {
                video_id,
                resolutions: resolutions.map(<[u32]>::to_vec),
            },
        )
        .await?;
    }
    context.complete_in(&mut tx).await?;
    tx.commit().await?;
    if to == Location::Local {
        return Ok(());
    }
    if !moved {
        // Deleted while its original went up: the copy just made belongs to nothing.
        if kinora_db::videos::find_by_id(db.pool(), video_id)
            .await?
            .is_none()
        {
            storage.delete(to, &key).await?;
        }
        return Ok(());
    }
    storage.delete(from, &key).await?;
    tracing::info!(video = %video.uuid, to = to.as_str(), "original stored; transcoding queued");
    Ok(())
}

/// The base URL of a video's HLS files: its public bucket or CDN URL when the files are in a
/// public location, else the server's own `/static/streaming-playlists/hls/<uuid>`.
pub fn hls_base_url(storage: &MediaStorage, video: &VideoRow, origin: &str) -> AppResult<String> {
    let uuid = video_uuid(video)?;
    let directory = StorageKey::hls_directory(uuid);
    Ok(storage
        .public_url(media_location(video)?, &directory)
        .unwrap_or_else(|| format!("{origin}/static/streaming-playlists/hls/{uuid}")))
}

/// The URL of an image of a video (`key` built by the caller): public bucket or CDN, else the
/// server's `path`.
pub fn image_url(
    storage: &MediaStorage,
    video: &VideoRow,
    key: &StorageKey,
    origin: &str,
    path: &str,
) -> AppResult<String> {
    Ok(storage
        .public_url(media_location(video)?, key)
        .unwrap_or_else(|| format!("{origin}{path}")))
}
