//! A local video as PeerTube's `Video` object (`video-activity-pub-format.ts`): what a
//! receiving PeerTube needs to accept it (the channel's `Group` in `attributedTo`, JPEG icons
//! with their sizes, a `PT<n>S` duration, the HLS link with its tags) and everything else it
//! reads. Private and internal videos are never built.

use kinora_app::AppResult;
use kinora_app::MediaStorage;
use kinora_app::media_urls::{self, FileUrls, VideoImage};
use kinora_core::chapters::Chapter;
use kinora_core::dates::iso_date;
use kinora_core::labels::{category_label, language_label, licence_label};
use kinora_core::video::COMMENTS_POLICY_DISABLED;
use kinora_db::accounts::AccountRow;
use kinora_db::channels::ChannelRow;
use kinora_db::video_captions::CaptionRow;
use kinora_db::videos::{VideoFileRow, VideoRow};
use serde_json::{Value, json};

use super::actors::followers_url;
use super::audience::{Audience, PUBLIC};
use super::context::{ContextType, with_context};
use crate::urls::LocalUrls;

/// The miniature's size, as PeerTube makes it.
pub const THUMBNAIL_SIZE: (u32, u32) = (280, 157);
/// The preview's size, as PeerTube makes it.
pub const PREVIEW_SIZE: (u32, u32) = (850, 480);
/// PeerTube's comments policy that lets anyone reply.
const COMMENTS_POLICY_ENABLED: i64 = 1;

/// Where a video's files are served, worked out once (from storage: a public bucket or this
/// server).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VideoMediaUrls {
    /// The HLS master playlist.
    pub master_playlist: Option<String>,
    /// The segment hashes (`…-segments-sha256.json`).
    pub segments_sha256: Option<String>,
    /// Each rendition's URLs, in the order of the files given.
    pub files: Vec<FileUrls>,
    /// The 280×157 miniature.
    pub thumbnail: Option<String>,
    /// The 850×480 preview.
    pub preview: Option<String>,
    /// The storyboard sprite sheet.
    pub storyboard: Option<String>,
}

impl VideoMediaUrls {
    /// The URLs of `video` and its rendition `files` on an instance at `origin`.
    pub fn of(
        storage: &MediaStorage,
        video: &VideoRow,
        files: &[VideoFileRow],
        origin: &str,
    ) -> AppResult<Self> {
        let playlist = media_urls::playlist_urls(storage, video, origin)?;
        let files = match &playlist {
            Some(_) => {
                let base = kinora_app::media::hls_base_url(storage, video, origin)?;
                files
                    .iter()
                    .map(|file| media_urls::file_urls(video, file, &base, origin))
                    .collect()
            }
            None => Vec::new(),
        };
        let (master_playlist, segments_sha256) = playlist.unzip();
        Ok(Self {
            master_playlist,
            segments_sha256: segments_sha256.flatten(),
            files,
            thumbnail: media_urls::video_image_url(storage, video, VideoImage::Thumbnail, origin)?,
            preview: media_urls::video_image_url(storage, video, VideoImage::Preview, origin)?,
            storyboard: media_urls::video_image_url(
                storage,
                video,
                VideoImage::Storyboard,
                origin,
            )?,
        })
    }
}

/// The rows and URLs a Video object is made of.
#[derive(Debug, Clone, Copy)]
pub struct VideoParts<'a> {
    /// The video (local).
    pub video: &'a VideoRow,
    /// Its channel.
    pub channel: &'a ChannelRow,
    /// The channel's owner.
    pub account: &'a AccountRow,
    /// Its renditions.
    pub files: &'a [VideoFileRow],
    /// Where they are served (`media.files[i]` belongs to `files[i]`).
    pub media: &'a VideoMediaUrls,
    /// The p2p-media-loader swarm hashes of its HLS playlist (one `Infohash` tag each).
    pub infohashes: &'a [String],
    /// Its captions (`subtitleLanguage`).
    pub captions: &'a [CaptionRow],
    /// Its live settings, when it is a live.
    pub live: Option<&'a kinora_db::video_lives::LiveRow>,
}

/// `PT<seconds>S`.
pub fn duration(seconds: i64) -> String {
    format!("PT{seconds}S")
}

fn identifier(id: Option<i64>, label: fn(i64) -> Option<&'static str>) -> Value {
    match id {
        Some(id) => json!({
            "identifier": id.to_string(),
            "name": label(id).map_or_else(|| id.to_string(), str::to_owned),
        }),
        None => Value::Null,
    }
}

