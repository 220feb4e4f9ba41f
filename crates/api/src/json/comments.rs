//! PeerTube's JSON shapes for comments: `VideoComment`, `VideoCommentThreads` and
//! `VideoCommentThreadTree`.

use std::collections::HashMap;

use kinora_db::comments::CommentRow;
use kinora_db::videos::VideoRow;
use serde_json::{Value, json};

use super::iso_date;
use crate::ApiState;

/// Deepest level of replies a thread tree shows; deeper replies are left out.
pub const TREE_MAX_DEPTH: usize = 64;

/// What a comment's JSON needs besides its row: its video, the authors by account id, and its
/// reply counts (not deleted; of those, by the video's owner).
pub struct CommentContext<'a> {
    /// The API state (public URL and host).
    pub state: &'a ApiState,
    /// The video commented on.
    pub video: &'a VideoRow,
    /// Authors by account id, as their `Account` JSON.
    pub accounts: &'a HashMap<i64, Value>,
}

/// The comment's URL: its ActivityPub id (derived for ours, stored for remote ones).
fn comment_url(context: &CommentContext<'_>, row: &CommentRow) -> String {
    row.url.clone().unwrap_or_else(|| {
        format!(
            "{}/videos/watch/{}/comments/{}",
            context.state.public_url, context.video.uuid, row.id
        )
    })
}

/// A `VideoComment`. Deleted comments have an empty text and a null account.
pub fn comment(context: &CommentContext<'_>, row: &CommentRow, replies: (i64, i64)) -> Value {
    let (total_replies, from_video_author) = replies;
    let url = comment_url(context, row);
    let author = row
        .account_id
        .and_then(|id| context.accounts.get(&id))
        .cloned();
    json!({
        "id": row.id,
        "url": url,
        "text": row.text,
        "threadId": row.root_id(),
        "inReplyToCommentId": row.in_reply_to_id,
        "videoId": context.video.id,
        "createdAt": iso_date(row.created_at),
        "updatedAt": iso_date(row.updated_at),
        "deletedAt": row.deleted_at.map(iso_date),
        "heldForReview": row.is_held(),
        "isDeleted": row.deleted_at.is_some(),
        "totalRepliesFromVideoAuthor": from_video_author,
        "totalReplies": total_replies,
        "account": author,
    })
}

/// A `VideoCommentForOwnerOrAdmin`: the comment with its video as `VideoInfo`.
pub fn for_owner(context: &CommentContext<'_>, row: &CommentRow) -> Value {
    let video = context.video;
    let state = kinora_core::video::VideoState::from_id(video.state);
    json!({
        "id": row.id,
        "url": comment_url(context, row),
        "text": row.text,
        "heldForReview": row.is_held(),
        "threadId": row.root_id(),
        "inReplyToCommentId": row.in_reply_to_id,
        "createdAt": iso_date(row.created_at),
        "updatedAt": iso_date(row.updated_at),
        "account": row.account_id.and_then(|id| context.accounts.get(&id)).cloned(),
        "video": {
            "id": video.id,
            "uuid": video.uuid,
            "shortUUID": video.short_uuid,
            "name": video.name,
            "state": state.map(|state| json!({ "id": state.id(), "label": state.label() })),
        },
        "automaticTags": [],
    })
}

/// A `VideoCommentThreadTree`: `{comment, children:[…]}` from a root and its replies (any
/// order). Replies deeper than [`TREE_MAX_DEPTH`], or whose parent is missing, are left out.
pub fn tree(context: &CommentContext<'_>, root: &CommentRow, replies: &[CommentRow]) -> Value {
    let mut children: HashMap<i64, Vec<&CommentRow>> = HashMap::new();
    for reply in replies {
        if let Some(parent) = reply.in_reply_to_id {
            children.entry(parent).or_default().push(reply);
        }
    }
    for list in children.values_mut() {
        list.sort_by_key(|reply| (reply.created_at, reply.id));
    }
    node(context, root, &children, 0).0
}

/// One node and the count of its not-deleted descendants.
fn node(
    context: &CommentContext<'_>,
    row: &CommentRow,
    children: &HashMap<i64, Vec<&CommentRow>>,
    depth: usize,
) -> (Value, i64) {
    let mut shaped = Vec::new();
    let mut descendants = 0;
    if depth < TREE_MAX_DEPTH {
        for child in children.get(&row.id).into_iter().flatten() {
            let (value, below) = node(context, child, children, depth + 1);
            descendants += below + i64::from(child.deleted_at.is_none());
            shaped.push(value);
        }
    }
    let value = json!({
        "comment": comment(context, row, (descendants, 0)),
        "children": shaped,
    });
    (value, descendants)
}
