//! The notifications to be e-mailed: finding them with their recipient, marking them sent,
//! and the job that sends them, queued in the transaction that wrote them.

use sqlx::AnyPool;

use super::{COLUMNS, NotificationRow};
use crate::{Connection, DbResult};

/// The kind of the job that sends notification e-mails (`kinora_jobs::Job::SendNotificationEmails`,
/// whose tests check these four constants against it).
pub const EMAIL_JOB_KIND: &str = "send-notification-emails";
/// The job's stored payload.
pub const EMAIL_JOB_PAYLOAD: &str = r#"{"type":"send-notification-emails"}"#;
/// The job's unique key: one sender queued or running at a time.
pub const EMAIL_JOB_UNIQUE_KEY: &str = "notification-emails";
/// The job's attempts.
pub const EMAIL_JOB_MAX_ATTEMPTS: i64 = 10;

/// Where a notification's e-mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailState {
    /// No e-mail (the user wants none of this kind).
    None = 0,
    /// To be e-mailed.
    Due = 1,
    /// E-mailed.
    Sent = 2,
    /// Not e-mailed: SMTP is not configured, or the server refused the address.
    NotSent = 3,
}

/// A notification to e-mail, with its recipient.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueEmail {
    /// The notification.
    #[sqlx(flatten)]
    pub notification: NotificationRow,
    /// The recipient's login name.
    pub username: String,
    /// The recipient's address.
    pub email: String,
    /// 1 when the address is verified.
    pub email_verified: i64,
    /// 1 when the recipient is banned.
    pub blocked: i64,
}

/// Queues the e-mail job when a notification is due and none is queued or running.
pub async fn queue_email_job_if_due(connection: &mut Connection, now: i64) -> DbResult<()> {
    let due: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM user_notifications WHERE email_state = 1 LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?;
    if due.is_some() {
        crate::jobs::insert(
            connection,
            &crate::jobs::NewJob {
                kind: EMAIL_JOB_KIND,
                payload: EMAIL_JOB_PAYLOAD,
                unique_key: Some(EMAIL_JOB_UNIQUE_KEY),
                max_attempts: EMAIL_JOB_MAX_ATTEMPTS,
                run_at: now,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The oldest `limit` notifications due to be e-mailed, with their recipients.
pub async fn due_emails(pool: &AnyPool, limit: i64) -> DbResult<Vec<DueEmail>> {
    let columns: Vec<String> = COLUMNS
        .split(", ")
        .map(|column| format!("n.{}", column.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, u.username, u.email, u.email_verified, u.blocked FROM user_notifications n \
         JOIN users u ON u.id = n.user_id WHERE n.email_state = 1 ORDER BY n.id LIMIT $1",
        columns.join(", ")
    );
    Ok(sqlx::query_as::<_, DueEmail>(&sql)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// Sets the e-mail state of notification `id` (only while it is due).
pub async fn set_email_state(pool: &AnyPool, id: i64, state: EmailState) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE user_notifications SET email_state = $1 WHERE id = $2 AND email_state = 1",
    )
    .bind(state as i64)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}
