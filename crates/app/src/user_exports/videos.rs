//! The parts of an archive about what the user published: `videos.json` (with each video's
//! thumbnail, captions and, when asked for, its original or best rendition under
//! `files/videos/`), `video-playlists.json` (with thumbnails), and the `Create` activities of
//! `activity-pub/outbox.json`; shapes of `@peertube/peertube-types` (`VideoExportJSON`, …).

use kinora_core::dates::iso_date;
use kinora_db::channels::ChannelRow;
use kinora_db::videos::{VideoFileRow, VideoRow};
use kinora_storage::{GeneratedName, Location, StorageKey};
use serde_json::{Value, json};

use super::{ArchiveFile, Gathered, MAX_ITEMS, extension_of};
use crate::AppResult;
use crate::media::{hls_base_url, media_location, original_location, video_uuid};
use crate::media_urls::{VideoImage, file_urls, playlist_urls, video_image_url};

/// `videos.json` and the outbox's `Create` activities, for every video of `channels`.
pub(super) async fn videos(gathered: &mut Gathered, channels: &[ChannelRow]) -> AppResult<()> {
    let mut exported = Vec::new();
    for channel in channels {
        let mut connection = gathered.db.pool().acquire().await?;
        let ids =
            kinora_db::user_exports::video_ids_of_channel(&mut connection, channel.id, MAX_ITEMS)
                .await?;
        drop(connection);
        for id in ids {
            let Some(video) = kinora_db::videos::find_by_id(gathered.db.pool(), id).await? else {
                continue;
            };
            exported.push(video_json(gathered, &video, channel).await?);
            if let Some(create) = gathered.activity_pub_source.video_create(&video).await? {
                gathered.outbox.push(create);
            }
        }
    }
    gathered
        .json
        .insert("videos.json", json!({ "videos": exported }));
    Ok(())
}

