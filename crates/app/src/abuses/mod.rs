//! Abuse reports (PeerTube's abuses): users report a video, a comment or an account
//! ([`report`]); moderators list them, change their state and delete them ([`moderation`]);
//! reporter and moderators talk about a report ([`messages`]); remote instances' `Flag`s
//! become reports and remote answers to our `Flag`s update ours ([`remote`]).
//!
//! A report of a remote object is told to its origin: the report and its
//! `FederationEvent::AbuseReported` are written in one transaction. A report a remote Flag
//! brought tells its reporter's instance when a moderator accepts or rejects it
//! (`FederationEvent::AbuseStateChanged`).

pub mod messages;
pub mod moderation;
pub mod remote;
pub mod report;

use kinora_core::abuse::{TEXT_MAX, TEXT_MIN};
use kinora_core::names::check_text_length;
use kinora_db::Db;
use kinora_db::abuses::AbuseRow;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Checks a reason, moderation comment or message: 2 to 3,000 characters.
pub(crate) fn check_text(field: &'static str, text: &str) -> AppResult<()> {
    check_text_length(text, TEXT_MIN, TEXT_MAX).map_err(|error| AppError::Invalid {
        field,
        message: error.to_string(),
    })
}

/// Report `id`, or `NotFound("Abuse")`.
pub async fn find(db: &Db, id: i64) -> AppResult<AbuseRow> {
    kinora_db::abuses::find_by_id(db.pool(), id)
        .await?
        .ok_or(AppError::NotFound("Abuse"))
}

/// Refuses a user who is not a moderator or an administrator.
pub fn ensure_moderator(user: &AuthenticatedUser) -> AppResult<()> {
    if user.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only moderators and administrators manage abuse reports".to_owned(),
        ))
    }
}
