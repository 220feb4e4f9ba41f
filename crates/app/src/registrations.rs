//! Sign-ups waiting for approval (PeerTube's registrations, `registration = "approval"`): a
//! waiting registration is a user whose `approved` is 0, its id the user's. Staff list them,
//! accept them (the user may log in) or reject them (the user and its account are deleted and
//! the name is free again); either way the requester is told by e-mail, with the staff's
//! response, when the instance sends e-mail.

use kinora_db::users::UserRow;
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::emails::EmailContext;
use crate::{AppError, AppResult, MediaStorage};

/// Shortest reason a sign-up request gives (PeerTube's `USER_REGISTRATIONS.REASON_MESSAGE`).
pub const REASON_MIN: usize = 2;
/// Longest reason, and longest moderation response.
pub const TEXT_MAX: usize = 3000;

/// Checks a request's reason or a response's length.
pub fn check_text(field: &'static str, text: &str, min: usize) -> AppResult<()> {
    let length = text.chars().count();
    if length < min || length > TEXT_MAX {
        return Err(AppError::Invalid {
            field,
            message: format!("must be {min} to {TEXT_MAX} characters long"),
        });
    }
    Ok(())
}

fn ensure_staff(caller: &AuthenticatedUser) -> AppResult<()> {
    if caller.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "You cannot manage registrations.".to_owned(),
        ))
    }
}

/// The waiting registration `id`.
async fn waiting(db: &Db, id: i64) -> AppResult<UserRow> {
    kinora_db::users::find_by_id(db.pool(), id)
        .await?
        .filter(|user| user.approved == 0)
        .ok_or(AppError::NotFound("Registration"))
}

/// Staff: how many registrations wait (whose name or address contains `search`), and a page.
pub async fn list(
    db: &Db,
    caller: &AuthenticatedUser,
    search: Option<&str>,
    newest_first: bool,
    start: i64,
    count: i64,
) -> AppResult<(i64, Vec<UserRow>)> {
    ensure_staff(caller)?;
    Ok(
        kinora_db::users::waiting_registrations(db.pool(), search, newest_first, start, count)
            .await?,
    )
}

/// Staff: accepts registration `id`, telling the requester (with `response`) by e-mail.
pub async fn accept(
    db: &Db,
    email: &EmailContext,
    caller: &AuthenticatedUser,
    id: i64,
    response: Option<&str>,
) -> AppResult<()> {
    ensure_staff(caller)?;
    if let Some(response) = response {
        check_text("moderationResponse", response, 0)?;
    }
    let user = waiting(db, id).await?;
    let mut tx = db.begin().await?;
    if !kinora_db::users::approve(&mut tx, user.id, now_millis()).await? {
        return Err(AppError::NotFound("Registration"));
    }
    crate::emails::send_registration_answer(&mut tx, email, &user, true, response).await?;
    tx.commit().await?;
    tracing::info!(user = %user.username, by = %caller.username, "registration accepted");
    Ok(())
}

/// Staff: rejects registration `id` — the waiting user and its account are deleted — telling
/// the requester (with `response`) by e-mail when `tell`.
pub async fn reject(
    db: &Db,
    storage: &MediaStorage,
    email: &EmailContext,
    caller: &AuthenticatedUser,
    id: i64,
    response: Option<&str>,
    tell: bool,
) -> AppResult<()> {
    ensure_staff(caller)?;
    if let Some(response) = response {
        check_text("moderationResponse", response, 0)?;
    }
    let user = waiting(db, id).await?;
    crate::user_bans::delete_user_and_everything(db, storage, &user).await?;
    if tell {
        let mut tx = db.begin().await?;
        crate::emails::send_registration_answer(&mut tx, email, &user, false, response).await?;
        tx.commit().await?;
    }
    tracing::info!(user = %user.username, by = %caller.username, "registration rejected");
    Ok(())
}
