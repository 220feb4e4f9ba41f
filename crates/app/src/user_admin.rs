//! Staff editing a user (`PUT /api/v1/users/{id}`), by PeerTube's rules: administrators edit
//! anyone, moderators plain users only and never into staff; `root` keeps its role. Every field
//! is checked before anything is written.

use kinora_core::UserRole;
use kinora_db::users::StaffChange;
use kinora_db::{Db, DbError, now_millis};

use crate::auth::AuthenticatedUser;
use crate::passwords::{check_password, hash_password};
use crate::{AppError, AppResult};

/// The fields staff may change; absent ones keep their value.
#[derive(Debug, Clone, Default)]
pub struct UserEdit {
    /// PeerTube role id.
    pub role: Option<i64>,
    /// Bytes of video the user may keep (-1: unlimited).
    pub video_quota: Option<i64>,
    /// Bytes of video per day (-1: unlimited).
    pub video_quota_daily: Option<i64>,
    /// A new e-mail address.
    pub email: Option<String>,
    /// A new password.
    pub password: Option<String>,
    /// Marks the address verified (or waiting for its verification): PeerTube's
    /// `emailVerified`, for a user who cannot open their link.
    pub email_verified: Option<bool>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

fn check_quota(field: &'static str, quota: Option<i64>) -> AppResult<()> {
    match quota {
        Some(bytes) if bytes < -1 => Err(invalid(field, "must be -1 (unlimited) or more")),
        _ => Ok(()),
    }
}

/// Applies `edit` to user `target_id` as `staff`.
pub async fn edit_user(
    db: &Db,
    staff: &AuthenticatedUser,
    target_id: i64,
    edit: UserEdit,
) -> AppResult<()> {
    if !staff.is_staff() {
        return Err(AppError::Forbidden(
            "User does not have the right to manage users.".to_owned(),
        ));
    }
    let new_role = match edit.role {
        Some(id) => Some(
            UserRole::from_id(id)
                .ok_or_else(|| invalid("role", format!("{id} is not 0, 1 or 2")))?,
        ),
        None => None,
    };
    check_quota("videoQuota", edit.video_quota)?;
    check_quota("videoQuotaDaily", edit.video_quota_daily)?;
    if let Some(email) = &edit.email
        && !kinora_core::user::is_plausible_email(email)
    {
        return Err(invalid("email", "is not an e-mail address"));
    }
    if let Some(password) = &edit.password {
        check_password(password)?;
    }
    let target = kinora_db::users::find_by_id(db.pool(), target_id)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let target_role = UserRole::from_id(target.role).unwrap_or(UserRole::User);
    if staff.role == UserRole::Moderator
        && (target_role != UserRole::User || new_role.is_some_and(|role| role != UserRole::User))
    {
        return Err(AppError::Forbidden(
            "A moderator can only manage users, and not make them staff.".to_owned(),
        ));
    }
    if target.username == "root" && new_role.is_some_and(|role| role != target_role) {
        return Err(AppError::Unsupported {
            code: "cannot_change_root_role",
            message: "Cannot change the root user's role.".to_owned(),
        });
    }
    let password_hash = edit.password.as_deref().map(hash_password).transpose()?;
    let now = now_millis();
    let mut tx = db.begin().await?;
    kinora_db::users::set_role_and_quotas(
        &mut tx,
        target.id,
        StaffChange {
            role: new_role.map_or(target.role, UserRole::id),
            video_quota: edit.video_quota.unwrap_or(target.video_quota),
            video_quota_daily: edit.video_quota_daily.unwrap_or(target.video_quota_daily),
        },
        now,
    )
    .await?;
    if let Some(email) = &edit.email {
        kinora_db::users::set_email(&mut tx, target.id, email, now)
            .await
            .map_err(|error| match error {
                DbError::Conflict(_) => {
                    AppError::Conflict("This e-mail address is already used.".to_owned())
                }
                other => AppError::Db(other),
            })?;
    }
    if let Some(hash) = &password_hash {
        kinora_db::users::set_password_hash(&mut tx, target.id, hash, now).await?;
    }
    if let Some(verified) = edit.email_verified {
        kinora_db::user_emails::set_verified(&mut tx, target.id, verified, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
