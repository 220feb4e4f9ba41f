//! Moderating comments: approving those held for review, the queue of comments on an account's
//! videos (PeerTube's `GET /users/me/videos/comments`), and finding an account's comments to
//! remove them in bulk. Rows are [`crate::comments::CommentRow`]s, decoded there.

use sqlx::{Any, AnyPool, Executor};

use crate::comments::{COLUMNS, CommentRow};
use crate::video_lists::like_pattern;
use crate::{Connection, DbResult};

/// Publishes a comment held for review. Returns false when it was not held (or is deleted or
/// gone), changing nothing.
pub async fn approve(connection: &mut Connection, id: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE video_comments SET held_for_review = 0 \
         WHERE id = $1 AND held_for_review = 1 AND deleted_at IS NULL",
    )
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records the `ApproveReply` (its id) a remote video's origin sent for comment `id`, written
/// here: the comment is no longer held. Returns false when it was already recorded.
pub async fn record_reply_approval(
    connection: &mut Connection,
    id: i64,
    approval: &str,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE video_comments SET held_for_review = 0, reply_approval = $1 \
         WHERE id = $2 AND (reply_approval IS NULL OR reply_approval <> $1)",
    )
    .bind(approval)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Which comments on an account's videos to list (PeerTube's filters of
/// `GET /users/me/videos/comments`).
#[derive(Debug, Clone, Default)]
pub struct OwnerCommentFilter<'a> {
    /// The account owning the videos.
    pub video_owner_account_id: i64,
    /// Only those held for review (`Some(true)`), only published ones (`Some(false)`), or all.
    pub held_for_review: Option<bool>,
    /// Only those on this video.
    pub video_id: Option<i64>,
    /// Only those on videos of this channel.
    pub channel_id: Option<i64>,
    /// Only those whose text contains this (case-insensitive).
    pub search: Option<&'a str>,
    /// Only those whose author's name or display name contains this.
    pub search_account: Option<&'a str>,
    /// Only those on videos whose name contains this.
    pub search_video: Option<&'a str>,
}

/// A value bound to a numbered placeholder.
enum Bind {
    Int(i64),
    Text(String),
}

/// The `FROM … WHERE` of `filter` and the values of its placeholders.
fn owner_conditions(filter: &OwnerCommentFilter<'_>) -> (String, Vec<Bind>) {
    let mut binds = vec![Bind::Int(filter.video_owner_account_id)];
    let mut conditions = vec![
        "ch.account_id = $1".to_owned(),
        "c.deleted_at IS NULL".to_owned(),
    ];
    match filter.held_for_review {
        Some(true) => conditions.push("c.held_for_review = 1".to_owned()),
        Some(false) => conditions.push("c.held_for_review = 0".to_owned()),
        None => {}
    }
    if let Some(video_id) = filter.video_id {
        binds.push(Bind::Int(video_id));
        conditions.push(format!("c.video_id = ${}", binds.len()));
    }
    if let Some(channel_id) = filter.channel_id {
        binds.push(Bind::Int(channel_id));
        conditions.push(format!("v.channel_id = ${}", binds.len()));
    }
    if let Some(search) = filter.search {
        binds.push(Bind::Text(like_pattern(search)));
        conditions.push(format!("LOWER(c.text) LIKE ${} ESCAPE '\\'", binds.len()));
    }
    if let Some(search) = filter.search_account {
        binds.push(Bind::Text(like_pattern(search)));
        let n = binds.len();
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM accounts a JOIN actors r ON r.id = a.actor_id \
             WHERE a.id = c.account_id AND (LOWER(r.preferred_username) LIKE ${n} ESCAPE '\\' \
             OR LOWER(a.display_name) LIKE ${n} ESCAPE '\\'))"
        ));
    }
    if let Some(search) = filter.search_video {
        binds.push(Bind::Text(like_pattern(search)));
        conditions.push(format!("LOWER(v.name) LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let sql = format!(
        "FROM video_comments c JOIN videos v ON v.id = c.video_id \
         JOIN channels ch ON ch.id = v.channel_id WHERE {}",
        conditions.join(" AND ")
    );
    (sql, binds)
}

/// Comments (not deleted) on the videos of an account, newest first: how many match `filter`,
/// and one page of them.
pub async fn list_on_account_videos(
    pool: &AnyPool,
    filter: &OwnerCommentFilter<'_>,
    start: i64,
    count: i64,
) -> DbResult<(i64, Vec<CommentRow>)> {
    let (from, binds) = owner_conditions(filter);
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut total = sqlx::query_as::<_, (i64,)>(&count_sql);
    for bind in &binds {
        total = match bind {
            Bind::Int(value) => total.bind(*value),
            Bind::Text(value) => total.bind(value.as_str()),
        };
    }
    let (total,) = total.fetch_one(pool).await?;
    let rows_sql = format!(
        "SELECT {COLUMNS} {from} ORDER BY c.created_at DESC, c.id DESC LIMIT ${} OFFSET ${}",
        binds.len() + 1,
        binds.len() + 2
    );
    let mut rows = sqlx::query_as::<_, CommentRow>(&rows_sql);
    for bind in &binds {
        rows = match bind {
            Bind::Int(value) => rows.bind(*value),
            Bind::Text(value) => rows.bind(value.as_str()),
        };
    }
    let rows = rows.bind(count).bind(start).fetch_all(pool).await?;
    Ok((total, rows))
}

/// The comments (not deleted) written by account `author_id`; only those on videos of account
/// `on_videos_of` when given. Oldest first.
pub async fn list_by_author<'e>(
    executor: impl Executor<'e, Database = Any>,
    author_id: i64,
    on_videos_of: Option<i64>,
) -> DbResult<Vec<CommentRow>> {
    let sql = match on_videos_of {
        Some(_) => format!(
            "SELECT {COLUMNS} FROM video_comments c JOIN videos v ON v.id = c.video_id \
             JOIN channels ch ON ch.id = v.channel_id \
             WHERE c.account_id = $1 AND c.deleted_at IS NULL AND ch.account_id = $2 \
             ORDER BY c.id"
        ),
        None => format!(
            "SELECT {COLUMNS} FROM video_comments c \
             WHERE c.account_id = $1 AND c.deleted_at IS NULL ORDER BY c.id"
        ),
    };
    let mut query = sqlx::query_as(&sql).bind(author_id);
    if let Some(owner) = on_videos_of {
        query = query.bind(owner);
    }
    Ok(query.fetch_all(executor).await?)
}
