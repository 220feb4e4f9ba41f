//! Comments on videos: threads (a root comment and every reply under it) and tombstones.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

pub(crate) const COLUMNS: &str = "c.id, c.url, c.video_id, c.account_id, c.thread_id, \
    c.in_reply_to_id, c.text, c.created_at, c.updated_at, c.deleted_at, c.held_for_review, \
    c.reply_approval";

/// What `INSERT … RETURNING` gives back: the columns of [`CommentRow`], unqualified.
const RETURNING: &str = "RETURNING id, url, video_id, account_id, thread_id, in_reply_to_id, \
    text, created_at, updated_at, deleted_at, held_for_review, reply_approval";

/// A comment as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommentRow {
    /// Numeric id.
    pub id: i64,
    /// The ActivityPub id of a remote comment; none for local ones.
    pub url: Option<String>,
    /// The video commented on.
    pub video_id: i64,
    /// The author; none once deleted.
    pub account_id: Option<i64>,
    /// The root of the thread; none for a root.
    pub thread_id: Option<i64>,
    /// The comment replied to; none for a root.
    pub in_reply_to_id: Option<i64>,
    /// Plain text as the author wrote it; empty once deleted.
    pub text: String,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
    /// When it was deleted, epoch milliseconds.
    pub deleted_at: Option<i64>,
    /// 1 while held for review (a video requiring approval), 0 once approved or never held.
    pub held_for_review: i64,
    /// For a comment written here on a remote video: the id of the origin's `ApproveReply`.
    pub reply_approval: Option<String>,
}

impl CommentRow {
    /// The id of the thread's root (its own id for a root).
    pub fn root_id(&self) -> i64 {
        self.thread_id.unwrap_or(self.id)
    }

    /// True while the comment waits for the video owner's approval.
    pub fn is_held(&self) -> bool {
        self.held_for_review != 0
    }
}

/// Which comments held for review a list shows (every list shows the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeldShown {
    /// None (anonymous viewers, other instances, what is counted publicly).
    #[default]
    None,
    /// Those written by this account (their author sees them).
    AuthoredBy(i64),
    /// All (the video's owner and moderators).
    All,
}

impl HeldShown {
    /// The SQL condition on the comments aliased `alias`: the one place lists decide what
    /// held comments they show. Only integers are formatted in, never input text.
    pub fn condition(self, alias: &str) -> String {
        match self {
            HeldShown::None => format!("{alias}.held_for_review = 0"),
            HeldShown::AuthoredBy(account_id) => {
                format!("({alias}.held_for_review = 0 OR {alias}.account_id = {account_id})")
            }
            HeldShown::All => "1 = 1".to_owned(),
        }
    }
}

/// A root comment with its reply counts, as thread lists show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThreadRow {
    /// The root comment.
    #[sqlx(flatten)]
    pub comment: CommentRow,
    /// Replies in the thread that are not deleted.
    pub total_replies: i64,
    /// Of those, the ones written by the account owning the video's channel.
    pub total_replies_from_video_author: i64,
}

/// What is needed to insert a comment.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    /// The video.
    pub video_id: i64,
    /// The author.
    pub account_id: i64,
    /// The root of the thread; none for a new thread.
    pub thread_id: Option<i64>,
    /// The comment replied to; none for a new thread.
    pub in_reply_to_id: Option<i64>,
    /// The text.
    pub text: &'a str,
    /// Held for review (a video requiring approval, written by someone but its owner).
    pub held_for_review: bool,
}

/// Inserts a comment and returns it.
pub async fn insert(
    connection: &mut Connection,
    comment: &NewComment<'_>,
    now: i64,
) -> DbResult<CommentRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO video_comments (video_id, account_id, thread_id, in_reply_to_id, text, \
         created_at, updated_at, held_for_review) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) \
         {RETURNING}"
    ))
    .bind(comment.video_id)
    .bind(comment.account_id)
    .bind(comment.thread_id)
    .bind(comment.in_reply_to_id)
    .bind(comment.text)
    .bind(now)
    .bind(i64::from(comment.held_for_review))
    .fetch_one(&mut *connection)
    .await?)
}

/// Finds a comment by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<CommentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_comments c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// Makes a comment a tombstone: text emptied, author forgotten, deletion time set. Returns
/// false when it was already deleted (or is gone).
pub async fn mark_deleted(connection: &mut Connection, id: i64, now: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE video_comments SET text = '', account_id = NULL, deleted_at = $1, \
         updated_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// How thread lists are ordered (PeerTube's `sort` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadOrder {
    /// `-createdAt`: newest first.
    NewestFirst,
    /// `createdAt`: oldest first.
    OldestFirst,
    /// `-totalReplies`: most replied first.
    MostReplies,
}

impl ThreadOrder {
    /// The ORDER BY clause; a fixed string, never built from input.
    fn clause(self) -> &'static str {
        match self {
            ThreadOrder::NewestFirst => "c.created_at DESC, c.id DESC",
            ThreadOrder::OldestFirst => "c.created_at ASC, c.id ASC",
            ThreadOrder::MostReplies => "total_replies DESC, c.created_at DESC, c.id DESC",
        }
    }
}

/// The threads shown to the viewer whose account is `$2` (0 for nobody): roots not deleted,
/// and deleted roots that still have replies; none by an account or server muted by the viewer
/// or the instance; of the held ones, those `held` shows.
fn shown_threads(held: HeldShown) -> String {
    format!(
        "FROM video_comments c WHERE c.video_id = $1 AND c.thread_id IS NULL \
         AND (c.deleted_at IS NULL \
         OR EXISTS (SELECT 1 FROM video_comments r WHERE r.thread_id = c.id)) AND {} AND {}",
        held.condition("c"),
        crate::blocklists::comment_not_muted("c.account_id", "$2")
    )
}

