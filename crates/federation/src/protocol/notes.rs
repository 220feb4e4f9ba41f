//! A comment written here as PeerTube's `Note` (`inReplyTo` the video for a new thread, else
//! the comment replied to), and a deleted one as its `Tombstone`.

use kinora_core::dates::iso_date;
use kinora_db::comments::CommentRow;
use serde_json::{Value, json};

use super::audience::Audience;
use super::context::{ContextType, with_context};

/// An actor named in a comment (`@name@host`), as a `Mention` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The actor's id.
    pub href: String,
    /// `@name@host`.
    pub name: String,
}

/// What a comment's document is made of besides its row.
#[derive(Debug, Clone, Copy)]
pub struct NoteParts<'a> {
    /// The comment.
    pub comment: &'a CommentRow,
    /// Its ActivityPub id (ours: `/videos/watch/<uuid>/comments/<id>`).
    pub id: &'a str,
    /// What it answers: the video's id (a new thread) or the parent comment's id, local or
    /// remote.
    pub in_reply_to: &'a str,
    /// Its author's actor id; none once deleted.
    pub author: Option<&'a str>,
    /// The authors of the comments above it in its thread.
    pub mentions: &'a [Mention],
}

/// The comment's `Note` (public: `to [Public]`, `cc [author's followers]`), or its `Tombstone`
/// once deleted (or when its author is gone).
pub fn comment_object(parts: &NoteParts<'_>) -> Value {
    let comment = parts.comment;
    let (Some(author), None) = (parts.author, comment.deleted_at) else {
        return tombstone(parts);
    };
    let mut note = json!({
        "type": "Note",
        "id": parts.id,
        "url": parts.id,
        "content": comment.text,
        "mediaType": "text/markdown",
        "inReplyTo": parts.in_reply_to,
        "published": iso_date(comment.created_at),
        "updated": iso_date(comment.updated_at),
        "attributedTo": author,
        "replyApproval": comment.reply_approval,
        "tag": parts.mentions.iter().map(|mention| json!({
            "type": "Mention",
            "href": mention.href,
            "name": mention.name,
        })).collect::<Vec<_>>(),
    });
    Audience::public(&super::actors::followers_url(author)).apply(&mut note);
    with_context(note, ContextType::Comment)
}

fn tombstone(parts: &NoteParts<'_>) -> Value {
    let comment = parts.comment;
    with_context(
        json!({
            "type": "Tombstone",
            "id": parts.id,
            "formerType": "Note",
            "inReplyTo": parts.in_reply_to,
            "published": iso_date(comment.created_at),
            "updated": iso_date(comment.updated_at),
            "deleted": iso_date(comment.deleted_at.unwrap_or(comment.updated_at)),
        }),
        ContextType::Comment,
    )
}
