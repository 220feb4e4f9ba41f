//! Banning, letting back in and deleting users, by PeerTube's rules: administrators manage
//! everyone, moderators plain users only; staff never ban or delete themselves (a user deletes
//! their own account through [`delete_own_account`]), and `root` is never banned or deleted.
//!
//! A banned user cannot log in (the password grant refuses them) and their tokens stop working
//! (revoked here, and [`crate::auth::authenticate`] refuses a banned user's token anyway); their
//! videos are hidden from everyone but staff (`kinora_db::video_blacklist::UNMODERATED`). A
//! deleted user's account, channels, videos and comments go, their files too, and other
//! instances are told the account and channel actors are gone.

use kinora_core::UserRole;
use kinora_core::federation::FederationEvent;
use kinora_db::users::UserRow;
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult, MediaStorage};

/// Shortest ban reason PeerTube accepts.
pub const MIN_REASON_CHARS: usize = 3;
/// Longest ban reason PeerTube accepts.
pub const MAX_REASON_CHARS: usize = 250;

/// The user `target_id`, once `staff` may manage them: staff only, the user exists, is not
/// `staff` themselves nor `root`, and a moderator manages plain users only.
pub async fn find_manageable(
    db: &Db,
    staff: &AuthenticatedUser,
    target_id: i64,
    action: &str,
) -> AppResult<UserRow> {
    if !staff.is_staff() {
        return Err(AppError::Forbidden(
            "User does not have the right to manage users.".to_owned(),
        ));
    }
    let target = kinora_db::users::find_by_id(db.pool(), target_id)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    if target.id == staff.user_id {
        return Err(AppError::Unsupported {
            code: "cannot_moderate_self",
            message: format!("You cannot {action} yourself."),
        });
    }
    if target.username == "root" {
        return Err(AppError::Unsupported {
            code: "cannot_moderate_root",
            message: format!("Cannot {action} the root user"),
        });
    }
    let target_role = UserRole::from_id(target.role);
    if staff.role == UserRole::Moderator && target_role != Some(UserRole::User) {
        return Err(AppError::Forbidden(
            "A moderator can only manage users.".to_owned(),
        ));
    }
    Ok(target)
}

/// Checks a ban reason's length (PeerTube: 3 to 250 characters).
pub fn validate_reason(reason: Option<&str>) -> AppResult<()> {
    if let Some(reason) = reason {
        let chars = reason.chars().count();
        if !(MIN_REASON_CHARS..=MAX_REASON_CHARS).contains(&chars) {
            return Err(AppError::Invalid {
                field: "reason",
                message: format!(
                    "must be {MIN_REASON_CHARS} to {MAX_REASON_CHARS} characters long"
                ),
            });
        }
    }
    Ok(())
}

/// Bans a user: they can no longer log in, every token of theirs is revoked, and their videos
/// are hidden.
pub async fn ban_user(
    db: &Db,
    staff: &AuthenticatedUser,
    target_id: i64,
    reason: Option<&str>,
) -> AppResult<()> {
    validate_reason(reason)?;
    let target = find_manageable(db, staff, target_id, "block").await?;
    let now = now_millis();
    let mut tx = db.begin().await?;
    kinora_db::users::set_blocked(&mut tx, target.id, true, reason, now).await?;
    kinora_db::tokens::revoke_all_of_user(&mut *tx, target.id, now).await?;
    tx.commit().await?;
    tracing::info!(user = %target.username, by = %staff.username, "user banned");
    Ok(())
}

/// Lets a banned user back in (their videos show again).
pub async fn unban_user(db: &Db, staff: &AuthenticatedUser, target_id: i64) -> AppResult<()> {
    let target = find_manageable(db, staff, target_id, "unblock").await?;
    let mut tx = db.begin().await?;
    kinora_db::users::set_blocked(&mut tx, target.id, false, None, now_millis()).await?;
    tx.commit().await?;
    tracing::info!(user = %target.username, by = %staff.username, "user unbanned");
    Ok(())
}

