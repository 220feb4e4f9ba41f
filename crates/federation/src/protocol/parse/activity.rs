//! The envelope of an activity: its type, id, actor, object (an id, or an embedded object left
//! as JSON for the parser of its type) and audience. The caller checks that the actor is who
//! signed, and refetches embedded objects from third hosts rather than trusting them.

use serde::Deserialize;
use serde_json::Value;

use super::{
    Items, ParseError, Text, check_fetched_from, check_keywords, date, http_url, id_of, invalid,
    typed,
};

/// The activity types PeerTube sends and accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityKind {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
    /// Follow.
    Follow,
    /// Accept.
    Accept,
    /// Reject.
    Reject,
    /// Undo.
    Undo,
    /// Like.
    Like,
    /// Dislike (PeerTube's).
    Dislike,
    /// Announce.
    Announce,
    /// View.
    View,
    /// Flag (abuse report).
    Flag,
    /// ApproveReply (PeerTube's comment moderation).
    ApproveReply,
    /// RejectReply (PeerTube's comment moderation).
    RejectReply,
    /// Any other type, named.
    Other(String),
}

impl ActivityKind {
    fn parse(text: &str) -> Self {
        match text {
            "Create" => Self::Create,
            "Update" => Self::Update,
            "Delete" => Self::Delete,
            "Follow" => Self::Follow,
            "Accept" => Self::Accept,
            "Reject" => Self::Reject,
            "Undo" => Self::Undo,
            "Like" => Self::Like,
            "Dislike" => Self::Dislike,
            "Announce" => Self::Announce,
            "View" => Self::View,
            "Flag" => Self::Flag,
            "ApproveReply" => Self::ApproveReply,
            "RejectReply" => Self::RejectReply,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// An activity's object.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectRef {
    /// Named by its id.
    Id(String),
    /// Embedded.
    Embedded {
        /// Its id, when it has one.
        id: Option<String>,
        /// Its type, when it says.
        kind: Option<String>,
        /// The object, for the parser of its type.
        object: Value,
    },
}

impl ObjectRef {
    /// The object's id, whichever way it came.
    pub fn id(&self) -> Option<&str> {
        match self {
            ObjectRef::Id(id) => Some(id),
            ObjectRef::Embedded { id, .. } => id.as_deref(),
        }
    }
}

/// What an activity's envelope says.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityEnvelope {
    /// Its type.
    pub kind: ActivityKind,
    /// Its id.
    pub id: String,
    /// Who it says did it (check it against the signer).
    pub actor: String,
    /// Its object.
    pub object: ObjectRef,
    /// `to`.
    pub to: Vec<String>,
    /// `cc`.
    pub cc: Vec<String>,
    /// When, epoch milliseconds, when it says.
    pub published: Option<i64>,
}

#[derive(Deserialize)]
struct EnvelopeWire {
    #[serde(rename = "type")]
    kind: Text<64>,
    id: Text<2000>,
    actor: Value,
    object: Value,
    to: Option<Items<256>>,
    cc: Option<Items<256>>,
    published: Option<Text<64>>,
}

fn audience(field: &'static str, items: Option<Items<256>>) -> Result<Vec<String>, ParseError> {
    let items = items.map(|items| items.0).unwrap_or_default();
    items
        .iter()
        .map(|item| match item.as_str() {
            Some(text) if text.len() <= super::MAX_URL_LENGTH => Ok(text.to_owned()),
            _ => Err(invalid(field, "holds something other than a URL")),
        })
        .collect()
}

/// Parses an activity's envelope; `fetched_from` is the URL it was fetched from, when it was.
pub fn parse_activity(
    value: &Value,
    fetched_from: Option<&str>,
) -> Result<ActivityEnvelope, ParseError> {
    check_keywords("activity", value)?;
    let wire: EnvelopeWire = typed("activity", value)?;
    let id = http_url("id", &wire.id.0)?;
    check_fetched_from(&id, fetched_from)?;
    let actor = id_of("actor", &wire.actor)?;
    let object = match &wire.object {
        Value::String(text) => {
            http_url("object", text)?;
            ObjectRef::Id(text.clone())
        }
        Value::Object(map) => {
            let id = match map.get("id") {
                None | Some(Value::Null) => None,
                Some(Value::String(text)) => {
                    http_url("object.id", text)?;
                    Some(text.clone())
                }
                Some(_) => return Err(invalid("object.id", "is not a URL")),
            };
            ObjectRef::Embedded {
                id,
                kind: map
                    .get("type")
                    .and_then(Value::as_str)
                    .filter(|t| t.len() <= 64)
                    .map(str::to_owned),
                object: wire.object.clone(),
            }
        }
        _ => return Err(invalid("object", "is neither a URL nor an object")),
    };
    Ok(ActivityEnvelope {
        kind: ActivityKind::parse(&wire.kind.0),
        id: wire.id.0,
        actor,
        object,
        to: audience("to", wire.to)?,
        cc: audience("cc", wire.cc)?,
        published: wire
            .published
            .and_then(|Text(text)| date("published", &text).ok()),
    })
}
