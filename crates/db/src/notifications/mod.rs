//! Notifications (`user_notifications`) and the settings that filter them
//! (`user_notification_settings`). Each `on_…` function writes, in the caller's transaction,
//! the notifications an event gives, to the local users whose settings want them on the web,
//! by e-mail or both (no stored value means PeerTube's default); an event seen twice notifies
//! once. A notification to be e-mailed is written with `email_state = 1` and the e-mail job
//! is queued in the same transaction ([`queue_email_job_if_due`]). Rows are decoded here only
//! ([`NotificationRow`]).

mod email;
mod listing;

pub use email::{
    DueEmail, EMAIL_JOB_KIND, EMAIL_JOB_MAX_ATTEMPTS, EMAIL_JOB_PAYLOAD, EMAIL_JOB_UNIQUE_KEY,
    EmailState, due_emails, queue_email_job_if_due, set_email_state,
};
pub use listing::{
    NotificationQuery, mark_all_read, mark_read, page, save_settings, settings, unread_count,
};

use kinora_core::notifications::{EMAIL, NotificationKind, WEB, default_setting};

use crate::{Connection, DbResult};

const COLUMNS: &str = "id, user_id, kind, read, video_id, comment_id, abuse_id, account_id, \
                       follower_actor_id, following_actor_id, created_at, updated_at";

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    /// Numeric id.
    pub id: i64,
    /// Whom it is for.
    pub user_id: i64,
    /// PeerTube's type number.
    pub kind: i64,
    /// 1 once read.
    pub read: i64,
    /// The video it is about.
    pub video_id: Option<i64>,
    /// The comment it is about.
    pub comment_id: Option<i64>,
    /// The report it is about.
    pub abuse_id: Option<i64>,
    /// The account it is about (a new user's).
    pub account_id: Option<i64>,
    /// The follower of a follow.
    pub follower_actor_id: Option<i64>,
    /// What a follow follows.
    pub following_actor_id: Option<i64>,
    /// When it was made, epoch milliseconds.
    pub created_at: i64,
    /// Last change (read), epoch milliseconds.
    pub updated_at: i64,
}

/// What a notification is about; unused fields stay `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct About {
    /// A video.
    pub video_id: Option<i64>,
    /// A comment.
    pub comment_id: Option<i64>,
    /// A report.
    pub abuse_id: Option<i64>,
    /// An account.
    pub account_id: Option<i64>,
    /// A follower.
    pub follower_actor_id: Option<i64>,
    /// What is followed.
    pub following_actor_id: Option<i64>,
}

/// Whether a kind of notification repeats: a report's new messages and state changes, blocks
/// and unblocks do (one more once the last was read); the rest are told once.
fn repeats(kind: NotificationKind) -> bool {
    matches!(
        kind,
        NotificationKind::AbuseNewMessage
            | NotificationKind::AbuseStateChange
            | NotificationKind::BlacklistOnMyVideo
            | NotificationKind::UnblacklistOnMyVideo
    )
}