/// The four links PeerTube gives each file: the file, its metadata, its torrent, its magnet.
fn file_links(file: &VideoFileRow, urls: &FileUrls) -> Vec<Value> {
    let media_type = if file.has_video == 0 && file.has_audio != 0 {
        "audio/mp4"
    } else {
        "video/mp4"
    };
    // PeerTube checks that fps is an integer; it writes the rounded rate.
    let fps = file.fps.round() as i64;
    let mut attachment = Vec::new();
    if file.has_audio != 0 {
        attachment.push(property("ffprobe_codec_type", "audio"));
    }
    if file.has_video != 0 {
        attachment.push(property("ffprobe_codec_type", "video"));
    }
    attachment.push(property("peertube_format_flag", "fragmented"));
    let mut links = vec![
        json!({
            "type": "Link",
            "mediaType": media_type,
            "href": urls.file_url,
            "height": file.height,
            "width": file.width,
            "size": file.size,
            "fps": fps,
            "attachment": attachment,
        }),
        json!({
            "type": "Link",
            "rel": ["metadata", media_type],
            "mediaType": "application/json",
            "href": urls.metadata_url,
            "height": file.height,
            "width": file.width,
            "fps": fps,
        }),
    ];
    if let (Some(torrent), Some(magnet)) = (&urls.torrent_url, &urls.magnet_uri) {
        links.push(json!({
            "type": "Link",
            "mediaType": "application/x-bittorrent",
            "href": torrent,
            "height": file.height,
            "width": file.width,
            "fps": fps,
        }));
        links.push(json!({
            "type": "Link",
            "mediaType": "application/x-bittorrent;x-scheme-handler/magnet",
            "href": magnet,
            "height": file.height,
            "width": file.width,
            "fps": fps,
        }));
    }
    links
}

fn property(name: &str, value: &str) -> Value {
    json!({ "type": "PropertyValue", "name": name, "value": value })
}

/// The `url` list, in PeerTube's order: the two HTML pages, the HLS master with its tags, then
/// the trackers.
fn url_list(urls: &LocalUrls, parts: &VideoParts<'_>) -> Vec<Value> {
    let video = parts.video;
    let mut list = vec![
        json!({ "type": "Link", "mediaType": "text/html", "href": format!("{}/w/{}", urls.base(), video.short_uuid) }),
        json!({ "type": "Link", "mediaType": "text/html", "href": urls.video(&video.uuid) }),
    ];
    if let Some(master) = &parts.media.master_playlist {
        let mut tag: Vec<Value> = parts
            .infohashes
            .iter()
            .map(|hash| json!({ "type": "Infohash", "name": hash }))
            .collect();
        if let Some(segments) = &parts.media.segments_sha256 {
            tag.push(json!({ "type": "Link", "name": "sha256", "mediaType": "application/json", "href": segments }));
        }
        let mut files: Vec<(&VideoFileRow, &FileUrls)> =
            parts.files.iter().zip(&parts.media.files).collect();
        files.sort_by_key(|(file, _)| std::cmp::Reverse(file.resolution));
        for (file, file_urls) in files {
            tag.extend(file_links(file, file_urls));
        }
        list.push(json!({ "type": "Link", "mediaType": "application/x-mpegURL", "href": master, "tag": tag }));
    }
    for tracker in media_urls::tracker_urls(urls.base()).into_iter().rev() {
        let kind = if tracker.starts_with("http") {
            "http"
        } else {
            "websocket"
        };
        list.push(json!({
            "type": "Link",
            "name": format!("tracker-{kind}"),
            "rel": ["tracker", kind],
            "href": tracker,
        }));
    }
    list
}

fn icons(media: &VideoMediaUrls) -> Vec<Value> {
    [
        (&media.thumbnail, THUMBNAIL_SIZE),
        (&media.preview, PREVIEW_SIZE),
    ]
    .into_iter()
    .filter_map(|(url, (width, height))| {
        let url = url.as_ref()?;
        Some(json!({ "type": "Image", "url": url, "mediaType": "image/jpeg", "width": width, "height": height }))
    })
    .collect()
}

/// The storyboard as PeerTube's `preview` entry, when the video has one.
fn storyboard(video: &VideoRow, media: &VideoMediaUrls) -> Option<Value> {
    let href = media.storyboard.as_ref()?;
    let geometry: Value = serde_json::from_str(video.storyboard_json.as_deref()?).ok()?;
    let number = |key: &str| geometry.get(key).and_then(Value::as_i64);
    Some(json!([{
        "type": "Image",
        "rel": ["storyboard"],
        "url": [{
            "mediaType": "image/jpeg",
            "href": href,
            "width": number("totalWidth")?,
            "height": number("totalHeight")?,
            "tileWidth": number("spriteWidth")?,
            "tileHeight": number("spriteHeight")?,
            "tileDuration": duration(number("spriteDuration")?),
        }],
    }]))
}

