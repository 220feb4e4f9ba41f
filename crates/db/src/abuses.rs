//! Abuse reports and the messages of their conversations (`abuses`, `abuse_messages`).
//!
//! Rows are decoded in one place ([`AbuseRow`], with the counts PeerTube shows next to a
//! report); lists are filtered by [`AbuseFilter`] with every value bound, never spliced.

use sqlx::{Any, AnyPool, Executor};

use crate::video_lists::like_pattern;
use crate::{Connection, DbResult};

/// The columns of [`AbuseRow`], over `abuses a`.
const COLUMNS: &str = "a.id, a.reporter_account_id, a.flagged_account_id, a.object_kind, \
    a.video_id, a.comment_id, a.video_uuid, a.video_name, a.start_at, a.end_at, a.reason, \
    a.predefined_reasons, a.state, a.moderation_comment, a.flag_url, a.created_at, \
    a.updated_at, a.processed_at, \
    (SELECT COUNT(*) FROM abuse_messages m WHERE m.abuse_id = a.id) AS count_messages, \
    (SELECT COUNT(*) FROM abuses x WHERE x.reporter_account_id = a.reporter_account_id) \
    AS reporter_reports, \
    (SELECT COUNT(*) FROM abuses x WHERE x.flagged_account_id = a.flagged_account_id) \
    AS flagged_reports, \
    (SELECT COUNT(*) FROM abuses x WHERE x.video_id = a.video_id) AS video_reports, \
    (SELECT COUNT(*) FROM abuses x WHERE x.video_id = a.video_id AND x.id <= a.id) AS video_nth";

/// A report as stored, with its counts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AbuseRow {
    /// Numeric id.
    pub id: i64,
    /// Who reported (a local account, or the account of a remote Flag's signer); none once
    /// that account is gone.
    pub reporter_account_id: Option<i64>,
    /// The account reported, or owning what was reported.
    pub flagged_account_id: Option<i64>,
    /// `video`, `comment` or `account`.
    pub object_kind: String,
    /// The video reported (none for other kinds, or once it is deleted).
    pub video_id: Option<i64>,
    /// The comment reported (none for other kinds, or once it is deleted with its video).
    pub comment_id: Option<i64>,
    /// The reported video's UUID when reported (kept after it is deleted).
    pub video_uuid: Option<String>,
    /// The reported video's name when reported (kept after it is deleted).
    pub video_name: Option<String>,
    /// Seconds into the video where the problem starts.
    pub start_at: Option<i64>,
    /// Seconds into the video where it ends.
    pub end_at: Option<i64>,
    /// The reporter's words.
    pub reason: String,
    /// Predefined reasons as bits (`kinora_core::abuse::reason_bit`).
    pub predefined_reasons: i64,
    /// 1 pending, 2 rejected, 3 accepted.
    pub state: i64,
    /// What the moderators noted (seen by them only).
    pub moderation_comment: Option<String>,
    /// The id of the remote Flag the report came from.
    pub flag_url: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
    /// When a moderator first changed its state or wrote to the reporter.
    pub processed_at: Option<i64>,
    /// Messages of its conversation.
    pub count_messages: i64,
    /// Reports by the same reporter.
    pub reporter_reports: i64,
    /// Reports of the same flagged account.
    pub flagged_reports: i64,
    /// Reports of the same video.
    pub video_reports: i64,
    /// This report's rank among those of its video (1: the first).
    pub video_nth: i64,
}

/// What is needed to insert a report.
#[derive(Debug, Clone, Default)]
pub struct NewAbuse<'a> {
    /// The reporter's account.
    pub reporter_account_id: i64,
    /// The account reported or owning what was reported.
    pub flagged_account_id: Option<i64>,
    /// `video`, `comment` or `account`.
    pub object_kind: &'a str,
    /// The video.
    pub video_id: Option<i64>,
    /// The comment.
    pub comment_id: Option<i64>,
    /// The video's UUID.
    pub video_uuid: Option<&'a str>,
    /// The video's name.
    pub video_name: Option<&'a str>,
    /// Start of the problem in the video, seconds.
    pub start_at: Option<i64>,
    /// End of it, seconds.
    pub end_at: Option<i64>,
    /// The reporter's words.
    pub reason: &'a str,
    /// Predefined reasons as bits.
    pub predefined_reasons: i64,
    /// The remote Flag it came from.
    pub flag_url: Option<&'a str>,
}

