//! PeerTube's `Playlist`, its collection pages and `PlaylistElement`s from other servers,
//! typed and bounded: names and descriptions cut to PeerTube's lengths, at most one channel,
//! pages of at most [`MAX_PAGE_ITEMS`] items. Ids are returned for the caller to check
//! against where the document came from.

use serde::Deserialize;
use serde_json::Value;

use super::{Items, ParseError, Text, check_keywords, id_of, invalid, typed};

/// Most items one collection page may list.
pub const MAX_PAGE_ITEMS: usize = 100;

/// A remote playlist as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct RemotePlaylist {
    /// Its ActivityPub id.
    pub id: String,
    /// Display name (cut to 120 characters).
    pub name: String,
    /// Description (cut to 1000 characters), if any.
    pub description: Option<String>,
    /// Its UUID, when it gave a valid one.
    pub uuid: Option<uuid::Uuid>,
    /// Its channel's id (`attributedTo`).
    pub channel: String,
    /// How many elements it says it has.
    pub total: i64,
    /// Its first page: a URL or an embedded page.
    pub first: Option<Value>,
    /// Its thumbnail's URL.
    pub icon: Option<String>,
    /// Publicly listed (`to` names the public collection).
    pub public: bool,
    /// Creation and update times, epoch milliseconds.
    pub published: Option<i64>,
    /// Last change.
    pub updated: Option<i64>,
    /// Its place among its channel's playlists (`videoChannelPosition`, from 1), when given.
    pub channel_position: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPlaylist {
    id: Value,
    #[serde(rename = "type")]
    kind: Text<32>,
    name: Text<10_000>,
    #[serde(default)]
    content: Option<Text<100_000>>,
    #[serde(default)]
    uuid: Option<Text<64>>,
    #[serde(default)]
    attributed_to: Items<16>,
    #[serde(default)]
    total_items: Option<Value>,
    #[serde(default)]
    first: Option<Value>,
    #[serde(default)]
    icon: Option<Value>,
    #[serde(default)]
    to: Items<64>,
    #[serde(default)]
    published: Option<Text<64>>,
    #[serde(default)]
    updated: Option<Text<64>>,
    #[serde(default)]
    video_channel_position: Option<Value>,
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Parses a `Playlist` object.
pub fn parse_playlist(value: &Value) -> Result<RemotePlaylist, ParseError> {
    check_keywords("Playlist", value)?;
    let raw: RawPlaylist = typed("Playlist", value)?;
    if raw.kind.0 != "Playlist" {
        return Err(invalid("type", "is not Playlist"));
    }
    let id = id_of("id", &raw.id)?;
    let channel = raw
        .attributed_to
        .0
        .first()
        .ok_or_else(|| invalid("attributedTo", "names no channel"))
        .and_then(|first| id_of("attributedTo", first))?;
    let total = raw
        .total_items
        .as_ref()
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .clamp(0, i64::from(u32::MAX));
    let icon = match &raw.icon {
        Some(Value::Object(map)) => map.get("url").and_then(|url| id_of("icon", url).ok()),
        Some(Value::Array(list)) => list
            .first()
            .and_then(|first| first.get("url"))
            .and_then(|url| id_of("icon", url).ok()),
        _ => None,
    };
    let name = cut(raw.name.0.trim(), 120);
    if name.is_empty() {
        return Err(invalid("name", "is empty"));
    }
    let description = raw
        .content
        .map(|text| cut(super::html_to_text(&text.0).trim(), 1000))
        .filter(|text| text.chars().count() >= 3);
    // A position is a small positive integer; anything else is ignored.
    let channel_position = raw
        .video_channel_position
        .as_ref()
        .and_then(Value::as_i64)
        .filter(|position| (1..=i64::from(u32::MAX)).contains(position));
    Ok(RemotePlaylist {
        channel_position,
        id,
        name,
        description,
        uuid: raw.uuid.and_then(|u| uuid::Uuid::parse_str(&u.0).ok()),
        channel,
        total,
        first: raw.first,
        icon,
        public: raw
            .to
            .strings()
            .any(crate::protocol::audience::is_public_collection),
        published: raw
            .published
            .and_then(|d| kinora_core::dates::parse_iso_date(&d.0)),
        updated: raw
            .updated
            .and_then(|d| kinora_core::dates::parse_iso_date(&d.0)),
    })
}

/// One collection page: its items (URLs or embedded objects) and the next page's URL.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionPage {
    /// The page's items.
    pub items: Vec<Value>,
    /// The next page.
    pub next: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage {
    #[serde(default)]
    ordered_items: Option<Items<MAX_PAGE_ITEMS>>,
    #[serde(default)]
    items: Option<Items<MAX_PAGE_ITEMS>>,
    #[serde(default)]
    next: Option<Value>,
}

/// Parses an `OrderedCollectionPage` (or `CollectionPage`).
pub fn parse_page(value: &Value) -> Result<CollectionPage, ParseError> {
    check_keywords("collection page", value)?;
    let raw: RawPage = typed("collection page", value)?;
    let items = raw.ordered_items.or(raw.items).unwrap_or_default().0;
    let next = match &raw.next {
        Some(next) => Some(id_of("next", next)?),
        None => None,
    };
    Ok(CollectionPage { items, next })
}

/// A remote playlist element as parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteElement {
    /// Its ActivityPub id.
    pub id: String,
    /// The video's id.
    pub video: String,
    /// Start at this second.
    pub start: Option<i64>,
    /// Stop at this second.
    pub stop: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawElement {
    id: Value,
    #[serde(rename = "type")]
    kind: Text<32>,
    url: Value,
    #[serde(default)]
    start_timestamp: Option<Value>,
    #[serde(default)]
    stop_timestamp: Option<Value>,
}

/// Parses a `PlaylistElement`.
pub fn parse_element(value: &Value) -> Result<RemoteElement, ParseError> {
    check_keywords("PlaylistElement", value)?;
    let raw: RawElement = typed("PlaylistElement", value)?;
    if raw.kind.0 != "PlaylistElement" {
        return Err(invalid("type", "is not PlaylistElement"));
    }
    let seconds = |value: Option<Value>| {
        value
            .as_ref()
            .and_then(Value::as_i64)
            .filter(|s| (0..=i64::from(u32::MAX)).contains(s))
    };
    Ok(RemoteElement {
        id: id_of("id", &raw.id)?,
        video: id_of("url", &raw.url)?,
        start: seconds(raw.start_timestamp),
        stop: seconds(raw.stop_timestamp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn playlists_are_parsed_and_bounded() {
        let parsed = parse_playlist(&json!({
            "id": "https://a.example/video-playlists/u",
            "type": "Playlist",
            "name": "x".repeat(300),
            "content": "<p>Some songs</p>",
            "uuid": "8a3ab5a6-8f8b-4a34-9d2e-0c1e3bd0a5c1",
            "attributedTo": ["https://a.example/video-channels/c"],
            "totalItems": 100000,
            "first": "https://a.example/video-playlists/u?page=1",
            "icon": {"type": "Image", "url": "https://a.example/lazy-static/thumbnails/t.jpg"},
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        }))
        .unwrap();
        assert_eq!(parsed.name.chars().count(), 120);
        assert_eq!(parsed.description.as_deref(), Some("Some songs"));
        assert_eq!(parsed.total, 100_000);
        assert!(parsed.public);
        assert_eq!(parsed.channel, "https://a.example/video-channels/c");
        assert!(
            parse_playlist(&json!({"id": "https://a/p", "type": "Playlist", "name": "n"})).is_err()
        );
        assert!(parse_playlist(&json!({"id": "https://a/p", "type": "Video", "name": "n", "attributedTo": "https://a/c"})).is_err());
        let page = parse_page(&json!({"orderedItems": ["https://a/e/1", {"id": "https://a/e/2"}], "next": "https://a/p?page=2"})).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next.as_deref(), Some("https://a/p?page=2"));
        let too_many: Vec<Value> = (0..=MAX_PAGE_ITEMS)
            .map(|n| json!(format!("https://a/e/{n}")))
            .collect();
        assert!(parse_page(&json!({"orderedItems": too_many})).is_err());
        let element = parse_element(&json!({"id": "https://a/e/1", "type": "PlaylistElement", "url": "https://a/videos/watch/v", "position": 1, "startTimestamp": 3, "stopTimestamp": -4})).unwrap();
        assert_eq!((element.start, element.stop), (Some(3), None));
    }
}
