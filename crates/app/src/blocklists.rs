//! Mutes ("blocklists"): a user hides accounts and servers from what they see; moderators hide
//! them from the whole instance, which also removes their follows here in the same transaction
//! (the inbox then refuses them and the delivery worker sends them nothing).
//!
//! Answers follow PeerTube: muting oneself or one's own server is a 409, as is a mute already
//! there; unmuting what is not muted is a 404.

use kinora_db::blocklists::MuteOwner;
use kinora_db::{Db, DbError, now_millis};

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Whose mutes a request changes: the caller's own, or (staff only) the instance's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteScope {
    /// The caller's (`/api/v1/users/me/blocklist/…`).
    Mine,
    /// The instance's (`/api/v1/server/blocklist/…`).
    Instance,
}

/// The account of `user`; every user has one.
async fn account_id_of(db: &Db, user: &AuthenticatedUser) -> AppResult<i64> {
    kinora_db::accounts::find_by_user(db.pool(), user.user_id)
        .await?
        .map(|account| account.id)
        .ok_or(AppError::NotFound("Account"))
}

/// The owner of the mutes `user` changes in `scope`, and the account recorded as having made
/// the change. The instance's mutes are for administrators and moderators only (403).
pub async fn owner_for(
    db: &Db,
    user: &AuthenticatedUser,
    scope: MuteScope,
) -> AppResult<(MuteOwner, i64)> {
    if scope == MuteScope::Instance && !user.is_staff() {
        return Err(AppError::Forbidden(
            "Only administrators and moderators manage the server's blocklist.".to_owned(),
        ));
    }
    let account = account_id_of(db, user).await?;
    let owner = match scope {
        MuteScope::Mine => MuteOwner::Account(account),
        MuteScope::Instance => MuteOwner::Instance,
    };
    Ok((owner, account))
}

/// The viewer's account id for filtering what they see, 0 for an anonymous viewer (who sees
/// only the instance's mutes applied).
pub async fn viewer_account_id(db: &Db, viewer: Option<&AuthenticatedUser>) -> AppResult<i64> {
    Ok(match viewer {
        Some(user) => kinora_db::accounts::find_by_user(db.pool(), user.user_id)
            .await?
            .map_or(0, |account| account.id),
        None => 0,
    })
}

/// A conflict of the unique indexes: the mute is already there.
fn already(error: DbError, what: &str) -> AppError {
    match error {
        DbError::Conflict(_) => AppError::Conflict(format!("{what} is already muted.")),
        other => AppError::Db(other),
    }
}

/// Mutes the account `target_account_id` in `scope`.
pub async fn mute_account(
    db: &Db,
    user: &AuthenticatedUser,
    scope: MuteScope,
    target_account_id: i64,
) -> AppResult<()> {
    let (owner, by_account) = owner_for(db, user, scope).await?;
    if target_account_id == by_account {
        return Err(AppError::Conflict("You cannot block yourself.".to_owned()));
    }
    let mut tx = db.begin().await?;
    kinora_db::blocklists::insert_account(
        &mut tx,
        owner,
        by_account,
        target_account_id,
        now_millis(),
    )
    .await
    .map_err(|error| already(error, "This account"))?;
    if owner == MuteOwner::Instance {
        kinora_db::blocklists::remove_follows_by_account(&mut tx, target_account_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Unmutes the account `target_account_id` in `scope`; 404 when it was not muted.
pub async fn unmute_account(
    db: &Db,
    user: &AuthenticatedUser,
    scope: MuteScope,
    target_account_id: i64,
) -> AppResult<()> {
    let (owner, _) = owner_for(db, user, scope).await?;
    if !kinora_db::blocklists::delete_account(db.pool(), owner, target_account_id).await? {
        return Err(AppError::NotFound("Account block entry"));
    }
    Ok(())
}

/// Reads a host as sent (`host` field or path segment): 400 unless it is one.
pub fn parse_host(field: &'static str, text: &str) -> AppResult<String> {
    kinora_core::names::normalize_host(text).ok_or_else(|| AppError::Invalid {
        field,
        message: format!("{text:?} is not a valid host"),
    })
}

/// Mutes the server `host` (already checked by [`parse_host`]) in `scope`; `our_host` (this
/// instance) cannot be muted.
pub async fn mute_server(
    db: &Db,
    user: &AuthenticatedUser,
    scope: MuteScope,
    host: &str,
    our_host: &str,
) -> AppResult<()> {
    let (owner, by_account) = owner_for(db, user, scope).await?;
    if host.eq_ignore_ascii_case(our_host) {
        return Err(AppError::Conflict(
            "You cannot block your own server.".to_owned(),
        ));
    }
    let now = now_millis();
    let mut tx = db.begin().await?;
    kinora_db::blocklists::insert_server(&mut tx, owner, by_account, host, now)
        .await
        .map_err(|error| already(error, "This server"))?;
    if owner == MuteOwner::Instance {
        kinora_db::blocklists::remove_follows_by_host(&mut tx, host).await?;
        kinora_db::blocklists::drop_deliveries_to_host(&mut *tx, host, "host muted", now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Unmutes the server `host` in `scope`; 404 when it was not muted.
pub async fn unmute_server(
    db: &Db,
    user: &AuthenticatedUser,
    scope: MuteScope,
    host: &str,
) -> AppResult<()> {
    let (owner, _) = owner_for(db, user, scope).await?;
    if !kinora_db::blocklists::delete_server(db.pool(), owner, host).await? {
        return Err(AppError::NotFound("Server block entry"));
    }
    Ok(())
}
