//! Bringing an archive's content into an account: the account and settings
//! ([`super::profile`]), `channels.json` (missing channels are created), `videos.json` (each
//! video whose file is in the archive becomes a new upload with its fields, captions and
//! chapters), `video-playlists.json` (with the imported videos and this instance's own),
//! `following.json` (subscriptions). Every item is checked as the API checks it; one that fails
//! is counted as an error and the import goes on.

use std::collections::HashMap;
use std::path::Path;

use kinora_core::chapters::Chapter;
use kinora_db::Db;
use kinora_db::user_imports::UserImportRow;
use kinora_storage::MediaStorage;
use serde_json::{Value, json};

use super::profile::{import_account, import_settings};
use super::reader::{Archive, broken, ensure_media, entry_name, text};
use super::{ImportContext, Tally};
use crate::auth::AuthenticatedUser;
use crate::remote::Handle;
use crate::videos::{UploadPolicy, VideoFields};
use crate::{AppError, AppResult};

/// Imports the archive at `path` into `row.user_id`'s account; answers the summary.
pub(super) async fn import(
    db: &Db,
    storage: &MediaStorage,
    context: &ImportContext,
    row: &UserImportRow,
    path: &Path,
    work_dir: &Path,
) -> AppResult<Value> {
    let archive = Archive {
        path: path.to_owned(),
    };
    // A ZIP without PeerTube's documents is not an archive: fail before anything changes.
    let channels = archive.document("channels.json").await?;
    let videos = archive.document("videos.json").await?;
    if channels.is_null() && videos.is_null() {
        return Err(broken(
            "it has neither peertube/channels.json nor peertube/videos.json",
        ));
    }
    let user_row = kinora_db::users::find_by_id(db.pool(), row.user_id)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let user = AuthenticatedUser {
        user_id: user_row.id,
        username: user_row.username.clone(),
        role: kinora_core::UserRole::from_id(user_row.role).unwrap_or(kinora_core::UserRole::User),
        token_family: String::new(),
    };
    let account = crate::users::find_account(db, &user).await?;

    let account_tally = import_account(db, storage, context, &user, &archive).await?;
    let settings = archive.document("user-settings.json").await?;
    let settings_tally = import_settings(db, context, &user, &settings).await;
    let (channel_ids, channel_tally) =
        import_channels(db, context, &user, account.id, &channels).await?;
    let (video_urls, video_tally) = import_videos(
        db,
        storage,
        context,
        &user,
        &archive,
        work_dir,
        &channel_ids,
        &videos,
    )
    .await?;
    let playlists = archive.document("video-playlists.json").await?;
    let playlist_tally = import_playlists(
        db,
        storage,
        context,
        &user,
        &channel_ids,
        &video_urls,
        &playlists,
    )
    .await?;
    let following = archive.document("following.json").await?;
    let following_tally = import_following(db, context, &user, &following).await?;
    Ok(json!({
        "stats": {
            "account": account_tally.json(),
            "userSettings": settings_tally.json(),
            "channels": channel_tally.json(),
            "videos": video_tally.json(),
            "videoPlaylists": playlist_tally.json(),
            "following": following_tally.json(),
        }
    }))
}

/// The user's channels by name, after creating those of the archive they lack.
async fn import_channels(
    db: &Db,
    context: &ImportContext,
    user: &AuthenticatedUser,
    account_id: i64,
    channels: &Value,
) -> AppResult<(HashMap<String, i64>, Tally)> {
    let mut tally = Tally::default();
    let mut ids: HashMap<String, i64> = kinora_db::channels::list_by_account(db.pool(), account_id)
        .await?
        .into_iter()
        .map(|channel| (channel.name, channel.id))
        .collect();
    for channel in channels["channels"].as_array().into_iter().flatten() {
        let Some(name) = text(channel, "name") else {
            tally.errors += 1;
            continue;
        };
        if ids.contains_key(&name) {
            tally.duplicates += 1;
            continue;
        }
        let input = crate::channels::NewChannelInput {
            display_name: text(channel, "displayName").unwrap_or_else(|| name.clone()),
            name: name.clone(),
            description: text(channel, "description"),
            support: text(channel, "support"),
        };
        match crate::channels::create_channel(db, &context.instance, user, input).await {
            Ok(id) => {
                ids.insert(name, id);
                tally.success += 1;
            }
            Err(error) => {
                tracing::info!(%error, channel = name, "an archived channel was not imported");
                tally.errors += 1;
            }
        }
    }
    Ok((ids, tally))
}

