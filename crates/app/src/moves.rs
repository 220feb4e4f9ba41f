//! Moving accounts and channels between instances (issue 17), Mastodon's way (FEP-7628).
//!
//! The new actor first lists the old one among its aliases (`alsoKnownAs`, [`add_alias`]);
//! the old one then moves ([`move_actor`]): it shows `movedTo`, sends `Move` to its followers
//! and the relays, and every follower on this instance is carried to the new actor at once.
//! [`follow_moved_actor`] is what the inbox runs when a remote actor's `Move` is accepted: the
//! local followers of the old actor follow the new one and stop following the old one (in
//! place, when the new actor is ours).

use kinora_core::federation::FederationEvent;
use kinora_core::urls::local_actor_url;
use kinora_db::actors::ActorRow;
use kinora_db::{Connection, Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::remote::{Handle, RemoteActors};
use crate::{AppError, AppResult};

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A moved actor cannot move again for 30 days (Mastodon's `COOLDOWN_PERIOD`).
pub const MOVE_COOLDOWN_MILLIS: i64 = 30 * DAY_MILLIS;

/// A receiver acts on one `Move` per actor per 7 days (Mastodon's `PROCESSING_COOLDOWN`).
pub const RECEIVED_MOVE_LOCK_MILLIS: i64 = 7 * DAY_MILLIS;

/// Whose aliases, or who moves: one of the caller's channels, or the caller's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover<'a> {
    /// The local channel of this name (its owner or an administrator may act for it).
    Channel(&'a str),
    /// The caller's own account.
    Account,
}

/// What a move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveDone {
    /// The ActivityPub id of the actor that moved.
    pub actor_url: String,
    /// The ActivityPub id of the actor it moved to.
    pub target_url: String,
    /// How many followers on this instance now follow the new actor.
    pub local_followers_moved: usize,
}

/// The ActivityPub id of any actor: stored for a remote one, derived for a local one.
pub fn actor_url(public_url: &str, actor: &ActorRow) -> String {
    actor
        .url
        .clone()
        .unwrap_or_else(|| local_actor_url(public_url, &actor.kind, &actor.preferred_username))
}

/// The actor `mover` names, checked to be the caller's to manage.
async fn find_mover(db: &Db, user: &AuthenticatedUser, mover: Mover<'_>) -> AppResult<ActorRow> {
    let actor_id = match mover {
        Mover::Channel(name) => {
            crate::channels::find_managed(db, user, name)
                .await?
                .actor_id
        }
        Mover::Account => crate::users::find_account(db, user).await?.actor_id,
    };
    kinora_db::actors::find_by_id(db.pool(), actor_id)
        .await?
        .ok_or(AppError::NotFound("Actor"))
}

/// What a kind of actor is called, for messages.
fn kind_name(kind: &str) -> &'static str {
    match kind {
        "Group" => "a channel",
        "Person" => "an account",
        _ => "an application",
    }
}

/// What a kind of actor is called, in the plural.
fn kind_plural(kind: &str) -> &'static str {
    match kind {
        "Group" => "channels",
        "Person" => "accounts",
        _ => "applications",
    }
}

/// Refuses, naming `field`, an `other` actor (an alias, a move's target) that is `actor`
/// itself (saying `itself`) or of another kind: a channel goes with channels, an account with
/// accounts.
fn check_pair(
    actor: &ActorRow,
    other: &ActorRow,
    field: &'static str,
    itself: &str,
) -> AppResult<()> {
    if other.id == actor.id {
        return Err(AppError::Invalid {
            field,
            message: itself.to_owned(),
        });
    }
    if other.kind != actor.kind {
        return Err(AppError::Invalid {
            field,
            message: format!(
                "names {}: {} goes with {} only",
                kind_name(&other.kind),
                kind_name(&actor.kind),
                kind_plural(&actor.kind)
            ),
        });
    }
    Ok(())
}

/// The actor a user names with `name@host`, a local `name`, or an actor URL. A remote one is
/// fetched again from its origin when `fresh` (its aliases must be as they are now).
async fn find_named(
    db: &Db,
    remote: &dyn RemoteActors,
    public_url: &str,
    text: &str,
    field: &'static str,
    fresh: bool,
) -> AppResult<ActorRow> {
    let text = text.trim();
    let base = public_url.trim_end_matches('/');
    let our_host = kinora_core::urls::host_of(base);
    let local_name = |name: &str| -> AppResult<String> {
        if name.is_empty() || name.contains('/') {
            return Err(AppError::Invalid {
                field,
                message: format!("{text:?} names no account or channel"),
            });
        }
        Ok(name.to_owned())
    };
    let name = if text.starts_with("http://") || text.starts_with("https://") {
        match text.strip_prefix(base) {
            Some(path) => {
                let name = path
                    .strip_prefix("/video-channels/")
                    .or_else(|| path.strip_prefix("/accounts/"))
                    .or_else(|| path.strip_prefix("/c/"))
                    .or_else(|| path.strip_prefix("/a/"))
                    .unwrap_or("");
                local_name(name.trim_end_matches('/'))?
            }
            None if fresh => return remote.refresh_actor_url(text).await,
            None => return remote.resolve_actor_url(text).await,
        }
    } else {
        let handle = Handle::parse(text, our_host).ok_or_else(|| AppError::Invalid {
            field,
            message: format!("{text:?} is no handle (name@host) or actor URL"),
        })?;
        match handle.host {
            None => local_name(handle.name)?,
            Some(host) if fresh => return remote.refresh_handle(handle.name, host).await,
            Some(host) => return remote.resolve_handle(handle.name, host).await,
        }
    };
    kinora_db::actors::find_local_by_name(db.pool(), &name)
        .await?
        .filter(|actor| actor.kind != "Application")
        .ok_or(AppError::NotFound("Account or channel"))
}