/// The insert of notifications of `kind` about `about` for the users a `SELECT` (from `rest`,
/// whose user expression is `user`) names, each with their setting for the kind (`$2`; the
/// default when they changed nothing): shown on the web when it has [`WEB`], to be e-mailed
/// when it has [`EMAIL`], not written when it has neither. `$1` is the time, `$3`–`$8` the
/// fields of `about`, `$9` the kind; numbered placeholders from `$10` are the caller's. A user
/// who already has the same notification gets no second (for kinds that [`repeats`]: while
/// the last is unread on the web or not yet e-mailed).
fn insert_for(user: &str, rest: &str, kind: NotificationKind) -> String {
    let pending_only = if repeats(kind) {
        "AND same.read = 0 AND (same.web = 1 OR same.email_state = 1) "
    } else {
        ""
    };
    // A constant of ours, never input.
    let default = default_setting(kind.setting()).unwrap_or(WEB);
    format!(
        "INSERT INTO user_notifications (user_id, kind, read, video_id, comment_id, abuse_id, \
         account_id, follower_actor_id, following_actor_id, created_at, updated_at, web, \
         email_state) \
         SELECT t.uid, $9, 0, $3, $4, $5, $6, $7, $8, $1, $1, \
         CASE WHEN (t.pref & {WEB}) <> 0 THEN 1 ELSE 0 END, \
         CASE WHEN (t.pref & {EMAIL}) <> 0 THEN 1 ELSE 0 END \
         FROM (SELECT DISTINCT {user} AS uid, COALESCE((SELECT ns.value FROM \
         user_notification_settings ns WHERE ns.user_id = {user} AND ns.setting = $2), \
         {default}) AS pref {rest}) t \
         WHERE t.pref <> 0 AND NOT EXISTS (SELECT 1 FROM user_notifications same WHERE \
         same.user_id = t.uid AND same.kind = $9 {pending_only}\
         AND same.video_id IS NOT DISTINCT FROM $3 AND same.comment_id IS NOT DISTINCT FROM $4 \
         AND same.abuse_id IS NOT DISTINCT FROM $5 AND same.account_id IS NOT DISTINCT FROM $6 \
         AND same.follower_actor_id IS NOT DISTINCT FROM $7 \
         AND same.following_actor_id IS NOT DISTINCT FROM $8)",
    )
}

/// Runs [`insert_for`] with the caller's extra values; answers how many were written.
async fn notify(
    connection: &mut Connection,
    kind: NotificationKind,
    about: &About,
    user: &str,
    rest: &str,
    extra: &[i64],
    now: i64,
) -> DbResult<u64> {
    let sql = insert_for(user, rest, kind);
    let mut query = sqlx::query(&sql)
        .bind(now)
        .bind(kind.setting())
        .bind(about.video_id)
        .bind(about.comment_id)
        .bind(about.abuse_id)
        .bind(about.account_id)
        .bind(about.follower_actor_id)
        .bind(about.following_actor_id)
        .bind(kind.id());
    for value in extra {
        query = query.bind(*value);
    }
    let written = query.execute(&mut *connection).await?.rows_affected();
    if written > 0 {
        queue_email_job_if_due(connection, now).await?;
    }
    Ok(written)
}

/// Notifies one user.
pub async fn notify_user(
    connection: &mut Connection,
    user_id: i64,
    kind: NotificationKind,
    about: &About,
    now: i64,
) -> DbResult<u64> {
    notify(
        connection,
        kind,
        about,
        "u.id",
        "FROM users u WHERE u.id = $10",
        &[user_id],
        now,
    )
    .await
}

/// Notifies the staff: administrators, and moderators too when `moderators`.
pub async fn notify_staff(
    connection: &mut Connection,
    kind: NotificationKind,
    about: &About,
    moderators: bool,
    now: i64,
) -> DbResult<u64> {
    let highest_role = if moderators { 1 } else { 0 };
    notify(
        connection,
        kind,
        about,
        "u.id",
        "FROM users u WHERE u.role <= $10 AND u.blocked = 0",
        &[highest_role],
        now,
    )
    .await
}

/// A local video was published: its owner is told (once), and so are the local subscribers of
/// its channel when it is public, unless they (or the instance) mute its account or server.
/// Also for a remote video that arrived (no owner here).
pub async fn on_video_published(
    connection: &mut Connection,
    video_id: i64,
    now: i64,
) -> DbResult<u64> {
    let about = About {
        video_id: Some(video_id),
        ..About::default()
    };
    let owner = notify(
        connection,
        NotificationKind::MyVideoPublished,
        &about,
        "a.user_id",
        "FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a \
         ON a.id = c.account_id WHERE v.id = $10 AND v.url IS NULL AND a.user_id IS NOT NULL",
        &[video_id],
        now,
    )
    .await?;
    let subscribers = notify(
        connection,
        NotificationKind::NewVideoFromSubscription,
        &about,
        "a.user_id",
        &format!(
            "FROM videos JOIN subscriptions s ON s.channel_id = videos.channel_id JOIN accounts a \
             ON a.id = s.account_id WHERE videos.id = $10 AND videos.privacy = 1 \
             AND videos.state = 1 AND a.user_id IS NOT NULL AND {}",
            crate::blocklists::video_not_muted("a.id")
        ),
        &[video_id],
        now,
    )
    .await?;
    Ok(owner + subscribers)
}

