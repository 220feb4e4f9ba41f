//! Plans for comments: ours to the video's audience or origin, and remote ones passed on.

use super::*;
use crate::protocol::reply_approval;
/// The inboxes that hear of a comment on `video`: for ours, its followers; for a remote one, its
/// origin (channel and account), which passes it on; plus the author of the comment replied to
/// when that is someone else, elsewhere.
pub(super) async fn comment_inboxes(
    federation: &Federation,
    video: &VideoRow,
    parent_id: Option<i64>,
) -> Result<Vec<String>, FanOutError> {
    let pool = federation.db().pool();
    let mut inboxes = Vec::new();
    if let Some((account, channel)) = owners(federation, video).await? {
        if video.is_local() {
            inboxes = follower_inboxes(federation, &[account.id, channel.id]).await?;
        } else {
            for owner in [&channel, &account] {
                if let Some(inbox) = owner.delivery_inbox() {
                    inboxes.push(inbox.to_owned());
                }
            }
        }
    }
    if let Some(parent_id) = parent_id
        && let Some(parent) = kinora_db::comments::find_by_id(pool, parent_id).await?
        && let Some(author) = parent.account_id
        && let Some(author) = kinora_db::accounts::find_by_id(pool, author).await?
        && let Some(author) = actor(federation, author.actor_id).await?
        && let Some(inbox) = author.delivery_inbox()
    {
        inboxes.push(inbox.to_owned());
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

pub(super) async fn comment_created(
    federation: &Federation,
    comment_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(comment) = kinora_db::comments::find_by_id(pool, comment_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
        return Ok(Plan::default());
    };
    // A local video's comments go out only while followers have the video, and once approved
    // when held for review.
    if video.is_local() && (video.federated == 0 || comment.is_held()) {
        return Ok(Plan::default());
    }
    let Some(author) = comment.account_id else {
        return Ok(Plan::default());
    };
    let Some(author) = kinora_db::accounts::find_by_id(pool, author).await? else {
        return Ok(Plan::default());
    };
    let Some(object) =
        loader::comment_object_of(federation.db(), federation.urls(), &video, &comment).await?
    else {
        return Ok(Plan::default());
    };
    let author_url = federation.urls().account(&author.name);
    let followers = crate::protocol::actors::followers_url(&author_url);
    let audience = Audience::of_video(video.privacy, &followers).unwrap_or_default();
    // Held on a remote video: only its origin, which holds it too, hears of it.
    let parent_id = comment.in_reply_to_id.filter(|_| !comment.is_held());
    let inboxes = comment_inboxes(federation, &video, parent_id).await?;
    let body = activities::create(&object, &author_url, &audience, ContextType::Comment);
    Ok(Plan {
        outgoing: vec![Outgoing::new(
            body,
            Some(author.actor_id),
            audience.is_public(),
            inboxes,
        )],
        effects: Vec::new(),
    })
}

pub(super) async fn comment_deleted(
    federation: &Federation,
    comment_id: i64,
    author_actor_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(comment) = kinora_db::comments::find_by_id(pool, comment_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
        return Ok(Plan::default());
    };
    if video.is_local() && video.federated == 0 {
        return Ok(Plan::default());
    }
    let (author_url, signer) = actor_url_or_instance(federation, author_actor_id).await?;
    let inboxes = comment_inboxes(federation, &video, comment.in_reply_to_id).await?;
    let url = federation.urls().comment(&video.uuid, comment.id);
    let body = activities::delete(&url, &author_url, None);
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, signer, false, inboxes)],
        effects: Vec::new(),
    })
}

