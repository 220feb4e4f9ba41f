//! Follow, Accept, Reject and Undo{Follow}.

use kinora_core::federation::FederationEvent;
use kinora_db::actors::ActorRow;
use kinora_db::now_millis;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::inbox::route::http_url;
use crate::urls::LocalObject;

/// The local actor (account, channel or the instance actor) a URL of ours names.
pub(crate) async fn local_actor(
    federation: &Federation,
    url: &Url,
) -> Result<Option<ActorRow>, ProcessError> {
    let name = match federation.urls().parse(url.as_str()) {
        Some(LocalObject::Account(name) | LocalObject::Channel(name)) => name,
        _ => return Ok(None),
    };
    let actor = kinora_db::actors::find_local_by_name(federation.db().pool(), &name).await?;
    // `/accounts/<name>` names a Person or the Application; `/video-channels/<name>` a Group.
    let path_fits = |actor: &ActorRow| federation.urls().actor(actor) == url.as_str();
    Ok(actor.filter(path_fits))
}

/// A remote actor asks to follow one of ours: stored as accepted, and answered with an Accept.
pub async fn follow(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a Follow must be signed by its actor"));
    }
    let target = incoming
        .object_id()
        .ok_or_else(|| refused("the Follow has no object"))?;
    let Some(local) = local_actor(federation, &target).await? else {
        return Err(refused(format!("{target} is no actor of this instance")));
    };
    let follower = crate::resolve::actor(federation, &incoming.signer, false).await?;
    let db = federation.db();
    let mut tx = db.begin().await?;
    let follow = kinora_db::follows::upsert(
        &mut tx,
        follower.id,
        local.id,
        "accepted",
        Some(incoming.envelope.id.as_str()),
        now_millis(),
    )
    .await?;
    kinora_app::federation_events::queue(
        &mut tx,
        FederationEvent::FollowAccepted {
            follow_id: follow.id,
        },
    )
    .await?;
    // The followed account's or channel's owner is told; of the instance, its administrators.
    let now = now_millis();
    if local.id == federation.instance_actor_id() {
        let about = kinora_db::notifications::About {
            follower_actor_id: Some(follower.id),
            following_actor_id: Some(local.id),
            ..Default::default()
        };
        let kind = kinora_core::notifications::NotificationKind::NewInstanceFollower;
        kinora_db::notifications::notify_staff(&mut tx, kind, &about, false, now).await?;
    } else {
        kinora_db::notifications::on_follow(&mut tx, follower.id, local.id, now).await?;
    }
    tx.commit().await?;
    tracing::info!(follower = %incoming.signer, following = %target, "followed");
    Ok(())
}

/// Which of our follows an Accept or Reject answers: (our follower, the remote actor).
async fn answered_follow(
    federation: &Federation,
    incoming: &Incoming,
) -> Result<(ActorRow, ActorRow), ProcessError> {
    let object = incoming
        .object()
        .ok_or_else(|| refused("the answer has no object"))?;
    // The Follow, embedded (its actor is ours) or by id (one of our activities).
    let ours = match object
        .get("actor")
        .and_then(|a| http_url(Some(a.get("id").unwrap_or(a))))
    {
        Some(actor) => local_actor(federation, &actor).await?,
        None => {
            let id = http_url(Some(object.get("id").unwrap_or(object)))
                .ok_or_else(|| refused("the answer names no Follow"))?;
            match kinora_db::outbox::find_by_url(federation.db().pool(), id.as_str()).await? {
                Some(activity) if activity.kind == "Follow" => match activity.actor_id {
                    Some(actor_id) => {
                        kinora_db::actors::find_by_id(federation.db().pool(), actor_id).await?
                    }
                    None => None,
                },
                _ => None,
            }
        }
    }
    .ok_or_else(|| refused("the answered Follow is not ours"))?;
    if let Some(followed) = object.get("object").and_then(|o| http_url(Some(o)))
        && followed != incoming.signer
    {
        return Err(refused("only the followed actor may answer a Follow"));
    }
    let remote = crate::resolve::actor(federation, &incoming.signer, false).await?;
    Ok((ours, remote))
}

/// The remote actor accepted our follow: from now on we get its activities; its outbox is read
/// for what it published before.
pub async fn accepted(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an Accept must be signed by its actor"));
    }
    let (ours, remote) = answered_follow(federation, incoming).await?;
    let db = federation.db();
    let mut tx = db.begin().await?;
    if !kinora_db::follows::accept(&mut tx, ours.id, remote.id, now_millis()).await? {
        return Err(refused("no follow of this actor is pending"));
    }
    kinora_jobs::enqueue(
        &mut tx,
        &kinora_jobs::Job::FetchOutbox {
            actor_id: remote.id,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(follower = %federation.urls().actor(&ours), following = %incoming.signer, "follow accepted");
    Ok(())
}

/// The remote actor refused our follow (or dropped us): the follow and any subscription go.
pub async fn rejected(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a Reject must be signed by its actor"));
    }
    let (ours, remote) = answered_follow(federation, incoming).await?;
    drop_follow(federation, &ours, &remote).await
}

/// Deletes a follow of `remote` by `ours`, and the subscription it carried.
async fn drop_follow(
    federation: &Federation,
    ours: &ActorRow,
    remote: &ActorRow,
) -> Result<(), ProcessError> {
    let pool = federation.db().pool();
    let account = kinora_db::accounts::find_by_actor(pool, ours.id).await?;
    let channel = kinora_db::channels::find_by_actor(pool, remote.id).await?;
    let db = federation.db();
    let mut tx = db.begin().await?;
    kinora_db::follows::delete(&mut tx, ours.id, remote.id).await?;
    if let (Some(account), Some(channel)) = (account, channel) {
        kinora_db::subscriptions::delete(&mut *tx, account.id, channel.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A remote actor stops following one of ours.
pub async fn undone(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an Undo must be signed by its actor"));
    }
    let follow = incoming.object().ok_or_else(|| refused("no Follow"))?;
    let follower = follow
        .get("actor")
        .and_then(|a| http_url(Some(a.get("id").unwrap_or(a))));
    if follower.as_ref() != Some(&incoming.signer) {
        return Err(refused("only the follower may undo a follow"));
    }
    let target = follow
        .get("object")
        .and_then(|o| http_url(Some(o.get("id").unwrap_or(o))))
        .ok_or_else(|| refused("the undone Follow has no object"))?;
    let Some(local) = local_actor(federation, &target).await? else {
        return Err(refused("the undone Follow is not of one of our actors"));
    };
    let Some(remote) =
        kinora_db::actors::find_by_url(federation.db().pool(), incoming.signer.as_str()).await?
    else {
        return Ok(());
    };
    // An Undo of an earlier Follow (followed again since, under a new id) leaves the follow.
    let undone_id = follow.get("id").and_then(serde_json::Value::as_str);
    let db = federation.db();
    let mut tx = db.begin().await?;
    let current = kinora_db::follows::find(&mut *tx, remote.id, local.id).await?;
    if let (Some(current), Some(undone_id)) =
        (current.as_ref().and_then(|f| f.url.as_deref()), undone_id)
        && current != undone_id
    {
        tracing::info!(follower = %incoming.signer, undone = undone_id, "Undo of an earlier Follow left alone");
        return Ok(());
    }
    kinora_db::follows::delete(&mut tx, remote.id, local.id).await?;
    tx.commit().await?;
    Ok(())
}
