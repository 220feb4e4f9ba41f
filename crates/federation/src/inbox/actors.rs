//! Update of actors, and Delete of anything (actors, videos, comments, mirrors).
//!
//! An actor updates only itself, and its new document is fetched from its origin (the body is
//! not believed; an actor cannot move to another id — ID-05). A Delete is obeyed only from the
//! object's owner: the actor itself (or its instance's actor), a video's account, channel or
//! instance actor, a comment's author; a forwarded Delete only once the origin confirms the
//! object is gone.

use kinora_db::now_millis;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::http_client::ClientError;
use crate::resolve::ResolveError;
use crate::urls::{INSTANCE_ACTOR, origin_of};

/// Whether `signer` is the instance actor of `object`'s origin.
fn is_instance_actor_of(signer: &Url, object: &Url) -> bool {
    origin_of(object)
        .is_some_and(|origin| signer.as_str() == format!("{origin}/accounts/{INSTANCE_ACTOR}"))
}

/// Update of an actor: its document is fetched again from its origin.
pub async fn updated(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    let object = incoming
        .object_id()
        .ok_or_else(|| refused("the Update has no object"))?;
    if !incoming.signed_by_actor() || object != incoming.signer {
        return Err(refused("an actor may only update itself"));
    }
    crate::resolve::actor(federation, &object, true).await?;
    Ok(())
}

/// Whether the object's origin says it is gone (404 or 410).
async fn gone_at_origin(federation: &Federation, object: &Url) -> Result<bool, ProcessError> {
    match crate::resolve::fetch(federation, object).await {
        Ok(fetched) => Ok(fetched
            .object
            .get("type")
            .and_then(serde_json::Value::as_str)
            == Some("Tombstone")),
        Err(ResolveError::Client(ClientError::Status(404 | 410))) => Ok(true),
        Err(error) => Err(error.into()),
    }
}

/// Delete: what the object is decides who may delete it.
pub async fn deleted_or(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    let object = incoming
        .object_id()
        .ok_or_else(|| refused("the Delete has no object"))?;
    if federation.urls().is_ours(object.as_str()) {
        return Err(refused("a remote Delete of our object"));
    }
    let signer = &incoming.signer;
    // A forward is only believed when the origin says the object is gone.
    let confirmed = if incoming.signed_by_actor() {
        false
    } else if gone_at_origin(federation, &object).await? {
        true
    } else {
        return Err(refused("a forwarded Delete of an object that still exists"));
    };
    let pool = federation.db().pool();
    if let Some(actor) = kinora_db::actors::find_by_url(pool, object.as_str()).await? {
        if !(confirmed || &object == signer || is_instance_actor_of(signer, &object)) {
            return Err(refused("only an actor or its instance may delete it"));
        }
        crate::mirror::forget_mirrors_of_actor(federation, actor.id).await?;
        let db = federation.db();
        let images = kinora_db::actor_images::list_for_actor(pool, actor.id).await?;
        let mut tx = db.begin().await?;
        kinora_db::actors::delete(&mut tx, actor.id).await?;
        tx.commit().await?;
        kinora_app::actor_images::delete_files(federation.storage(), &images).await;
        tracing::info!(actor = %object, "remote actor deleted");
        return Ok(());
    }
    if let Some(video) = kinora_db::remote_videos::find_by_url(pool, object.as_str()).await? {
        if !confirmed {
            super::videos::ensure_owner(federation, signer, video.channel_id, &object).await?;
        }
        crate::mirror::forget_mirrors(federation, video.id).await?;
        kinora_db::videos::delete(pool, video.id).await?;
        tracing::info!(video = %object, "remote video deleted");
        return Ok(());
    }
    if super::playlists::deleted(federation, incoming, &object, confirmed).await? {
        return Ok(());
    }
    if let Some(comment) = kinora_db::comments::find_by_url(pool, object.as_str()).await? {
        if !confirmed {
            let author = match comment.account_id {
                Some(account_id) => {
                    match kinora_db::accounts::find_by_id(pool, account_id).await? {
                        Some(account) => account.url,
                        None => None,
                    }
                }
                None => None,
            };
            if author.as_deref() != Some(signer.as_str()) && !is_instance_actor_of(signer, &object)
            {
                return Err(refused("only its author may delete a comment"));
            }
        }
        let db = federation.db();
        let mut tx = db.begin().await?;
        kinora_db::comments::mark_deleted(&mut tx, comment.id, now_millis()).await?;
        tx.commit().await?;
        return Ok(());
    }
    if let Some(mirror) = kinora_db::redundancies::find_by_url(pool, object.as_str()).await? {
        return super::redundancy::drop_remote_mirror(federation, signer, mirror).await;
    }
    // Something never stored here (Mastodon deletes every post everywhere): nothing to do.
    Ok(())
}
