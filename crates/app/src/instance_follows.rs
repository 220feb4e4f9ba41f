//! The administrator's side of federation: following other instances (PeerTube's
//! `/api/v1/server/following`), managing this instance's followers, and choosing whose videos
//! are mirrored here.
//!
//! The instance actor follows: another instance's actor (a whole instance), or a channel or
//! account by handle. Followers of local actors are accepted as they come; an administrator may
//! remove one (it is told with a `Reject`).

use kinora_core::federation::FederationEvent;
use kinora_db::actors::ActorRow;
use kinora_db::follows::{FollowEntry, Side};
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};
use kinora_storage::MediaStorage;

use crate::auth::AuthenticatedUser;
use crate::remote::{Handle, RemoteActors};
use crate::{AppError, AppResult};

async fn instance_actor(db: &Db) -> AppResult<ActorRow> {
    kinora_db::actors::find_local_by_name(db.pool(), crate::actors::INSTANCE_ACTOR_NAME)
        .await?
        .ok_or(AppError::NotFound("Instance actor"))
}

/// What the instance follows: a whole instance, or an actor by handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowTarget<'a> {
    /// `host[:port]` of an instance.
    Host(&'a str),
    /// A remote channel or account.
    Handle(Handle<'a>),
}

async fn resolve(remote: &dyn RemoteActors, target: FollowTarget<'_>) -> AppResult<ActorRow> {
    match target {
        FollowTarget::Host(host) => remote.resolve_instance(host).await,
        FollowTarget::Handle(Handle {
            name,
            host: Some(host),
        }) => remote.resolve_handle(name, host).await,
        FollowTarget::Handle(Handle { host: None, .. }) => Err(AppError::Invalid {
            field: "handles",
            message: "this instance cannot follow its own actors".to_owned(),
        }),
    }
}

/// The instance follows each target (fetched from its instance first); following again
/// changes nothing. Every target is resolved before anything is written. A target whose
/// instance cannot be reached now is not an error: its follow is queued and looked up again
/// later ([`FederationEvent::InstanceFollowQueued`]), as PeerTube does.
pub async fn follow(
    db: &Db,
    remote: &dyn RemoteActors,
    user: &AuthenticatedUser,
    targets: &[FollowTarget<'_>],
) -> AppResult<()> {
    user.ensure_admin("manage this instance's follows")?;
    let mut actors = Vec::with_capacity(targets.len());
    let mut unreachable = Vec::new();
    for target in targets {
        match resolve(remote, *target).await {
            Ok(actor) => actors.push(actor),
            Err(AppError::Remote(reason)) => {
                tracing::info!(?target, %reason, "follow queued until the instance answers");
                unreachable.push(queued_event(*target));
            }
            Err(error) => return Err(error),
        }
    }
    let ours = instance_actor(db).await?;
    let mut tx = db.begin().await?;
    follow_in(&mut tx, ours.id, &actors).await?;
    for event in unreachable.into_iter().flatten() {
        crate::federation_events::queue(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The event that looks `target` up again later.
fn queued_event(target: FollowTarget<'_>) -> Option<FederationEvent> {
    let (name, host) = match target {
        FollowTarget::Host(host) => (crate::actors::INSTANCE_ACTOR_NAME, host),
        FollowTarget::Handle(Handle {
            name,
            host: Some(host),
        }) => (name, host),
        FollowTarget::Handle(Handle { host: None, .. }) => return None,
    };
    Some(FederationEvent::InstanceFollowQueued {
        name: name.to_owned(),
        host: host.to_owned(),
    })
}

/// The instance follows `actors`, already resolved (a queued follow whose instance answered
/// at last); those it follows already are left as they are.
pub async fn follow_resolved(db: &Db, actors: &[ActorRow]) -> AppResult<()> {
    let ours = instance_actor(db).await?;
    let mut tx = db.begin().await?;
    follow_in(&mut tx, ours.id, actors).await?;
    tx.commit().await?;
    Ok(())
}

/// Pending follows of `actors` by the instance actor and their `FollowRequested` events, on
/// the caller's transaction.
async fn follow_in(
    tx: &mut kinora_db::Connection,
    ours: i64,
    actors: &[ActorRow],
) -> AppResult<()> {
    let now = now_millis();
    for actor in actors {
        if kinora_db::follows::find(&mut *tx, ours, actor.id)
            .await?
            .is_some()
        {
            continue;
        }
        let follow = kinora_db::follows::upsert(tx, ours, actor.id, "pending", None, now).await?;
        crate::federation_events::queue(
            tx,
            FederationEvent::FollowRequested {
                follow_id: follow.id,
            },
        )
        .await?;
    }
    Ok(())
}

/// The remote actor a target names, as stored (no fetch).
async fn find_known(db: &Db, target: FollowTarget<'_>) -> AppResult<Option<ActorRow>> {
    let pool = db.pool();
    Ok(match target {
        FollowTarget::Host(host) => {
            kinora_db::actors::find_remote_by_name(pool, crate::actors::INSTANCE_ACTOR_NAME, host)
                .await?
        }
        FollowTarget::Handle(Handle {
            name,
            host: Some(host),
        }) => kinora_db::actors::find_remote_by_name(pool, name, host).await?,
        FollowTarget::Handle(_) => None,
    })
}

/// The instance stops following a target (its instance is told with an `Undo`); an instance no
/// longer followed is no longer mirrored here (our copies of its videos go).
pub async fn unfollow(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    target: FollowTarget<'_>,
) -> AppResult<()> {
    user.ensure_admin("manage this instance's follows")?;
    let ours = instance_actor(db).await?;
    let actor = find_known(db, target)
        .await?
        .ok_or(AppError::NotFound("Follow"))?;
    let mut tx = db.begin().await?;
    let follow = kinora_db::follows::delete(&mut tx, ours.id, actor.id)
        .await?
        .ok_or(AppError::NotFound("Follow"))?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::FollowUndone {
            follower_actor_id: ours.id,
            following_actor_id: actor.id,
            follow_url: follow.url.unwrap_or_default(),
        },
    )
    .await?;
    tx.commit().await?;
    // An instance no longer followed is no longer mirrored.
    if let FollowTarget::Host(host) = target {
        kinora_db::deliveries::set_redundancy_allowed(db.pool(), host, false, now_millis()).await?;
        crate::mirrors::drop_local_mirrors_of_host(db, storage, host).await?;
    }
    Ok(())
}

/// A page of what the instance follows (`Side::Following`) or of who follows it
/// (`Side::Followers`), pending ones included, and the total.
pub async fn list(
    db: &Db,
    side: Side,
    start: i64,
    count: i64,
) -> AppResult<(ActorRow, Vec<FollowEntry>, i64)> {
    let ours = instance_actor(db).await?;
    let (entries, total) =
        kinora_db::follows::list(db.pool(), ours.id, side, true, start, count).await?;
    Ok((ours, entries, total))
}

/// Removes a follower of the instance actor (it is told with a `Reject`).
pub async fn remove_follower(
    db: &Db,
    user: &AuthenticatedUser,
    handle: Handle<'_>,
) -> AppResult<()> {
    user.ensure_admin("manage this instance's follows")?;
    let ours = instance_actor(db).await?;
    let actor = find_known(db, FollowTarget::Handle(handle))
        .await?
        .ok_or(AppError::NotFound("Follower"))?;
    let mut tx = db.begin().await?;
    let follow = kinora_db::follows::delete(&mut tx, actor.id, ours.id)
        .await?
        .ok_or(AppError::NotFound("Follower"))?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::FollowRejected {
            follower_actor_id: actor.id,
            following_actor_id: ours.id,
            follow_url: follow.url.unwrap_or_default(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets whether the videos of the instance at `host` are mirrored here; allowing it queues a
/// mirror of each of its videos already known (later ones are mirrored as they arrive);
/// disallowing it removes our copies ([`crate::mirrors::drop_local_mirrors_of_host`]).
pub async fn set_redundancy(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    host: &str,
    allowed: bool,
) -> AppResult<usize> {
    user.ensure_admin("manage this instance's follows")?;
    let known =
        kinora_db::actors::find_remote_by_name(db.pool(), crate::actors::INSTANCE_ACTOR_NAME, host)
            .await?;
    let ours = instance_actor(db).await?;
    let followed = match known {
        Some(actor) => kinora_db::follows::find(db.pool(), ours.id, actor.id)
            .await?
            .is_some(),
        None => false,
    };
    if !followed {
        return Err(AppError::NotFound("Followed instance"));
    }
    kinora_db::deliveries::set_redundancy_allowed(db.pool(), host, allowed, now_millis()).await?;
    if !allowed {
        crate::mirrors::drop_local_mirrors_of_host(db, storage, host).await?;
        return Ok(0);
    }
    let videos = kinora_db::remote_videos::list_ids_of_host(db.pool(), host).await?;
    let mut tx = db.begin().await?;
    for video_id in &videos {
        enqueue(
            &mut tx,
            &Job::MirrorVideo {
                video_id: *video_id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(videos.len())
}
