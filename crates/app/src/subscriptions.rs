//! Subscriptions: a user following channels, local or on other instances.
//!
//! Channels are named by [`Handle`]s. Following a remote channel stores it (through
//! [`RemoteActors`]), records the subscription and a pending follow of the channel by the user's
//! account, and queues the `Follow`; the channel's instance answers with an `Accept`.

use kinora_core::federation::FederationEvent;
use kinora_db::channels::ChannelRow;
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::remote::{Handle, RemoteActors};
use crate::{AppError, AppResult};

/// The channel a handle names, if this instance knows it (a remote one only once fetched).
async fn find_channel(db: &Db, handle: Handle<'_>) -> AppResult<Option<ChannelRow>> {
    match handle.host {
        None => Ok(kinora_db::channels::find_local_by_name(db.pool(), handle.name).await?),
        Some(host) => {
            let Some(actor) =
                kinora_db::actors::find_remote_by_name(db.pool(), handle.name, host).await?
            else {
                return Ok(None);
            };
            Ok(kinora_db::channels::find_by_actor(db.pool(), actor.id).await?)
        }
    }
}

/// Subscribes `user` to the channel `handle` names; subscribing again changes nothing. A remote
/// channel is fetched when this instance does not know it yet, and followed.
pub async fn subscribe(
    db: &Db,
    remote: &dyn RemoteActors,
    user: &AuthenticatedUser,
    handle: Handle<'_>,
) -> AppResult<ChannelRow> {
    let channel = match handle.host {
        None => find_channel(db, handle).await?,
        Some(host) => {
            let actor = remote.resolve_handle(handle.name, host).await?;
            kinora_db::channels::find_by_actor(db.pool(), actor.id).await?
        }
    }
    .ok_or(AppError::NotFound("Video channel"))?;
    let account = crate::users::find_account(db, user).await?;
    let now = now_millis();
    let mut tx = db.begin().await?;
    kinora_db::subscriptions::insert(&mut tx, account.id, channel.id, now).await?;
    if channel.host.is_some() {
        let existing =
            kinora_db::follows::find(&mut *tx, account.actor_id, channel.actor_id).await?;
        if existing.is_none() {
            let follow = kinora_db::follows::upsert(
                &mut tx,
                account.actor_id,
                channel.actor_id,
                "pending",
                None,
                now,
            )
            .await?;
            crate::federation_events::queue(
                &mut tx,
                FederationEvent::FollowRequested {
                    follow_id: follow.id,
                },
            )
            .await?;
        }
    } else {
        // A local channel's owner is told of the new follower (once).
        kinora_db::notifications::on_follow(&mut tx, account.actor_id, channel.actor_id, now)
            .await?;
    }
    tx.commit().await?;
    Ok(channel)
}

/// The channel `handle` names and `user`'s account, or "Subscription not found" for an unknown
/// channel.
async fn channel_and_account(
    db: &Db,
    user: &AuthenticatedUser,
    handle: Handle<'_>,
) -> AppResult<(ChannelRow, kinora_db::accounts::AccountRow)> {
    let channel = find_channel(db, handle)
        .await?
        .ok_or(AppError::NotFound("Subscription"))?;
    let account = crate::users::find_account(db, user).await?;
    Ok((channel, account))
}

/// The channel `handle` names, if `user` follows it; else "Subscription not found".
pub async fn find(db: &Db, user: &AuthenticatedUser, handle: Handle<'_>) -> AppResult<ChannelRow> {
    let (channel, account) = channel_and_account(db, user, handle).await?;
    if !kinora_db::subscriptions::exists(db.pool(), account.id, channel.id).await? {
        return Err(AppError::NotFound("Subscription"));
    }
    Ok(channel)
}

/// Ends `user`'s subscription to the channel `handle` names (a remote one is unfollowed).
pub async fn unsubscribe(db: &Db, user: &AuthenticatedUser, handle: Handle<'_>) -> AppResult<()> {
    let (channel, account) = channel_and_account(db, user, handle).await?;
    let mut tx = db.begin().await?;
    if !kinora_db::subscriptions::delete(&mut *tx, account.id, channel.id).await? {
        return Err(AppError::NotFound("Subscription"));
    }
    if channel.host.is_some()
        && let Some(follow) =
            kinora_db::follows::delete(&mut tx, account.actor_id, channel.actor_id).await?
    {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::FollowUndone {
                follower_actor_id: account.actor_id,
                following_actor_id: channel.actor_id,
                follow_url: follow.url.unwrap_or_default(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// For each handle (none: not a handle), whether `user` follows the channel it names.
pub async fn which_subscribed(
    db: &Db,
    user: &AuthenticatedUser,
    handles: &[Option<Handle<'_>>],
) -> AppResult<Vec<bool>> {
    let account = crate::users::find_account(db, user).await?;
    let mut answers = Vec::with_capacity(handles.len());
    for handle in handles {
        let channel = match handle {
            Some(handle) => find_channel(db, *handle).await?,
            None => None,
        };
        answers.push(match channel {
            Some(channel) => {
                kinora_db::subscriptions::exists(db.pool(), account.id, channel.id).await?
            }
            None => false,
        });
    }
    Ok(answers)
}

/// The channels `user` follows, latest first: how many, and one page.
pub async fn list_channels(
    db: &Db,
    user: &AuthenticatedUser,
    page: (i64, i64),
    oldest_first: bool,
) -> AppResult<(i64, Vec<ChannelRow>)> {
    let account = crate::users::find_account(db, user).await?;
    let mut connection = db.pool().acquire().await?;
    Ok(
        kinora_db::subscriptions::list_channels(&mut connection, account.id, page, oldest_first)
            .await?,
    )
}
