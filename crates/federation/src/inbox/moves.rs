//! Move: a remote actor that moved to another (issue 17, as Mastodon's
//! `ActivityPub::Activity::Move` and `MoveWorker`).
//!
//! Only the actor itself may move itself (`actor` = `object` = the signer). The target is
//! fetched again from its origin (or is one of ours) and must list the old actor in its
//! `alsoKnownAs`, be of its kind and not have moved itself (no loops). One Move per actor is
//! acted on per 7 days. Then every follower here of the old actor follows the new one and stops
//! following the old one; the old actor is kept, marked as moved.

use kinora_db::now_millis;
use url::Url;

use super::follows::local_actor;
use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::inbox::route::http_url;

/// A remote actor's Move, checked, and acted on.
pub async fn moved(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a Move must be signed by the actor that moves"));
    }
    let object = incoming
        .object_id()
        .ok_or_else(|| refused("the Move has no object"))?;
    if object != incoming.signer {
        return Err(refused("an actor may only move itself"));
    }
    let target = http_url(incoming.activity.get("target"))
        .ok_or_else(|| refused("the Move has no target"))?;
    if target == object {
        return Err(refused("an actor cannot move to itself"));
    }
    let pool = federation.db().pool();
    let Some(old) = kinora_db::actors::find_by_url(pool, object.as_str()).await? else {
        // Nobody here knows the actor, so nobody here follows it.
        return Ok(());
    };
    if let Some(moved_at) = old.moved_at
        && now_millis() - moved_at < kinora_app::moves::RECEIVED_MOVE_LOCK_MILLIS
    {
        return Err(refused(format!(
            "{object} already moved in the last 7 days: one move per actor per 7 days"
        )));
    }
    let new = target_actor(federation, &target).await?;
    if new.kind != old.kind {
        return Err(refused(format!(
            "{object} is a {}, {target} a {}: an actor moves to one of its kind",
            old.kind, new.kind
        )));
    }
    if let Some(further) = &new.moved_to_url {
        return Err(refused(format!(
            "{target} has moved itself (to {further}): a Move to it is not followed"
        )));
    }
    let mut connection = pool.acquire().await?;
    let aliases = kinora_db::actor_aliases::list(&mut connection, new.id).await?;
    drop(connection);
    if !aliases.iter().any(|alias| alias == object.as_str()) {
        return Err(refused(format!(
            "{target} does not list {object} in its alsoKnownAs"
        )));
    }
    let carried =
        kinora_app::moves::follow_moved_actor(federation.db(), &old, &new, target.as_str()).await?;
    tracing::info!(actor = %object, target = %target, followers_carried = carried,
                   "remote actor moved");
    Ok(())
}

/// The target of a Move: one of our actors, or a remote one fetched again from its origin (its
/// aliases must be what it says now).
async fn target_actor(
    federation: &Federation,
    target: &Url,
) -> Result<kinora_db::actors::ActorRow, ProcessError> {
    if federation.urls().is_ours(target.as_str()) {
        return local_actor(federation, target)
            .await?
            .filter(|actor| actor.kind != "Application")
            .ok_or_else(|| refused(format!("{target} is no account or channel of ours")));
    }
    Ok(crate::resolve::actor(federation, target, true).await?)
}
