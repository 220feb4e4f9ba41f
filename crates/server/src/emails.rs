//! Sending the e-mail jobs: one composed message (`SendEmail`), or every notification due to
//! be e-mailed (`SendNotificationEmails`). A server that cannot be reached or answers "later"
//! makes the job retry with backoff; a refused message is not sent again.

use kinora_app::emails::EmailContext;
use kinora_core::email::OutgoingEmail;
use kinora_db::Db;
use kinora_jobs::JobFailure;
use kinora_mail::Mailer;

/// Notifications composed and sent per database round.
const BATCH: i64 = 50;

/// Sends one message; without a mailer (e-mail turned off since it was queued) it is dropped.
pub async fn send_one(mailer: Option<&Mailer>, email: &OutgoingEmail) -> Result<(), JobFailure> {
    let Some(mailer) = mailer else {
        tracing::warn!("an e-mail was queued but [smtp] has no host now; dropped");
        return Ok(());
    };
    match mailer.send(email).await {
        Ok(()) => {
            metrics::counter!("kinora_emails_sent_total").increment(1);
            Ok(())
        }
        Err(error) if error.is_transient() => Err(JobFailure::retryable(error.to_string())),
        Err(error) => {
            metrics::counter!("kinora_emails_refused_total").increment(1);
            Err(JobFailure::permanent(error.to_string()))
        }
    }
}

/// Sends every notification e-mail that is due, oldest first, marking each sent (or not sent:
/// refused, no mailer, nothing left to tell) as it goes, so a retry resumes where this stopped.
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
        for item in batch {
            let sent = match (&item.email, mailer) {
                (Some(email), Some(mailer)) => match mailer.send(email).await {
                    Ok(()) => {
                        metrics::counter!("kinora_emails_sent_total").increment(1);
                        true
                    }
                    Err(error) if error.is_transient() => {
                        return Err(JobFailure::retryable(error.to_string()));
                    }
                    Err(error) => {
                        metrics::counter!("kinora_emails_refused_total").increment(1);
                        tracing::warn!(notification = item.id, %error, "notification e-mail refused");
                        false
                    }
                },
                _ => false,
            };
            kinora_app::emails::finish_notification_email(db, item.id, sent)
                .await
                .map_err(|error| JobFailure::retryable(error.to_string()))?;
        }
    }
}
