//! Captions and chapters of videos. A caption upload (WebVTT or SRT, per language) is checked
//! and rewritten as WebVTT by `kinora_core::captions`, stored under a generated name (never
//! the uploaded one) in the private location of the images (so every read passes the one
//! visibility check), and recorded with the `UpdateCaptionPlaylists` job (the HLS master
//! playlist's subtitles rendition) and the federation event (an `Update` of the video) in one
//! transaction; the replaced file goes last. Chapters set by the owner replace the
//! description's.

use kinora_core::captions::hls::{SubtitleRendition, master_with_subtitles};
use kinora_core::captions::parse_caption_file;
use kinora_core::chapters::{Chapter, chapters_from_description, check_chapters};
use kinora_core::federation::FederationEvent;
use kinora_core::labels::language_label;
use kinora_db::video_captions::CaptionRow;
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};
use kinora_storage::{GeneratedName, Location, MediaStorage, StorageKey};
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// The path under which captions (and their HLS media playlists) are served.
pub const CAPTIONS_PATH: &str = "/lazy-static/video-captions";

/// Checks that `language` is one of PeerTube's languages (`/api/v1/videos/languages`).
pub fn check_language(language: &str) -> AppResult<&'static str> {
    language_label(language).ok_or_else(|| AppError::Invalid {
        field: "captionLanguage",
        message: format!("{language:?} is not one of the languages of /api/v1/videos/languages"),
    })
}

/// The generated name of a caption file: `<uuid>-<language>.vtt` (language lowercased).
fn caption_name(language: &str) -> AppResult<GeneratedName> {
    let uuid = Uuid::new_v4();
    GeneratedName::parse(&format!("{uuid}-{}.vtt", language.to_ascii_lowercase()))
        .or_else(|_| GeneratedName::parse(&format!("{uuid}.vtt")))
        .map_err(AppError::from)
}

/// The name of a local caption's HLS media playlist: its file name with `.m3u8`.
pub fn playlist_name(file_name: &str) -> String {
    format!("{}.m3u8", file_name.trim_end_matches(".vtt"))
}

/// The caption file a media playlist name stands for.
pub fn file_of_playlist(playlist: &str) -> Option<String> {
    playlist
        .strip_suffix(".m3u8")
        .map(|stem| format!("{stem}.vtt"))
}

