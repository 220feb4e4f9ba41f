//! The `url` list of a remote Video: its watch page, its HLS playlist (with the swarm hashes,
//! the segment hashes and each fragmented MP4), web video files, and trackers. Entries PeerTube
//! would not accept are dropped, as PeerTube drops them; each file gets the torrent, magnet and
//! metadata links of the same height and frame rate.

use serde_json::Value;

use super::http_url;
use crate::protocol::remote_file::{RemoteFile, media_playlist_of};

/// Most entries read from an HLS link's `tag` list.
const MAX_TAGS: usize = 256;
/// Longest magnet link accepted.
const MAX_MAGNET: usize = 8192;
/// Longest swarm hash accepted.
const MAX_INFOHASH: usize = 64;

/// Where a remote video plays from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemoteVideoMedia {
    /// The HLS master playlist.
    pub playlist_url: Option<String>,
    /// The segment hashes of that playlist.
    pub segments_sha256_url: Option<String>,
    /// Its p2p-media-loader swarm hashes (`Infohash` tags).
    pub infohashes: Vec<String>,
    /// Every rendition: HLS ones first (with their media playlists), then web video files.
    pub files: Vec<RemoteFile>,
    /// The origin's trackers (HTTP and WebSocket).
    pub trackers: Vec<String>,
}

fn text<'a>(link: &'a Value, key: &str) -> Option<&'a str> {
    link.get(key).and_then(Value::as_str)
}

fn media_type(link: &Value) -> Option<&str> {
    text(link, "mediaType").or_else(|| text(link, "mimeType"))
}

fn integer(link: &Value, key: &str) -> Option<i64> {
    link.get(key).and_then(Value::as_i64).filter(|n| *n >= 0)
}

fn rel_has(link: &Value, wanted: &str) -> bool {
    link.get("rel")
        .and_then(Value::as_array)
        .is_some_and(|rel| rel.iter().any(|r| r.as_str() == Some(wanted)))
}

fn http_href(link: &Value) -> Option<String> {
    let href = text(link, "href")?;
    http_url("href", href).ok()?;
    Some(href.to_owned())
}

fn is_link(link: &Value) -> bool {
    text(link, "type") == Some("Link")
}

/// A file link: a known media type, an http(s) href, integer height and size.
fn file_of(link: &Value, in_hls: bool) -> Option<RemoteFile> {
    let kind = media_type(link)?;
    if !matches!(kind, "video/mp4" | "video/webm" | "video/ogg" | "audio/mp4") || !is_link(link) {
        return None;
    }
    let file_url = http_href(link)?;
    let height = integer(link, "height")?;
    let size = integer(link, "size")?;
    let width = integer(link, "width");
    let fps = link
        .get("fps")
        .and_then(Value::as_f64)
        .filter(|fps| *fps >= 0.0 && fps.is_finite());
    let codecs: Vec<&str> = link
        .get("attachment")
        .and_then(Value::as_array)
        .map(|attachment| {
            attachment
                .iter()
                .filter(|p| text(p, "name") == Some("ffprobe_codec_type"))
                .filter_map(|p| text(p, "value"))
                .collect()
        })
        .unwrap_or_default();
    let (has_audio, has_video) = if codecs.is_empty() {
        (true, height > 0 && kind != "audio/mp4")
    } else {
        (codecs.contains(&"audio"), codecs.contains(&"video"))
    };
    let resolution = match width {
        Some(width) if width > 0 && height > 0 => width.min(height),
        _ => height,
    };
    Some(RemoteFile {
        resolution,
        width,
        height,
        fps,
        size,
        media_type: kind.to_owned(),
        playlist_url: if in_hls {
            media_playlist_of(&file_url)
        } else {
            None
        },
        file_url,
        torrent_url: None,
        magnet_uri: None,
        metadata_url: None,
        has_audio,
        has_video,
    })
}

/// True when a torrent, magnet or metadata `link` describes `file` (same height, and the same
/// frame rate when both say).
fn describes(link: &Value, file: &RemoteFile) -> bool {
    let fps_matches = match (link.get("fps").and_then(Value::as_f64), file.fps) {
        (Some(a), Some(b)) => (a - b).abs() < 0.5,
        _ => true,
    };
    integer(link, "height") == Some(file.height) && fps_matches
}

/// Files from a list of links (the top-level `url` list or an HLS link's `tag` list), each with
/// the torrent, magnet and metadata links that describe it.
fn files_of(links: &[Value], in_hls: bool) -> Vec<RemoteFile> {
    let mut files: Vec<RemoteFile> = links
        .iter()
        .filter_map(|link| file_of(link, in_hls))
        .collect();
    for file in &mut files {
        let described: Vec<&Value> = links
            .iter()
            .filter(|link| is_link(link) && describes(link, file))
            .collect();
        for link in described {
            match media_type(link) {
                Some("application/x-bittorrent") if file.torrent_url.is_none() => {
                    file.torrent_url = http_href(link);
                }
                Some("application/x-bittorrent;x-scheme-handler/magnet")
                    if file.magnet_uri.is_none() =>
                {
                    file.magnet_uri = text(link, "href")
                        .filter(|href| href.starts_with("magnet:?") && href.len() <= MAX_MAGNET)
                        .map(str::to_owned);
                }
                Some("application/json")
                    if file.metadata_url.is_none()
                        && rel_has(link, "metadata")
                        && rel_has(link, &file.media_type) =>
                {
                    file.metadata_url = http_href(link);
                }
                _ => {}
            }
        }
    }
    files
}

/// The first `text/html` link and the media of a `url` list.
pub(crate) fn parse_media(links: &[Value]) -> (Option<String>, RemoteVideoMedia) {
    let mut media = RemoteVideoMedia::default();
    let mut html = None;
    let mut hls_files = Vec::new();
    for link in links {
        if rel_has(link, "tracker") {
            if let Some(href) = text(link, "href").filter(|href| is_tracker(href)) {
                media.trackers.push(href.to_owned());
            }
            continue;
        }
        match media_type(link) {
            Some("text/html") if html.is_none() && is_link(link) => html = http_href(link),
            Some("application/x-mpegURL") if media.playlist_url.is_none() => {
                let (Some(href), Some(tags)) =
                    (http_href(link), link.get("tag").and_then(Value::as_array))
                else {
                    continue;
                };
                let tags = &tags[..tags.len().min(MAX_TAGS)];
                media.playlist_url = Some(href);
                for tag in tags {
                    match text(tag, "type") {
                        Some("Infohash") => {
                            if let Some(name) = text(tag, "name")
                                .filter(|n| !n.is_empty() && n.len() <= MAX_INFOHASH)
                            {
                                media.infohashes.push(name.to_owned());
                            }
                        }
                        Some("Link")
                            if text(tag, "name") == Some("sha256")
                                && media.segments_sha256_url.is_none() =>
                        {
                            media.segments_sha256_url = http_href(tag);
                        }
                        _ => {}
                    }
                }
                hls_files = files_of(tags, true);
            }
            _ => {}
        }
    }
    media.files = hls_files;
    media.files.extend(files_of(links, false));
    (html, media)
}

/// An http(s) or ws(s) tracker URL.
fn is_tracker(href: &str) -> bool {
    href.len() <= super::MAX_URL_LENGTH
        && url::Url::parse(href).is_ok_and(|url| {
            matches!(url.scheme(), "http" | "https" | "ws" | "wss") && url.host_str().is_some()
        })
}
