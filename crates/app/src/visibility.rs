//! The one visibility rule every route asks: may this viewer see this video?

use kinora_core::video::{Privacy, VideoState};
use kinora_db::Db;
use kinora_db::videos::VideoRow;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Answers whether `viewer` (none: anonymous) may see `video` by its id or URL. Public and
/// unlisted videos are visible to all once published (or while transcoding when
/// `waitTranscoding` is off); private ones to their owner and staff; internal ones to logged-in
/// users; unpublished ones to their owner and staff only. A video moderation hides (blocked, or
/// of a banned user) is seen by its owner and staff only, and a remote one whose account or
/// server the instance mutes by staff only.
pub async fn can_view(
    db: &Db,
    video: &VideoRow,
    viewer: Option<&AuthenticatedUser>,
) -> AppResult<bool> {
    if viewer.is_some_and(AuthenticatedUser::is_staff) {
        return Ok(true);
    }
    let owner = match viewer {
        Some(viewer) => is_owner(db, video, viewer.user_id).await?,
        None => false,
    };
    if owner {
        return Ok(true);
    }
    if !shown_by_privacy(video, viewer.is_some()) {
        return Ok(false);
    }
    if !video.is_local() && kinora_db::blocklists::instance_hides_video(db.pool(), video.id).await?
    {
        return Ok(false);
    }
    Ok(!kinora_db::video_blacklist::is_hidden(db.pool(), video.id).await?)
}

/// Answers whether a local video may be sent to (or fetched by) other instances: what an
/// anonymous visitor may see by privacy and state, unless it is blocked with `unfederate`
/// (PeerTube's `canVideoBeFederated`). A block without `unfederate` hides it here only.
pub async fn can_federate(db: &Db, video: &VideoRow) -> AppResult<bool> {
    if !shown_by_privacy(video, false) {
        return Ok(false);
    }
    let block = kinora_db::video_blacklist::find_by_video(db.pool(), video.id).await?;
    Ok(block.is_none_or(|block| block.unfederated == 0))
}

/// The rule of state and privacy for a viewer who is neither owner nor staff.
fn shown_by_privacy(video: &VideoRow, logged_in: bool) -> bool {
    // With waitTranscoding off, a video is shown while it transcodes (PeerTube's meaning);
    // a failed one is shown to its owner only. A live is shown while it waits for its
    // broadcaster and after it ended (its page says so), as PeerTube does.
    let shown = match VideoState::from_id(video.state) {
        Some(VideoState::Published | VideoState::WaitingForLive | VideoState::LiveEnded) => true,
        Some(VideoState::ToTranscode) => video.wait_transcoding == 0,
        _ => false,
    };
    shown
        && match Privacy::from_id(video.privacy) {
            Some(Privacy::Public | Privacy::Unlisted) => true,
            Some(Privacy::Internal) => logged_in,
            Some(Privacy::Private) | None => false,
        }
}

/// Refuses (`Forbidden`, with `message`) a user who neither owns `video` nor is staff.
pub async fn ensure_can_manage(
    db: &Db,
    video: &VideoRow,
    user: &AuthenticatedUser,
    message: &str,
) -> AppResult<()> {
    if user.is_staff() || is_owner(db, video, user.user_id).await? {
        Ok(())
    } else {
        Err(crate::AppError::Forbidden(message.to_owned()))
    }
}

/// Answers whether `user_id` owns the channel the video is in.
pub async fn is_owner(db: &Db, video: &VideoRow, user_id: i64) -> AppResult<bool> {
    let Some(channel) = kinora_db::channels::find_by_id(db.pool(), video.channel_id).await? else {
        return Ok(false);
    };
    let account = kinora_db::accounts::find_by_id(db.pool(), channel.account_id).await?;
    Ok(account.and_then(|a| a.user_id) == Some(user_id))
}

/// Answers `NotFound("Video")` unless `viewer` may see `video` ([`can_view`]): a video the
/// viewer may not see is not admitted to exist.
pub async fn check_can_view(
    db: &Db,
    video: &VideoRow,
    viewer: Option<&AuthenticatedUser>,
) -> AppResult<()> {
    if can_view(db, video, viewer).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("Video"))
    }
}
