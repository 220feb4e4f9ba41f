//! Relay subscriptions (FEP-ae0c), for administrators: adding a relay stores it `pending` and
//! queues our Follow (the instance actor's, sent by the federation layer); the relay's
//! `Accept` or `Reject` sets its state; removing it queues the `Undo`. What a URL names (a
//! Mastodon-style relay inbox, or a LitePub relay actor) and whether its address may be
//! reached is decided by the federation layer through [`RemoteActors::probe_relay`].

use kinora_core::federation::FederationEvent;
use kinora_db::relays::{NewRelay, RelayRow};
use kinora_db::{Db, DbError, now_millis};

use crate::auth::AuthenticatedUser;
use crate::remote::RemoteActors;
use crate::{AppError, AppResult};

/// The public audience, which a Mastodon-style relay subscription follows.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Longest relay URL taken.
const MAX_URL_LENGTH: usize = 2048;

/// Subscribes to the relay at `url` (its inbox for a Mastodon-style relay, its actor for a
/// LitePub one): checked and probed first, stored `pending`, and our Follow queued in the same
/// transaction. A relay already there is a conflict.
pub async fn add(
    db: &Db,
    remote: &dyn RemoteActors,
    user: &AuthenticatedUser,
    url: &str,
) -> AppResult<RelayRow> {
    user.ensure_admin("manage this instance's relays")?;
    let url = url.trim();
    if url.is_empty() || url.len() > MAX_URL_LENGTH {
        return Err(AppError::Invalid {
            field: "url",
            message: format!("a relay URL has 1 to {MAX_URL_LENGTH} characters"),
        });
    }
    let target = remote.probe_relay(url).await?;
    if kinora_db::relays::find_by_url(db.pool(), &target.url)
        .await?
        .is_some()
    {
        return Err(already_there(&target.url));
    }
    let mut tx = db.begin().await?;
    let id = kinora_db::relays::insert(
        &mut tx,
        &NewRelay {
            url: &target.url,
            style: target.style.as_str(),
            inbox_url: &target.inbox_url,
            actor_url: target.actor_url.as_deref(),
            follow_url: &target.follow_url,
        },
        now_millis(),
    )
    .await
    .map_err(|error| match error {
        DbError::Conflict(_) => already_there(&target.url),
        other => other.into(),
    })?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::RelayFollowRequested { relay_id: id },
    )
    .await?;
    tx.commit().await?;
    kinora_db::relays::find_by_id(db.pool(), id)
        .await?
        .ok_or(AppError::NotFound("Relay"))
}

fn already_there(url: &str) -> AppError {
    AppError::Conflict(format!("The relay {url} is already subscribed to."))
}

/// Unsubscribes from the relay `id`: it is deleted (its announces are no longer taken in) and
/// gets the `Undo` of our Follow; a LitePub relay's follow of the instance actor goes too.
pub async fn remove(db: &Db, user: &AuthenticatedUser, id: i64) -> AppResult<()> {
    user.ensure_admin("manage this instance's relays")?;
    let instance =
        kinora_db::actors::find_local_by_name(db.pool(), crate::actors::INSTANCE_ACTOR_NAME)
            .await?
            .ok_or(AppError::NotFound("Instance actor"))?;
    let mut tx = db.begin().await?;
    let relay = kinora_db::relays::delete(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("Relay"))?;
    let followed = match (relay.style.as_str(), relay.actor_url.as_deref()) {
        ("litepub", Some(actor)) => actor.to_owned(),
        _ => PUBLIC.to_owned(),
    };
    if let Some(actor_url) = relay.actor_url.as_deref()
        && let Some(actor) = kinora_db::actors::find_by_url(&mut *tx, actor_url).await?
    {
        kinora_db::follows::delete(&mut tx, actor.id, instance.id).await?;
    }
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::RelayUndone {
            inbox_url: relay.inbox_url,
            followed,
            follow_url: relay.follow_url,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One page of the relays (oldest first) and their total.
pub async fn list(
    db: &Db,
    user: &AuthenticatedUser,
    start: i64,
    count: i64,
) -> AppResult<(Vec<RelayRow>, i64)> {
    user.ensure_admin("manage this instance's relays")?;
    Ok(kinora_db::relays::list(db.pool(), start, count).await?)
}
