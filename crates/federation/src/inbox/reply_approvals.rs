//! `ApproveReply`: a remote video's owner approved a comment written here that its origin held
//! for review (PeerTube's `process-reply-approval.ts`). Our copy is marked approved and
//! remembers the approval's id (`replyApproval`).
//!
//! Only the video's owner account, signing for itself, may approve; the object must be a
//! comment written here, on a remote video.

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::urls::LocalObject;

/// Records the approval of one of our comments.
pub async fn approved(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an ApproveReply must be signed by its actor"));
    }
    let object = incoming
        .object_id()
        .ok_or_else(|| refused("an ApproveReply names no comment"))?;
    let Some(LocalObject::Comment(uuid, comment_id)) = federation.urls().parse(object.as_str())
    else {
        return Err(refused("an ApproveReply must be of a comment written here"));
    };
    let pool = federation.db().pool();
    let comment = kinora_db::comments::find_by_id(pool, comment_id)
        .await?
        .filter(|comment| comment.url.is_none() && comment.deleted_at.is_none())
        .ok_or_else(|| refused("no such comment here"))?;
    let video = kinora_db::videos::find_by_id(pool, comment.video_id)
        .await?
        .filter(|video| video.uuid == uuid)
        .ok_or_else(|| refused("no such comment here"))?;
    if video.is_local() {
        return Err(refused("comments on our videos are approved here"));
    }
    let channel = kinora_db::channels::find_by_id(pool, video.channel_id)
        .await?
        .ok_or_else(|| refused("the video's channel is gone"))?;
    let owner = kinora_db::accounts::find_by_id(pool, channel.account_id)
        .await?
        .ok_or_else(|| refused("the video's owner is gone"))?;
    let owner = kinora_db::actors::find_by_id(pool, owner.actor_id)
        .await?
        .ok_or_else(|| refused("the video's owner is gone"))?;
    if federation.urls().actor(&owner) != incoming.envelope.actor.as_str() {
        return Err(refused(
            "only the video's owner may approve a comment on it",
        ));
    }
    let db = federation.db();
    let mut tx = db.begin().await?;
    let recorded = kinora_db::comment_reviews::record_reply_approval(
        &mut tx,
        comment.id,
        incoming.envelope.id.as_str(),
    )
    .await?;
    tx.commit().await?;
    if recorded {
        tracing::info!(comment = comment.id, approval = %incoming.envelope.id, "comment approved by the video's owner");
    }
    Ok(())
}