/// The upload fields of an archived video, in `channel_id`.
fn video_fields(video: &Value, channel_id: i64) -> VideoFields {
    let integer = |field: &str| video[field].as_i64();
    // PeerTube's internal (4) and password-protected (5) videos stay private here.
    let privacy = integer("privacy").map(|privacy| {
        if (1..=3).contains(&privacy) {
            privacy
        } else {
            3
        }
    });
    let comments_policy = integer("commentsPolicy").or_else(|| {
        video["commentsEnabled"]
            .as_bool()
            .map(|enabled| if enabled { 1 } else { 2 })
    });
    VideoFields {
        name: text(video, "name")
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect(),
        channel_id,
        privacy,
        category: integer("category"),
        licence: integer("licence"),
        language: text(video, "language"),
        description: text(video, "description"),
        support: text(video, "support"),
        nsfw: video["nsfw"].as_bool(),
        comments_policy,
        download_enabled: video["downloadEnabled"].as_bool(),
        wait_transcoding: Some(true),
        tags: video["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .take(5)
            .collect(),
        originally_published_at: text(video, "originallyPublishedAt")
            .or_else(|| text(video, "publishedAt")),
        ..VideoFields::default()
    }
}

/// Each archived video with its file becomes an upload; answers the old URL → new UUID map.
#[allow(clippy::too_many_arguments)]
async fn import_videos(
    db: &Db,
    storage: &MediaStorage,
    context: &ImportContext,
    user: &AuthenticatedUser,
    archive: &Archive,
    work_dir: &Path,
    channel_ids: &HashMap<String, i64>,
    videos: &Value,
) -> AppResult<(HashMap<String, String>, Tally)> {
    let mut tally = Tally::default();
    let mut urls = HashMap::new();
    let fallback_channel = channel_ids.values().min().copied();
    let policy = UploadPolicy {
        moderation: &context.moderation,
        transcoding_resolutions: &context.instance.transcoding_resolutions,
    };
    for (index, video) in videos["videos"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let channel_id = video["channel"]["name"]
            .as_str()
            .and_then(|name| channel_ids.get(name).copied())
            .or(fallback_channel);
        let (Some(channel_id), Some(file)) =
            (channel_id, entry_name(&video["archiveFiles"]["videoFile"]))
        else {
            // No file in the archive (exported without video files): nothing to upload.
            tally.errors += 1;
            continue;
        };
        let fields = video_fields(video, channel_id);
        let destination = work_dir.join(format!("video-{index}"));
        let created = async {
            let limit = u64::try_from(context.upload_limits.max_file_size).unwrap_or(0);
            let size = archive
                .extract(&file, &destination, limit)
                .await?
                .ok_or_else(|| broken(format!("{file} is named but not in the archive")))?;
            let size = i64::try_from(size).unwrap_or(i64::MAX);
            ensure_media(&destination).await?;
            crate::videos::check_upload(db, user, &fields, size, &context.upload_limits).await?;
            let filename = text(&video["source"], "inputFilename")
                .unwrap_or_else(|| file.rsplit('/').next().unwrap_or("video.mp4").to_owned());
            crate::videos::create_from_upload(
                db,
                storage,
                &policy,
                &fields,
                &destination,
                &filename,
                size,
            )
            .await
        }
        .await;
        let _ = tokio::fs::remove_file(&destination).await;
        let created = match created {
            Ok(created) => created,
            Err(error) => {
                tracing::info!(%error, video = fields.name, "an archived video was not imported");
                tally.errors += 1;
                continue;
            }
        };
        tally.success += 1;
        if let Some(url) = video["url"].as_str() {
            urls.insert(url.to_owned(), created.uuid.to_string());
        }
        let Some(row) = kinora_db::videos::find_by_id(db.pool(), created.id).await? else {
            continue;
        };
        for (language, path) in video["archiveFiles"]["captions"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let Some(name) = entry_name(path) else {
                continue;
            };
            let put = async {
                let bytes = archive
                    .read(&name, kinora_core::captions::MAX_CAPTION_BYTES as u64)
                    .await?
                    .ok_or(AppError::NotFound("Caption file"))?;
                crate::captions::put_caption(db, storage, user, &row, language, &bytes).await
            };
            if let Err(error) = put.await {
                tracing::info!(%error, language, "an archived caption was not imported");
            }
        }
        let chapters: Vec<Chapter> = video["chapters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|chapter| {
                Some(Chapter {
                    timecode: chapter["timecode"].as_i64()?,
                    title: chapter["title"].as_str()?.to_owned(),
                })
            })
            .collect();
        if !chapters.is_empty()
            && let Err(error) = crate::captions::replace_chapters(db, user, &row, chapters).await
        {
            tracing::info!(%error, "archived chapters were not imported");
        }
    }
    Ok((urls, tally))
}