/// Most videos of one user deleted with them.
const MAX_VIDEOS_OF_USER: i64 = 1_000_000;

/// Deletes a local user with their account, channels, videos (and files) and comments; the
/// remote followers of the account and of each channel get a `Delete` of the actor.
pub async fn delete_user(
    db: &Db,
    storage: &MediaStorage,
    staff: &AuthenticatedUser,
    target_id: i64,
) -> AppResult<()> {
    let target = find_manageable(db, staff, target_id, "delete").await?;
    tracing::info!(user = %target.username, by = %staff.username, "deleting a user");
    delete_user_and_everything(db, storage, &target).await
}

/// Deletes the caller's own user (PeerTube's `DELETE /api/v1/users/me`), as
/// [`delete_user`] does; `root` cannot delete itself.
pub async fn delete_own_account(
    db: &Db,
    storage: &MediaStorage,
    caller: &AuthenticatedUser,
) -> AppResult<()> {
    let user = kinora_db::users::find_by_id(db.pool(), caller.user_id)
        .await?
        .ok_or(AppError::InvalidToken)?;
    if user.username == "root" {
        return Err(AppError::Unsupported {
            code: "cannot_delete_root",
            message: "The root user cannot delete itself.".to_owned(),
        });
    }
    delete_user_and_everything(db, storage, &user).await
}

/// The deletion itself, of a user already checked.
pub(crate) async fn delete_user_and_everything(
    db: &Db,
    storage: &MediaStorage,
    target: &UserRow,
) -> AppResult<()> {
    let pool = db.pool();
    let account = kinora_db::accounts::find_by_user(pool, target.id).await?;
    let mut videos = Vec::new();
    let mut events = Vec::new();
    let mut actors = Vec::new();
    if let Some(account) = &account {
        let channels = kinora_db::channels::list_by_account(pool, account.id).await?;
        let filter = kinora_db::video_lists::VideoFilter {
            account_id: Some(account.id),
            include_hidden: true,
            ..Default::default()
        };
        let page = kinora_db::video_lists::VideoPage {
            order: kinora_db::video_lists::VideoOrder::CreatedAt,
            descending: false,
            start: 0,
            count: MAX_VIDEOS_OF_USER,
        };
        for video in kinora_db::video_lists::page(pool, &filter, page).await? {
            let files = kinora_db::videos::list_files(pool, video.id).await?;
            videos.push((video, files));
        }
        let mut named = vec![("Person", account.actor_id, account.name.clone())];
        named.extend(
            channels
                .iter()
                .map(|channel| ("Group", channel.actor_id, channel.name.clone())),
        );
        for (kind, actor_id, name) in named {
            let inboxes = kinora_db::follows::remote_follower_inboxes(pool, &[actor_id]).await?;
            if !inboxes.is_empty() {
                events.push(FederationEvent::ActorDeleted {
                    actor_kind: kind.to_owned(),
                    actor_name: name,
                    inboxes,
                });
            }
            actors.push(actor_id);
        }
    }
    let mut tx = db.begin().await?;
    for event in events {
        crate::federation_events::queue(&mut tx, event).await?;
    }
    // Channels before the account: deleting an actor deletes its channel or account row, and
    // with them (by foreign keys) videos, comments, ratings and subscriptions.
    for actor_id in actors.iter().rev() {
        kinora_db::actors::delete(&mut tx, *actor_id).await?;
    }
    kinora_db::users::delete(&mut tx, target.id).await?;
    tx.commit().await?;
    for (video, files) in &videos {
        if let Err(error) = crate::media::delete_stored_files(storage, video).await {
            tracing::warn!(video = %video.uuid, %error, "files of a deleted user's video stay");
        }
        if let Err(error) = crate::media::delete_file_torrents(storage, files).await {
            tracing::warn!(video = %video.uuid, %error, "torrents of a deleted user's video stay");
        }
    }
    tracing::info!(user = %target.username, videos = videos.len(), "user deleted");
    Ok(())
}
