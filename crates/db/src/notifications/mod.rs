//! Notifications (`user_notifications`) and the settings that filter them
//! (`user_notification_settings`). Each `on_…` function writes, in the caller's transaction,
//! the notifications an event gives, to the local users whose settings want them on the web
//! (no stored value means PeerTube's default, which always includes the web); an event seen
//! twice notifies once. Rows are decoded here only ([`NotificationRow`]).

use std::collections::HashMap;

use kinora_core::notifications::{NotificationKind, SETTINGS, WEB};
use sqlx::{Any, AnyPool, Executor};

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

/// SQL: user `user` (an expression) wants notifications governed by the setting bound at
/// `setting` (a placeholder) on the web.
fn wants_web(user: &str, setting: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM user_notification_settings ns WHERE ns.user_id = {user} \
         AND ns.setting = {setting} AND (ns.value & {WEB}) = 0)"
    )
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
/// whose user expression is `user`) names; `$1` is the time, `$2` the setting, `$3`–`$8` the
/// fields of `about`, `$9` the kind; numbered placeholders from `$10` are the caller's. A user
/// who already has the same notification (unread, for kinds that [`repeats`]) gets no second.
fn insert_for(user: &str, rest: &str, kind: NotificationKind) -> String {
    let unread_only = if repeats(kind) {
        "AND same.read = 0 "
    } else {
        ""
    };
    format!(
        "INSERT INTO user_notifications (user_id, kind, read, video_id, comment_id, abuse_id, \
         account_id, follower_actor_id, following_actor_id, created_at, updated_at) \
         SELECT DISTINCT {user}, $9, 0, $3, $4, $5, $6, $7, $8, $1, $1 {rest} \
         AND {wants} AND NOT EXISTS (SELECT 1 FROM user_notifications same WHERE \
         same.user_id = {user} AND same.kind = $9 {unread_only}\
         AND same.video_id IS NOT DISTINCT FROM $3 AND same.comment_id IS NOT DISTINCT FROM $4 \
         AND same.abuse_id IS NOT DISTINCT FROM $5 AND same.account_id IS NOT DISTINCT FROM $6 \
         AND same.follower_actor_id IS NOT DISTINCT FROM $7 \
         AND same.following_actor_id IS NOT DISTINCT FROM $8)",
        wants = wants_web(user, "$2"),
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
    Ok(query.execute(&mut *connection).await?.rows_affected())
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

/// Which notifications a page lists.
#[derive(Debug, Clone, Default)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: bool,
    /// Only these type numbers.
    pub kinds: Option<Vec<i64>>,
    /// Oldest first (PeerTube's `createdAt`); newest first otherwise.
    pub oldest_first: bool,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

/// One page of `user_id`'s notifications, and how many match.
pub async fn page(
    pool: &AnyPool,
    user_id: i64,
    query: &NotificationQuery,
) -> DbResult<(i64, Vec<NotificationRow>)> {
    let mut filter = String::from("FROM user_notifications WHERE user_id = $1");
    if query.unread {
        filter.push_str(" AND read = 0");
    }
    let kinds = query.kinds.as_deref().unwrap_or_default();
    if !kinds.is_empty() {
        let list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect();
        filter.push_str(&format!(" AND kind IN ({})", list.join(", ")));
    }
    let count_sql = format!("SELECT COUNT(*) {filter}");
    let mut counting = sqlx::query_as::<_, (i64,)>(&count_sql).bind(user_id);
    for kind in kinds {
        counting = counting.bind(*kind);
    }
    let (total,) = counting.fetch_one(pool).await?;
    let direction = if query.oldest_first { "ASC" } else { "DESC" };
    let next = kinds.len() + 2;
    let rows_sql = format!(
        "SELECT {COLUMNS} {filter} ORDER BY id {direction} LIMIT ${next} OFFSET ${}",
        next + 1
    );
    let mut rows = sqlx::query_as::<_, NotificationRow>(&rows_sql).bind(user_id);
    for kind in kinds {
        rows = rows.bind(*kind);
    }
    let rows = rows
        .bind(query.count)
        .bind(query.start)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// How many of `user_id`'s notifications are unread.
pub async fn unread_count<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<i64> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM user_notifications WHERE user_id = $1 AND read = 0")
            .bind(user_id)
            .fetch_one(executor)
            .await?;
    Ok(count)
}

/// Marks `ids` of `user_id`'s notifications read (others' ids change nothing); answers how
/// many changed.
pub async fn mark_read(
    connection: &mut Connection,
    user_id: i64,
    ids: &[i64],
    now: i64,
) -> DbResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "UPDATE user_notifications SET read = 1, updated_at = $1 WHERE user_id = $2 \
         AND read = 0 AND id IN ({})",
        list.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now).bind(user_id);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.execute(&mut *connection).await?.rows_affected())
}

/// Marks every notification of `user_id` read; answers how many changed.
pub async fn mark_all_read(connection: &mut Connection, user_id: i64, now: i64) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE user_notifications SET read = 1, updated_at = $1 WHERE user_id = $2 AND read = 0",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *connection)
    .await?;
    Ok(done.rows_affected())
}

/// Every notification setting of `user_id`: PeerTube's defaults, with the user's changes.
pub async fn settings<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<Vec<(&'static str, i64)>> {
    let stored: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT setting, value FROM user_notification_settings WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(executor)
    .await?
    .into_iter()
    .collect();
    Ok(SETTINGS
        .iter()
        .map(|&(name, default)| (name, stored.get(name).copied().unwrap_or(default)))
        .collect())
}

/// Stores `changes` (setting name, value) of `user_id`'s settings; the caller checked them.
pub async fn save_settings(
    connection: &mut Connection,
    user_id: i64,
    changes: &[(&str, i64)],
) -> DbResult<()> {
    for (setting, value) in changes {
        sqlx::query(
            "INSERT INTO user_notification_settings (user_id, setting, value) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, setting) DO UPDATE SET value = excluded.value",
        )
        .bind(user_id)
        .bind(*setting)
        .bind(*value)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}
