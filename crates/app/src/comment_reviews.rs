//! Moderating comments: approving a comment held for review, the queue of comments on the
//! caller's videos, and removing every comment of an account (PeerTube's
//! `POST /bulk/remove-comments-of`).
//!
//! Approving publishes the comment and, in the same transaction, queues
//! [`FederationEvent::CommentApproved`]: a comment written here then goes out as any new comment
//! does; a remote one's author is sent `ApproveReply`.

use kinora_core::federation::FederationEvent;
use kinora_db::Db;
use kinora_db::accounts::AccountRow;
use kinora_db::comment_reviews::OwnerCommentFilter;
use kinora_db::comments::CommentRow;
use kinora_db::now_millis;
use kinora_db::videos::VideoRow;

use crate::auth::AuthenticatedUser;
use crate::comments::find_comment_of;
use crate::visibility::{check_can_view, is_owner};
use crate::{AppError, AppResult};

/// Approves comment `id` of `video`, held for review: the video's owner and moderators may.
/// A deleted comment is a conflict, one not held is refused.
pub async fn approve(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    id: i64,
) -> AppResult<CommentRow> {
    check_can_view(db, video, Some(user)).await?;
    let comment = find_comment_of(db, video, id).await?;
    if !(user.is_staff() || is_owner(db, video, user.user_id).await?) {
        return Err(AppError::Forbidden(
            "User does not have the permission to approve this comment".to_owned(),
        ));
    }
    if comment.deleted_at.is_some() {
        return Err(AppError::Conflict("This comment is deleted".to_owned()));
    }
    if !comment.is_held() {
        return Err(AppError::Unsupported {
            code: "comment_not_held_for_review",
            message: "This comment is not held for review".to_owned(),
        });
    }
    let mut tx = db.begin().await?;
    if !kinora_db::comment_reviews::approve(&mut tx, comment.id).await? {
        return Err(AppError::Unsupported {
            code: "comment_not_held_for_review",
            message: "This comment is not held for review".to_owned(),
        });
    }
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::CommentApproved {
            comment_id: comment.id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CommentRow {
        held_for_review: 0,
        ..comment
    })
}

/// What `GET /users/me/videos/comments` asks for, besides the page.
#[derive(Debug, Clone, Default)]
pub struct MyVideosCommentsQuery<'a> {
    /// Only held (`Some(true)`) or only published (`Some(false)`) comments.
    pub held_for_review: Option<bool>,
    /// Only on this video (which must be the caller's).
    pub video: Option<&'a VideoRow>,
    /// Only on videos of this channel.
    pub channel_id: Option<i64>,
    /// Text the comment contains.
    pub search: Option<&'a str>,
    /// Text the author's name contains.
    pub search_account: Option<&'a str>,
    /// Text the video's name contains.
    pub search_video: Option<&'a str>,
}

/// Comments on the caller's videos, newest first: how many, and one page.
pub async fn list_on_my_videos(
    db: &Db,
    user: &AuthenticatedUser,
    query: &MyVideosCommentsQuery<'_>,
    start: i64,
    count: i64,
) -> AppResult<(i64, Vec<CommentRow>)> {
    let account = crate::users::find_account(db, user).await?;
    if let Some(video) = query.video
        && !is_owner(db, video, user.user_id).await?
    {
        return Err(AppError::Forbidden(
            "Cannot list comments of a video that is not yours".to_owned(),
        ));
    }
    let filter = OwnerCommentFilter {
        video_owner_account_id: account.id,
        held_for_review: query.held_for_review,
        video_id: query.video.map(|video| video.id),
        channel_id: query.channel_id,
        search: query.search,
        search_account: query.search_account,
        search_video: query.search_video,
    };
    Ok(
        kinora_db::comment_reviews::list_on_account_videos(db.pool(), &filter, start, count)
            .await?,
    )
}

/// Where [`remove_comments_of`] removes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalScope {
    /// On the caller's videos (`my-videos`).
    MyVideos,
    /// Everywhere on this instance (`instance`; moderators only).
    Instance,
}

impl RemovalScope {
    /// PeerTube's `scope` value.
    pub fn parse(value: &str) -> AppResult<Self> {
        match value {
            "my-videos" => Ok(Self::MyVideos),
            "instance" => Ok(Self::Instance),
            _ => Err(AppError::Invalid {
                field: "scope",
                message: "must be my-videos or instance".to_owned(),
            }),
        }
    }
}

/// Removes (as tombstones) every comment of `author` in `scope`; returns how many. Removing on
/// the whole instance is for moderators. Comments written here are deleted on other instances
/// by their author's `Delete`, as a single deletion is.
pub async fn remove_comments_of(
    db: &Db,
    user: &AuthenticatedUser,
    author: &AccountRow,
    scope: RemovalScope,
) -> AppResult<usize> {
    let on_videos_of = match scope {
        RemovalScope::Instance if !user.is_staff() => {
            return Err(AppError::Forbidden(
                "User cannot remove any comments of this instance.".to_owned(),
            ));
        }
        RemovalScope::Instance => None,
        RemovalScope::MyVideos => Some(crate::users::find_account(db, user).await?.id),
    };
    let comments =
        kinora_db::comment_reviews::list_by_author(db.pool(), author.id, on_videos_of).await?;
    let now = now_millis();
    let mut tx = db.begin().await?;
    let mut removed = 0;
    for comment in &comments {
        if !kinora_db::comments::mark_deleted(&mut tx, comment.id, now).await? {
            continue;
        }
        removed += 1;
        let video = kinora_db::videos::find_by_id(&mut *tx, comment.video_id).await?;
        let never_sent = comment.is_held() && video.as_ref().is_some_and(VideoRow::is_local);
        if comment.url.is_none() && !never_sent {
            crate::federation_events::queue(
                &mut tx,
                FederationEvent::CommentDeleted {
                    comment_id: comment.id,
                    author_actor_id: author.actor_id,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(removed)
}
