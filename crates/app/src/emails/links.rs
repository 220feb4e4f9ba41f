//! The one-time links sent by e-mail: address verification (after sign-up, or for a new
//! address) and password reset. A link's secret is stored as its SHA-256, works once, expires,
//! and a new link of the same kind replaces the one before.

use kinora_core::email::OutgoingEmail;
use kinora_db::user_emails::{self, TokenPurpose};
use kinora_db::users::UserRow;
use kinora_db::{Connection, Db, now_millis};
use kinora_jobs::Job;
use sha2::{Digest, Sha256};

use super::EmailContext;
use super::compose::{Draft, render};
use crate::auth::random_token;
use crate::passwords::{check_password, hash_password};
use crate::{AppError, AppResult};

/// How long a verification link works: a day.
pub const VERIFY_LINK_LIFETIME_MS: i64 = 24 * 3600 * 1000;
/// How long a password-reset link works: an hour.
pub const RESET_LINK_LIFETIME_MS: i64 = 3600 * 1000;

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn ensure_enabled(context: &EmailContext) -> AppResult<()> {
    if context.enabled {
        Ok(())
    } else {
        Err(AppError::Unsupported {
            code: "email_disabled",
            message: "This instance does not send e-mail.".to_owned(),
        })
    }
}

/// The user whose address is `email` (case-insensitive), if any.
async fn user_by_email(db: &Db, email: &str) -> AppResult<Option<UserRow>> {
    // A username has no `@`, so only addresses match an address.
    if !email.contains('@') {
        return Ok(None);
    }
    Ok(kinora_db::users::find_by_login(db.pool(), email)
        .await?
        .filter(|user| user.email.eq_ignore_ascii_case(email)))
}

async fn queue(connection: &mut Connection, email: OutgoingEmail) -> AppResult<()> {
    kinora_jobs::enqueue(connection, &Job::SendEmail { email }).await?;
    Ok(())
}

/// Sends `user` a link that verifies `email` (their address, or the new one waiting when
/// `pending`), in the caller's transaction. Does nothing when e-mail is off.
pub async fn send_verification(
    connection: &mut Connection,
    context: &EmailContext,
    user: &UserRow,
    email: &str,
    pending: bool,
) -> AppResult<()> {
    if !context.enabled {
        return Ok(());
    }
    let secret = random_token();
    let now = now_millis();
    user_emails::replace_token(
        connection,
        user.id,
        TokenPurpose::VerifyEmail,
        &hash(&secret),
        email,
        now + VERIFY_LINK_LIFETIME_MS,
    )
    .await?;
    let mut link = format!(
        "{}/verify-account/email?userId={}&verificationString={secret}",
        context.public_url, user.id
    );
    if pending {
        link.push_str("&isPendingEmail=true");
    }
    let message = render(
        context,
        email,
        Draft {
            subject: "Verify your e-mail address".to_owned(),
            paragraphs: vec![
                format!("Hello {},", user.username),
                format!(
                    "Please confirm that {email} is your address on {} by opening this link \
                     within a day.",
                    context.instance_name
                ),
            ],
            quote: None,
            action: Some(("Verify my e-mail address", link)),
            reason: "You get this e-mail because this address was given for an account. If \
                     it was not you, ignore it.",
        },
        None,
    );
    queue(connection, message).await
}

