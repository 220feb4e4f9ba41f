//! PeerTube's `UserNotification` JSON: the notification, with what it is about in the field its
//! type uses (`video`, `comment`, `abuse`, `account`, `actorFollow`), each as PeerTube's
//! `VideoInfo` / `ActorInfo` summaries. A page reads its rows one notification at a time (a page
//! holds at most 100).

use kinora_core::video::VideoState;
use kinora_db::accounts::AccountRow;
use kinora_db::actors::ActorRow;
use kinora_db::notifications::NotificationRow;
use kinora_db::videos::VideoRow;
use serde_json::{Value, json};

use super::iso_date;
use crate::{ApiError, ApiState};

/// `ActorInfo` of an account or channel JSON (its id, names, host and avatars, and the first
/// avatar as PeerTube's older `avatar`).
fn actor_info(full: &Value) -> Value {
    let first = full["avatars"].get(0).cloned().unwrap_or(Value::Null);
    json!({
        "id": full["id"],
        "name": full["name"],
        "displayName": full["displayName"],
        "host": full["host"],
        "avatars": full["avatars"],
        "avatar": first,
    })
}

/// `ActorInfo` of an account.
async fn account_info(state: &ApiState, row: &AccountRow) -> Result<Value, ApiError> {
    Ok(actor_info(&super::account(state, row).await?))
}

/// `VideoInfo`, with its channel's `ActorInfo` when `with_channel` (a notification's own
/// `video`; those inside a comment or report have none).
async fn video_info(
    state: &ApiState,
    video: &VideoRow,
    with_channel: bool,
) -> Result<Value, ApiError> {
    let mut value = json!({
        "id": video.id,
        "uuid": video.uuid,
        "shortUUID": video.short_uuid,
        "name": video.name,
        "state": {
            "id": video.state,
            "label": VideoState::from_id(video.state).map(VideoState::label),
        },
    });
    if with_channel {
        let channel = kinora_db::channels::find_by_id(state.db.pool(), video.channel_id).await?;
        value["channel"] = match &channel {
            Some(channel) => actor_info(&super::channel(state, channel, None).await?),
            None => Value::Null,
        };
    }
    Ok(value)
}

async fn video_by_id(
    state: &ApiState,
    id: Option<i64>,
    with_channel: bool,
) -> Result<Option<Value>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    match kinora_db::videos::find_by_id(state.db.pool(), id).await? {
        Some(video) => Ok(Some(video_info(state, &video, with_channel).await?)),
        None => Ok(None),
    }
}

/// The `comment` object: id, thread, video and author.
async fn comment_of(state: &ApiState, id: Option<i64>) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let Some(comment) = (match id {
        Some(id) => kinora_db::comments::find_by_id(pool, id).await?,
        None => None,
    }) else {
        return Ok(Value::Null);
    };
    let author = match comment.account_id {
        Some(account) => kinora_db::accounts::find_by_id(pool, account).await?,
        None => None,
    };
    let author = match &author {
        Some(author) => account_info(state, author).await?,
        None => Value::Null,
    };
    Ok(json!({
        "id": comment.id,
        "threadId": comment.root_id(),
        "video": video_by_id(state, Some(comment.video_id), false).await?,
        "account": author,
        "heldForReview": comment.held_for_review != 0,
    }))
}

/// The `abuse` object: id, state, and the video, comment or account reported.
async fn abuse_of(state: &ApiState, id: Option<i64>) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let Some(abuse) = (match id {
        Some(id) => kinora_db::abuses::find_by_id(pool, id).await?,
        None => None,
    }) else {
        return Ok(Value::Null);
    };
    let flagged = match abuse.flagged_account_id {
        Some(account) => kinora_db::accounts::find_by_id(pool, account).await?,
        None => None,
    };
    let flagged = match &flagged {
        Some(account) => account_info(state, account).await?,
        None => Value::Null,
    };
    Ok(json!({
        "id": abuse.id,
        "state": abuse.state,
        "video": video_by_id(state, abuse.video_id, false).await?,
        "comment": comment_of(state, abuse.comment_id).await?,
        "account": flagged,
    }))
}