async fn video_json(
    gathered: &mut Gathered,
    video: &VideoRow,
    channel: &ChannelRow,
) -> AppResult<Value> {
    let pool = gathered.db.pool();
    let origin = gathered.public_url.clone();
    let uuid = video_uuid(video)?;
    let files = kinora_db::videos::list_files(pool, video.id).await?;
    let captions = kinora_db::video_captions::list_of(pool, video.id).await?;
    let chapters = kinora_db::video_chapters::list_of(pool, video.id).await?;
    let storage = gathered.storage.clone();
    let hls_base = hls_base_url(&storage, video, &origin)?;
    let exported_files: Vec<Value> = files
        .iter()
        .map(|file| {
            let urls = file_urls(video, file, &hls_base, &origin);
            json!({
                "resolution": file.resolution,
                "size": file.size,
                "fps": file.fps,
                "torrentUrl": urls.torrent_url.unwrap_or_default(),
                "fileUrl": urls.file_url,
            })
        })
        .collect();
    let streaming_playlists = match playlist_urls(&storage, video, &origin)? {
        Some((master, segments)) => vec![json!({
            "type": 1,
            "playlistUrl": master,
            "segmentsSha256Url": segments.unwrap_or_default(),
            "files": exported_files,
        })],
        None => Vec::new(),
    };
    let thumbnail_url = video_image_url(&storage, video, VideoImage::Thumbnail, &origin)?;
    let preview_url = video_image_url(&storage, video, VideoImage::Preview, &origin)?;

    let mut archive_captions = serde_json::Map::new();
    let mut exported_captions = Vec::with_capacity(captions.len());
    for caption in &captions {
        let Some(file_name) = &caption.file_name else {
            continue;
        };
        let path = format!(
            "captions/{uuid}-{}{}",
            caption.language,
            extension_of(file_name)
        );
        if let (Ok(name), Some(location)) = (
            GeneratedName::parse(file_name),
            caption.location.as_deref().and_then(Location::parse),
        ) {
            gathered.files.push(ArchiveFile {
                path: format!("files/videos/{path}"),
                location,
                key: StorageKey::caption(&name),
            });
            archive_captions.insert(
                caption.language.clone(),
                Value::String(format!("../files/videos/{path}")),
            );
        }
        exported_captions.push(json!({
            "createdAt": iso_date(caption.created_at),
            "updatedAt": iso_date(caption.updated_at),
            "language": caption.language,
            "filename": file_name,
            "fileUrl": format!("{origin}/lazy-static/video-captions/{file_name}"),
            "automaticallyGenerated": false,
        }));
    }

    let thumbnail_file = match video
        .preview_file
        .as_deref()
        .map(|name| (name, VideoImage::Preview))
        .or(video
            .thumbnail_file
            .as_deref()
            .map(|name| (name, VideoImage::Thumbnail)))
    {
        Some((file_name, image)) => match GeneratedName::parse(file_name) {
            Ok(name) => {
                let path = format!("thumbnails/{uuid}{}", extension_of(file_name));
                let key = if image == VideoImage::Preview {
                    StorageKey::preview(&name)
                } else {
                    StorageKey::thumbnail(&name)
                };
                gathered.files.push(ArchiveFile {
                    path: format!("files/videos/{path}"),
                    location: media_location(video)?,
                    key,
                });
                Some(format!("../files/videos/{path}"))
            }
            Err(_) => None,
        },
        None => None,
    };

    let video_file = if gathered.with_video_files {
        archived_video_file(gathered, video, &files)?
    } else {
        None
    };

    let source = json!({
        "inputFilename": video.original_filename,
        "resolution": files.iter().map(|f| f.resolution).max().unwrap_or(0),
        "size": video.original_size,
        "width": files.iter().map(|f| f.width).max().unwrap_or(0),
        "height": files.iter().map(|f| f.height).max().unwrap_or(0),
        "fps": files.iter().map(|f| f.fps).fold(0.0_f64, f64::max),
        // Kinora keeps no probe of the original: the shape, without streams.
        "metadata": { "streams": [], "format": {}, "chapters": [] },
    });
    let tags: Vec<String> = serde_json::from_str(&video.tags).unwrap_or_default();
    let published = video.published_at.unwrap_or(video.created_at);
    Ok(json!({
        "uuid": video.uuid,
        "createdAt": iso_date(video.created_at),
        "updatedAt": iso_date(video.updated_at),
        "publishedAt": iso_date(published),
        "originallyPublishedAt": video.originally_published_at.map(iso_date),
        "name": video.name,
        "category": video.category,
        "licence": video.licence,
        "language": video.language,
        "tags": tags,
        "privacy": video.privacy,
        "passwords": [],
        "duration": video.duration,
        "description": video.description.clone().unwrap_or_default(),
        "support": video.support.clone().unwrap_or_default(),
        "isLive": video.is_live == 1,
        "url": gathered.video_url(None, &video.uuid),
        "thumbnailUrl": thumbnail_url,
        "previewUrl": preview_url,
        "thumbnails": [],
        "views": video.views,
        "likes": video.likes,
        "dislikes": video.dislikes,
        "nsfw": video.nsfw != 0,
        "commentsPolicy": video.comments_policy,
        "downloadEnabled": video.download_enabled != 0,
        "channel": { "name": channel.name },
        "waitTranscoding": video.wait_transcoding != 0,
        "state": video.state,
        "captions": exported_captions,
        "chapters": chapters
            .iter()
            .map(|(timecode, title)| json!({ "timecode": timecode, "title": title }))
            .collect::<Vec<_>>(),
        "files": [],
        "streamingPlaylists": streaming_playlists,
        "source": source,
        "videoEmbedPrivacy": { "policy": 1, "domains": [] },
        "archiveFiles": {
            "videoFile": video_file,
            "thumbnail": thumbnail_file,
            "captions": archive_captions,
        },
    }))
}

