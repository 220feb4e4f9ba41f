//! The files that belong to rows of their own rather than to a video's: captions and the
//! stored sizes of avatars and banners. `kinora storage migrate` moves them after the videos,
//! one file at a time: copy, verify, switch the row (compare-and-set on its file and old
//! location), then delete the old copy. Run again after a kill, a file already switched only
//! loses the copy left at the old place.

use kinora_storage::{Backend, GeneratedName, Location, MediaStorage, StorageKey};

use super::{MigrationEvent, MigrationReport, copy_verified, remove_leftovers};
use crate::AppResult;

/// Rows read per query.
const BATCH: i64 = 100;

/// Moves every caption and actor image file to `to`.
pub(super) async fn migrate_side_files(
    db: &kinora_db::Db,
    storage: &MediaStorage,
    to: Backend,
    report: &mut MigrationReport,
    progress: &mut impl FnMut(MigrationEvent),
) -> AppResult<()> {
    // Captions are served through the server, as private media; images are public.
    let caption_target = super::target_for(storage, to, false);
    let image_target = super::target_for(storage, to, true);
    let mut after = 0;
    loop {
        let rows = kinora_db::video_captions::list_stored_after(db.pool(), after, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            let (Some(name), Some(from)) = (
                row.file_name.as_deref(),
                row.location.as_deref().and_then(Location::parse),
            ) else {
                continue;
            };
            let key = StorageKey::caption(&GeneratedName::parse(name)?);
            let switch = kinora_db::video_captions::move_file(
                db.pool(),
                row.id,
                name,
                from.as_str(),
                caption_target.as_str(),
            );
            let moved = move_file(storage, from, caption_target, &key, switch).await?;
            count(report, progress, &key, moved);
        }
    }
    let mut after = 0;
    loop {
        let rows = kinora_db::actor_images::list_after(db.pool(), after, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            let Some(from) = Location::parse(&row.location) else {
                continue;
            };
            let key = StorageKey::actor_image(&GeneratedName::parse(&row.file_name)?);
            let switch = kinora_db::actor_images::move_file(
                db.pool(),
                row.id,
                &row.file_name,
                from.as_str(),
                image_target.as_str(),
            );
            let moved = move_file(storage, from, image_target, &key, switch).await?;
            count(report, progress, &key, moved);
        }
    }
    Ok(())
}

fn count(
    report: &mut MigrationReport,
    progress: &mut impl FnMut(MigrationEvent),
    key: &StorageKey,
    moved: Option<u64>,
) {
    if let Some(bytes) = moved {
        report.side_files += 1;
        report.bytes += bytes;
        progress(MigrationEvent::MovedFile {
            key: key.to_string(),
            bytes,
        });
    }
}

/// Moves one file whose row `switch` records the move; returns the bytes copied, or `None`
/// when the file was already at `to` (then copies an earlier run left behind are deleted).
async fn move_file(
    storage: &MediaStorage,
    from: Location,
    to: Location,
    key: &StorageKey,
    switch: impl Future<Output = kinora_db::DbResult<bool>>,
) -> AppResult<Option<u64>> {
    if from == to {
        remove_leftovers(storage, to, std::slice::from_ref(key)).await?;
        return Ok(None);
    }
    if storage.same_place(from, to, key) {
        // Two names of one place (a public location without its own bucket): only the row.
        switch.await?;
        return Ok(None);
    }
    let bytes = copy_verified(storage, from, to, key).await?;
    if switch.await? {
        storage.delete(from, key).await?;
        Ok(Some(bytes))
    } else {
        // Replaced or deleted meanwhile: the copy is nobody's.
        storage.delete(to, key).await?;
        Ok(None)
    }
}