/// `subtitleLanguage`: each caption as PeerTube writes it (`VideoCaptionObject`), its URL the
/// WebVTT file and the HLS media playlist.
fn subtitle_languages(urls: &LocalUrls, captions: &[CaptionRow]) -> Vec<Value> {
    captions
        .iter()
        .filter_map(|caption| {
            let vtt = kinora_app::captions::caption_url(caption, urls.base())?;
            let mut links = vec![json!({ "type": "Link", "mediaType": "text/vtt", "href": vtt })];
            if let Some(playlist) = kinora_app::captions::caption_playlist_url(caption, urls.base())
            {
                links.push(json!({
                    "type": "Link",
                    "mediaType": "application/x-mpegURL",
                    "href": playlist,
                }));
            }
            Some(json!({
                "identifier": caption.language,
                "name": language_label(&caption.language).unwrap_or(&caption.language),
                "automaticallyGenerated": false,
                "url": links,
            }))
        })
        .collect()
}

/// PeerTube's `Chapters` document of a local video (`<video id>/chapters`): each chapter with
/// its start and its end (the next one's start, the video's end for the last).
pub fn chapters_object(urls: &LocalUrls, video: &VideoRow, chapters: &[Chapter]) -> Value {
    let id = format!("{}/chapters", urls.video(&video.uuid));
    let parts: Vec<Value> = chapters
        .iter()
        .enumerate()
        .map(|(index, chapter)| {
            let end = chapters
                .get(index + 1)
                .map_or(video.duration, |next| next.timecode);
            json!({
                "name": chapter.title,
                "startOffset": chapter.timecode,
                "endOffset": end.max(chapter.timecode),
            })
        })
        .collect();
    with_context(json!({ "id": id, "hasPart": parts }), ContextType::Chapters)
}

/// The Video object of a local public or unlisted video, with its `@context` and audience; none
/// for any other privacy.
pub fn video_object(urls: &LocalUrls, parts: &VideoParts<'_>) -> Option<Value> {
    let video = parts.video;
    let account_url = urls.account(&parts.account.name);
    let audience = Audience::of_video(video.privacy, &followers_url(&account_url))?;
    let id = urls.video(&video.uuid);
    let tags: Vec<String> = serde_json::from_str(&video.tags).unwrap_or_default();
    let aspect_ratio = parts
        .files
        .iter()
        .find(|file| file.height > 0)
        .map(|file| ((file.width as f64 / file.height as f64) * 10_000.0).round() / 10_000.0);
    let mut object = json!({
        "type": "Video",
        "id": id,
        "name": video.name,
        "duration": duration(video.duration),
        "uuid": video.uuid,
        "category": identifier(video.category, category_label),
        "licence": identifier(video.licence, licence_label),
        "language": video.language.as_ref().map(|code| json!({
            "identifier": code,
            "name": language_label(code).unwrap_or(code),
        })),
        "views": video.views,
        "sensitive": video.nsfw != 0,
        "waitTranscoding": video.wait_transcoding != 0,
        "state": video.state,
        "commentsEnabled": video.comments_policy != COMMENTS_POLICY_DISABLED,
        "canReply": if video.comments_policy == COMMENTS_POLICY_ENABLED { Value::Null } else { json!(PUBLIC) },
        "commentsPolicy": video.comments_policy,
        "downloadEnabled": video.download_enabled != 0,
        "published": iso_date(video.published_at.unwrap_or(video.created_at)),
        "originallyPublishedAt": video.originally_published_at.map(iso_date),
        "updated": iso_date(video.updated_at),
        "uploadDate": iso_date(video.created_at),
        "tag": tags.iter().map(|name| json!({ "type": "Hashtag", "name": name })).collect::<Vec<_>>(),
        "mediaType": "text/markdown",
        "content": video.description,
        "support": video.support,
        "subtitleLanguage": subtitle_languages(urls, parts.captions),
        "icon": icons(parts.media),
        "aspectRatio": aspect_ratio,
        "url": url_list(urls, parts),
        "likes": format!("{id}/likes"),
        "dislikes": format!("{id}/dislikes"),
        "shares": format!("{id}/announces"),
        "comments": format!("{id}/comments"),
        "hasParts": format!("{id}/chapters"),
        "attributedTo": [
            { "type": "Person", "id": account_url },
            { "type": "Group", "id": urls.channel(&parts.channel.name) },
        ],
        "isLiveBroadcast": video.is_live == 1,
        "liveSaveReplay": parts.live.map(|live| live.save_replay == 1),
        "permanentLive": parts.live.map(|live| live.permanent_live == 1),
        "latencyMode": parts.live.map(|live| live.latency_mode),
    });
    if let Some(preview) = storyboard(video, parts.media) {
        object["preview"] = preview;
    }
    audience.apply(&mut object);
    Some(with_context(object, ContextType::Video))
}
