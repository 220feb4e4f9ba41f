//! A user's notifications: their pages, marking them read, and the settings that decide which
//! reach them (`kinora_db::notifications` writes them where events happen).

use kinora_core::notifications::{EMAIL, SETTINGS, WEB};
use kinora_db::notifications::{NotificationQuery, NotificationRow};
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Most ids `mark_read` takes at once.
pub const MARK_READ_MAX: usize = 100;

/// One page of the caller's notifications and how many match.
pub async fn page(
    db: &Db,
    user: &AuthenticatedUser,
    query: &NotificationQuery,
) -> AppResult<(i64, Vec<NotificationRow>)> {
    Ok(kinora_db::notifications::page(db.pool(), user.user_id, query).await?)
}

/// Marks some of the caller's notifications read (ids of others' change nothing).
pub async fn mark_read(db: &Db, user: &AuthenticatedUser, ids: &[i64]) -> AppResult<u64> {
    if ids.is_empty() {
        return Err(AppError::Invalid {
            field: "ids",
            message: "name at least one notification".to_owned(),
        });
    }
    if ids.len() > MARK_READ_MAX {
        return Err(AppError::Invalid {
            field: "ids",
            message: format!("at most {MARK_READ_MAX} at once"),
        });
    }
    let mut tx = db.begin().await?;
    let changed =
        kinora_db::notifications::mark_read(&mut tx, user.user_id, ids, now_millis()).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Marks every notification of the caller read.
pub async fn mark_all_read(db: &Db, user: &AuthenticatedUser) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let changed =
        kinora_db::notifications::mark_all_read(&mut tx, user.user_id, now_millis()).await?;
    tx.commit().await?;
    Ok(changed)
}

/// The caller's settings, every one of PeerTube's, in its order.
pub async fn settings(db: &Db, user_id: i64) -> AppResult<Vec<(&'static str, i64)>> {
    Ok(kinora_db::notifications::settings(db.pool(), user_id).await?)
}

/// Changes some of the caller's settings: each name one of PeerTube's, each value a sum of
/// web (1) and e-mail (2). The first wrong one refuses the whole change.
pub async fn update_settings(
    db: &Db,
    user: &AuthenticatedUser,
    changes: &[(String, serde_json::Value)],
) -> AppResult<()> {
    let mut checked: Vec<(&'static str, i64)> = Vec::with_capacity(changes.len());
    for (name, value) in changes {
        let Some(&(setting, _)) = SETTINGS.iter().find(|(setting, _)| setting == name) else {
            return Err(AppError::Unsupported {
                code: "unknown_notification_setting",
                message: format!("{name:?} is not a notification setting"),
            });
        };
        match value.as_i64() {
            Some(value) if (0..=(WEB | EMAIL)).contains(&value) => checked.push((setting, value)),
            _ => {
                return Err(AppError::Invalid {
                    field: setting,
                    message: format!("{value} is not 0 (none), 1 (web), 2 (e-mail) or 3 (both)"),
                });
            }
        }
    }
    let mut tx = db.begin().await?;
    kinora_db::notifications::save_settings(&mut tx, user.user_id, &checked).await?;
    tx.commit().await?;
    Ok(())
}
