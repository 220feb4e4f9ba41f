//! `Flag`: another instance reports our videos, comments or accounts — PeerTube's shape (one
//! object, or several, with `Hashtag` reasons and `startAt`/`endAt`) and Mastodon's (`object:
//! [account, status…]`, maybe without `content`, signed by its instance actor). And the answers
//! of remote moderators to our own Flags (`Accept`, `Reject` of the Flag's id).
//!
//! Authority: a Flag speaks for its signer, who becomes the reporter (an instance actor gets
//! an account for that). Only objects of this instance are reported here: objects of any other
//! host are left out, and a Flag naming none of ours is refused — nobody reports a third
//! host's objects through us. An answer to our Flag is believed only from the host of the
//! account it flagged. How many Flags one host may send is limited at the inbox
//! (`InboxLimits::admit_flag`).

use kinora_app::abuses::remote::{FlaggedObject, RemoteFlag};
use kinora_core::abuse::{AbuseState, reason_bit, reason_id};
use kinora_db::now_millis;
use serde_json::Value;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::inbox::route::http_url;
use crate::outbox::flags::parse_flag_id;
use crate::urls::{LocalObject, origin_of};

/// Most objects one Flag may name.
const MAX_OBJECTS: usize = 20;

/// True when an `Accept` or `Reject` answers one of our Flags (its object is a Flag, or the id
/// of one of our reports), not a Follow.
pub(super) fn answers_flag(federation: &Federation, incoming: &Incoming) -> bool {
    incoming.object_type() == Some("Flag")
        || incoming
            .object_id()
            .is_some_and(|id| parse_flag_id(federation.urls(), id.as_str()).is_some())
}

/// The URLs a Flag's `object` names (a string, an object with an `id`, or a list of them).
fn object_urls(incoming: &Incoming) -> Result<Vec<Url>, ProcessError> {
    let object = incoming
        .object()
        .ok_or_else(|| refused("the Flag has no object"))?;
    let items: Vec<&Value> = match object {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    if items.len() > MAX_OBJECTS {
        return Err(refused(format!(
            "a Flag may name at most {MAX_OBJECTS} objects"
        )));
    }
    Ok(items
        .into_iter()
        .filter_map(|item| http_url(Some(item.get("id").unwrap_or(item))))
        .collect())
}

/// The local object `url` names, if it is one of our videos, comments or accounts.
async fn local_object(
    federation: &Federation,
    url: &Url,
) -> Result<Option<FlaggedObject>, ProcessError> {
    let pool = federation.db().pool();
    Ok(match federation.urls().parse(url.as_str()) {
        Some(LocalObject::Video(uuid)) => kinora_db::videos::find_by_uuid(pool, &uuid)
            .await?
            .filter(kinora_db::videos::VideoRow::is_local)
            .map(|video| FlaggedObject::Video(Box::new(video))),
        Some(LocalObject::Comment(uuid, id)) => {
            let comment = kinora_db::comments::find_by_id(pool, id)
                .await?
                .filter(|comment| comment.url.is_none());
            let video = match &comment {
                Some(comment) => kinora_db::videos::find_by_id(pool, comment.video_id).await?,
                None => None,
            };
            comment
                .filter(|_| video.is_some_and(|video| video.uuid == uuid))
                .map(FlaggedObject::Comment)
        }
        Some(LocalObject::Account(name)) => kinora_db::accounts::find_local_by_name(pool, &name)
            .await?
            .map(FlaggedObject::Account),
        Some(LocalObject::Channel(_)) | None => None,
    })
}

/// The account of the Flag's signer: a Person's own, or one made for an instance actor
/// (Mastodon reports as its instance actor).
async fn reporter_account(federation: &Federation, signer: &Url) -> Result<i64, ProcessError> {
    let actor = crate::resolve::actor(federation, signer, false).await?;
    let db = federation.db();
    if let Some(account) = kinora_db::accounts::find_by_actor(db.pool(), actor.id).await? {
        return Ok(account.id);
    }
    if actor.kind != "Application" {
        return Err(refused("only accounts and instance actors report here"));
    }
    let mut tx = db.begin().await?;
    let id = kinora_db::accounts::upsert_remote(
        &mut tx,
        actor.id,
        &actor.preferred_username,
        None,
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Predefined reasons from the Flag's `Hashtag` tags (unknown names are left out).
fn predefined_reasons(activity: &Value) -> i64 {
    activity
        .get("tag")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tag| tag.get("name").and_then(Value::as_str))
        .filter_map(|name| reason_id(name.trim_start_matches('#')))
        .fold(0, |bits, id| bits | reason_bit(id))
}

/// A time in seconds (`startAt`, `endAt`), when it is a whole number of 0 or more.
fn seconds(activity: &Value, field: &str) -> Option<i64> {
    activity
        .get(field)
        .and_then(Value::as_i64)
        .filter(|seconds| *seconds >= 0)
}

/// A remote Flag of our objects: one pending report per object.
pub async fn flag(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a Flag must be signed by its actor"));
    }
    let mut objects = Vec::new();
    for url in object_urls(incoming)? {
        if !federation.urls().is_ours(url.as_str()) {
            continue;
        }
        if let Some(object) = local_object(federation, &url).await? {
            objects.push(object);
        }
    }
    if objects.is_empty() {
        return Err(refused(
            "the Flag names no video, comment or account of this instance",
        ));
    }
    let reporter_account_id = reporter_account(federation, &incoming.signer).await?;
    let reason = incoming
        .activity
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let report = RemoteFlag {
        reporter_account_id,
        flag_url: incoming.envelope.id.as_str(),
        reason,
        predefined_reasons: predefined_reasons(&incoming.activity),
        start_at: seconds(&incoming.activity, "startAt"),
        end_at: seconds(&incoming.activity, "endAt"),
        objects,
    };
    let ids = kinora_app::abuses::remote::report_from_remote(federation.db(), &report).await?;
    tracing::info!(flag = %incoming.envelope.id, reporter = %incoming.signer, reports = ids.len(), "flag received");
    Ok(())
}

/// A remote moderator accepted or rejected what one of our Flags reported: our report takes
/// that state.
pub async fn answered(
    federation: &Federation,
    incoming: &Incoming,
    state: AbuseState,
) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an answer must be signed by its actor"));
    }
    let id = incoming
        .object_id()
        .and_then(|id| parse_flag_id(federation.urls(), id.as_str()))
        .ok_or_else(|| refused("the answer names no Flag of ours"))?;
    let pool = federation.db().pool();
    let abuse = kinora_db::abuses::find_by_id(pool, id)
        .await?
        .ok_or_else(|| refused("no such report"))?;
    let flagged = match abuse.flagged_account_id {
        Some(account) => kinora_db::accounts::find_by_id(pool, account).await?,
        None => None,
    };
    let flagged_url = flagged
        .and_then(|account| account.url)
        .and_then(|url| Url::parse(&url).ok())
        .ok_or_else(|| refused("the report is not of a remote account's"))?;
    if abuse.flag_url.is_some() || origin_of(&flagged_url) != origin_of(&incoming.signer) {
        return Err(refused(
            "only the instance of what was reported may answer its Flag",
        ));
    }
    kinora_app::abuses::remote::answered_by_origin(federation.db(), id, state).await?;
    tracing::info!(report = id, state = state.label(), by = %incoming.signer, "flag answered");
    Ok(())
}