/// Puts the video's file in the archive: its uploaded original (as PeerTube prefers), or, when
/// none is kept, its highest rendition's fragmented MP4 (which plays on its own). Answers the
/// path `videos.json` names it by.
fn archived_video_file(
    gathered: &mut Gathered,
    video: &VideoRow,
    files: &[VideoFileRow],
) -> AppResult<Option<String>> {
    let uuid = video_uuid(video)?;
    let (key, location, extension) = if video.original_size > 0 {
        (
            StorageKey::original(uuid),
            original_location(video)?,
            extension_of(&video.original_filename),
        )
    } else {
        let Some(best) = files
            .iter()
            .filter(|file| file.has_video != 0)
            .max_by_key(|file| file.resolution)
            .or_else(|| files.iter().max_by_key(|file| file.resolution))
        else {
            return Ok(None);
        };
        let Ok(name) = GeneratedName::parse(&best.file_name) else {
            return Ok(None);
        };
        (
            StorageKey::hls_file(uuid, &name),
            media_location(video)?,
            ".mp4".to_owned(),
        )
    };
    let path = format!("video-files/{uuid}{extension}");
    gathered.files.push(ArchiveFile {
        path: format!("files/videos/{path}"),
        location,
        key,
    });
    Ok(Some(format!("../files/videos/{path}")))
}

/// `video-playlists.json`: the account's playlists (every privacy), their elements and
/// thumbnails.
pub(super) async fn playlists(
    gathered: &mut Gathered,
    account_id: i64,
    channels: &[ChannelRow],
) -> AppResult<()> {
    use kinora_db::playlists::{PlaylistFilter, PlaylistOrder};
    let pool = gathered.db.pool();
    let filter = PlaylistFilter {
        account_id: Some(account_id),
        channel_id: None,
        kind: None,
        all_privacies: true,
        search: None,
        host: Some(None),
    };
    let (rows, _) =
        kinora_db::playlists::list(pool, &filter, PlaylistOrder::CreatedAt(false), 0, MAX_ITEMS)
            .await?;
    let origin = gathered.public_url.clone();
    let mut exported = Vec::with_capacity(rows.len());
    for playlist in &rows {
        let (elements, _) =
            kinora_db::playlists::list_elements(pool, playlist.id, 0, MAX_ITEMS).await?;
        let mut listed = Vec::with_capacity(elements.len());
        for element in &elements {
            let video_url = match (element.video_id, &element.url) {
                (Some(video_id), _) => kinora_db::videos::find_by_id(pool, video_id)
                    .await?
                    .map(|video| gathered.video_url(video.url.as_deref(), &video.uuid)),
                (None, _) => None,
            };
            let Some(video_url) = video_url else {
                continue;
            };
            let mut entry = json!({ "videoUrl": video_url });
            if let Some(start) = element.start_timestamp {
                entry["startTimestamp"] = Value::from(start);
            }
            if let Some(stop) = element.stop_timestamp {
                entry["stopTimestamp"] = Value::from(stop);
            }
            listed.push(entry);
        }
        let mut thumbnail = None;
        let mut thumbnail_url = None;
        if let Some(file_name) = &playlist.thumbnail_file
            && let Ok(name) = GeneratedName::parse(file_name)
        {
            let path = format!("thumbnails/{}{}", playlist.uuid, extension_of(file_name));
            gathered.files.push(ArchiveFile {
                path: format!("files/video-playlists/{path}"),
                location: Location::Local,
                key: StorageKey::thumbnail(&name),
            });
            thumbnail = Some(format!("../files/video-playlists/{path}"));
            thumbnail_url = Some(format!("{origin}/lazy-static/thumbnails/{file_name}"));
        }
        let channel = playlist
            .channel_id
            .and_then(|id| channels.iter().find(|channel| channel.id == id))
            .map(|channel| json!({ "name": channel.name }));
        exported.push(json!({
            "displayName": playlist.display_name,
            "description": playlist.description.clone().unwrap_or_default(),
            "privacy": playlist.privacy,
            "url": format!("{origin}/video-playlists/{}", playlist.uuid),
            "uuid": playlist.uuid,
            "type": playlist.kind,
            "channel": channel,
            "createdAt": iso_date(playlist.created_at),
            "updatedAt": iso_date(playlist.updated_at),
            "thumbnailUrl": thumbnail_url,
            "thumbnails": [],
            "elements": listed,
            "archiveFiles": { "thumbnail": thumbnail },
        }));
    }
    gathered.json.insert(
        "video-playlists.json",
        json!({ "videoPlaylists": exported }),
    );
    Ok(())
}
