//! `kinora storage migrate --to s3|local`: moves every existing video's files to the backend
//! named, one video at a time. For each file: copy, then compare size and SHA-256 of both
//! copies; only when every file of the video checks out does the database switch the video to
//! the new location (compare-and-set, so a concurrent change wins), and only then are the old
//! copies deleted. Killed at any point and run again, it picks up where it stopped: videos
//! already moved are only cleaned of leftover old copies, copies are simply redone. Then
//! captions and avatar and banner files, one by one ([`side_files`]).

mod side_files;

use kinora_core::video::{Privacy, VideoState};
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use kinora_storage::{Backend, Location, MediaStorage, StorageError, StorageKey};

use crate::media::{media_keys, media_location, original_location, video_uuid};
use crate::{AppError, AppResult};

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Videos whose files moved in this run.
    pub moved: usize,
    /// Videos already at the target (leftover old copies were removed).
    pub already_there: usize,
    /// Videos still being processed, left for a later run.
    pub skipped: usize,
    /// Files copied and verified.
    pub files: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Caption, avatar and banner files moved.
    pub side_files: usize,
}

/// One line of progress, for the command to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationEvent {
    /// A video's files were copied, verified, switched and the old copies deleted.
    Moved {
        /// The video's UUID.
        uuid: String,
        /// Files copied.
        files: usize,
        /// Bytes copied.
        bytes: u64,
    },
    /// A video is still uploading or transcoding: run the command again later.
    Skipped {
        /// The video's UUID.
        uuid: String,
    },
    /// A caption, avatar or banner file was copied, verified, switched and the old copy
    /// deleted.
    MovedFile {
        /// Its storage key.
        key: String,
        /// Bytes copied.
        bytes: u64,
    },
}

/// Moves every video's files to `to`. `to = S3` needs `[storage.s3]`.
pub async fn migrate_storage(
    db: &Db,
    storage: &MediaStorage,
    to: Backend,
    mut progress: impl FnMut(MigrationEvent),
) -> AppResult<MigrationReport> {
    if to == Backend::S3 && !storage.has_s3() {
        return Err(AppError::Storage(StorageError::S3Config(
            "migrating to S3 needs [storage.s3] with a bucket".to_owned(),
        )));
    }
    let mut report = MigrationReport::default();
    let mut after = 0;
    loop {
        let ids = kinora_db::videos::list_ids_after(db.pool(), after, 100).await?;
        let Some(&last) = ids.last() else {
            side_files::migrate_side_files(db, storage, to, &mut report, &mut progress).await?;
            return Ok(report);
        };
        after = last;
        for id in ids {
            let Some(video) = kinora_db::videos::find_by_id(db.pool(), id).await? else {
                continue;
            };
            migrate_video(db, storage, to, &video, &mut report, &mut progress).await?;
        }
    }
}

fn target_location(storage: &MediaStorage, to: Backend, video: &VideoRow) -> Location {
    let public = matches!(
        Privacy::from_id(video.privacy),
        Some(Privacy::Public | Privacy::Unlisted)
    );
    target_for(storage, to, public)
}

/// Where media goes on backend `to`: the public S3 location only for public media on an
/// instance configured for S3.
fn target_for(storage: &MediaStorage, to: Backend, public: bool) -> Location {
    match to {
        Backend::Local => Location::Local,
        Backend::S3 if public && storage.backend() == Backend::S3 => {
            storage.location_for_media(true)
        }
        Backend::S3 => Location::S3Private,
    }
}

async fn migrate_video(
    db: &Db,
    storage: &MediaStorage,
    to: Backend,
    video: &VideoRow,
    report: &mut MigrationReport,
    progress: &mut impl FnMut(MigrationEvent),
) -> AppResult<()> {
    let processing = matches!(
        VideoState::from_id(video.state),
        Some(VideoState::ToTranscode)
    );
    if processing {
        report.skipped += 1;
        progress(MigrationEvent::Skipped {
            uuid: video.uuid.clone(),
        });
        return Ok(());
    }
    let files = kinora_db::videos::list_files(db.pool(), video.id).await?;
    let original = StorageKey::original(video_uuid(video)?);
    let original_from = original_location(video)?;
    let original_to = if to == Backend::Local {
        Location::Local
    } else {
        Location::S3Private
    };
    let media_from = media_location(video)?;
    let media_to = target_location(storage, to, video);
    let keys = media_keys(video, &files)?;
    let mut copied = (0, 0);

    if original_from != original_to {
        copied = add(
            copied,
            copy_verified(storage, original_from, original_to, &original).await?,
        );
        let switched = kinora_db::videos::move_original(
            db.pool(),
            video.id,
            original_from.as_str(),
            original_to.as_str(),
            now_millis(),
        )
        .await?;
        if switched {
            storage.delete(original_from, &original).await?;
        }
    } else {
        remove_leftovers(storage, original_to, std::slice::from_ref(&original)).await?;
    }

    if media_from != media_to {
        let moved = move_media_files(db, storage, video, media_from, media_to, &keys).await?;
        copied = (copied.0 + moved.0, copied.1 + moved.1);
    } else {
        remove_leftovers(storage, media_to, &keys).await?;
    }

    if copied.0 == 0 {
        report.already_there += 1;
    } else {
        report.moved += 1;
        report.files += copied.0;
        report.bytes += copied.1;
        progress(MigrationEvent::Moved {
            uuid: video.uuid.clone(),
            files: copied.0,
            bytes: copied.1,
        });
    }
    Ok(())
}

