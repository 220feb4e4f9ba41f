//! Comments on videos: new threads, replies, thread listings and deletion into tombstones.
//!
//! Every use case first asks [`crate::visibility::can_view`]: a video the caller may not see is
//! "not found". Text is stored exactly as typed (plain text, 1 to 10,000 characters); escaping
//! it is the renderer's job. A deleted comment keeps its row (text emptied, author forgotten) so
//! the replies under it stay in place.
//!
//! On a video whose comments require approval (policy 3) a comment by anyone but the video's
//! owner is held for review: only its author, the owner and moderators see it, and it is
//! neither counted nor federated until approved (`crate::comment_reviews`).

use kinora_core::federation::FederationEvent;
use kinora_core::names::check_text_length;
use kinora_core::video::{
    COMMENT_TEXT_MAX, COMMENTS_POLICY_DISABLED, COMMENTS_POLICY_REQUIRES_APPROVAL, VideoState,
};
use kinora_db::comments::{CommentRow, HeldShown, NewComment, ThreadOrder, ThreadRow};
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::visibility::{check_can_view, is_owner};
use crate::{AppError, AppResult};

/// Most comments of one thread returned by [`thread`] (its root and the oldest replies).
pub const THREAD_MAX_COMMENTS: i64 = 500;

/// One page of a video's threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadPage {
    /// Threads shown (roots not deleted, or deleted with replies).
    pub total: i64,
    /// Comments of the video, replies included, that are not deleted.
    pub total_not_deleted: i64,
    /// The page.
    pub threads: Vec<ThreadRow>,
}

/// A thread: its root and its replies, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The root comment.
    pub root: CommentRow,
    /// Replies at any depth, oldest first, at most [`THREAD_MAX_COMMENTS`] - 1.
    pub replies: Vec<CommentRow>,
}

fn check_text(text: &str) -> AppResult<()> {
    check_text_length(text, 1, COMMENT_TEXT_MAX).map_err(|error| AppError::Invalid {
        field: "text",
        message: error.to_string(),
    })
}

fn comments_disabled(video: &VideoRow) -> bool {
    video.comments_policy == COMMENTS_POLICY_DISABLED
}

/// Refuses comments on a video whose comments are off or that is not published yet.
fn check_commentable(video: &VideoRow) -> AppResult<()> {
    if comments_disabled(video) {
        return Err(AppError::Refused {
            code: "comments_disabled",
            message: "Video comments are disabled for this video.".to_owned(),
        });
    }
    if VideoState::from_id(video.state) != Some(VideoState::Published) {
        return Err(AppError::Refused {
            code: "video_not_published",
            message: "Comments open once the video is published.".to_owned(),
        });
    }
    Ok(())
}

/// Finds a comment of `video`: unknown ids are "not found", a comment of another video is
/// refused (PeerTube's `comment_not_associated_to_video`).
pub(crate) async fn find_comment_of(db: &Db, video: &VideoRow, id: i64) -> AppResult<CommentRow> {
    let comment = kinora_db::comments::find_by_id(db.pool(), id)
        .await?
        .ok_or(AppError::NotFound("Video comment"))?;
    if comment.video_id != video.id {
        return Err(AppError::Unsupported {
            code: "comment_not_associated_to_video",
            message: "Video comment is not associated to this video.".to_owned(),
        });
    }
    Ok(comment)
}

/// Which held comments of `video` `viewer` sees: all for its owner and moderators, their own
/// for other users, none for anonymous visitors.
pub(crate) async fn held_shown_to(
    db: &Db,
    viewer: Option<&AuthenticatedUser>,
    video: &VideoRow,
) -> AppResult<HeldShown> {
    let Some(viewer) = viewer else {
        return Ok(HeldShown::None);
    };
    if viewer.is_staff() || is_owner(db, video, viewer.user_id).await? {
        return Ok(HeldShown::All);
    }
    match kinora_db::accounts::find_by_user(db.pool(), viewer.user_id).await? {
        Some(account) => Ok(HeldShown::AuthoredBy(account.id)),
        None => Ok(HeldShown::None),
    }
}

/// Answers "not found" for a held comment `viewer` may not see.
async fn check_can_see(
    db: &Db,
    viewer: Option<&AuthenticatedUser>,
    video: &VideoRow,
    comment: &CommentRow,
) -> AppResult<()> {
    let visible = match held_shown_to(db, viewer, video).await? {
        _ if !comment.is_held() => true,
        HeldShown::All => true,
        HeldShown::AuthoredBy(account_id) => comment.account_id == Some(account_id),
        HeldShown::None => false,
    };
    if visible {
        Ok(())
    } else {
        Err(AppError::NotFound("Video comment"))
    }
}

