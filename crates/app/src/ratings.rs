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
    if !kinora_db::ratings::lock_counters(&mut tx, video.id).await? {
        return Err(AppError::NotFound("Video"));
    }
    let previous = kinora_db::ratings::find(&mut *tx, account.id, video.id)
        .await?
        .and_then(|text| Rating::parse(&text))
        .unwrap_or(Rating::None);
    if previous == rating {
        return Ok(());
    }
    match rating {
        Rating::None => kinora_db::ratings::delete(&mut tx, account.id, video.id).await?,
        Rating::Like | Rating::Dislike => {
            kinora_db::ratings::upsert(
                &mut tx,
                account.id,
                video.id,
                rating.as_str(),
                now_millis(),
            )
            .await?;
        }
    }
    let (old_likes, old_dislikes) = previous.counts();
    let (new_likes, new_dislikes) = rating.counts();
    kinora_db::ratings::add_to_counters(
        &mut tx,
        video.id,
        new_likes - old_likes,
        new_dislikes - old_dislikes,
    )
    .await?;
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
    tx.commit().await?;
    Ok(())
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
