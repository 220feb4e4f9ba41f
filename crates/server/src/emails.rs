//! Sending the e-mail jobs: one composed message (`SendEmail`), or every notification due to
//! be e-mailed (`SendNotificationEmails`). A server that cannot be reached or answers "later"
//! makes the job retry with backoff; a refused message is not sent again.

use futures_util::StreamExt;
use kinora_app::emails::{EmailContext, NotificationEmail};
use kinora_core::email::OutgoingEmail;
use kinora_db::Db;
use kinora_jobs::JobFailure;
use kinora_mail::{MailError, Mailer};

/// Notifications composed and sent per database round.
const BATCH: i64 = 50;

/// Sends `email`, counting it sent or refused.
async fn send_counted(mailer: &Mailer, email: &OutgoingEmail) -> Result<(), MailError> {
    let result = mailer.send(email).await;
    match &result {
        Ok(()) => metrics::counter!("kinora_emails_sent_total").increment(1),
        Err(error) if !error.is_transient() => {
            metrics::counter!("kinora_emails_refused_total").increment(1)
        }
        Err(_) => {}
    }
    result
}

/// Sends one message; without a mailer (e-mail turned off since it was queued) it is dropped.
pub async fn send_one(mailer: Option<&Mailer>, email: &OutgoingEmail) -> Result<(), JobFailure> {
    let Some(mailer) = mailer else {
        tracing::warn!("an e-mail was queued but [smtp] has no host now; dropped");
        return Ok(());
    };
    match send_counted(mailer, email).await {
        Ok(()) => Ok(()),
        Err(error) if error.is_transient() => Err(JobFailure::retryable(error.to_string())),
        Err(error) => Err(JobFailure::permanent(error.to_string())),
    }
}

/// Notification e-mails sent at once, each over its own pooled connection (the transport keeps
/// up to 10): one SMTP conversation mostly waits (on the server's answers, and on the socket:
/// BENCHMARKS.md, "Notification fan-out"), so several overlap.
const CONCURRENT_SENDS: usize = 8;

/// Sends one due notification e-mail and records whether it was sent (or never will be:
/// refused, no mailer, nothing left to tell); `Err` (the reason) when it must wait for the
/// server and stays due.
async fn send_and_finish(
    db: &Db,
    mailer: Option<&Mailer>,
    item: NotificationEmail,
) -> Result<(), String> {
    let sent = match (&item.email, mailer) {
        (Some(email), Some(mailer)) => match send_counted(mailer, email).await {
            Ok(()) => true,
            Err(error) if error.is_transient() => return Err(error.to_string()),
            Err(error) => {
                tracing::warn!(notification = item.id, %error, "notification e-mail refused");
                false
            }
        },
        _ => false,
    };
    kinora_app::emails::finish_notification_email(db, item.id, sent)
        .await
        .map_err(|error| error.to_string())
}

/// Sends every notification e-mail that is due, oldest first, [`CONCURRENT_SENDS`] at a time,
/// marking each sent (or not sent: refused, no mailer, nothing left to tell) as soon as it is,
/// so a retry resumes where this stopped. One that must wait for the server stays due, and the
/// job retries once the others of its batch are done.
pub async fn send_notification_emails(
    db: &Db,
    mailer: Option<&Mailer>,
    context: &EmailContext,
) -> Result<(), JobFailure> {
    loop {
        let batch = kinora_app::emails::next_notification_emails(db, context, BATCH)
            .await
            .map_err(|error| JobFailure::retryable(error.to_string()))?;
        if batch.is_empty() {
            return Ok(());
        }
        // Owned items: a stream of closures over borrowed ones is not `Send` for the job's
        // future (rustc's higher-ranked closure limits).
        let results: Vec<Result<(), String>> = futures_util::stream::iter(batch)
            .map(|item| send_and_finish(db, mailer, item))
            .buffer_unordered(CONCURRENT_SENDS)
            .collect()
            .await;
        if let Some(reason) = results.into_iter().find_map(Result::err) {
            return Err(JobFailure::retryable(reason));
        }
    }
}
