//! Torrents the server makes in its job worker. Today: the torrent of a video's uploaded file
//! ([`Job::CreateOriginalTorrent`](kinora_jobs::Job::CreateOriginalTorrent)), listed in the
//! video's `files[]` from the upload until its renditions exist, as PeerTube lists its web video
//! file (PeerTube's CLI waits for that `torrentUrl` after an upload).
//!
//! The original is never public, so its torrent has no web seed; its announce list names the
//! instance's tracker URLs.

use kinora_app::media::{original_location, video_uuid};
use kinora_app::{AppError, AppResult, GeneratedName, Location, MediaStorage, StorageKey};
use kinora_core::torrents::tracker_tiers;
use kinora_db::now_millis;
use kinora_jobs::JobContext;
use kinora_p2p::torrent::{TorrentSpec, build_torrent};

/// The file name inside a torrent: the video's name (path separators and control characters
/// replaced) with the uploaded file's extension when it is a plain one.
fn torrent_name(video_name: &str, original_filename: &str) -> String {
    let base: String = video_name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .take(120)
        .collect();
    let base = match base.trim() {
        "" | "." | ".." => "video".to_owned(),
        trimmed => trimmed.to_owned(),
    };
    let extension = original_filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| {
            (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    match extension {
        Some(extension) => format!("{base}.{extension}"),
        None => base,
    }
}

/// Builds the torrent of `path` and stores it on local disk as
/// `torrents/<fresh uuid>-<suffix>.torrent`; answers its name and info hash.
async fn build_and_store(
    storage: &MediaStorage,
    work: &std::path::Path,
    path: &std::path::Path,
    spec: &TorrentSpec<'_>,
    suffix: &str,
) -> AppResult<(GeneratedName, String)> {
    let torrent = build_torrent(path, spec)
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let name = GeneratedName::parse(&format!("{}-{suffix}.torrent", uuid::Uuid::new_v4()))?;
    let written = work.join(name.as_str());
    tokio::fs::write(&written, &torrent.bytes)
        .await
        .map_err(|error| AppError::Internal(format!("writing a torrent failed: {error}")))?;
    storage
        .store_file(Location::Local, &written, &StorageKey::torrent(&name))
        .await?;
    Ok((name, torrent.info_hash_hex()))
}

/// Makes the torrent of the video's uploaded file (wherever the original is now), stores it on
/// local disk under `torrents/`, then records it and ends the job in one transaction.
/// Idempotent: a deleted video, or one whose torrent exists, ends the job with nothing to do.
pub async fn create_original_torrent(
    context: &JobContext,
    storage: &MediaStorage,
    public_url: &str,
    video_id: i64,
) -> AppResult<()> {
    let db = context.db();
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(());
    };
    if video.original_torrent_file.is_some() {
        return Ok(());
    }
    let uuid = video_uuid(&video)?;
    let (_, work) = storage.local().create_work_directory()?;
    let result = async {
        let original = work.join("original");
        storage
            .fetch_to_file(
                original_location(&video)?,
                &StorageKey::original(uuid),
                &original,
            )
            .await?;
        let name = torrent_name(&video.name, &video.original_filename);
        let spec = TorrentSpec {
            name: &name,
            web_seed_url: None,
            announce_list: tracker_tiers(public_url),
            created_by: "Kinora",
            creation_date: Some(now_millis() / 1000),
            comment: None,
        };
        let (file_name, info_hash) =
            build_and_store(storage, &work, &original, &spec, "original").await?;
        let mut tx = db.begin().await?;
        let previous = kinora_db::videos::set_original_torrent(
            &mut tx,
            video.id,
            file_name.as_str(),
            &info_hash,
            now_millis(),
        )
        .await?;
        context.complete_in(&mut tx).await?;
        tx.commit().await?;
        if let Some(previous) = previous.and_then(|p| GeneratedName::parse(&p).ok()) {
            storage
                .delete(Location::Local, &StorageKey::torrent(&previous))
                .await?;
        }
        tracing::info!(video = %video.uuid, %info_hash, "torrent of the uploaded file made");
        Ok(())
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result
}

/// Makes the torrent of every rendition file of a published video that has none: the file is
/// read where it is (on local disk in place, from S3 through a temporary copy), the web seed is
/// the file's URL as the API gives it (none for private and internal videos, whose files need
/// a login), and each torrent is recorded as it is stored; the job ends in the last transaction.
pub async fn create_rendition_torrents(
    context: &JobContext,
    storage: &MediaStorage,
    public_url: &str,
    video_id: i64,
) -> AppResult<()> {
    let db = context.db();
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(());
    };
    if video.hls_master_file.is_none() {
        return Ok(());
    }
    let uuid = video_uuid(&video)?;
    let location = kinora_app::media::media_location(&video)?;
    let public = matches!(
        kinora_core::video::Privacy::from_id(video.privacy),
        Some(kinora_core::video::Privacy::Public | kinora_core::video::Privacy::Unlisted)
    );
    let base = kinora_app::media::hls_base_url(storage, &video, public_url)?;
    let files = kinora_db::videos::list_files(db.pool(), video.id).await?;
    let (_, work) = storage.local().create_work_directory()?;
    let result = async {
        for file in files.iter().filter(|f| f.torrent_file.is_none()) {
            let key = StorageKey::hls_file(uuid, &GeneratedName::parse(&file.file_name)?);
            let path = match storage.local_path(location, &key) {
                Some(path) => path,
                None => {
                    let copy = work.join(&file.file_name);
                    storage.fetch_to_file(location, &key, &copy).await?;
                    copy
                }
            };
            let web_seed = format!("{base}/{}", file.file_name);
            let name = torrent_name(
                &format!("{} {}p", video.name, file.resolution),
                &file.file_name,
            );
            let spec = TorrentSpec {
                name: &name,
                web_seed_url: public.then_some(web_seed.as_str()),
                announce_list: tracker_tiers(public_url),
                created_by: "Kinora",
                creation_date: Some(now_millis() / 1000),
                comment: None,
            };
            let suffix = format!("{}-hls", file.resolution);
            let (stored_name, info_hash) =
                build_and_store(storage, &work, &path, &spec, &suffix).await?;
            let mut tx = db.begin().await?;
            kinora_db::videos::set_file_torrent(&mut tx, file.id, stored_name.as_str(), &info_hash)
                .await?;
            tx.commit().await?;
        }
        let mut tx = db.begin().await?;
        context.complete_in(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(video = %video.uuid, files = files.len(), "rendition torrents made");
        Ok(())
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torrent_names_are_plain_file_names() {
        assert_eq!(torrent_name("My film", "clip.MP4"), "My film.mp4");
        assert_eq!(torrent_name("../../etc/passwd", "x"), ".._.._etc_passwd");
        assert_eq!(torrent_name("a\nb", "v.webm"), "a_b.webm");
        assert_eq!(torrent_name("..", "v.mkv"), "video.mkv");
        assert_eq!(torrent_name("Name", "weird.ext/../x"), "Name");
    }
}
