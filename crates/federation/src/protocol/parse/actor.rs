//! A remote actor's document (`Person`, `Group`, `Application`, `Service`, `Organization`),
//! from PeerTube, Mastodon or any other server.

use serde::Deserialize;
use serde_json::Value;

use super::{
    Items, ParseError, Text, check_fetched_from, check_keywords, date, html_to_text, http_url,
    id_of, invalid, same_origin, typed,
};

/// Longest display name kept (longer ones are cut).
pub const DISPLAY_NAME_MAX: usize = kinora_core::names::DISPLAY_NAME_MAX;
/// Longest description kept (longer ones are cut).
pub const SUMMARY_MAX: usize = 10_000;

/// The kinds of actor accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A user (PeerTube account, Mastodon user).
    Person,
    /// A PeerTube channel, a Lemmy community.
    Group,
    /// An instance actor.
    Application,
    /// A bot or relay.
    Service,
    /// An organisation.
    Organization,
}

impl ActorKind {
    /// Its ActivityStreams type.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Person => "Person",
            ActorKind::Group => "Group",
            ActorKind::Application => "Application",
            ActorKind::Service => "Service",
            ActorKind::Organization => "Organization",
        }
    }

    /// The kind an ActivityStreams type names, if it is an actor type accepted here.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "Person" => ActorKind::Person,
            "Group" => ActorKind::Group,
            "Application" => ActorKind::Application,
            "Service" => ActorKind::Service,
            "Organization" => ActorKind::Organization,
            _ => return None,
        })
    }
}

/// An actor's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePublicKey {
    /// The key id (`<actor>#main-key` for PeerTube and Mastodon).
    pub id: String,
    /// The SPKI PEM.
    pub pem: String,
}

