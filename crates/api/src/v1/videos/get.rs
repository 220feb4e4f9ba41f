//! `GET /api/v1/videos/{id}` and `GET /api/v1/videos/{id}/storyboards`: a video in PeerTube's
//! `VideoDetails` shape (`{id}` is a numeric id, a UUID or a short UUID).

use axum::Json;
use axum::extract::{Path, State};
use kinora_core::labels;
use kinora_core::video::{Privacy, VideoState};
use kinora_db::accounts::AccountRow;
use kinora_db::channels::ChannelRow;
use kinora_db::redundancies::RedundancyRow;
use kinora_db::remote_videos::RemoteMediaRow;
use kinora_db::video_blacklist::BlockRow;
use kinora_db::video_schedules::ScheduleRow;
use kinora_db::videos::{VideoFileRow, VideoRow};
use serde_json::{Value, json};

pub(crate) use super::many::{details_of_many, list_items};
use crate::extract::MaybeAuth;
use crate::json::iso_date;
use crate::{ApiError, ApiState, json as shapes};

/// Finds a video the caller may see, or 404 (a private video is not admitted to exist).
pub(crate) async fn find_visible(
    state: &ApiState,
    id: &str,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
) -> Result<VideoRow, ApiError> {
    let video = kinora_app::videos::find_video(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video"))?;
    if !kinora_app::visibility::can_view(&state.db, &video, viewer).await? {
        return Err(ApiError::not_found("Video"));
    }
    Ok(video)
}

fn resolution_label(resolution: i64) -> String {
    if resolution == 0 {
        "Audio only".to_owned()
    } else {
        format!("{resolution}p")
    }
}

fn file_json(
    state: &ApiState,
    video: &VideoRow,
    file: &VideoFileRow,
    base: &str,
    in_object_storage: bool,
) -> Value {
    let urls = kinora_app::media_urls::file_urls(video, file, base, &state.public_url);
    // PeerTube's download path of an HLS file (`/download/streaming-playlists/hls/videos/…`):
    // ours for our videos; a remote video's file is downloaded from where it lives.
    let download_url = if video.is_local() {
        format!(
            "{}/download/streaming-playlists/hls/videos/{}-{}-fragmented.mp4",
            state.public_url, video.uuid, file.resolution
        )
    } else {
        urls.file_url.clone()
    };
    json!({
        "id": file.id,
        "resolution": { "id": file.resolution, "label": resolution_label(file.resolution) },
        "width": file.width,
        "height": file.height,
        "fps": file.fps,
        "size": file.size,
        "fileUrl": urls.file_url,
        "fileDownloadUrl": download_url,
        "playlistUrl": urls.playlist_url,
        "torrentUrl": urls.torrent_url,
        "torrentDownloadUrl": urls.torrent_download_url,
        "magnetUri": urls.magnet_uri,
        "metadataUrl": urls.metadata_url,
        "hasAudio": file.has_audio != 0,
        "hasVideo": file.has_video != 0,
        // PeerTube's FileStorage: 0 file system, 1 object storage.
        "storage": i32::from(in_object_storage),
    })
}

/// The full URL of an image: in its public bucket or CDN when it is there, else on this server.
fn image_url(
    state: &ApiState,
    video: &VideoRow,
    image: kinora_app::media_urls::VideoImage,
) -> Result<Option<String>, ApiError> {
    Ok(kinora_app::media_urls::video_image_url(
        &state.storage,
        video,
        image,
        &state.public_url,
    )?)
}

/// The uploaded file as PeerTube lists its web video file until the renditions exist: with its
/// torrent once the server has made it (PeerTube's CLI waits for that `torrentUrl`).
fn original_file_json(state: &ApiState, video: &VideoRow) -> Result<Value, ApiError> {
    let base = &state.public_url;
    let torrent = video.original_torrent_file.as_deref();
    let trackers = trackers(state);
    let torrent_url = torrent.map(|name| format!("{base}/lazy-static/torrents/{name}"));
    let magnet = match (&torrent_url, video.original_info_hash.as_deref()) {
        (Some(url), Some(hash)) => Some(kinora_core::magnet::magnet_uri(
            url,
            hash,
            &video.name,
            &trackers,
            &[],
        )),
        _ => None,
    };
    let file_url = format!("{base}/download/original-video-files/{}", video.uuid);
    Ok(json!({
        "id": video.id,
        "resolution": { "id": 0, "label": "Original" },
        "width": null,
        "height": null,
        "fps": null,
        "size": video.original_size,
        "fileUrl": file_url,
        "fileDownloadUrl": file_url,
        "playlistUrl": null,
        "torrentUrl": torrent_url,
        "torrentDownloadUrl": torrent.map(|name| format!("{base}/download/torrents/{name}")),
        "magnetUri": magnet,
        "metadataUrl": null,
        "storage": i32::from(kinora_app::media::original_location(video)?.is_s3()),
    }))
}

/// This instance's tracker URLs (WebSocket, then HTTP).
fn trackers(state: &ApiState) -> Vec<String> {
    kinora_app::media_urls::tracker_urls(&state.public_url)
}

/// `{"id": …, "label": …}` of a category, licence or language, as PeerTube writes them:
/// "Unknown" for no value or one outside the table.
fn labelled<T: serde::Serialize>(
    id: Option<T>,
    label: impl Fn(&T) -> Option<&'static str>,
) -> Value {
    let label = id.as_ref().and_then(label).unwrap_or("Unknown");
    json!({ "id": id, "label": label })
}

/// The whole `VideoDetails` JSON.
pub(crate) async fn details(state: &ApiState, video: &VideoRow) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let channel = kinora_db::channels::find_by_id(pool, video.channel_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video channel"))?;
    let account = kinora_db::accounts::find_by_id(pool, channel.account_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let files = kinora_db::videos::list_files(pool, video.id).await?;
    let remote = match video.is_local() {
        true => None,
        false => kinora_db::remote_videos::find_media(pool, &[video.id])
            .await?
            .into_iter()
            .next(),
    };
    let mirrors = kinora_db::redundancies::list_of(pool, &[video.id]).await?;
    let followers = crate::json::follower_counts(state, &[&account], &[&channel]).await?;
    let block = kinora_db::video_blacklist::find_by_video(pool, video.id).await?;
    let comments = kinora_db::comments::count_shown_of(pool, &[video.id]).await?;
    let schedule = kinora_db::video_schedules::find_of(pool, &[video.id])
        .await?
        .into_iter()
        .next();
    shape(
        state,
        video,
        &VideoParts {
            channel: &channel,
            account: &account,
            files: &files,
            remote: remote.as_ref(),
            mirrors: &mirrors,
            followers: &followers,
            block: block.as_ref(),
            comments: comments.get(&video.id).copied().unwrap_or(0),
            schedule: schedule.as_ref(),
        },
    )
}

/// The rows a video's JSON is made of.
pub(super) struct VideoParts<'a> {
    pub(super) channel: &'a ChannelRow,
    pub(super) account: &'a AccountRow,
    /// Local renditions.
    pub(super) files: &'a [VideoFileRow],
    /// Where a remote video's media is on its origin.
    pub(super) remote: Option<&'a RemoteMediaRow>,
    /// Copies of its HLS files (ours of a remote video, other instances' of ours).
    pub(super) mirrors: &'a [RedundancyRow],
    /// `followersCount` of its account and channel, by actor id.
    pub(super) followers: &'a crate::json::ActorFacts,
    /// Its block, when moderators blocked it.
    pub(super) block: Option<&'a BlockRow>,
    /// Its comments everyone sees (PeerTube's `comments`).
    pub(super) comments: i64,
    /// Its scheduled privacy change (PeerTube's `scheduledUpdate`).
    pub(super) schedule: Option<&'a ScheduleRow>,
}

/// `streamingPlaylists[].redundancies`: where mirrors serve the HLS files.
fn redundancies_json(mirrors: &[RedundancyRow]) -> Value {
    Value::Array(
        mirrors
            .iter()
            .map(|m| json!({ "baseUrl": m.base_url }))
            .collect(),
    )
}

/// A remote video's streaming playlist, from what its origin announced.
fn remote_streaming(
    video: &VideoRow,
    media: &RemoteMediaRow,
    mirrors: &[RedundancyRow],
) -> Vec<Value> {
    let Some(playlist) = &media.playlist_url else {
        return Vec::new();
    };
    let files: Vec<Value> = kinora_core::remote::RemoteFile::from_json(&media.files)
        .iter()
        .map(|f| {
            json!({
                "resolution": { "id": f.resolution, "label": resolution_label(f.resolution) },
                "width": f.width,
                "height": f.height,
                "fps": f.fps,
                "size": f.size,
                "fileUrl": f.file_url,
                "fileDownloadUrl": f.file_url,
                "playlistUrl": f.playlist_url,
                "torrentUrl": f.torrent_url,
                "torrentDownloadUrl": f.torrent_url,
                "magnetUri": f.magnet_uri,
                "metadataUrl": f.metadata_url,
                "hasAudio": f.has_audio,
                "hasVideo": f.has_video,
                "storage": 0,
            })
        })
        .collect();
    vec![json!({
        "id": video.id,
        "type": 1,
        "playlistUrl": playlist,
        "segmentsSha256Url": media.segments_sha256_url,
        "redundancies": redundancies_json(mirrors),
        "files": files,
    })]
}

/// The `VideoDetails` JSON from the rows it is made of.
pub(super) fn shape(
    state: &ApiState,
    video: &VideoRow,
    parts: &VideoParts<'_>,
) -> Result<Value, ApiError> {
    let VideoParts {
        channel,
        account,
        files,
        remote,
        mirrors,
        followers,
        block,
        comments,
        schedule,
    } = *parts;
    let state_id = VideoState::from_id(video.state).unwrap_or(VideoState::ToTranscode);
    let privacy = Privacy::from_id(video.privacy).unwrap_or(Privacy::Private);
    let tags: Vec<String> = serde_json::from_str(&video.tags).unwrap_or_default();
    let description = video.description.clone();
    let truncated: Option<String> = description.as_ref().map(|text| {
        if text.chars().count() > 250 {
            let mut short: String = text.chars().take(247).collect();
            short.push_str("...");
            short
        } else {
            text.clone()
        }
    });
    // A local video's playlist, or a local live's while on the air: the one place that knows.
    let local_playlist = match remote {
        Some(_) => None,
        // A live's players are told of its playlist once it is there (followers are told at
        // once: they come back for it later).
        None if video.is_live == 1
            && video.hls_master_file.is_none()
            && !kinora_app::media_urls::live_playlists_written(&state.storage, &video.uuid) =>
        {
            None
        }
        None => kinora_app::media_urls::playlist_urls(&state.storage, video, &state.public_url)?,
    };
    let streaming = match (local_playlist, remote) {
        (_, Some(media)) => remote_streaming(video, media, mirrors),
        (Some((playlist, segments)), None) => {
            let base = kinora_app::media::hls_base_url(&state.storage, video, &state.public_url)?;
            let in_object_storage = kinora_app::media::media_location(video)?.is_s3();
            vec![json!({
                "id": video.id,
                "type": 1,
                "playlistUrl": playlist,
                "segmentsSha256Url": segments,
                "redundancies": redundancies_json(mirrors),
                "files": files
                    .iter()
                    .map(|f| file_json(state, video, f, &base, in_object_storage))
                    .collect::<Vec<_>>(),
            })]
        }
        (None, None) => Vec::new(),
    };
    // Until its renditions exist a video lists its uploaded file (PeerTube's web video file).
    let web_files =
        if video.is_local() && video.hls_master_file.is_none() && video.original_size > 0 {
            vec![original_file_json(state, video)?]
        } else {
            Vec::new()
        };
    let aspect = files
        .first()
        .filter(|f| f.height > 0)
        .map(|f| ((f.width as f64 / f.height as f64) * 10_000.0).round() / 10_000.0);
    let thumbnail_url = match remote {
        Some(media) => media.thumbnail_url.clone(),
        None => image_url(state, video, kinora_app::media_urls::VideoImage::Thumbnail)?,
    };
    // PeerTube 8's `thumbnails`: our one 280×157 miniature.
    let thumbnails: Vec<Value> = thumbnail_url
        .iter()
        .map(|url| json!({ "width": 280, "height": 157, "aspectRatio": "16:9", "fileUrl": url }))
        .collect();
    Ok(json!({
        "id": video.id,
        "uuid": video.uuid,
        "shortUUID": video.short_uuid,
        "url": video.url.clone().unwrap_or_else(|| format!("{}/videos/watch/{}", state.public_url, video.uuid)),
        "name": video.name,
        "category": labelled(video.category, |id| labels::category_label(*id)),
        "licence": labelled(video.licence, |id| labels::licence_label(*id)),
        "language": labelled(video.language.as_deref(), |code| labels::language_label(code)),
        "privacy": { "id": privacy.id(), "label": privacy.label() },
        "nsfw": video.nsfw != 0,
        "truncatedDescription": truncated,
        "description": description,
        "descriptionPath": format!("/api/v1/videos/{}/description", video.uuid),
        "support": video.support,
        "isLocal": video.is_local(),
        "isLive": video.is_live == 1,
        "duration": video.duration,
        "aspectRatio": aspect,
        "views": video.views,
        "viewers": state.viewers.count(video.id, kinora_db::now_millis()),
        "likes": video.likes,
        "dislikes": video.dislikes,
        "downloads": 0,
        "comments": comments,
        "nsfwFlags": 0,
        "nsfwSummary": null,
        "thumbnailPath": video.thumbnail_file.as_ref().map(|f| format!("/lazy-static/thumbnails/{f}")),
        "previewPath": video.preview_file.as_ref().map(|f| format!("/lazy-static/previews/{f}")),
        "thumbnailUrl": thumbnail_url,
        "thumbnails": thumbnails,
        "previewUrl": match remote {
            Some(media) => media.preview_url.clone(),
            None => image_url(state, video, kinora_app::media_urls::VideoImage::Preview)?,
        },
        "embedPath": format!("/videos/embed/{}", video.uuid),
        "createdAt": iso_date(video.created_at),
        "updatedAt": iso_date(video.updated_at),
        "publishedAt": iso_date(video.published_at.unwrap_or(video.created_at)),
        "originallyPublishedAt": video.originally_published_at.map(iso_date),
        "account": shapes::account_with(state, account, followers),
        "channel": shapes::channel_with(state, channel, None, followers),
        "tags": tags,
        "commentsEnabled": video.comments_policy != 2,
        "commentsPolicy": { "id": video.comments_policy, "label": match video.comments_policy { 2 => "Disabled", 3 => "Requires approval", _ => "Enabled" } },
        "downloadEnabled": video.download_enabled != 0,
        "waitTranscoding": video.wait_transcoding != 0,
        "state": { "id": state_id.id(), "label": state_id.label() },
        "transcodingProgress": video.transcoding_progress,
        "failureReason": video.failure_reason,
        "trackerUrls": match remote {
            Some(media) => serde_json::from_str::<Value>(&media.tracker_urls).unwrap_or_else(|_| json!([])),
            None => json!(trackers(state)),
        },
        "files": web_files,
        "streamingPlaylists": streaming,
        "scheduledUpdate": schedule.map(|s| json!({ "updateAt": iso_date(s.update_at), "privacy": s.privacy })),
        "blacklisted": block.is_some(),
        "blacklistedReason": block.and_then(|b| b.reason.clone()),
        "inputFileUpdatedAt": null,
    }))
}

/// Answers the video.
pub async fn get_video(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = find_visible(&state, &id, viewer.as_ref()).await?;
    let mut answer = details(&state, &video).await?;
    if let Some(viewer) = &viewer
        && let Some(position) = state
            .history
            .position(&state.db, viewer.user_id, video.id)
            .await?
    {
        answer["userHistory"] = json!({ "currentTime": position });
    }
    Ok(Json(answer))
}

/// Answers `{storyboards:[…]}`: one sprite sheet, or none for short videos.
pub async fn get_storyboards(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let video = find_visible(&state, &id, viewer.as_ref()).await?;
    let storyboards = match (&video.storyboard_file, &video.storyboard_json) {
        (Some(file), Some(geometry)) => {
            let mut entry: Value = serde_json::from_str(geometry).unwrap_or_else(|_| json!({}));
            entry["storyboardPath"] = json!(format!("/lazy-static/storyboards/{file}"));
            vec![entry]
        }
        _ => Vec::new(),
    };
    Ok(Json(json!({ "storyboards": storyboards })))
}