async fn insert(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    parent: Option<&CommentRow>,
    text: &str,
) -> AppResult<CommentRow> {
    let account = crate::users::find_account(db, user).await?;
    let held_for_review = video.comments_policy == COMMENTS_POLICY_REQUIRES_APPROVAL
        && !is_owner(db, video, user.user_id).await?;
    let mut tx = db.begin().await?;
    let comment = kinora_db::comments::insert(
        &mut tx,
        &NewComment {
            video_id: video.id,
            account_id: account.id,
            thread_id: parent.map(CommentRow::root_id),
            in_reply_to_id: parent.map(|parent| parent.id),
            text,
            held_for_review,
        },
        now_millis(),
    )
    .await?;
    kinora_db::notifications::on_comment(&mut tx, comment.id, now_millis()).await?;
    // A held comment on our video goes out once approved; on a remote video its origin holds
    // it too, so it is sent there (and only there) at once.
    if !held_for_review || !video.is_local() {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::CommentCreated {
                comment_id: comment.id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(comment)
}

/// Starts a thread on `video`.
pub async fn create_thread(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    text: &str,
) -> AppResult<CommentRow> {
    check_text(text)?;
    check_can_view(db, video, Some(user)).await?;
    check_commentable(video)?;
    insert(db, user, video, None, text).await
}

/// Replies to comment `parent_id` of `video` (a deleted comment may be replied to, as on
/// PeerTube); the reply joins the parent's thread.
pub async fn reply(
    db: &Db,
    user: &AuthenticatedUser,
    video: &VideoRow,
    parent_id: i64,
    text: &str,
) -> AppResult<CommentRow> {
    check_text(text)?;
    check_can_view(db, video, Some(user)).await?;
    check_commentable(video)?;
    let parent = find_comment_of(db, video, parent_id).await?;
    check_can_see(db, Some(user), video, &parent).await?;
    insert(db, user, video, Some(&parent), text).await
}

/// Deletes comment `id` of `video`, leaving a tombstone. Its author, the video's owner and
/// staff may; deleting twice is a conflict.
pub async fn delete(db: &Db, user: &AuthenticatedUser, video: &VideoRow, id: i64) -> AppResult<()> {
    check_can_view(db, video, Some(user)).await?;
    let comment = find_comment_of(db, video, id).await?;
    if comment.deleted_at.is_some() {
        return Err(AppError::Conflict(
            "This comment is already deleted".to_owned(),
        ));
    }
    let account = crate::users::find_account(db, user).await?;
    let allowed = user.is_staff()
        || comment.account_id == Some(account.id)
        || is_owner(db, video, user.user_id).await?;
    if !allowed {
        return Err(AppError::Forbidden(
            "Cannot remove video comment of another user".to_owned(),
        ));
    }
    // A comment written here is deleted on other instances by its author's Delete.
    // A held comment on our video was never sent anywhere.
    let never_sent = comment.is_held() && video.is_local();
    let author_actor = match (comment.url.is_none() && !never_sent, comment.account_id) {
        (true, Some(author)) => kinora_db::accounts::find_by_id(db.pool(), author)
            .await?
            .map(|author| author.actor_id),
        _ => None,
    };
    let mut tx = db.begin().await?;
    if !kinora_db::comments::mark_deleted(&mut tx, comment.id, now_millis()).await? {
        return Err(AppError::Conflict(
            "This comment is already deleted".to_owned(),
        ));
    }
    if let Some(author_actor_id) = author_actor {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::CommentDeleted {
                comment_id: comment.id,
                author_actor_id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One page of `video`'s threads; empty when comments are off (as PeerTube answers).
pub async fn list_threads(
    db: &Db,
    viewer: Option<&AuthenticatedUser>,
    video: &VideoRow,
    order: ThreadOrder,
    start: i64,
    count: i64,
) -> AppResult<ThreadPage> {
    check_can_view(db, video, viewer).await?;
    if comments_disabled(video) {
        return Ok(ThreadPage {
            total: 0,
            total_not_deleted: 0,
            threads: Vec::new(),
        });
    }
    let held = held_shown_to(db, viewer, video).await?;
    let muted_by = crate::blocklists::viewer_account_id(db, viewer).await?;
    let mut connection = db.pool().acquire().await?;
    let (total, total_not_deleted, threads) = kinora_db::comments::list_threads(
        &mut connection,
        video.id,
        muted_by,
        held,
        order,
        start,
        count,
    )
    .await?;
    Ok(ThreadPage {
        total,
        total_not_deleted,
        threads,
    })
}

/// Thread `thread_id` of `video`: its root and replies. `None` when comments are off. An id
/// that is not a root is refused, as on PeerTube.
pub async fn thread(
    db: &Db,
    viewer: Option<&AuthenticatedUser>,
    video: &VideoRow,
    thread_id: i64,
) -> AppResult<Option<Thread>> {
    check_can_view(db, video, viewer).await?;
    let root = find_comment_of(db, video, thread_id).await?;
    if root.thread_id.is_some() {
        return Err(AppError::Unsupported {
            code: "comment_not_a_thread",
            message: "Video comment is not a thread.".to_owned(),
        });
    }
    check_can_see(db, viewer, video, &root).await?;
    if comments_disabled(video) {
        return Ok(None);
    }
    let held = held_shown_to(db, viewer, video).await?;
    let muted_by = crate::blocklists::viewer_account_id(db, viewer).await?;
    if let Some(author) = root.account_id
        && kinora_db::blocklists::hides_account(db.pool(), author, muted_by).await?
    {
        return Err(AppError::NotFound("Video comment"));
    }
    let replies = kinora_db::comments::list_replies(
        db.pool(),
        root.id,
        muted_by,
        held,
        THREAD_MAX_COMMENTS - 1,
    )
    .await?;
    Ok(Some(Thread { root, replies }))
}
