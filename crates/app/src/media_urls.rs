//! The public URLs of a video's files, as the REST API and ActivityPub both link them: each
//! rendition's file, media playlist, torrent and magnet, its metadata route, the images, and
//! the instance's trackers. HLS files and images are in their public bucket or CDN when their
//! location is public, else on this server.

use kinora_core::video::Privacy;
use kinora_db::videos::{VideoFileRow, VideoRow};
use kinora_storage::{GeneratedName, MediaStorage, StorageKey};

use crate::AppResult;
use crate::media::{hls_base_url, image_url};

/// Where one rendition of a video is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUrls {
    /// The fragmented MP4.
    pub file_url: String,
    /// Its media playlist.
    pub playlist_url: String,
    /// Its torrent (`/lazy-static/torrents/…`), once made.
    pub torrent_url: Option<String>,
    /// The same torrent as a download (`/download/torrents/…`).
    pub torrent_download_url: Option<String>,
    /// Its magnet link, once the torrent is made.
    pub magnet_uri: Option<String>,
    /// `/api/v1/videos/<uuid>/metadata/<fileId>`.
    pub metadata_url: String,
}

/// The URLs of `file`, a rendition of `video` whose HLS files are under `hls_base` (from
/// [`hls_base_url`]). Magnets name a web seed only for public and unlisted videos.
pub fn file_urls(video: &VideoRow, file: &VideoFileRow, hls_base: &str, origin: &str) -> FileUrls {
    let file_url = format!("{hls_base}/{}", file.file_name);
    let torrent_url = file
        .torrent_file
        .as_ref()
        .map(|torrent| format!("{origin}/lazy-static/torrents/{torrent}"));
    let magnet_uri = match (&torrent_url, &file.info_hash) {
        (Some(torrent_url), Some(hash)) => {
            let shared = matches!(
                Privacy::from_id(video.privacy),
                Some(Privacy::Public | Privacy::Unlisted)
            );
            let web_seeds = if shared {
                vec![file_url.clone()]
            } else {
                Vec::new()
            };
            Some(kinora_core::magnet::magnet_uri(
                torrent_url,
                hash,
                &format!("{} {}p", video.name, file.resolution),
                &tracker_urls(origin),
                &web_seeds,
            ))
        }
        _ => None,
    };
    FileUrls {
        playlist_url: format!("{hls_base}/{}", file.playlist_name),
        torrent_download_url: file
            .torrent_file
            .as_ref()
            .map(|torrent| format!("{origin}/download/torrents/{torrent}")),
        metadata_url: format!("{origin}/api/v1/videos/{}/metadata/{}", video.uuid, file.id),
        file_url,
        torrent_url,
        magnet_uri,
    }
}

/// The URLs of the HLS master playlist and segment hashes of a video, when it has them.
pub fn playlist_urls(
    storage: &MediaStorage,
    video: &VideoRow,
    origin: &str,
) -> AppResult<Option<(String, Option<String>)>> {
    let Some(master) = &video.hls_master_file else {
        // A local live on the air: its live directory, as PeerTube's live playlist.
        if video.is_live == 1
            && video.is_local()
            && video.state == kinora_core::video::VideoState::Published.id()
        {
            let base = format!(
                "{}/static/streaming-playlists/hls/{}",
                origin.trim_end_matches('/'),
                video.uuid
            );
            return Ok(Some((
                format!("{base}/{}", kinora_core::live::MASTER_PLAYLIST),
                Some(format!("{base}/{}", kinora_core::live::SEGMENTS_SHA256)),
            )));
        }
        return Ok(None);
    };
    let base = hls_base_url(storage, video, origin)?;
    let segments = video
        .hls_segments_file
        .as_ref()
        .map(|file| format!("{base}/{file}"));
    Ok(Some((format!("{base}/{master}"), segments)))
}

/// Whether local live `uuid`'s playlists are in its directory: the ingest writes the master
/// when it has read the stream's start and the media playlist with the first segment, a few
/// seconds after the live went on the air; a player told of them earlier would find nothing.
pub fn live_playlists_written(storage: &MediaStorage, uuid: &str) -> bool {
    let Ok(uuid) = uuid::Uuid::parse_str(uuid) else {
        return false;
    };
    [
        kinora_core::live::MASTER_PLAYLIST,
        kinora_core::live::MEDIA_PLAYLIST,
    ]
    .iter()
    .all(|name| {
        StorageKey::live_file(uuid, name).is_some_and(|key| storage.local().path(&key).is_file())
    })
}

/// This instance's tracker URLs: the WebSocket one, then the HTTP one.
pub fn tracker_urls(origin: &str) -> Vec<String> {
    kinora_core::torrents::tracker_tiers(origin)
        .into_iter()
        .flatten()
        .collect()
}

/// Which image of a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoImage {
    /// The 280×157 miniature.
    Thumbnail,
    /// The 850×480 preview.
    Preview,
    /// The storyboard sprite sheet.
    Storyboard,
}

impl VideoImage {
    /// The directory under `/lazy-static/`.
    pub fn directory(self) -> &'static str {
        match self {
            VideoImage::Thumbnail => "thumbnails",
            VideoImage::Preview => "previews",
            VideoImage::Storyboard => "storyboards",
        }
    }

    fn file(self, video: &VideoRow) -> Option<&str> {
        match self {
            VideoImage::Thumbnail => video.thumbnail_file.as_deref(),
            VideoImage::Preview => video.preview_file.as_deref(),
            VideoImage::Storyboard => video.storyboard_file.as_deref(),
        }
    }
}

/// The full URL of an image of a video, when it has one.
pub fn video_image_url(
    storage: &MediaStorage,
    video: &VideoRow,
    image: VideoImage,
    origin: &str,
) -> AppResult<Option<String>> {
    let Some(name) = image
        .file(video)
        .and_then(|file| GeneratedName::parse(file).ok())
    else {
        return Ok(None);
    };
    let key = match image {
        VideoImage::Thumbnail => StorageKey::thumbnail(&name),
        VideoImage::Preview => StorageKey::preview(&name),
        VideoImage::Storyboard => StorageKey::storyboard(&name),
    };
    let path = format!("/lazy-static/{}/{}", image.directory(), name.as_str());
    Ok(Some(image_url(storage, video, &key, origin, &path)?))
}
