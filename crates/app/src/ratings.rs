//! Likes and dislikes: one rating per account and video; the video's `likes` and `dislikes`
//! change in the same transaction, exactly once per change of rating.

use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::visibility::check_can_view;
use crate::{AppError, AppResult};

/// A rating, with PeerTube's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    /// `like`.
    Like,
    /// `dislike`.
    Dislike,
    /// `none`: no rating.
    None,
}

impl Rating {
    /// Reads PeerTube's name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "like" => Some(Rating::Like),
            "dislike" => Some(Rating::Dislike),
            "none" => Some(Rating::None),
            _ => None,
        }
    }

    /// PeerTube's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Like => "like",
            Rating::Dislike => "dislike",
            Rating::None => "none",
        }
    }

    /// What this rating adds to (likes, dislikes).
    fn counts(self) -> (i64, i64) {
        match self {
            Rating::Like => (1, 0),
            Rating::Dislike => (0, 1),
            Rating::None => (0, 0),
        }
    }
}

/// Sets `account_id`'s rating of `video_id` on the caller's transaction, moving the counters
/// from the old rating to the new one (the counters' row is locked first). Returns the previous
/// rating; nothing changes when it equals the new one.
async fn set_rating(
    tx: &mut kinora_db::Connection,
    account_id: i64,
    video_id: i64,
    rating: Rating,
) -> AppResult<Rating> {
    if !kinora_db::ratings::lock_counters(tx, video_id).await? {
        return Err(AppError::NotFound("Video"));
    }
    let previous = kinora_db::ratings::find(&mut *tx, account_id, video_id)
        .await?
        .and_then(|text| Rating::parse(&text))
        .unwrap_or(Rating::None);
    if previous == rating {
        return Ok(previous);
    }
    match rating {
        Rating::None => kinora_db::ratings::delete(tx, account_id, video_id).await?,
        Rating::Like | Rating::Dislike => {
            kinora_db::ratings::upsert(tx, account_id, video_id, rating.as_str(), now_millis())
                .await?;
        }
    }
    let (old_likes, old_dislikes) = previous.counts();
    let (new_likes, new_dislikes) = rating.counts();
    kinora_db::ratings::add_to_counters(
        tx,
        video_id,
        new_likes - old_likes,
        new_dislikes - old_dislikes,
    )
    .await?;
    Ok(previous)
}

/// Sets `user`'s rating of `video`, moving the counters from the old rating to the new one.
pub async fn rate(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    rating: Rating,
) -> AppResult<()> {
    check_can_view(db, video, Some(user)).await?;
    let account = crate::users::find_account(db, user).await?;
    let mut tx = db.begin().await?;
    let previous = set_rating(&mut tx, account.id, video.id, rating).await?;
    if previous == rating {
        return Ok(());
    }
    if video.is_local() {
        // Followers get the new counts (gathered with the other ratings of the moment).
        queue_counts_changed(&mut tx, video).await?;
    } else {
        // The origin is told of this rating.
        crate::federation_events::queue(
            &mut tx,
            kinora_core::federation::FederationEvent::VideoRated {
                account_id: account.id,
                video_id: video.id,
                previous: match previous {
                    Rating::None => None,
                    other => Some(other.as_str().to_owned()),
                },
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Tells the followers of a local video that already have it its new counts: queues
/// `VideoRatingsChanged`, which the federation layer gathers into at most one `Update` of the
/// video per interval, however many ratings change in it.
async fn queue_counts_changed(tx: &mut kinora_db::Connection, video: &VideoRow) -> AppResult<()> {
    if video.federated != 0 {
        crate::federation_events::queue(
            tx,
            kinora_core::federation::FederationEvent::VideoRatingsChanged { video_id: video.id },
        )
        .await?;
    }
    Ok(())
}

/// A remote account's rating of one of our videos (a `Like`, `Dislike` or their `Undo`): only
/// published public and unlisted videos are rated; followers of a federated video get its new
/// counts, gathered into at most one `Update` per interval. Returns whether anything changed.
pub async fn rate_as_remote(
    db: &Db,
    account_id: i64,
    video: &VideoRow,
    rating: Rating,
) -> AppResult<bool> {
    change_as_remote(db, account_id, video, rating, None).await
}

/// A remote account's `Undo` of its `undone` rating (like or dislike) of one of our videos: the
/// rating goes only while it is still that one (an Undo of a dislike that arrives after the like
/// that replaced it leaves the like). Returns whether anything changed.
pub async fn undo_as_remote(
    db: &Db,
    account_id: i64,
    video: &VideoRow,
    undone: Rating,
) -> AppResult<bool> {
    change_as_remote(db, account_id, video, Rating::None, Some(undone)).await
}

/// Sets a remote account's rating of a local video, when its rating is `only_from` (if given).
async fn change_as_remote(
    db: &Db,
    account_id: i64,
    video: &VideoRow,
    rating: Rating,
    only_from: Option<Rating>,
) -> AppResult<bool> {
    if !video.is_local() || !crate::visibility::can_view(db, video, None).await? {
        return Err(AppError::NotFound("Video"));
    }
    let mut tx = db.begin().await?;
    if let Some(expected) = only_from {
        // The video's row is locked first, as `set_rating` does, so the check holds.
        if !kinora_db::ratings::lock_counters(&mut tx, video.id).await? {
            return Err(AppError::NotFound("Video"));
        }
        let current = kinora_db::ratings::find(&mut *tx, account_id, video.id)
            .await?
            .and_then(|text| Rating::parse(&text))
            .unwrap_or(Rating::None);
        if current != expected {
            return Ok(false);
        }
    }
    let previous = set_rating(&mut tx, account_id, video.id, rating).await?;
    if previous == rating {
        return Ok(false);
    }
    queue_counts_changed(&mut tx, video).await?;
    tx.commit().await?;
    Ok(true)
}

/// `user`'s rating of `video`.
pub async fn rating_of(db: &Db, user: &AuthenticatedUser, video: &VideoRow) -> AppResult<Rating> {
    check_can_view(db, video, Some(user)).await?;
    let account = crate::users::find_account(db, user).await?;
    Ok(kinora_db::ratings::find(db.pool(), account.id, video.id)
        .await?
        .and_then(|text| Rating::parse(&text))
        .unwrap_or(Rating::None))
}
