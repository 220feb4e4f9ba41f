//! What moderators do with reports — list, change state or note, delete — and the reporter's
//! own list.

use kinora_core::abuse::AbuseState;
use kinora_core::federation::FederationEvent;
use kinora_db::abuses::{AbuseFilter, AbusePage, AbuseRow};
use kinora_db::{Db, now_millis};

use super::{check_text, ensure_moderator, find};
use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// The reports matching `filter` (moderators and administrators only).
pub async fn list_all(
    db: &Db,
    user: &AuthenticatedUser,
    filter: &AbuseFilter<'_>,
    page: AbusePage,
) -> AppResult<(i64, Vec<AbuseRow>)> {
    ensure_moderator(user)?;
    Ok(kinora_db::abuses::list(db.pool(), filter, page).await?)
}

/// The reports `user` filed that match `filter`.
pub async fn list_mine(
    db: &Db,
    user: &AuthenticatedUser,
    filter: &AbuseFilter<'_>,
    page: AbusePage,
) -> AppResult<(i64, Vec<AbuseRow>)> {
    let account = crate::users::find_account(db, user).await?;
    let filter = AbuseFilter {
        reporter_account_id: Some(account.id),
        ..*filter
    };
    Ok(kinora_db::abuses::list(db.pool(), &filter, page).await?)
}

/// A moderator's change to a report: its state, its note, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AbuseChange {
    /// 1 pending, 2 rejected, 3 accepted.
    pub state: Option<i64>,
    /// The moderators' note (2 to 3,000 characters).
    pub moderation_comment: Option<String>,
}

/// Applies `change` to report `id`. Accepting or rejecting a report a remote Flag brought
/// tells the reporter's instance, in the same transaction.
pub async fn update(
    db: &Db,
    user: &AuthenticatedUser,
    id: i64,
    change: &AbuseChange,
) -> AppResult<()> {
    ensure_moderator(user)?;
    if let Some(state) = change.state
        && AbuseState::from_id(state).is_none()
    {
        return Err(AppError::Invalid {
            field: "state",
            message: format!("{state} is not 1 (pending), 2 (rejected) or 3 (accepted)"),
        });
    }
    if let Some(comment) = &change.moderation_comment {
        check_text("moderationComment", comment)?;
    }
    let abuse = find(db, id).await?;
    let mut tx = db.begin().await?;
    if !kinora_db::abuses::update(
        &mut tx,
        id,
        change.state,
        change.moderation_comment.as_deref(),
        now_millis(),
    )
    .await?
    {
        return Err(AppError::NotFound("Abuse"));
    }
    let answered = matches!(
        change.state.and_then(AbuseState::from_id),
        Some(AbuseState::Accepted | AbuseState::Rejected)
    );
    if answered && change.state != Some(abuse.state) && abuse.flag_url.is_some() {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::AbuseStateChanged { abuse_id: id },
        )
        .await?;
    }
    if change.state.is_some_and(|state| state != abuse.state) {
        kinora_db::notifications::on_abuse_state_change(&mut tx, id, now_millis()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes report `id` (only our copy: other instances keep theirs).
pub async fn delete(db: &Db, user: &AuthenticatedUser, id: i64) -> AppResult<()> {
    ensure_moderator(user)?;
    let mut tx = db.begin().await?;
    if !kinora_db::abuses::delete(&mut tx, id).await? {
        return Err(AppError::NotFound("Abuse"));
    }
    tx.commit().await?;
    Ok(())
}