/// Adds or replaces the caption of `video` in `language` with the uploaded `bytes`; owner or
/// staff only, local videos only.
pub async fn put_caption(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    video: &VideoRow,
    language: &str,
    bytes: &[u8],
) -> AppResult<()> {
    crate::visibility::ensure_can_manage(db, video, user, "Cannot edit another user's video.")
        .await?;
    check_language(language)?;
    if !video.is_local() {
        return Err(AppError::Forbidden(
            "Captions of a remote video are set by its instance.".into(),
        ));
    }
    let captions = parse_caption_file(bytes).map_err(|error| AppError::Invalid {
        field: "captionfile",
        message: error.to_string(),
    })?;
    let vtt = captions.to_webvtt();
    let name = caption_name(language)?;
    let key = StorageKey::caption(&name);
    let location = storage.location_for_media(false);
    let (_, work) = storage.local().create_work_directory()?;
    let file = work.join("caption.vtt");
    let stored = async {
        tokio::fs::write(&file, vtt.as_bytes())
            .await
            .map_err(|error| AppError::Internal(format!("writing a caption failed: {error}")))?;
        storage.store_file(location, &file, &key).await?;
        Ok::<(), AppError>(())
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    stored?;
    let recorded = async {
        let mut tx = db.begin().await?;
        let previous = kinora_db::video_captions::put_local(
            &mut tx,
            video.id,
            language,
            name.as_str(),
            location.as_str(),
            now_millis(),
        )
        .await?;
        queue_changes(&mut tx, video).await?;
        tx.commit().await?;
        Ok::<_, AppError>(previous)
    }
    .await;
    match recorded {
        Ok(previous) => {
            if let Some(previous) = previous {
                delete_caption_file(storage, &previous).await;
            }
            tracing::info!(video = %video.uuid, language, cues = captions.cues.len(), "caption stored");
            Ok(())
        }
        Err(error) => {
            let _ = storage.delete(location, &key).await;
            Err(error)
        }
    }
}

/// Deletes the caption of `video` in `language` (owner or staff); `NotFound` when none.
pub async fn delete_caption(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    video: &VideoRow,
    language: &str,
) -> AppResult<()> {
    crate::visibility::ensure_can_manage(db, video, user, "Cannot edit another user's video.")
        .await?;
    check_language(language)?;
    let mut tx = db.begin().await?;
    let Some(removed) = kinora_db::video_captions::remove(&mut tx, video.id, language).await?
    else {
        return Err(AppError::NotFound("Video caption"));
    };
    queue_changes(&mut tx, video).await?;
    tx.commit().await?;
    delete_caption_file(storage, &removed).await;
    Ok(())
}

/// After a caption change: the master playlist's rewrite and the `Update` of the video.
async fn queue_changes(tx: &mut kinora_db::Connection, video: &VideoRow) -> AppResult<()> {
    kinora_db::videos::touch(tx, video.id, kinora_db::now_millis()).await?;
    if video.hls_master_file.is_some() {
        enqueue(tx, &Job::UpdateCaptionPlaylists { video_id: video.id }).await?;
    }
    crate::federation_events::queue(tx, FederationEvent::VideoChanged { video_id: video.id }).await
}

/// Deletes a local caption's file; failures only leave garbage, so they are logged.
pub async fn delete_caption_file(storage: &MediaStorage, caption: &CaptionRow) {
    let (Some(name), Some(location)) = (&caption.file_name, &caption.location) else {
        return;
    };
    let (Ok(name), Some(location)) = (GeneratedName::parse(name), Location::parse(location)) else {
        return;
    };
    if let Err(error) = storage.delete(location, &StorageKey::caption(&name)).await {
        tracing::warn!(%error, "a replaced caption file stays");
    }
}

/// The URL of a caption's WebVTT file: ours for a local caption, the origin's for a remote one.
pub fn caption_url(caption: &CaptionRow, origin: &str) -> Option<String> {
    match (&caption.file_name, &caption.file_url) {
        (Some(name), _) => Some(format!("{origin}{CAPTIONS_PATH}/{name}")),
        (None, Some(url)) => Some(url.clone()),
        (None, None) => None,
    }
}

/// The URL of a local caption's HLS media playlist.
pub fn caption_playlist_url(caption: &CaptionRow, origin: &str) -> Option<String> {
    caption
        .file_name
        .as_deref()
        .map(|name| format!("{origin}{CAPTIONS_PATH}/{}", playlist_name(name)))
}

/// Rewrites the HLS master playlist of local video `video_id` so that its subtitles rendition
/// lists exactly its captions now (the `UpdateCaptionPlaylists` job). The playlist is replaced
/// in place, atomically (a rename on disk, one PUT in S3); nothing is re-encoded.
pub async fn update_caption_playlists(
    db: &Db,
    storage: &MediaStorage,
    origin: &str,
    video_id: i64,
) -> AppResult<()> {
    let Some(video) = kinora_db::videos::find_by_id(db.pool(), video_id).await? else {
        return Ok(());
    };
    let Some(master) = video.hls_master_file.as_deref() else {
        return Ok(());
    };
    if !video.is_local() {
        return Ok(());
    }
    let location = crate::media::media_location(&video)?;
    let key = StorageKey::hls_file(
        crate::media::video_uuid(&video)?,
        &GeneratedName::parse(master)?,
    );
    let captions = kinora_db::video_captions::list_of(db.pool(), video.id).await?;
    let renditions: Vec<SubtitleRendition> = captions
        .iter()
        .filter_map(|caption| {
            Some(SubtitleRendition {
                language: caption.language.clone(),
                name: language_label(&caption.language)
                    .unwrap_or(&caption.language)
                    .to_owned(),
                playlist_url: caption_playlist_url(caption, origin)?,
            })
        })
        .collect();
    let (_, work) = storage.local().create_work_directory()?;
    let result = async {
        let current_file = work.join("current.m3u8");
        storage.fetch_to_file(location, &key, &current_file).await?;
        let current = tokio::fs::read_to_string(&current_file)
            .await
            .map_err(|error| AppError::Internal(format!("reading the master playlist: {error}")))?;
        let rewritten = master_with_subtitles(&current, &renditions)
            .map_err(|error| AppError::Internal(format!("{key}: {error}")))?;
        if rewritten == current {
            return Ok(());
        }
        let next_file = work.join("next.m3u8");
        tokio::fs::write(&next_file, rewritten.as_bytes())
            .await
            .map_err(|error| AppError::Internal(format!("writing the master playlist: {error}")))?;
        storage.store_file(location, &next_file, &key).await?;
        tracing::info!(video = %video.uuid, captions = renditions.len(), "master playlist's subtitles updated");
        Ok(())
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result
}

/// A video's chapters: those set for it, else those of its description.
pub async fn chapters_of(db: &Db, video: &VideoRow) -> AppResult<Vec<Chapter>> {
    let stored = kinora_db::video_chapters::list_of(db.pool(), video.id).await?;
    if !stored.is_empty() {
        return Ok(stored
            .into_iter()
            .map(|(timecode, title)| Chapter { timecode, title })
            .collect());
    }
    Ok(chapters_from_description(
        video.description.as_deref().unwrap_or(""),
    ))
}

/// Replaces the chapters of local video `video` (owner or staff); an empty list goes back to
/// the description's. Federated as an `Update` of the video.
pub async fn replace_chapters(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    chapters: Vec<Chapter>,
) -> AppResult<()> {
    crate::visibility::ensure_can_manage(db, video, user, "Cannot edit another user's video.")
        .await?;
    if !video.is_local() {
        return Err(AppError::Forbidden(
            "Chapters of a remote video are set by its instance.".into(),
        ));
    }
    let chapters = check_chapters(chapters).map_err(|error| AppError::Invalid {
        field: "chapters",
        message: error.to_string(),
    })?;
    let rows: Vec<(i64, &str)> = chapters
        .iter()
        .map(|c| (c.timecode, c.title.as_str()))
        .collect();
    let mut tx = db.begin().await?;
    kinora_db::video_chapters::replace(&mut tx, video.id, &rows).await?;
    kinora_db::videos::touch(&mut tx, video.id, kinora_db::now_millis()).await?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::VideoChanged { video_id: video.id },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