/// Copies a video's media files (verified) from one location to another, switches the row
/// (compare-and-set on the master playlist and the old location) and deletes the old copies.
/// Files for which both locations are the same place are neither copied nor deleted. Returns
/// the files and bytes copied.
async fn move_media_files(
    db: &Db,
    storage: &MediaStorage,
    video: &VideoRow,
    from: Location,
    to: Location,
    keys: &[StorageKey],
) -> AppResult<(usize, u64)> {
    let mut copied = (0, 0);
    for key in keys {
        if !storage.same_place(from, to, key) {
            copied = add(copied, copy_verified(storage, from, to, key).await?);
        }
    }
    let switched = kinora_db::videos::move_media(
        db.pool(),
        video.id,
        video.hls_master_file.as_deref(),
        from.as_str(),
        to.as_str(),
        now_millis(),
    )
    .await?;
    if switched {
        for key in keys {
            if !storage.same_place(from, to, key) {
                storage.delete(from, key).await?;
            }
        }
        if from == Location::Local {
            storage
                .delete_directory(from, &StorageKey::hls_directory(video_uuid(video)?))
                .await?;
        }
    }
    Ok(copied)
}

/// After a privacy change: moves a video's HLS files and images between the public and the
/// private S3 locations, so a private video's files never stay in a public bucket and a public
/// video's are served from its CDN. Files on local disk stay where they are (every local file
/// is served through the visibility check). Then queues the remaking of the video's torrents,
/// whose web seeds name the files' URLs. Returns whether anything moved.
pub async fn relocate_media(db: &Db, storage: &MediaStorage, video_id: i64) -> AppResult<bool> {
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(false);
    };
    if video.hls_master_file.is_none() {
        return Ok(false);
    }
    let moved = move_for_privacy(db, storage, &video).await?;
    let mut tx = db.begin().await?;
    kinora_jobs::enqueue(&mut tx, &kinora_jobs::Job::CreateTorrents { video_id }).await?;
    tx.commit().await?;
    Ok(moved)
}

/// Moves a published video's files to the S3 location its privacy calls for, if they are in S3
/// and elsewhere.
async fn move_for_privacy(db: &Db, storage: &MediaStorage, video: &VideoRow) -> AppResult<bool> {
    let from = media_location(video)?;
    let public = matches!(
        Privacy::from_id(video.privacy),
        Some(Privacy::Public | Privacy::Unlisted)
    );
    let to = if public {
        Location::S3Public
    } else {
        Location::S3Private
    };
    if !from.is_s3() || from == to {
        return Ok(false);
    }
    let files = kinora_db::videos::list_files(db.pool(), video.id).await?;
    let keys = media_keys(video, &files)?;
    move_media_files(db, storage, video, from, to, &keys).await?;
    tracing::info!(video = %video.uuid, from = from.as_str(), to = to.as_str(), "media relocated after a privacy change");
    Ok(true)
}

fn add(total: (usize, u64), bytes: u64) -> (usize, u64) {
    (total.0 + 1, total.1 + bytes)
}

/// Copies one file and checks that both copies have the same size and SHA-256; returns the
/// size.
async fn copy_verified(
    storage: &MediaStorage,
    from: Location,
    to: Location,
    key: &StorageKey,
) -> AppResult<u64> {
    let source = storage.digest(from, key).await?.ok_or_else(|| {
        AppError::Storage(StorageError::NotFound {
            key: format!("{key} (at {})", from.as_str()),
        })
    })?;
    storage.copy(from, to, key).await?;
    let copy = storage.digest(to, key).await?;
    if copy != Some(source) {
        return Err(AppError::Storage(StorageError::S3 {
            operation: "verify copy",
            key: key.to_string(),
            detail: format!(
                "the copy at {} differs from the original at {} (size {:?} vs {})",
                to.as_str(),
                from.as_str(),
                copy.map(|digest| digest.size),
                source.size
            ),
        }));
    }
    Ok(source.size)
}

/// A video already at `current`: deletes copies a killed earlier run left on the other
/// backend (it switched the database but did not get to delete them).
async fn remove_leftovers(
    storage: &MediaStorage,
    current: Location,
    keys: &[StorageKey],
) -> AppResult<()> {
    let other: &[Location] = match current {
        Location::Local if storage.has_s3() => &[Location::S3Private, Location::S3Public],
        Location::Local => &[],
        Location::S3Private | Location::S3Public => &[Location::Local],
    };
    for &location in other {
        for key in keys {
            // A public location without its own place falls back to the private one: never
            // delete the current copy through that alias.
            if storage.same_place(location, current, key) {
                continue;
            }
            storage.delete(location, key).await?;
        }
    }
    Ok(())
}
