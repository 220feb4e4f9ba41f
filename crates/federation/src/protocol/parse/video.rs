//! A remote `Video` object, with PeerTube's acceptance rules (`custom-validators/activitypub/
//! videos.ts`): a name of 3 to 120 characters, a UUID, a `PT…S` duration, integer views, valid
//! dates, at least one JPEG icon with integer sizes, an `attributedTo` that can hold the
//! channel's Group, content in Markdown or HTML. The `url` list is filtered to the links
//! PeerTube knows, as it filters it. Links to the media are returned as given: fetching them
//! is the caller's business (through the guarded client).

use serde::Deserialize;
use serde_json::Value;

use super::captions::{MAX_CAPTIONS, RemoteCaption, parse_captions};
use super::media::{RemoteVideoMedia, parse_media};
pub use super::video_fields::parse_duration;
use super::video_fields::{
    attributions, collection, flag, identifier, jpeg_icons, licence, number_identifier,
};
use super::{
    Items, ParseError, Text, check_fetched_from, check_keywords, date, html_to_text, http_url,
    invalid, typed,
};
use crate::protocol::audience::is_public_collection;

/// Longest description kept (PeerTube's limit; longer ones are cut, as PeerTube cuts them).
pub const DESCRIPTION_MAX: usize = kinora_core::video::VIDEO_DESCRIPTION_MAX;

/// Who may see a remote video (nothing else is federated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemotePrivacy {
    /// The public collection is in `to`.
    Public,
    /// It is not.
    Unlisted,
}

impl RemotePrivacy {
    /// PeerTube's privacy id.
    pub fn id(self) -> i64 {
        match self {
            RemotePrivacy::Public => 1,
            RemotePrivacy::Unlisted => 2,
        }
    }
}

/// One entry of `attributedTo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The actor's id.
    pub url: String,
    /// Its type when the entry is an object (`{type, id}`); none for a bare URL, whose type
    /// only fetching it tells.
    pub kind: Option<String>,
}

/// A collection a video links (`likes`, `dislikes`, `shares`, `comments`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CollectionRef {
    /// Its id.
    pub url: Option<String>,
    /// Its size, when the object embeds it.
    pub total_items: Option<i64>,
}

/// An image of a video (`icon` entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteImage {
    /// Where it is.
    pub url: String,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
}

/// What a remote Video object says.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteVideoObject {
    /// Its id.
    pub id: String,
    /// Its UUID (hyphenated, lower case).
    pub uuid: String,
    /// Title.
    pub name: String,
    /// Seconds.
    pub duration: i64,
    /// Views counted by the origin.
    pub views: i64,
    /// Publication, epoch milliseconds.
    pub published: i64,
    /// Last change, epoch milliseconds.
    pub updated: i64,
    /// First publication elsewhere, epoch milliseconds.
    pub originally_published_at: Option<i64>,
    /// Description as Markdown (HTML turned into text), cut to [`DESCRIPTION_MAX`].
    pub description: Option<String>,
    /// Support text.
    pub support: Option<String>,
    /// Hashtags (2 to 30 characters; others are dropped, as PeerTube drops them).
    pub tags: Vec<String>,
    /// PeerTube category id.
    pub category: Option<i64>,
    /// PeerTube licence id (SPDX identifiers of Creative Commons licences are mapped).
    pub licence: Option<i64>,
    /// Language code.
    pub language: Option<String>,
    /// Not safe for work.
    pub sensitive: bool,
    /// PeerTube comments policy (1 enabled, 2 disabled, 3 requires approval).
    pub comments_policy: i64,
    /// Downloads allowed.
    pub download_enabled: bool,
    /// Published only after transcoding at the origin.
    pub wait_transcoding: bool,
    /// PeerTube state id.
    pub state: i64,
    /// A live (`isLiveBroadcast`).
    pub is_live: bool,
    /// Its authors: the account and the channel (the caller fetches them to tell which is
    /// the Group, and checks they are on the video's origin).
    pub attributed_to: Vec<Attribution>,
    /// Public or unlisted, from `to`.
    pub privacy: RemotePrivacy,
    /// `to`.
    pub to: Vec<String>,
    /// `cc`.
    pub cc: Vec<String>,
    /// The watch page (first `text/html` link).
    pub html_url: Option<String>,
    /// The smallest JPEG icon (PeerTube's 280×157 miniature).
    pub thumbnail: RemoteImage,
    /// The largest JPEG icon, when there are several (the 850×480 preview).
    pub preview: Option<RemoteImage>,
    /// Playlists, files and trackers.
    pub media: RemoteVideoMedia,
    /// `likes`.
    pub likes: CollectionRef,
    /// `dislikes`.
    pub dislikes: CollectionRef,
    /// `shares`.
    pub shares: CollectionRef,
    /// `comments`.
    pub comments: CollectionRef,
    /// `subtitleLanguage`: its captions.
    pub captions: Vec<RemoteCaption>,
    /// `hasParts`: the URL of its chapters.
    pub chapters_url: Option<String>,
}

