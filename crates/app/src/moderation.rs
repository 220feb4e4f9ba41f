//! Video blocks (PeerTube's "blacklist"): staff hide a video from everyone but its owner and
//! staff, optionally telling other instances to forget it (`unfederate`), change the reason, and
//! unblock it; new uploads may be blocked automatically until reviewed (`[moderation]`).
//!
//! What a block hides is decided by [`crate::visibility::can_view`] (and the list queries'
//! `kinora_db::video_blacklist::UNMODERATED`); whether a blocked video is federated, by
//! [`crate::visibility::can_federate`]. Blocking or unblocking an unfederated local video queues
//! a `VideoChanged` event in the same transaction: the federation layer then sends `Delete`
//! (it is no longer federable) or `Create` (it is again).

use kinora_core::UserRole;
use kinora_core::federation::FederationEvent;
use kinora_db::video_blacklist::{BlockKind, BlockRow, NewBlock};
use kinora_db::videos::VideoRow;
use kinora_db::{Connection, Db, DbError, now_millis};

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult, ModerationConfig};

/// Shortest reason PeerTube accepts.
pub const MIN_REASON_CHARS: usize = 2;
/// Longest reason PeerTube accepts.
pub const MAX_REASON_CHARS: usize = 300;
/// The reason of an automatic block (PeerTube's words).
pub const AUTO_BLOCK_REASON: &str = "Automatically blocked. Moderator review is required.";

/// What staff ask when blocking a video.
#[derive(Debug, Clone, Default)]
pub struct BlockRequest {
    /// Why (2–300 characters), or none.
    pub reason: Option<String>,
    /// Tell other instances to forget the video (local videos only).
    pub unfederate: bool,
}

/// Refuses (`Forbidden`) a user who is not staff: only they manage video blocks.
pub fn ensure_staff(user: &AuthenticatedUser) -> AppResult<()> {
    if user.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "User does not have the right to manage video blocks.".to_owned(),
        ))
    }
}

/// Checks a reason's length (PeerTube: 2 to 300 characters).
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

/// Blocks `video` (staff only). A video already blocked is a conflict; `unfederate` on a remote
/// video is refused (PeerTube: 409), and on a local one has its followers told to forget it.
pub async fn block_video(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    request: &BlockRequest,
) -> AppResult<()> {
    ensure_staff(user)?;
    validate_reason(request.reason.as_deref())?;
    if request.unfederate && !video.is_local() {
        return Err(AppError::Conflict(
            "You cannot unfederate a remote video.".to_owned(),
        ));
    }
    let mut tx = db.begin().await?;
    insert_block(
        &mut tx,
        &NewBlock {
            video_id: video.id,
            reason: request.reason.as_deref(),
            unfederated: request.unfederate,
            kind: BlockKind::Manual,
        },
    )
    .await?;
    if request.unfederate {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::VideoChanged { video_id: video.id },
        )
        .await?;
    }
    kinora_db::notifications::on_video_block(&mut tx, video.id, true, now_millis()).await?;
    tx.commit().await?;
    tracing::info!(video = %video.uuid, by = %user.username, unfederate = request.unfederate, "video blocked");
    Ok(())
}

async fn insert_block(connection: &mut Connection, block: &NewBlock<'_>) -> AppResult<()> {
    match kinora_db::video_blacklist::insert(connection, block, now_millis()).await {
        Ok(_) => Ok(()),
        Err(DbError::Conflict(_)) => {
            Err(AppError::Conflict("Video is already blocked.".to_owned()))
        }
        Err(error) => Err(error.into()),
    }
}

/// Changes the reason of a block (staff only); a video not blocked is not found.
pub async fn update_block(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    reason: Option<&str>,
) -> AppResult<()> {
    ensure_staff(user)?;
    validate_reason(reason)?;
    let mut tx = db.begin().await?;
    if !kinora_db::video_blacklist::set_reason(&mut tx, video.id, reason, now_millis()).await? {
        return Err(AppError::NotFound("Blacklisted video"));
    }
    tx.commit().await?;
    Ok(())
}

/// Unblocks `video` (staff only); a video not blocked is not found. An unfederated local video
/// is federated again (its followers get it back).
pub async fn unblock_video(db: &Db, user: &AuthenticatedUser, video: &VideoRow) -> AppResult<()> {
    ensure_staff(user)?;
    let mut tx = db.begin().await?;
    let Some(block) = kinora_db::video_blacklist::delete(&mut tx, video.id).await? else {
        return Err(AppError::NotFound("Blacklisted video"));
    };
    if block.unfederated != 0 && video.is_local() {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::VideoChanged { video_id: video.id },
        )
        .await?;
    }
    kinora_db::notifications::on_video_block(&mut tx, video.id, false, now_millis()).await?;
    tx.commit().await?;
    tracing::info!(video = %video.uuid, by = %user.username, "video unblocked");
    Ok(())
}

/// The block of `video`, if any.
pub async fn block_of(db: &Db, video: &VideoRow) -> AppResult<Option<BlockRow>> {
    Ok(kinora_db::video_blacklist::find_by_video(db.pool(), video.id).await?)
}

/// With `auto_block_new_videos` on, blocks a new upload (unfederated, type 2) unless the owner
/// of its channel is staff; part of the upload's transaction.
pub async fn auto_block_upload(
    connection: &mut Connection,
    config: &ModerationConfig,
    video_id: i64,
    channel_id: i64,
) -> AppResult<bool> {
    if !config.auto_block_new_videos {
        return Ok(false);
    }
    let role = owner_role(connection, channel_id).await?;
    if matches!(role, Some(UserRole::Admin | UserRole::Moderator)) {
        return Ok(false);
    }
    insert_block(
        connection,
        &NewBlock {
            video_id,
            reason: Some(AUTO_BLOCK_REASON),
            unfederated: true,
            kind: BlockKind::Automatic,
        },
    )
    .await?;
    Ok(true)
}

async fn owner_role(connection: &mut Connection, channel_id: i64) -> AppResult<Option<UserRole>> {
    let Some(channel) = kinora_db::channels::find_by_id(&mut *connection, channel_id).await? else {
        return Ok(None);
    };
    let Some(account) =
        kinora_db::accounts::find_by_id(&mut *connection, channel.account_id).await?
    else {
        return Ok(None);
    };
    let Some(user_id) = account.user_id else {
        return Ok(None);
    };
    let user = kinora_db::users::find_by_id(&mut *connection, user_id).await?;
    Ok(user.and_then(|user| UserRole::from_id(user.role)))
}