/// What an actor of a follow is: `account`, `channel` or `instance`, and its JSON.
async fn follow_side(
    state: &ApiState,
    actor: &ActorRow,
) -> Result<(&'static str, Value), ApiError> {
    let pool = state.db.pool();
    if let Some(channel) = kinora_db::channels::find_by_actor(pool, actor.id).await? {
        return Ok((
            "channel",
            actor_info(&super::channel(state, &channel, None).await?),
        ));
    }
    if let Some(account) = kinora_db::accounts::find_by_actor(pool, actor.id).await? {
        return Ok(("account", account_info(state, &account).await?));
    }
    let host = actor
        .host
        .clone()
        .unwrap_or_else(|| state.host().to_owned());
    Ok((
        "instance",
        json!({ "id": actor.id, "name": actor.preferred_username, "displayName": host, "host": host, "avatars": [], "avatar": null }),
    ))
}

/// The `actorFollow` object.
async fn follow_of(
    state: &ApiState,
    follower: Option<i64>,
    following: Option<i64>,
) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let (Some(follower), Some(following)) = (follower, following) else {
        return Ok(Value::Null);
    };
    let (Some(follower), Some(following)) = (
        kinora_db::actors::find_by_id(pool, follower).await?,
        kinora_db::actors::find_by_id(pool, following).await?,
    ) else {
        return Ok(Value::Null);
    };
    let link = kinora_db::follows::find(pool, follower.id, following.id).await?;
    let (_, follower_json) = follow_side(state, &follower).await?;
    let (kind, following_json) = follow_side(state, &following).await?;
    Ok(json!({
        "id": link.as_ref().map(|link| link.id),
        "state": link.as_ref().map_or("accepted", |link| link.state.as_str()),
        "follower": follower_json,
        "following": {
            "type": kind,
            "name": following_json["name"],
            "displayName": following_json["displayName"],
            "host": following_json["host"],
        },
    }))
}

/// The notifications of one page.
pub async fn notifications(
    state: &ApiState,
    rows: &[NotificationRow],
) -> Result<Vec<Value>, ApiError> {
    let pool = state.db.pool();
    let mut data = Vec::with_capacity(rows.len());
    for row in rows {
        let account = match row.account_id {
            Some(id) => kinora_db::accounts::find_by_id(pool, id).await?,
            None => None,
        };
        let account_json = match &account {
            Some(account) => account_info(state, account).await?,
            None => Value::Null,
        };
        let registration = match (&account, row.kind) {
            (Some(account), 20) => json!({ "id": account.user_id, "username": account.name }),
            _ => Value::Null,
        };
        // PeerTube names the video of a block `videoBlacklist.video`, every other `video`.
        let video = video_by_id(state, row.video_id, true).await?;
        let (video, blacklist) = if row.kind == 4 {
            // `VideoInfo` there has no channel.
            let video = video.map(|mut video| {
                if let Some(fields) = video.as_object_mut() {
                    fields.remove("channel");
                }
                json!({ "id": row.video_id, "video": video })
            });
            (None, video)
        } else {
            (video, None)
        };
        data.push(json!({
            "id": row.id,
            "type": row.kind,
            "read": row.read != 0,
            "video": video,
            "videoBlacklist": blacklist,
            "comment": comment_of(state, row.comment_id).await?,
            "abuse": abuse_of(state, row.abuse_id).await?,
            "account": account_json,
            "registration": registration,
            "actorFollow": follow_of(state, row.follower_actor_id, row.following_actor_id).await?,
            "videoImport": null,
            "plugin": null,
            "peertube": null,
            "data": {},
            "createdAt": iso_date(row.created_at),
            "updatedAt": iso_date(row.updated_at),
        }));
    }
    Ok(data)
}