impl RemoteVideoObject {
    /// PeerTube's short UUID of the video.
    pub fn short_uuid(&self) -> String {
        uuid::Uuid::parse_str(&self.uuid)
            .map(|uuid| kinora_core::video::short_uuid(&uuid))
            .unwrap_or_default()
    }

    /// The tags as the JSON array `videos.tags` stores.
    pub fn tags_json(&self) -> String {
        serde_json::to_string(&self.tags).unwrap_or_else(|_| "[]".to_owned())
    }

    /// The entries of `attributedTo` that may be the channel: those typed `Group` and the bare
    /// URLs.
    pub fn channel_candidates(&self) -> impl Iterator<Item = &str> {
        self.attributed_to
            .iter()
            .filter(|a| a.kind.as_deref().is_none_or(|kind| kind == "Group"))
            .map(|a| a.url.as_str())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoWire {
    #[serde(rename = "type")]
    kind: Text<32>,
    id: Text<2000>,
    name: Text<1000>,
    duration: Text<64>,
    uuid: Option<Text<64>>,
    identifier: Option<Text<64>>,
    category: Option<Value>,
    licence: Option<Value>,
    language: Option<Value>,
    views: i64,
    sensitive: Option<Value>,
    wait_transcoding: Option<Value>,
    state: Option<Value>,
    is_live_broadcast: Option<Value>,
    comments_enabled: Option<Value>,
    comments_policy: Option<Value>,
    download_enabled: Option<Value>,
    published: Text<64>,
    updated: Text<64>,
    originally_published_at: Option<Text<64>>,
    tag: Option<Items<64>>,
    media_type: Option<Text<64>>,
    content: Option<Text<100_000>>,
    support: Option<Text<5000>>,
    icon: Option<Items<16>>,
    url: Items<256>,
    likes: Option<Value>,
    dislikes: Option<Value>,
    shares: Option<Value>,
    comments: Option<Value>,
    attributed_to: Items<16>,
    to: Option<Items<256>>,
    cc: Option<Items<256>>,
    subtitle_language: Option<Items<MAX_CAPTIONS>>,
    has_parts: Option<Value>,
}

/// Parses a Video object; `fetched_from` is the URL it was fetched from, when it was.
pub fn parse_video(
    value: &Value,
    fetched_from: Option<&str>,
) -> Result<RemoteVideoObject, ParseError> {
    check_keywords("video", value)?;
    if !value.get("url").is_some_and(Value::is_array) {
        return Err(invalid("url", "must be an array"));
    }
    let wire: VideoWire = typed("video", value)?;
    if wire.kind.0 != "Video" {
        return Err(invalid("type", "is not Video"));
    }
    let id = http_url("id", &wire.id.0)?;
    check_fetched_from(&id, fetched_from)?;
    let name_length = wire.name.0.chars().count();
    if !(kinora_core::video::VIDEO_NAME_MIN..=kinora_core::video::VIDEO_NAME_MAX)
        .contains(&name_length)
    {
        return Err(invalid("name", "must be 3 to 120 characters"));
    }
    let uuid_text = wire
        .uuid
        .or(wire.identifier)
        .ok_or_else(|| invalid("uuid", "is missing"))?
        .0;
    let uuid = uuid::Uuid::try_parse(&uuid_text)
        .ok()
        .filter(|_| uuid_text.len() == 36)
        .ok_or_else(|| invalid("uuid", "is not a UUID"))?;
    let duration = parse_duration(&wire.duration.0)
        .ok_or_else(|| invalid("duration", "is not PT<seconds>S"))?;
    if wire.views < 0 {
        return Err(invalid("views", "is negative"));
    }
    let description = match (wire.content, wire.media_type.as_ref().map(|t| t.0.as_str())) {
        (None, _) => None,
        (Some(Text(content)), Some("text/markdown")) => Some(content),
        (Some(Text(content)), Some("text/html")) => Some(html_to_text(&content)),
        (Some(_), _) => {
            return Err(invalid(
                "mediaType",
                "content must be text/markdown or text/html",
            ));
        }
    }
    .map(|text| text.chars().take(DESCRIPTION_MAX).collect::<String>());
    let attributed_to = attributions(&wire.attributed_to);
    if attributed_to.is_empty() {
        return Err(invalid("attributedTo", "names no actor"));
    }
    if attributed_to
        .iter()
        .all(|a| a.kind.is_some() && a.kind.as_deref() != Some("Group"))
    {
        return Err(invalid(
            "attributedTo",
            "has no Group (the video's channel)",
        ));
    }
    let mut icons = jpeg_icons(wire.icon);
    if icons.is_empty() {
        return Err(invalid(
            "icon",
            "needs a JPEG image with integer width and height",
        ));
    }
    let preview = (icons.len() > 1).then(|| icons.pop()).flatten();
    let thumbnail = icons.swap_remove(0);
    let (tag_min, tag_max) = kinora_core::video::VIDEO_TAG_LENGTH;
    let tags = wire
        .tag
        .map(|items| items.0)
        .unwrap_or_default()
        .iter()
        .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Hashtag"))
        .filter_map(|tag| tag.get("name")?.as_str())
        .filter(|name| (tag_min..=tag_max).contains(&name.chars().count()))
        .map(str::to_owned)
        .collect();
    let comments_policy = match wire.comments_policy.as_ref().and_then(Value::as_i64) {
        Some(policy @ 1..=3) => policy,
        Some(_) => kinora_core::video::COMMENTS_POLICY_DISABLED,
        None if flag(&wire.comments_enabled, false) => 1,
        None => kinora_core::video::COMMENTS_POLICY_DISABLED,
    };
    let to: Vec<String> = wire
        .to
        .map(|items| items.strings().map(str::to_owned).collect())
        .unwrap_or_default();
    let cc: Vec<String> = wire
        .cc
        .map(|items| items.strings().map(str::to_owned).collect())
        .unwrap_or_default();
    let privacy = if to.iter().any(|to| is_public_collection(to)) {
        RemotePrivacy::Public
    } else {
        RemotePrivacy::Unlisted
    };
    let (html_url, media) = parse_media(&wire.url.0);
    Ok(RemoteVideoObject {
        uuid: uuid.hyphenated().to_string(),
        name: wire.name.0,
        duration,
        views: wire.views,
        published: date("published", &wire.published.0)?,
        updated: date("updated", &wire.updated.0)?,
        originally_published_at: match wire.originally_published_at {
            Some(Text(text)) => Some(date("originallyPublishedAt", &text)?),
            None => None,
        },
        description,
        support: wire
            .support
            .map(|Text(text)| text.chars().take(1000).collect()),
        tags,
        category: number_identifier("category", &wire.category)?,
        licence: licence(&wire.licence)?,
        language: identifier("language", &wire.language)?,
        sensitive: flag(&wire.sensitive, false),
        comments_policy,
        download_enabled: flag(&wire.download_enabled, true),
        wait_transcoding: flag(&wire.wait_transcoding, false),
        state: wire
            .state
            .as_ref()
            .and_then(Value::as_i64)
            .filter(|state| (1..=9).contains(state))
            .unwrap_or(1),
        is_live: flag(&wire.is_live_broadcast, false),
        attributed_to,
        privacy,
        to,
        cc,
        html_url,
        thumbnail,
        preview,
        media,
        likes: collection(&wire.likes),
        dislikes: collection(&wire.dislikes),
        shares: collection(&wire.shares),
        comments: collection(&wire.comments),
        captions: parse_captions(wire.subtitle_language.as_ref()),
        chapters_url: wire
            .has_parts
            .as_ref()
            .and_then(Value::as_str)
            .filter(|url| url.len() <= 2000 && http_url("hasParts", url).is_ok())
            .map(str::to_owned),
        id: wire.id.0,
    })
}
