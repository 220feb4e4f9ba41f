//! The conversation of a report: its reporter and the moderators write to each other. Only
//! reports filed here have one (a remote reporter cannot read it); others than the reporter
//! and staff are refused (403).

use kinora_db::abuses::{AbuseMessageRow, AbuseRow};
use kinora_db::accounts::AccountRow;
use kinora_db::{Db, now_millis};

use super::{check_text, find};
use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Report `id` and the caller's account, when the caller may take part in its conversation.
async fn conversation(
    db: &Db,
    user: &AuthenticatedUser,
    id: i64,
) -> AppResult<(AbuseRow, AccountRow)> {
    let abuse = find(db, id).await?;
    let account = crate::users::find_account(db, user).await?;
    if !user.is_staff() && abuse.reporter_account_id != Some(account.id) {
        return Err(AppError::Forbidden(format!(
            "User {} does not have right to get abuse {id}",
            user.username
        )));
    }
    let reporter = match abuse.reporter_account_id {
        Some(reporter) => kinora_db::accounts::find_by_id(db.pool(), reporter).await?,
        None => None,
    };
    if reporter.is_none_or(|reporter| reporter.host.is_some()) {
        return Err(AppError::Unsupported {
            code: "abuse_not_local",
            message: "This abuse was not created by a user of your instance.".to_owned(),
        });
    }
    Ok((abuse, account))
}

/// The messages of report `id`, oldest first.
pub async fn list(db: &Db, user: &AuthenticatedUser, id: i64) -> AppResult<Vec<AbuseMessageRow>> {
    conversation(db, user, id).await?;
    Ok(kinora_db::abuses::list_messages(db.pool(), id).await?)
}

/// Adds `message` to report `id`; answers its id. A message of anyone but the reporter is a
/// moderator's, and marks the report processed.
pub async fn add(db: &Db, user: &AuthenticatedUser, id: i64, message: &str) -> AppResult<i64> {
    check_text("message", message)?;
    let (abuse, account) = conversation(db, user, id).await?;
    let by_moderator = abuse.reporter_account_id != Some(account.id);
    let now = now_millis();
    let mut tx = db.begin().await?;
    let message_id =
        kinora_db::abuses::insert_message(&mut tx, id, account.id, message, by_moderator, now)
            .await?;
    if by_moderator {
        kinora_db::abuses::mark_processed(&mut tx, id, now).await?;
    }
    // The other side is told: the local reporter of a moderator's message, the staff of the
    // reporter's.
    let about = kinora_db::notifications::About {
        abuse_id: Some(id),
        ..Default::default()
    };
    let kind = kinora_core::notifications::NotificationKind::AbuseNewMessage;
    if by_moderator {
        if let Some(reporter) = abuse.reporter_account_id
            && let Some(user_id) = kinora_db::accounts::find_by_id(&mut *tx, reporter)
                .await?
                .and_then(|account| account.user_id)
        {
            kinora_db::notifications::notify_user(&mut tx, user_id, kind, &about, now).await?;
        }
    } else {
        kinora_db::notifications::notify_staff(&mut tx, kind, &about, true, now).await?;
    }
    tx.commit().await?;
    Ok(message_id)
}

/// Deletes message `message_id` of report `id`: its author or staff may.
pub async fn delete(db: &Db, user: &AuthenticatedUser, id: i64, message_id: i64) -> AppResult<()> {
    let (_, account) = conversation(db, user, id).await?;
    let message = kinora_db::abuses::find_message(db.pool(), id, message_id)
        .await?
        .ok_or(AppError::NotFound("Abuse message"))?;
    if !user.is_staff() && message.account_id != Some(account.id) {
        return Err(AppError::Forbidden(
            "Cannot delete this abuse message".to_owned(),
        ));
    }
    let mut tx = db.begin().await?;
    kinora_db::abuses::delete_message(&mut tx, message_id).await?;
    tx.commit().await?;
    Ok(())
}
