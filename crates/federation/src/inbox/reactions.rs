//! Like, Dislike, their Undo, and View: what remote accounts do with our videos.

use kinora_app::ratings::Rating;
use kinora_db::videos::VideoRow;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::inbox::route::http_url;
use crate::urls::LocalObject;

/// The local video an activity's object names.
async fn local_video(
    federation: &Federation,
    object: Option<url::Url>,
) -> Result<VideoRow, ProcessError> {
    let object = object.ok_or_else(|| refused("the activity has no object"))?;
    let Some(LocalObject::Video(uuid)) = federation.urls().parse(object.as_str()) else {
        return Err(refused("only our own videos are rated and viewed here"));
    };
    kinora_db::videos::find_by_uuid(federation.db().pool(), &uuid)
        .await?
        .filter(VideoRow::is_local)
        .ok_or_else(|| refused("no such video"))
}

/// The account of the actor that signed (a Person).
async fn signer_account(federation: &Federation, incoming: &Incoming) -> Result<i64, ProcessError> {
    let actor = crate::resolve::actor(federation, &incoming.signer, false).await?;
    kinora_db::accounts::find_by_actor(federation.db().pool(), actor.id)
        .await?
        .map(|account| account.id)
        .ok_or_else(|| refused("only accounts rate videos"))
}

/// A Like or Dislike of one of our videos.
pub async fn rate(
    federation: &Federation,
    incoming: &Incoming,
    kind: &str,
) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a rating must be signed by its actor"));
    }
    let video = local_video(federation, incoming.object_id()).await?;
    let account = signer_account(federation, incoming).await?;
    let rating = if kind == "like" {
        Rating::Like
    } else {
        Rating::Dislike
    };
    kinora_app::ratings::rate_as_remote(federation.db(), account, &video, rating).await?;
    Ok(())
}

/// Undo of a Like or Dislike.
pub async fn undo_rating(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an Undo must be signed by its actor"));
    }
    let undone = incoming.object().ok_or_else(|| refused("nothing undone"))?;
    let actor = undone
        .get("actor")
        .and_then(|a| http_url(Some(a.get("id").unwrap_or(a))));
    if actor.as_ref() != Some(&incoming.signer) {
        return Err(refused("only its actor may undo a rating"));
    }
    let object = undone
        .get("object")
        .and_then(|o| http_url(Some(o.get("id").unwrap_or(o))));
    // Only the rating undone goes: a Like that replaced it may have arrived first.
    let undone_rating = match undone.get("type").and_then(serde_json::Value::as_str) {
        Some("Like") => Rating::Like,
        Some("Dislike") => Rating::Dislike,
        _ => return Err(refused("only a Like or a Dislike is undone here")),
    };
    let video = local_video(federation, object).await?;
    let account = signer_account(federation, incoming).await?;
    kinora_app::ratings::undo_as_remote(federation.db(), account, &video, undone_rating).await?;
    Ok(())
}

/// A View of one of our videos, counted once by the activity's id.
pub async fn view(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a View must be signed by its actor"));
    }
    let video = local_video(federation, incoming.object_id()).await?;
    kinora_app::views::record_remote_view(federation.db(), &video, incoming.envelope.id.as_str())
        .await?;
    Ok(())
}
