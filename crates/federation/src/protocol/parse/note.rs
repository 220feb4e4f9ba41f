//! A remote comment: a `Note` (from PeerTube, in Markdown; from Mastodon and others, in HTML,
//! made plain text with its mentions kept), or the `Tombstone` of a deleted one.

use serde::Deserialize;
use serde_json::Value;

use super::actor::looks_like_html;
use super::{
    Items, ParseError, Text, check_fetched_from, check_keywords, date, html_to_text, http_url,
    id_of, invalid, typed,
};
use crate::protocol::notes::Mention;

/// Longest comment accepted, in characters (PeerTube's limit).
pub const TEXT_MAX: usize = kinora_core::video::COMMENT_TEXT_MAX;

/// What a remote Note says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteNote {
    /// Its id.
    pub id: String,
    /// Its page, when it names one.
    pub url: Option<String>,
    /// What it answers (a video or a comment), when it answers something.
    pub in_reply_to: Option<String>,
    /// Its author.
    pub attributed_to: String,
    /// Plain text (Markdown for PeerTube's).
    pub text: String,
    /// The actors it mentions (`Mention` tags).
    pub mentions: Vec<Mention>,
    /// Written at, epoch milliseconds.
    pub published: i64,
    /// Last edited at, epoch milliseconds.
    pub updated: Option<i64>,
    /// `to`.
    pub to: Vec<String>,
    /// `cc`.
    pub cc: Vec<String>,
}

/// What a remote Tombstone says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTombstone {
    /// The id of the comment it replaces.
    pub id: String,
    /// What that comment answered.
    pub in_reply_to: Option<String>,
    /// When it was deleted, epoch milliseconds.
    pub deleted: Option<i64>,
}

/// A remote comment, alive or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteComment {
    /// A comment.
    Note(RemoteNote),
    /// A deleted comment.
    Tombstone(RemoteTombstone),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NoteWire {
    #[serde(rename = "type")]
    kind: Text<32>,
    id: Text<2000>,
    url: Option<Value>,
    in_reply_to: Option<Value>,
    attributed_to: Option<Items<8>>,
    content: Option<Text<100_000>>,
    content_map: Option<serde_json::Map<String, Value>>,
    media_type: Option<Text<64>>,
    published: Option<Text<64>>,
    updated: Option<Text<64>>,
    deleted: Option<Text<64>>,
    tag: Option<Items<64>>,
    to: Option<Items<256>>,
    cc: Option<Items<256>>,
}

fn strings(items: Option<Items<256>>) -> Vec<String> {
    items
        .map(|items| items.strings().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Parses a Note or Tombstone; `fetched_from` is the URL it was fetched from, when it was.
pub fn parse_comment(
    value: &Value,
    fetched_from: Option<&str>,
) -> Result<RemoteComment, ParseError> {
    check_keywords("comment", value)?;
    let wire: NoteWire = typed("comment", value)?;
    let id = http_url("id", &wire.id.0)?;
    check_fetched_from(&id, fetched_from)?;
    let in_reply_to = match &wire.in_reply_to {
        None | Some(Value::Null) => None,
        Some(value) => Some(id_of("inReplyTo", value)?),
    };
    match wire.kind.0.as_str() {
        "Tombstone" => {
            return Ok(RemoteComment::Tombstone(RemoteTombstone {
                id: wire.id.0,
                in_reply_to,
                deleted: wire
                    .deleted
                    .and_then(|Text(text)| date("deleted", &text).ok()),
            }));
        }
        "Note" => {}
        other => {
            return Err(invalid(
                "type",
                format!("{other:?} is not Note or Tombstone"),
            ));
        }
    }
    let attributed_to = wire
        .attributed_to
        .as_ref()
        .and_then(|items| items.0.first())
        .ok_or_else(|| invalid("attributedTo", "is missing"))
        .and_then(|author| id_of("attributedTo", author))?;
    let content = match wire.content {
        Some(Text(content)) => content,
        None => wire
            .content_map
            .as_ref()
            .and_then(|map| map.values().find_map(Value::as_str))
            .filter(|content| content.chars().count() <= 100_000)
            .map(str::to_owned)
            .ok_or_else(|| invalid("content", "is missing"))?,
    };
    let text = match wire.media_type.as_ref().map(|t| t.0.as_str()) {
        Some("text/markdown") => content.trim().to_owned(),
        Some("text/html") => html_to_text(&content),
        None if looks_like_html(&content) => html_to_text(&content),
        None => content.trim().to_owned(),
        Some(other) => {
            return Err(invalid(
                "mediaType",
                format!("{other:?} is not a text type"),
            ));
        }
    };
    if text.is_empty() {
        return Err(invalid("content", "is empty"));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(invalid("content", "is longer than 10000 characters"));
    }
    let mentions = wire
        .tag
        .map(|items| items.0)
        .unwrap_or_default()
        .iter()
        .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Mention"))
        .filter_map(|tag| {
            let href = tag.get("href")?.as_str()?;
            http_url("tag.href", href).ok()?;
            let name = tag.get("name").and_then(Value::as_str).unwrap_or_default();
            Some(Mention {
                href: href.to_owned(),
                name: name.chars().take(200).collect(),
            })
        })
        .collect();
    let published = wire
        .published
        .ok_or_else(|| invalid("published", "is missing"))?;
    Ok(RemoteComment::Note(RemoteNote {
        url: wire.url.as_ref().and_then(|url| id_of("url", url).ok()),
        in_reply_to,
        attributed_to,
        text,
        mentions,
        published: date("published", &published.0)?,
        updated: match wire.updated {
            Some(Text(text)) => Some(date("updated", &text)?),
            None => None,
        },
        to: strings(wire.to),
        cc: strings(wire.cc),
        id: wire.id.0,
    }))
}