/// A comment was posted: the owner of its video is told (unless they wrote it), and the local
/// author of the comment it answers (unless they wrote it, or own the video); neither when they
/// (or the instance) mute the comment's author or server.
pub async fn on_comment(connection: &mut Connection, comment_id: i64, now: i64) -> DbResult<u64> {
    let about = About {
        comment_id: Some(comment_id),
        ..About::default()
    };
    let owner = notify(
        connection,
        NotificationKind::NewCommentOnMyVideo,
        &about,
        "a.user_id",
        &format!(
            "FROM video_comments cm JOIN videos v ON v.id = cm.video_id JOIN channels c \
             ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id WHERE cm.id = $10 \
             AND a.user_id IS NOT NULL AND (cm.account_id IS NULL OR cm.account_id <> a.id) \
             AND {}",
            crate::blocklists::comment_not_muted("cm.account_id", "a.id")
        ),
        &[comment_id],
        now,
    )
    .await?;
    let answered = notify(
        connection,
        NotificationKind::CommentMention,
        &about,
        "pa.user_id",
        &format!(
            "FROM video_comments cm JOIN video_comments p ON p.id = cm.in_reply_to_id \
             JOIN accounts pa ON pa.id = p.account_id JOIN videos v ON v.id = cm.video_id \
             JOIN channels c ON c.id = v.channel_id WHERE cm.id = $10 \
             AND pa.user_id IS NOT NULL AND pa.id <> c.account_id \
             AND (cm.account_id IS NULL OR cm.account_id <> pa.id) AND {}",
            crate::blocklists::comment_not_muted("cm.account_id", "pa.id")
        ),
        &[comment_id],
        now,
    )
    .await?;
    Ok(owner + answered)
}

/// `follower` follows `following` (accepted): the local owner of the followed account or
/// channel is told, unless they follow themselves.
pub async fn on_follow(
    connection: &mut Connection,
    follower_actor_id: i64,
    following_actor_id: i64,
    now: i64,
) -> DbResult<u64> {
    let about = About {
        follower_actor_id: Some(follower_actor_id),
        following_actor_id: Some(following_actor_id),
        ..About::default()
    };
    notify(
        connection,
        NotificationKind::NewFollow,
        &about,
        "a.user_id",
        "FROM accounts a WHERE a.user_id IS NOT NULL AND (a.actor_id = $10 OR a.id IN \
         (SELECT c.account_id FROM channels c WHERE c.actor_id = $10)) AND a.actor_id <> $11",
        &[following_actor_id, follower_actor_id],
        now,
    )
    .await
}

/// A video was blocked (`blocked`) or unblocked: its local owner is told.
pub async fn on_video_block(
    connection: &mut Connection,
    video_id: i64,
    blocked: bool,
    now: i64,
) -> DbResult<u64> {
    let about = About {
        video_id: Some(video_id),
        ..About::default()
    };
    let kind = if blocked {
        NotificationKind::BlacklistOnMyVideo
    } else {
        NotificationKind::UnblacklistOnMyVideo
    };
    notify(
        connection,
        kind,
        &about,
        "a.user_id",
        "FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a \
         ON a.id = c.account_id WHERE v.id = $10 AND a.user_id IS NOT NULL",
        &[video_id],
        now,
    )
    .await
}

/// The local reporter of a report is told its state changed.
pub async fn on_abuse_state_change(
    connection: &mut Connection,
    abuse_id: i64,
    now: i64,
) -> DbResult<u64> {
    let about = About {
        abuse_id: Some(abuse_id),
        ..About::default()
    };
    notify(
        connection,
        NotificationKind::AbuseStateChange,
        &about,
        "a.user_id",
        "FROM abuses ab JOIN accounts a ON a.id = ab.reporter_account_id WHERE ab.id = $10 \
         AND a.user_id IS NOT NULL",
        &[abuse_id],
        now,
    )
    .await
}