/// The aliases (`alsoKnownAs`) of the caller's channel or account.
pub async fn list_aliases(
    db: &Db,
    user: &AuthenticatedUser,
    mover: Mover<'_>,
) -> AppResult<Vec<String>> {
    let actor = find_mover(db, user, mover).await?;
    let mut connection = db.pool().acquire().await?;
    Ok(kinora_db::actor_aliases::list(&mut connection, actor.id).await?)
}

/// Adds `uri` (`name@host`, a local name or an actor URL) to the aliases of the caller's
/// channel or account: the actor that will move here. A channel's alias is a channel, an
/// account's an account. Answers the aliases now; the followers are sent an Update.
pub async fn add_alias(
    db: &Db,
    remote: &dyn RemoteActors,
    public_url: &str,
    user: &AuthenticatedUser,
    mover: Mover<'_>,
    uri: &str,
) -> AppResult<Vec<String>> {
    let actor = find_mover(db, user, mover).await?;
    let alias = find_named(db, remote, public_url, uri, "uri", false).await?;
    check_pair(&actor, &alias, "uri", "an actor cannot be its own alias")?;
    let alias_url = actor_url(public_url, &alias);
    let mut tx = db.begin().await?;
    let mut aliases = kinora_db::actor_aliases::list(&mut tx, actor.id).await?;
    if aliases.contains(&alias_url) {
        return Ok(aliases);
    }
    if aliases.len() >= kinora_db::actor_aliases::MAX_ALIASES {
        return Err(AppError::Invalid {
            field: "uri",
            message: format!(
                "at most {} aliases: remove one first",
                kinora_db::actor_aliases::MAX_ALIASES
            ),
        });
    }
    kinora_db::actor_aliases::add(&mut tx, actor.id, &alias_url, now_millis()).await?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::ActorUpdated { actor_id: actor.id },
    )
    .await?;
    tx.commit().await?;
    aliases.push(alias_url);
    Ok(aliases)
}

/// Removes an alias, named by its URL as listed or by a handle this instance knows. Answers the
/// aliases left, or "Alias not found".
pub async fn remove_alias(
    db: &Db,
    public_url: &str,
    user: &AuthenticatedUser,
    mover: Mover<'_>,
    uri: &str,
) -> AppResult<Vec<String>> {
    let actor = find_mover(db, user, mover).await?;
    let uri = uri.trim();
    let mut tx = db.begin().await?;
    let aliases = kinora_db::actor_aliases::list(&mut tx, actor.id).await?;
    let listed = match aliases.iter().find(|alias| alias.as_str() == uri) {
        Some(alias) => Some(alias.clone()),
        None => {
            let our_host = kinora_core::urls::host_of(public_url);
            match Handle::parse(uri, our_host) {
                Some(Handle {
                    name,
                    host: Some(host),
                }) => kinora_db::actors::find_remote_by_name(&mut *tx, name, host)
                    .await?
                    .and_then(|actor| actor.url),
                Some(Handle { name, host: None }) => {
                    kinora_db::actors::find_local_by_name(&mut *tx, name)
                        .await?
                        .map(|actor| actor_url(public_url, &actor))
                }
                None => None,
            }
            .filter(|url| aliases.contains(url))
        }
    };
    let Some(alias_url) = listed else {
        return Err(AppError::NotFound("Alias"));
    };
    kinora_db::actor_aliases::remove(&mut tx, actor.id, &alias_url).await?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::ActorUpdated { actor_id: actor.id },
    )
    .await?;
    tx.commit().await?;
    Ok(aliases
        .into_iter()
        .filter(|alias| *alias != alias_url)
        .collect())
}

/// Checks the caller's current password: a move cannot be undone, so a token alone does not
/// make one.
pub async fn check_current_password(
    db: &Db,
    user: &AuthenticatedUser,
    password: &str,
) -> AppResult<()> {
    let stored = kinora_db::users::find_by_id(db.pool(), user.user_id)
        .await?
        .ok_or(AppError::InvalidToken)?;
    crate::passwords::check_current_password(password, &stored.password_hash)
}

