//! Create and Update of Notes: comments on videos, from Mastodon, PeerTube or Kinora.
//!
//! A Note is stored under its own origin's id, written by its `attributedTo` (who must be on
//! that origin), on the video its `inReplyTo` chain leads to. The chain is walked without
//! recursion, fetching unknown links from their origins, within `max_reply_depth` steps and
//! never through the same link twice (a cycle or an endless chain fails the comment, not the
//! worker). A comment on one of our videos is then passed on to the video's followers.

use std::collections::HashSet;

use kinora_core::federation::FederationEvent;
use kinora_core::video::COMMENTS_POLICY_REQUIRES_APPROVAL;
use kinora_db::comments::{CommentRow, NewComment};
use kinora_db::now_millis;
use kinora_db::videos::VideoRow;
use serde_json::Value;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::protocol::parse::note::{RemoteComment, parse_comment};
use crate::urls::{LocalObject, origin_of};

/// A Note as this module uses it: ids as URLs, and a reply to something.
#[derive(Debug, Clone)]
struct ParsedNote {
    id: Url,
    attributed_to: Url,
    in_reply_to: Url,
    content: String,
    published: i64,
}

/// Parses a Note (a Tombstone or a Note that answers nothing is refused).
fn parse_note(value: &Value, fetched_from: Option<&str>) -> Result<ParsedNote, ProcessError> {
    let note =
        match parse_comment(value, fetched_from).map_err(|error| refused(error.to_string()))? {
            RemoteComment::Note(note) => note,
            RemoteComment::Tombstone(_) => return Err(refused("a Tombstone is no comment")),
        };
    let url = |text: &str| Url::parse(text).map_err(|error| refused(error.to_string()));
    Ok(ParsedNote {
        id: url(&note.id)?,
        attributed_to: url(&note.attributed_to)?,
        in_reply_to: url(note
            .in_reply_to
            .as_deref()
            .ok_or_else(|| refused("the Note answers nothing"))?)?,
        content: note.text,
        published: note.published,
    })
}

/// Where a reply chain ends up.
struct Target {
    video: VideoRow,
    /// The comment replied to (none: the video itself).
    parent: Option<CommentRow>,
}