/// Inserts a pending report and returns its id.
pub async fn insert(connection: &mut Connection, abuse: &NewAbuse<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO abuses (reporter_account_id, flagged_account_id, object_kind, video_id, \
         comment_id, video_uuid, video_name, start_at, end_at, reason, predefined_reasons, \
         state, flag_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13) RETURNING id",
    )
    .bind(abuse.reporter_account_id)
    .bind(abuse.flagged_account_id)
    .bind(abuse.object_kind)
    .bind(abuse.video_id)
    .bind(abuse.comment_id)
    .bind(abuse.video_uuid)
    .bind(abuse.video_name)
    .bind(abuse.start_at)
    .bind(abuse.end_at)
    .bind(abuse.reason)
    .bind(abuse.predefined_reasons)
    .bind(abuse.flag_url)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds a report by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<AbuseRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM abuses a WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// How many reports `account_id` filed since `since` (epoch milliseconds), and when the oldest
/// of them was filed.
pub async fn count_recent_by_reporter<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
    since: i64,
) -> DbResult<(i64, Option<i64>)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM abuses \
         WHERE reporter_account_id = $1 AND created_at > $2",
    )
    .bind(account_id)
    .bind(since)
    .fetch_one(executor)
    .await?)
}

/// Sets a report's state (and `processed_at`, the first time) and/or its moderation comment.
/// False when the report is gone.
pub async fn update(
    connection: &mut Connection,
    id: i64,
    state: Option<i64>,
    moderation_comment: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE abuses SET state = COALESCE($1, state), \
         moderation_comment = COALESCE($2, moderation_comment), updated_at = $3, \
         processed_at = CASE WHEN $1 IS NOT NULL AND processed_at IS NULL THEN $3 \
         ELSE processed_at END WHERE id = $4",
    )
    .bind(state)
    .bind(moderation_comment)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Marks a report processed (a moderator wrote to its reporter), if it was not yet.
pub async fn mark_processed(connection: &mut Connection, id: i64, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE abuses SET processed_at = $1 WHERE id = $2 AND processed_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Deletes a report with its messages. False when it was gone.
pub async fn delete(connection: &mut Connection, id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM abuses WHERE id = $1")
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The object kinds a list may be limited to.
pub const OBJECT_KINDS: [&str; 3] = ["video", "comment", "account"];

/// Which reports a list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AbuseFilter<'a> {
    /// Only this report.
    pub id: Option<i64>,
    /// Only reports in this state.
    pub state: Option<i64>,
    /// Only reports of this kind of object (one of [`OBJECT_KINDS`]).
    pub object_kind: Option<&'a str>,
    /// Only reports filed by this account.
    pub reporter_account_id: Option<i64>,
    /// Only reports giving this predefined reason (its bit).
    pub predefined_reason_bit: Option<i64>,
    /// Text found in the reason, the video's name, the comment's text, or the names of the
    /// reporter or the flagged account (case-insensitive).
    pub search: Option<&'a str>,
    /// Text found in the reporter's names.
    pub search_reporter: Option<&'a str>,
    /// Text found in the flagged account's names.
    pub search_reportee: Option<&'a str>,
    /// Text found in the video's name.
    pub search_video: Option<&'a str>,
    /// Only reports of videos deleted since.
    pub video_deleted: bool,
    /// Only reports of videos that are blocked (PeerTube's `videoIs=blacklisted`).
    pub video_blocked: bool,
}

/// What a list is ordered by (PeerTube's `sort` values without the `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbuseOrder {
    /// `id`.
    Id,
    /// `createdAt`.
    CreatedAt,
    /// `state`.
    State,
}