/// Passes a remote actor's activity about one of our videos on to the video's followers, as
/// received (receivers fetch its object from its origin; the other instances' own copies are
/// not sent back to where it came from).
pub(super) async fn forward(
    federation: &Federation,
    inbox_activity_id: i64,
    video_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(row) = kinora_db::inbox::find(pool, inbox_activity_id).await? else {
        return Ok(Plan::default());
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, video_id).await? else {
        return Ok(Plan::default());
    };
    if !video.is_local() || video.federated == 0 {
        return Ok(Plan::default());
    }
    let Some((account, channel)) = owners(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let from = url::Url::parse(&row.signer_url)
        .ok()
        .and_then(|u| host_and_port(&u));
    let inboxes: Vec<String> = follower_inboxes(federation, &[account.id, channel.id])
        .await?
        .into_iter()
        .filter(|inbox| url::Url::parse(inbox).ok().and_then(|u| host_and_port(&u)) != from)
        .collect();
    let mut body: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
    if body.is_null() {
        return Ok(Plan::default());
    }
    // Stored under its own key (the original id belongs to its author's instance).
    let original = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut outgoing = Outgoing::new(Value::Null, None, false, inboxes);
    body["id"] = json!(original);
    outgoing.body = body;
    Ok(Plan {
        outgoing: vec![outgoing],
        effects: Vec::new(),
    })
}

/// A comment held for review on one of our videos was approved: ours goes out as a new comment
/// does; a remote one's author gets `ApproveReply` from the video's owner, at their own inbox,
/// and the video's other followers get the comment forwarded.
pub(super) async fn comment_approved(
    federation: &Federation,
    comment_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(comment) = kinora_db::comments::find_by_id(pool, comment_id).await? else {
        return Ok(Plan::default());
    };
    if comment.deleted_at.is_some() || comment.is_held() {
        return Ok(Plan::default());
    }
    let Some(comment_url) = comment.url.clone() else {
        return comment_created(federation, comment_id).await;
    };
    let Some(video) = kinora_db::videos::find_by_id(pool, comment.video_id).await? else {
        return Ok(Plan::default());
    };
    if !video.is_local() {
        return Ok(Plan::default());
    }
    let Some((owner, _channel)) = owners(federation, &video).await? else {
        return Ok(Plan::default());
    };
    let Some(author) = comment.account_id else {
        return Ok(Plan::default());
    };
    let Some(author) = kinora_db::accounts::find_by_id(pool, author).await? else {
        return Ok(Plan::default());
    };
    let Some(author) = actor(federation, author.actor_id).await? else {
        return Ok(Plan::default());
    };
    let Some(inbox) = author
        .inbox_url
        .clone()
        .or_else(|| author.delivery_inbox().map(str::to_owned))
    else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let in_reply_to = match comment.in_reply_to_id {
        Some(parent_id) => match kinora_db::comments::find_by_id(pool, parent_id).await? {
            Some(parent) => loader::comment_id(urls, &video, &parent),
            None => loader::video_id(urls, &video),
        },
        None => loader::video_id(urls, &video),
    };
    let id = reply_approval::approve_reply_id(urls.base(), &video.uuid, comment.id);
    let body = reply_approval::approve_reply(&id, &urls.actor(&owner), &comment_url, &in_reply_to);
    let mut outgoing = vec![Outgoing::new(body, Some(owner.id), false, vec![inbox])];
    if let Some(forwarded) =
        approved_comment_forward(federation, &video, &author, &comment_url).await?
    {
        outgoing.push(forwarded);
    }
    Ok(Plan {
        outgoing,
        effects: Vec::new(),
    })
}

/// The approved remote comment, passed on to the video's followers as a forwarded `Create`
/// (by reference: receivers fetch the Note, now carrying its `replyApproval`, from its origin),
/// as a comment that was never held is forwarded on arrival. Its author's instance, which has
/// it, is left out; nothing when the video is not federated or no follower remains.
async fn approved_comment_forward(
    federation: &Federation,
    video: &VideoRow,
    author: &ActorRow,
    comment_url: &str,
) -> Result<Option<Outgoing>, FanOutError> {
    if video.federated == 0 {
        return Ok(None);
    }
    let Some((account, channel)) = owners(federation, video).await? else {
        return Ok(None);
    };
    let Some(author_url) = author.url.as_deref() else {
        return Ok(None);
    };
    let origin = url::Url::parse(comment_url)
        .ok()
        .and_then(|u| host_and_port(&u));
    let inboxes: Vec<String> = follower_inboxes(federation, &[account.id, channel.id])
        .await?
        .into_iter()
        .filter(|inbox| url::Url::parse(inbox).ok().and_then(|u| host_and_port(&u)) != origin)
        .collect();
    if inboxes.is_empty() {
        return Ok(None);
    }
    let followers = crate::protocol::actors::followers_url(author_url);
    let Some(audience) = Audience::of_video(video.privacy, &followers) else {
        return Ok(None);
    };
    let reference = json!({ "type": "Note", "id": comment_url });
    let body = activities::create(&reference, author_url, &audience, ContextType::Comment);
    Ok(Some(Outgoing::new(body, None, false, inboxes)))
}