/// Moves the caller's channel or account to `target` (`name@host`, a local name or an actor
/// URL), which must list it among its aliases, be of its kind and not have moved itself. The
/// actor shows `movedTo` from now on, its followers and the relays are sent a `Move`, and its
/// followers here follow the target at once. A moved actor cannot move again for 30 days.
pub async fn move_actor(
    db: &Db,
    remote: &dyn RemoteActors,
    public_url: &str,
    user: &AuthenticatedUser,
    mover: Mover<'_>,
    target: &str,
) -> AppResult<MoveDone> {
    let actor = find_mover(db, user, mover).await?;
    let now = now_millis();
    let old_url = actor_url(public_url, &actor);
    if let Some(moved_at) = actor.moved_at
        && now - moved_at < MOVE_COOLDOWN_MILLIS
    {
        let remaining = u64::try_from(moved_at + MOVE_COOLDOWN_MILLIS - now).unwrap_or(0);
        let days = remaining.div_ceil(DAY_MILLIS.unsigned_abs());
        return Err(AppError::Conflict(format!(
            "{old_url} moved less than 30 days ago: it may move again in {days} days"
        )));
    }
    let target = find_named(db, remote, public_url, target, "target", true).await?;
    let target_url = actor_url(public_url, &target);
    check_pair(&actor, &target, "target", "an actor cannot move to itself")?;
    if let Some(further) = &target.moved_to_url {
        return Err(AppError::Conflict(format!(
            "{target_url} has moved itself, to {further}: move there instead"
        )));
    }
    let mut tx = db.begin().await?;
    let target_aliases = kinora_db::actor_aliases::list(&mut tx, target.id).await?;
    if !target_aliases.contains(&old_url) {
        return Err(AppError::Invalid {
            field: "target",
            message: format!(
                "{target_url} does not list {old_url} among its aliases (alsoKnownAs): \
                 add it there first"
            ),
        });
    }
    kinora_db::actors::mark_moved(&mut tx, actor.id, &target_url, now).await?;
    let local_followers_moved = carry_followers(&mut tx, &actor, &target, now).await?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::ActorMoved {
            actor_id: actor.id,
            target_url: target_url.clone(),
            moved_at: now,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(actor = %old_url, target = %target_url, local_followers_moved, "actor moved");
    Ok(MoveDone {
        actor_url: old_url,
        target_url,
        local_followers_moved,
    })
}

/// A remote actor's `Move` to `new` (checked by the inbox) is accepted: the old actor is marked
/// moved and its followers here follow the new one. Answers how many were carried.
pub async fn follow_moved_actor(
    db: &Db,
    old: &ActorRow,
    new: &ActorRow,
    new_url: &str,
) -> AppResult<usize> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    kinora_db::actors::mark_moved(&mut tx, old.id, new_url, now).await?;
    let carried = carry_followers(&mut tx, old, new, now).await?;
    tx.commit().await?;
    Ok(carried)
}

/// Carries every follower on this instance of `old` to `new`: follows of a remote `old` are
/// undone (an `Undo{Follow}` each), subscriptions move to the new channel, and each follower
/// follows a remote `new` (a `Follow` each) or is simply subscribed to a local one (its owner
/// is told). Answers how many followers were carried.
async fn carry_followers(
    tx: &mut Connection,
    old: &ActorRow,
    new: &ActorRow,
    now: i64,
) -> AppResult<usize> {
    let mut carried: Vec<i64> = Vec::new();
    if old.host.is_some() {
        for follow in kinora_db::follows::local_followers_of(&mut *tx, old.id).await? {
            kinora_db::follows::delete(tx, follow.follower_id, old.id).await?;
            crate::federation_events::queue(
                tx,
                FederationEvent::FollowUndone {
                    follower_actor_id: follow.follower_id,
                    following_actor_id: old.id,
                    follow_url: follow.url.unwrap_or_default(),
                },
            )
            .await?;
            carried.push(follow.follower_id);
        }
    }
    let old_channel = kinora_db::channels::find_by_actor(&mut *tx, old.id).await?;
    let new_channel = kinora_db::channels::find_by_actor(&mut *tx, new.id).await?;
    if let (Some(old_channel), Some(new_channel)) = (old_channel, new_channel) {
        for account_id in
            kinora_db::subscriptions::move_all(tx, old_channel.id, new_channel.id).await?
        {
            if let Some(account) = kinora_db::accounts::find_by_id(&mut *tx, account_id).await? {
                carried.push(account.actor_id);
            }
        }
    }
    carried.sort_unstable();
    carried.dedup();
    for follower_id in &carried {
        if new.host.is_some() {
            if kinora_db::follows::find(&mut *tx, *follower_id, new.id)
                .await?
                .is_none()
            {
                let follow =
                    kinora_db::follows::upsert(tx, *follower_id, new.id, "pending", None, now)
                        .await?;
                crate::federation_events::queue(
                    tx,
                    FederationEvent::FollowRequested {
                        follow_id: follow.id,
                    },
                )
                .await?;
            }
        } else {
            kinora_db::notifications::on_follow(tx, *follower_id, new.id, now).await?;
        }
    }
    Ok(carried.len())
}