/// One page of a video's threads as `viewer_account_id` sees them (0 for an anonymous
/// viewer; mutes of the viewer and of the instance hide threads), with how many threads there
/// are and how many of the video's comments are not deleted; comments held for review count
/// and show only as `held` says.
pub async fn list_threads(
    connection: &mut Connection,
    video_id: i64,
    viewer_account_id: i64,
    held: HeldShown,
    order: ThreadOrder,
    start: i64,
    count: i64,
) -> DbResult<(i64, i64, Vec<ThreadRow>)> {
    let shown = shown_threads(held);
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {shown}"))
        .bind(video_id)
        .bind(viewer_account_id)
        .fetch_one(&mut *connection)
        .await?;
    let (not_deleted,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM video_comments c WHERE c.video_id = $1 AND c.deleted_at IS NULL \
         AND {}",
        held.condition("c")
    ))
    .bind(video_id)
    .fetch_one(&mut *connection)
    .await?;
    let replies_held = held.condition("r");
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, \
         (SELECT COUNT(*) FROM video_comments r WHERE r.thread_id = c.id \
          AND r.deleted_at IS NULL AND {replies_held}) AS total_replies, \
         (SELECT COUNT(*) FROM video_comments r JOIN videos v ON v.id = r.video_id \
          JOIN channels ch ON ch.id = v.channel_id WHERE r.thread_id = c.id \
          AND r.deleted_at IS NULL AND r.account_id = ch.account_id AND {replies_held}) \
          AS total_replies_from_video_author \
         {shown} ORDER BY {} LIMIT $3 OFFSET $4",
        order.clause()
    ))
    .bind(video_id)
    .bind(viewer_account_id)
    .bind(count)
    .bind(start)
    .fetch_all(&mut *connection)
    .await?;
    Ok((total, not_deleted, rows))
}

/// The replies of a thread as `viewer_account_id` sees them (0 for an anonymous viewer;
/// replies by accounts or servers muted by the viewer or the instance are left out) and as
/// `held` shows them, oldest first, at most `limit` of them.
pub async fn list_replies<'e>(
    executor: impl Executor<'e, Database = Any>,
    thread_id: i64,
    viewer_account_id: i64,
    held: HeldShown,
    limit: i64,
) -> DbResult<Vec<CommentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_comments c WHERE c.thread_id = $1 AND {} AND {} \
         ORDER BY c.created_at, c.id LIMIT $3",
        held.condition("c"),
        crate::blocklists::comment_not_muted("c.account_id", "$2")
    ))
    .bind(thread_id)
    .bind(viewer_account_id)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// Inserts a comment received from another instance, with its ActivityPub id and dates; a
/// comment with the same id already stored is returned unchanged.
pub async fn insert_remote(
    connection: &mut Connection,
    comment: &NewComment<'_>,
    url: &str,
    created_at: i64,
    now: i64,
) -> DbResult<CommentRow> {
    let inserted: Option<CommentRow> = sqlx::query_as(&format!(
        "INSERT INTO video_comments (url, video_id, account_id, thread_id, in_reply_to_id, text, \
         created_at, updated_at, held_for_review) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (url) DO NOTHING {RETURNING}"
    ))
    .bind(url)
    .bind(comment.video_id)
    .bind(comment.account_id)
    .bind(comment.thread_id)
    .bind(comment.in_reply_to_id)
    .bind(comment.text)
    .bind(created_at)
    .bind(now)
    .bind(i64::from(comment.held_for_review))
    .fetch_optional(&mut *connection)
    .await?;
    match inserted {
        Some(row) => Ok(row),
        None => find_by_url(&mut *connection, url)
            .await?
            .ok_or(crate::DbError::Sql(sqlx::Error::RowNotFound)),
    }
}

/// Finds a remote comment by its ActivityPub id.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<CommentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_comments c WHERE c.url = $1"
    ))
    .bind(url)
    .fetch_optional(executor)
    .await?)
}

/// Replaces a remote comment's text (an `Update{Note}` from its author).
pub async fn set_text(connection: &mut Connection, id: i64, text: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE video_comments SET text = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL",
    )
    .bind(text)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// A page of a video's comments that are not deleted nor held for review, oldest first, and
/// their total (the video's `comments` collection).
pub async fn list_of_video(
    pool: &sqlx::AnyPool,
    video_id: i64,
    start: i64,
    count: i64,
) -> DbResult<(Vec<CommentRow>, i64)> {
    let public = HeldShown::None.condition("c");
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM video_comments c WHERE c.video_id = $1 AND c.deleted_at IS NULL \
         AND {public} ORDER BY c.id LIMIT $2 OFFSET $3"
    ))
    .bind(video_id)
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM video_comments c WHERE c.video_id = $1 AND c.deleted_at IS NULL \
         AND {public}"
    ))
    .bind(video_id)
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// How many comments each of `video_ids` shows to everyone (not deleted, not held for review),
/// as PeerTube's `comments` count of a video; videos without any are left out.
pub async fn count_shown_of(
    pool: &sqlx::AnyPool,
    video_ids: &[i64],
) -> DbResult<std::collections::HashMap<i64, i64>> {
    if video_ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    // Only integers are formatted in.
    let list = video_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT video_id, COUNT(*) FROM video_comments WHERE video_id IN ({list}) \
         AND deleted_at IS NULL AND held_for_review = 0 GROUP BY video_id"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}