/// Create or Update of a Note.
pub async fn note(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    let object = super::videos::trusted_object(federation, incoming).await?;
    let parsed = parse_note(&object, None)?;
    if incoming.signed_by_actor() && parsed.attributed_to != incoming.signer {
        return Err(refused("a Note must be signed by its author"));
    }
    let stored = store_note(federation, &parsed, incoming.envelope.kind == "Update").await?;
    if let Some((comment, video, true)) = stored
        && video.is_local()
        && !comment.is_held()
    {
        // Our video: every instance that has it hears of the comment.
        let db = federation.db();
        let mut tx = db.begin().await?;
        kinora_app::federation_events::queue(
            &mut tx,
            FederationEvent::ActivityForwarded {
                inbox_activity_id: incoming.row_id,
                video_id: video.id,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A Note fetched from its origin (an object given by reference).
pub async fn store_fetched_note(
    federation: &Federation,
    object: &Value,
) -> Result<(), ProcessError> {
    let parsed = parse_note(object, None)?;
    store_note(federation, &parsed, false).await.map(|_| ())
}

/// Stores a Note as a comment (or updates its text when `update` and it exists). Returns the
/// comment, its video and whether the comment is new.
async fn store_note(
    federation: &Federation,
    note: &ParsedNote,
    update: bool,
) -> Result<Option<(CommentRow, VideoRow, bool)>, ProcessError> {
    if federation.urls().is_ours(note.id.as_str()) {
        return Err(refused("a remote comment cannot claim our host"));
    }
    if origin_of(&note.attributed_to) != origin_of(&note.id) {
        return Err(refused("a Note's author must be on the Note's instance"));
    }
    let pool = federation.db().pool();
    if let Some(existing) = kinora_db::comments::find_by_url(pool, note.id.as_str()).await? {
        let video = kinora_db::videos::find_by_id(pool, existing.video_id)
            .await?
            .ok_or_else(|| refused("the comment's video is gone"))?;
        if update {
            let author = crate::resolve::actor(federation, &note.attributed_to, false).await?;
            let account = kinora_db::accounts::find_by_actor(pool, author.id).await?;
            if account.map(|a| a.id) != existing.account_id {
                return Err(refused("only its author may change a comment"));
            }
            let db = federation.db();
            let mut tx = db.begin().await?;
            kinora_db::comments::set_text(&mut tx, existing.id, &note.content, now_millis())
                .await?;
            tx.commit().await?;
        }
        return Ok(Some((existing, video, false)));
    }
    let target = resolve_target(federation, note).await?;
    let video = &target.video;
    if !video_takes_remote_comments(video) {
        return Err(refused("this video takes no comments"));
    }
    let author = crate::resolve::actor(federation, &note.attributed_to, false).await?;
    let account = kinora_db::accounts::find_by_actor(pool, author.id)
        .await?
        .ok_or_else(|| refused("a comment's author must be a Person"))?;
    // Our video requiring approval: held until its owner approves (a remote author is never
    // the owner of a local video).
    let held_for_review =
        video.is_local() && video.comments_policy == COMMENTS_POLICY_REQUIRES_APPROVAL;
    let db = federation.db();
    let mut tx = db.begin().await?;
    let comment = kinora_db::comments::insert_remote(
        &mut tx,
        &NewComment {
            video_id: video.id,
            account_id: account.id,
            thread_id: target.parent.as_ref().map(CommentRow::root_id),
            in_reply_to_id: target.parent.as_ref().map(|p| p.id),
            text: &note.content,
            held_for_review,
        },
        note.id.as_str(),
        note.published,
        now_millis(),
    )
    .await?;
    // Its local video owner, and the local author it answers, are told (not of the ancestors
    // fetched on the way, which are old).
    kinora_db::notifications::on_comment(&mut tx, comment.id, now_millis()).await?;
    tx.commit().await?;
    tracing::info!(comment = %note.id, video = %video.uuid, held_for_review, "remote comment stored");
    Ok(Some((comment, target.video, true)))
}

/// Comments are taken on published public or unlisted videos whose comments are open.
fn video_takes_remote_comments(video: &VideoRow) -> bool {
    video.state == 1 && matches!(video.privacy, 1 | 2) && video.comments_policy != 2
}

/// Follows `inReplyTo` until a video: a video or comment known here, or fetched from its
/// origin, within the depth budget and without visiting a link twice. The comments fetched on
/// the way are stored too (top down), so the thread stays whole.
async fn resolve_target(
    federation: &Federation,
    note: &ParsedNote,
) -> Result<Target, ProcessError> {
    let max_depth = federation.config().max_reply_depth;
    let mut visited: HashSet<String> = HashSet::from([note.id.to_string()]);
    // Notes fetched on the way, child first; stored parent first once the video is found.
    let mut pending: Vec<ParsedNote> = Vec::new();
    let mut link = note.in_reply_to.clone();
    let target = loop {
        if !visited.insert(link.to_string()) {
            return Err(refused("the reply chain loops"));
        }
        if visited.len() > max_depth + 1 {
            return Err(refused(format!(
                "the reply chain is deeper than {max_depth}"
            )));
        }
        if let Some(found) = known_target(federation, &link).await? {
            break found;
        }
        let fetched = crate::resolve::fetch(federation, &link).await?;
        match fetched.object.get("type").and_then(Value::as_str) {
            Some("Video") => {
                let parsed = crate::protocol::parse::video::parse_video(
                    &fetched.object,
                    Some(fetched.final_url.as_str()),
                )
                .map_err(|error| refused(error.to_string()))?;
                let video_id = super::videos::store(federation, &parsed, true).await?;
                let video = kinora_db::videos::find_by_id(federation.db().pool(), video_id)
                    .await?
                    .ok_or_else(|| refused("the video vanished"))?;
                break Target {
                    video,
                    parent: None,
                };
            }
            Some("Note") => {
                let parent = parse_note(&fetched.object, Some(fetched.final_url.as_str()))?;
                if origin_of(&parent.attributed_to) != origin_of(&parent.id) {
                    return Err(refused("a Note's author must be on the Note's instance"));
                }
                link = parent.in_reply_to.clone();
                pending.push(parent);
            }
            other => return Err(refused(format!("a reply to a {other:?} is not a comment"))),
        }
    };
    let mut target = target;
    while let Some(parent) = pending.pop() {
        let author = crate::resolve::actor(federation, &parent.attributed_to, false).await?;
        let Some(account) =
            kinora_db::accounts::find_by_actor(federation.db().pool(), author.id).await?
        else {
            return Err(refused("a comment's author must be a Person"));
        };
        let db = federation.db();
        let mut tx = db.begin().await?;
        let comment = kinora_db::comments::insert_remote(
            &mut tx,
            &NewComment {
                video_id: target.video.id,
                account_id: account.id,
                thread_id: target.parent.as_ref().map(CommentRow::root_id),
                in_reply_to_id: target.parent.as_ref().map(|p| p.id),
                text: &parent.content,
                held_for_review: target.video.is_local()
                    && target.video.comments_policy == COMMENTS_POLICY_REQUIRES_APPROVAL,
            },
            parent.id.as_str(),
            parent.published,
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        target.parent = Some(comment);
    }
    Ok(target)
}

/// A video or comment this instance knows under `link` (ours, or remote and stored).
async fn known_target(federation: &Federation, link: &Url) -> Result<Option<Target>, ProcessError> {
    let pool = federation.db().pool();
    match federation.urls().parse(link.as_str()) {
        Some(LocalObject::Video(uuid)) => {
            let video = kinora_db::videos::find_by_uuid(pool, &uuid).await?;
            // Our URL of a remote video is not that video's id: only local videos count.
            Ok(video.filter(VideoRow::is_local).map(|video| Target {
                video,
                parent: None,
            }))
        }
        Some(LocalObject::Comment(uuid, id)) => {
            let Some(comment) = kinora_db::comments::find_by_id(pool, id).await? else {
                return Ok(None);
            };
            let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
                return Ok(None);
            };
            if video.uuid != uuid || comment.url.is_some() {
                return Err(refused("no such comment here"));
            }
            Ok(Some(Target {
                video,
                parent: Some(comment),
            }))
        }
        Some(_) => Err(refused("a reply must be to a video or a comment")),
        None if federation.urls().is_ours(link.as_str()) => {
            Err(refused("a reply to nothing of ours"))
        }
        None => {
            if let Some(video) = kinora_db::remote_videos::find_by_url(pool, link.as_str()).await? {
                return Ok(Some(Target {
                    video,
                    parent: None,
                }));
            }
            if let Some(comment) = kinora_db::comments::find_by_url(pool, link.as_str()).await?
                && let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await?
            {
                return Ok(Some(Target {
                    video,
                    parent: Some(comment),
                }));
            }
            Ok(None)
        }
    }
}