/// What a remote actor's document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteActorDocument {
    /// Its kind.
    pub kind: ActorKind,
    /// Its id.
    pub id: String,
    /// `host[:port]` of its id.
    pub host: String,
    /// `preferredUsername`.
    pub preferred_username: String,
    /// Display name (cut to [`DISPLAY_NAME_MAX`]); the username when it has none.
    pub name: String,
    /// Description as plain text (HTML turned into text), cut to [`SUMMARY_MAX`].
    pub summary: Option<String>,
    /// Its inbox.
    pub inbox: String,
    /// Its shared inbox.
    pub shared_inbox: Option<String>,
    /// Its outbox.
    pub outbox: Option<String>,
    /// Its followers collection.
    pub followers: Option<String>,
    /// Its following collection.
    pub following: Option<String>,
    /// Its key.
    pub public_key: Option<RemotePublicKey>,
    /// Its largest avatar.
    pub icon_url: Option<String>,
    /// Its largest banner (`image`).
    pub image_url: Option<String>,
    /// How to support it (PeerTube channels).
    pub support: Option<String>,
    /// Who it is attributed to (a PeerTube channel's owner account).
    pub attributed_to: Vec<String>,
    /// When it was created, epoch milliseconds.
    pub published: Option<i64>,
    /// The actors it says it also is (`alsoKnownAs`), http(s) URLs only.
    pub also_known_as: Vec<String>,
    /// The actor it says it moved to (`movedTo`).
    pub moved_to: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActorWire {
    #[serde(rename = "type")]
    kind: Text<32>,
    id: Text<2000>,
    preferred_username: Text<100>,
    name: Option<Text<1000>>,
    summary: Option<Text<50_000>>,
    inbox: Text<2000>,
    outbox: Option<Text<2000>>,
    followers: Option<Text<2000>>,
    following: Option<Text<2000>>,
    endpoints: Option<EndpointsWire>,
    public_key: Option<KeyWire>,
    icon: Option<Items<16>>,
    image: Option<Items<16>>,
    support: Option<Text<5000>>,
    attributed_to: Option<Items<16>>,
    published: Option<Text<64>>,
    also_known_as: Option<Items<16>>,
    moved_to: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EndpointsWire {
    shared_inbox: Option<Text<2000>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyWire {
    id: Text<2000>,
    owner: Text<2000>,
    public_key_pem: Text<10_000>,
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// True when `text` has markup (Mastodon's HTML summaries; PeerTube's are plain text).
pub(crate) fn looks_like_html(text: &str) -> bool {
    ["<p", "<br", "<a ", "<span", "</"]
        .iter()
        .any(|tag| text.contains(tag))
}

/// Parses an actor document; `fetched_from` is the URL it was fetched from, when it was.
/// Its endpoints and key must be on its own origin and the key must be its own.
pub fn parse_actor(
    value: &Value,
    fetched_from: Option<&str>,
) -> Result<RemoteActorDocument, ParseError> {
    check_keywords("actor", value)?;
    let wire: ActorWire = typed("actor", value)?;
    let kind = ActorKind::parse(&wire.kind.0)
        .ok_or_else(|| invalid("type", format!("{:?} is not an actor type", wire.kind.0)))?;
    let id = http_url("id", &wire.id.0)?;
    check_fetched_from(&id, fetched_from)?;
    let username = wire.preferred_username.0;
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(invalid(
            "preferredUsername",
            "must be letters, digits, _ - .",
        ));
    }
    let own =
        |field: &'static str, text: Option<Text<2000>>| -> Result<Option<String>, ParseError> {
            let Some(Text(text)) = text else {
                return Ok(None);
            };
            if !same_origin(&http_url(field, &text)?, &id) {
                return Err(invalid(field, "is not on the actor's origin"));
            }
            Ok(Some(text))
        };
    let inbox = own("inbox", Some(wire.inbox))?.unwrap_or_default();
    let shared_inbox = own(
        "endpoints.sharedInbox",
        wire.endpoints.and_then(|e| e.shared_inbox),
    )?;
    let public_key = match wire.public_key {
        Some(key) => {
            if key.owner.0 != wire.id.0 {
                return Err(invalid("publicKey.owner", "is not the actor"));
            }
            own("publicKey.id", Some(key.id.clone()))?;
            if !key.public_key_pem.0.trim_start().starts_with("-----BEGIN ") {
                return Err(invalid("publicKey.publicKeyPem", "is not PEM"));
            }
            Some(RemotePublicKey {
                id: key.id.0,
                pem: key.public_key_pem.0,
            })
        }
        None => None,
    };
    let icon_url = wire.icon.and_then(|icons| largest_image(&icons.0));
    let image_url = wire.image.and_then(|images| largest_image(&images.0));
    let attributed_to = wire
        .attributed_to
        .map(|items| {
            items
                .0
                .iter()
                .filter_map(|item| id_of("attributedTo", item).ok())
                .collect()
        })
        .unwrap_or_default();
    let name = wire
        .name
        .map(|Text(name)| cut(name.trim(), DISPLAY_NAME_MAX))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| username.clone());
    let summary = wire
        .summary
        .map(|Text(summary)| {
            let text = if looks_like_html(&summary) {
                html_to_text(&summary)
            } else {
                summary
            };
            cut(text.trim(), SUMMARY_MAX)
        })
        .filter(|summary| !summary.is_empty());
    let also_known_as = wire
        .also_known_as
        .map(|items| {
            items
                .0
                .iter()
                .filter_map(|item| id_of("alsoKnownAs", item).ok())
                .filter(|url| http_url("alsoKnownAs", url).is_ok())
                .collect()
        })
        .unwrap_or_default();
    let moved_to = wire
        .moved_to
        .as_ref()
        .and_then(|value| id_of("movedTo", value).ok())
        .filter(|url| http_url("movedTo", url).is_ok());
    Ok(RemoteActorDocument {
        also_known_as,
        moved_to,
        kind,
        host: crate::urls::host_and_port(&id).unwrap_or_default(),
        preferred_username: username,
        name,
        summary,
        inbox,
        shared_inbox,
        outbox: own("outbox", wire.outbox)?,
        followers: own("followers", wire.followers)?,
        following: own("following", wire.following)?,
        public_key,
        icon_url,
        image_url,
        support: wire.support.map(|Text(support)| cut(&support, 1000)),
        attributed_to,
        published: wire
            .published
            .and_then(|Text(text)| date("published", &text).ok()),
        id: wire.id.0,
    })
}

/// The URL of the widest `Image` among `icons` with an http(s) URL.
fn largest_image(icons: &[Value]) -> Option<String> {
    icons
        .iter()
        .filter(|icon| {
            icon.get("type")
                .and_then(Value::as_str)
                .is_none_or(|t| t == "Image")
        })
        .filter_map(|icon| {
            let url = icon.get("url")?.as_str()?;
            http_url("icon.url", url).ok()?;
            let width = icon.get("width").and_then(Value::as_u64).unwrap_or(0);
            Some((width, url.to_owned()))
        })
        .max_by_key(|(width, _)| *width)
        .map(|(_, url)| url)
}