impl AbuseOrder {
    fn column(self) -> &'static str {
        match self {
            AbuseOrder::Id => "a.id",
            AbuseOrder::CreatedAt => "a.created_at",
            AbuseOrder::State => "a.state",
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbusePage {
    /// The order.
    pub order: AbuseOrder,
    /// Largest first.
    pub descending: bool,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

enum Bind {
    Int(i64),
    Text(String),
}

const JOINS: &str = "FROM abuses a \
    LEFT JOIN accounts ra ON ra.id = a.reporter_account_id \
    LEFT JOIN actors rr ON rr.id = ra.actor_id \
    LEFT JOIN accounts fa ON fa.id = a.flagged_account_id \
    LEFT JOIN actors fr ON fr.id = fa.actor_id \
    LEFT JOIN videos v ON v.id = a.video_id \
    LEFT JOIN video_comments c ON c.id = a.comment_id";

fn names_like(account: &str, actor: &str, n: usize) -> String {
    format!(
        "(LOWER({actor}.preferred_username) LIKE ${n} ESCAPE '\\' \
         OR LOWER({account}.display_name) LIKE ${n} ESCAPE '\\')"
    )
}

fn conditions(filter: &AbuseFilter<'_>) -> (String, Vec<Bind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut equal = |column: &str, value: Option<i64>, binds: &mut Vec<Bind>| {
        if let Some(value) = value {
            binds.push(Bind::Int(value));
            conditions.push(format!("{column} = ${}", binds.len()));
        }
    };
    equal("a.id", filter.id, &mut binds);
    equal("a.state", filter.state, &mut binds);
    equal(
        "a.reporter_account_id",
        filter.reporter_account_id,
        &mut binds,
    );
    if let Some(kind) = filter.object_kind {
        binds.push(Bind::Text(kind.to_owned()));
        conditions.push(format!("a.object_kind = ${}", binds.len()));
    }
    if let Some(bit) = filter.predefined_reason_bit {
        binds.push(Bind::Int(bit));
        conditions.push(format!("(a.predefined_reasons & ${}) <> 0", binds.len()));
    }
    if filter.video_deleted {
        conditions.push("(a.object_kind = 'video' AND a.video_id IS NULL)".to_owned());
    }
    if filter.video_blocked {
        conditions.push(
            "(a.object_kind = 'video' AND a.video_id IN (SELECT video_id FROM video_blacklist))"
                .to_owned(),
        );
    }
    let video_name = "LOWER(COALESCE(v.name, a.video_name, ''))";
    if let Some(search) = filter.search {
        binds.push(Bind::Text(like_pattern(search)));
        let n = binds.len();
        conditions.push(format!(
            "(LOWER(a.reason) LIKE ${n} ESCAPE '\\' OR {video_name} LIKE ${n} ESCAPE '\\' \
             OR LOWER(COALESCE(c.text, '')) LIKE ${n} ESCAPE '\\' OR {} OR {})",
            names_like("ra", "rr", n),
            names_like("fa", "fr", n)
        ));
    }
    if let Some(search) = filter.search_reporter {
        binds.push(Bind::Text(like_pattern(search)));
        conditions.push(names_like("ra", "rr", binds.len()));
    }
    if let Some(search) = filter.search_reportee {
        binds.push(Bind::Text(like_pattern(search)));
        conditions.push(names_like("fa", "fr", binds.len()));
    }
    if let Some(search) = filter.search_video {
        binds.push(Bind::Text(like_pattern(search)));
        conditions.push(format!("{video_name} LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let sql = if conditions.is_empty() {
        JOINS.to_owned()
    } else {
        format!("{JOINS} WHERE {}", conditions.join(" AND "))
    };
    (sql, binds)
}

/// The reports matching `filter`: how many there are, and one page of them.
pub async fn list(
    pool: &AnyPool,
    filter: &AbuseFilter<'_>,
    page: AbusePage,
) -> DbResult<(i64, Vec<AbuseRow>)> {
    let (from, binds) = conditions(filter);
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for bind in &binds {
        count = match bind {
            Bind::Int(value) => count.bind(*value),
            Bind::Text(value) => count.bind(value.as_str()),
        };
    }
    let (total,) = count.fetch_one(pool).await?;
    let direction = if page.descending { "DESC" } else { "ASC" };
    let rows_sql = format!(
        "SELECT {COLUMNS} {from} ORDER BY {} {direction}, a.id {direction} LIMIT ${} OFFSET ${}",
        page.order.column(),
        binds.len() + 1,
        binds.len() + 2,
    );
    let mut rows = sqlx::query_as::<_, AbuseRow>(&rows_sql);
    for bind in &binds {
        rows = match bind {
            Bind::Int(value) => rows.bind(*value),
            Bind::Text(value) => rows.bind(value.as_str()),
        };
    }
    let rows = rows
        .bind(page.count)
        .bind(page.start)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// One message of a report's conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AbuseMessageRow {
    /// Numeric id.
    pub id: i64,
    /// The report.
    pub abuse_id: i64,
    /// Its author; none once that account is gone.
    pub account_id: Option<i64>,
    /// The text.
    pub message: String,
    /// 1 when written by a moderator (not the reporter).
    pub by_moderator: i64,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
}

const MESSAGE_COLUMNS: &str = "id, abuse_id, account_id, message, by_moderator, created_at";

/// Adds a message to report `abuse_id`; answers its id.
pub async fn insert_message(
    connection: &mut Connection,
    abuse_id: i64,
    account_id: i64,
    message: &str,
    by_moderator: bool,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO abuse_messages (abuse_id, account_id, message, by_moderator, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(abuse_id)
    .bind(account_id)
    .bind(message)
    .bind(i64::from(by_moderator))
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// The messages of report `abuse_id`, oldest first.
pub async fn list_messages(pool: &AnyPool, abuse_id: i64) -> DbResult<Vec<AbuseMessageRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM abuse_messages WHERE abuse_id = $1 \
         ORDER BY created_at, id"
    ))
    .bind(abuse_id)
    .fetch_all(pool)
    .await?)
}

/// Message `id` of report `abuse_id`.
pub async fn find_message<'e>(
    executor: impl Executor<'e, Database = Any>,
    abuse_id: i64,
    id: i64,
) -> DbResult<Option<AbuseMessageRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM abuse_messages WHERE abuse_id = $1 AND id = $2"
    ))
    .bind(abuse_id)
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// Deletes message `id`. False when it was gone.
pub async fn delete_message(connection: &mut Connection, id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM abuse_messages WHERE id = $1")
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}