/// The archive's playlists, with the elements whose videos are here (imported ones, or this
/// instance's own).
#[allow(clippy::too_many_arguments)]
async fn import_playlists(
    db: &Db,
    storage: &MediaStorage,
    context: &ImportContext,
    user: &AuthenticatedUser,
    channel_ids: &HashMap<String, i64>,
    video_urls: &HashMap<String, String>,
    playlists: &Value,
) -> AppResult<Tally> {
    let mut tally = Tally::default();
    let ours = format!("{}/videos/watch/", context.public_url);
    let account = crate::users::find_account(db, user).await?;
    for playlist in playlists["videoPlaylists"].as_array().into_iter().flatten() {
        let target = if playlist["type"].as_i64() == Some(2) {
            crate::playlists::watch_later(db, account.id).await
        } else {
            let input = crate::playlists::PlaylistInput {
                display_name: text(playlist, "displayName"),
                description: Some(text(playlist, "description")),
                privacy: playlist["privacy"].as_i64(),
                channel_id: Some(
                    playlist["channel"]["name"]
                        .as_str()
                        .and_then(|name| channel_ids.get(name).copied()),
                ),
            };
            crate::playlists::create(db, storage, user, &input, None).await
        };
        let target = match target {
            Ok(target) => target,
            Err(error) => {
                tracing::info!(%error, "an archived playlist was not imported");
                tally.errors += 1;
                continue;
            }
        };
        tally.success += 1;
        for element in playlist["elements"].as_array().into_iter().flatten() {
            let Some(url) = element["videoUrl"].as_str() else {
                continue;
            };
            let video = video_urls
                .get(url)
                .cloned()
                .or_else(|| url.strip_prefix(&ours).map(str::to_owned));
            let Some(video) = video else { continue };
            let added = crate::playlists::elements::add_video(
                db,
                user,
                &target,
                &video,
                element["startTimestamp"].as_i64(),
                element["stopTimestamp"].as_i64(),
            )
            .await;
            if let Err(error) = added {
                tracing::info!(%error, "an archived playlist element was not imported");
            }
        }
    }
    Ok(tally)
}

/// The archive's subscriptions (`following.json`), local and remote.
async fn import_following(
    db: &Db,
    context: &ImportContext,
    user: &AuthenticatedUser,
    following: &Value,
) -> AppResult<Tally> {
    let mut tally = Tally::default();
    let host = kinora_core::urls::host_of(&context.public_url).to_owned();
    for entry in following["following"].as_array().into_iter().flatten() {
        let Some(handle) = entry["targetHandle"]
            .as_str()
            .and_then(|text| Handle::parse(text, &host))
        else {
            tally.errors += 1;
            continue;
        };
        match crate::subscriptions::subscribe(db, &*context.remote, user, handle).await {
            Ok(_) => tally.success += 1,
            Err(error) => {
                tracing::info!(%error, "an archived subscription was not imported");
                tally.errors += 1;
            }
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_paths_are_plain_names_under_files() {
        assert_eq!(
            entry_name(&json!("../files/videos/video-files/a.mp4")).as_deref(),
            Some("files/videos/video-files/a.mp4")
        );
        for bad in [
            json!("../files/../kinora.toml"),
            json!("../../etc/passwd"),
            json!("/files/x"),
            json!("../files//x"),
            json!("../files/./x"),
            json!("../files\\x"),
            json!("peertube/videos.json"),
            json!(42),
            Value::Null,
        ] {
            assert_eq!(entry_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn privacy_and_comments_are_taken_as_kinora_has_them() {
        let fields = video_fields(
            &json!({ "name": "x".repeat(200), "privacy": 5, "commentsEnabled": false, "tags": ["a1", "b2", "c3", "d4", "e5", "f6"], "publishedAt": "2024-01-02T03:04:05.000Z" }),
            7,
        );
        assert_eq!(fields.privacy, Some(3));
        assert_eq!(fields.comments_policy, Some(2));
        assert_eq!(fields.name.chars().count(), 120);
        assert_eq!(fields.tags.len(), 5);
        assert_eq!(fields.channel_id, 7);
        assert_eq!(
            fields.originally_published_at.as_deref(),
            Some("2024-01-02T03:04:05.000Z")
        );
    }
}