/// `POST /api/v1/users/ask-send-verify-email`: sends a new verification link to the account
/// (or the waiting registration) whose address is `email`, when it is not verified yet. An
/// unknown or verified address does nothing, so that the answer tells nobody which addresses
/// have accounts.
pub async fn ask_verify_email(db: &Db, context: &EmailContext, email: &str) -> AppResult<()> {
    ensure_enabled(context)?;
    let Some(user) = user_by_email(db, email).await? else {
        return Ok(());
    };
    if user.email_verified != 0 || user.blocked != 0 {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    send_verification(&mut tx, context, &user, &user.email, false).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/v1/users/{id}/verify-email`: uses up the verification link of user `user_id`.
/// With `pending`, the waiting new address becomes the user's (a 409 when another account
/// took it meanwhile). A wrong, used or expired link is a 403 and changes nothing.
pub async fn verify_email(db: &Db, user_id: i64, secret: &str, pending: bool) -> AppResult<()> {
    let Some(user) = kinora_db::users::find_by_id(db.pool(), user_id).await? else {
        return Err(AppError::NotFound("User"));
    };
    let invalid = || AppError::Forbidden("Invalid verification string.".to_owned());
    let mut tx = db.begin().await?;
    let now = now_millis();
    let email = user_emails::take_token(
        &mut tx,
        user.id,
        TokenPurpose::VerifyEmail,
        &hash(secret),
        now,
    )
    .await?
    .ok_or_else(invalid)?;
    if pending {
        // The link must be the one sent to the address that still waits.
        if user.pending_email.as_deref() != Some(email.as_str()) {
            return Err(invalid());
        }
        kinora_db::users::set_email(&mut tx, user.id, &email, now)
            .await
            .map_err(|error| {
                crate::users::conflict(error, "This e-mail address is already in use.")
            })?;
        user_emails::set_pending(&mut tx, user.id, None, now).await?;
    } else if !email.eq_ignore_ascii_case(&user.email) {
        // A link for an address the user no longer has.
        return Err(invalid());
    }
    user_emails::set_verified(&mut tx, user.id, true, now).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/v1/users/ask-reset-password`: e-mails a password-reset link to the account whose
/// address is `email`. An unknown address or a banned account does nothing (the answer is the
/// same, so it tells nobody which addresses have accounts).
pub async fn ask_reset_password(db: &Db, context: &EmailContext, email: &str) -> AppResult<()> {
    ensure_enabled(context)?;
    let Some(user) = user_by_email(db, email).await? else {
        return Ok(());
    };
    if user.blocked != 0 {
        return Ok(());
    }
    let secret = random_token();
    let now = now_millis();
    let mut tx = db.begin().await?;
    user_emails::replace_token(
        &mut tx,
        user.id,
        TokenPurpose::ResetPassword,
        &hash(&secret),
        &user.email,
        now + RESET_LINK_LIFETIME_MS,
    )
    .await?;
    let link = format!(
        "{}/reset-password?userId={}&verificationString={secret}",
        context.public_url, user.id
    );
    let message = render(
        context,
        &user.email,
        Draft {
            subject: "Reset your password".to_owned(),
            paragraphs: vec![
                format!("Hello {},", user.username),
                format!(
                    "Someone asked to reset the password of your account on {}. Open this link \
                     within an hour to choose a new one.",
                    context.instance_name
                ),
            ],
            quote: None,
            action: Some(("Choose a new password", link)),
            reason: "If you did not ask for this, ignore this e-mail: your password stays as it \
                     is.",
        },
        None,
    );
    queue(&mut tx, message).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/v1/users/{id}/reset-password`: uses up the reset link of user `user_id` and sets
/// `password`. The user's sessions end (every token revoked) and the address counts as
/// verified (the link reached it). A wrong, used or expired link is a 403; a password that
/// breaks the rules is a 400; neither changes anything.
pub async fn reset_password(db: &Db, user_id: i64, secret: &str, password: &str) -> AppResult<()> {
    check_password(password)?;
    let Some(user) = kinora_db::users::find_by_id(db.pool(), user_id).await? else {
        return Err(AppError::NotFound("User"));
    };
    let password_hash = hash_password(password)?;
    let mut tx = db.begin().await?;
    let now = now_millis();
    let email = user_emails::take_token(
        &mut tx,
        user.id,
        TokenPurpose::ResetPassword,
        &hash(secret),
        now,
    )
    .await?
    .ok_or_else(|| AppError::Forbidden("Invalid verification string.".to_owned()))?;
    kinora_db::users::set_password_hash(&mut tx, user.id, &password_hash, now).await?;
    kinora_db::tokens::revoke_all_of_user(&mut *tx, user.id, now).await?;
    if email.eq_ignore_ascii_case(&user.email) {
        user_emails::set_verified(&mut tx, user.id, true, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Tells the requester of a registration that staff accepted (`accepted`) or rejected it, with
/// the staff's `response`, in the caller's transaction. Does nothing when e-mail is off.
pub async fn send_registration_answer(
    connection: &mut Connection,
    context: &EmailContext,
    user: &UserRow,
    accepted: bool,
    response: Option<&str>,
) -> AppResult<()> {
    if !context.enabled {
        return Ok(());
    }
    let (subject, paragraph, action) = if accepted {
        (
            "Your registration is accepted".to_owned(),
            format!(
                "Welcome, {}: the moderators of {} accepted your registration. You can log in now.",
                user.username, context.instance_name
            ),
            Some(("Log in", format!("{}/login", context.public_url))),
        )
    } else {
        (
            "Your registration is declined".to_owned(),
            format!(
                "Hello {}, the moderators of {} declined your registration.",
                user.username, context.instance_name
            ),
            None,
        )
    };
    let message = render(
        context,
        &user.email,
        Draft {
            subject,
            paragraphs: vec![paragraph],
            quote: response
                .filter(|text| !text.trim().is_empty())
                .map(str::to_owned),
            action,
            reason: "You get this e-mail because you asked to join this instance.",
        },
        None,
    );
    queue(connection, message).await
}
