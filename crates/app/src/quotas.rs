//! Users' video quotas: what counts against them (the originals their videos keep plus the bytes
//! their unfinished uploads reserved), in all and over the last 24 hours, and the check an
//! upload passes before any byte is stored. A quota of -1 is unlimited.

use kinora_db::{Db, now_millis};

use crate::{AppError, AppResult};

/// The window of the daily quota, milliseconds.
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Bytes counted against a user's quotas (PeerTube's `videoQuotaUsed` and
/// `videoQuotaUsedDaily`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaUsed {
    /// In all.
    pub total: i64,
    /// Over the last 24 hours.
    pub daily: i64,
}

/// What user `user_id` has used of their quotas, reservations of unfinished uploads included.
pub async fn used(db: &Db, user_id: i64) -> AppResult<QuotaUsed> {
    let pool = db.pool();
    let reserved = kinora_db::uploads::reserved_by_user(pool, user_id).await?;
    let total = kinora_db::quotas::used_by_user(pool, user_id, None).await?;
    let daily = kinora_db::quotas::used_by_user(pool, user_id, Some(now_millis() - DAY_MS)).await?;
    Ok(QuotaUsed {
        total: total + reserved,
        daily: daily + reserved,
    })
}

/// Refuses `size` more bytes when they would take user `user_id` past `quota` or `daily_quota`
/// (413 `quota_reached`, as PeerTube).
pub async fn check(
    db: &Db,
    user_id: i64,
    quota: i64,
    daily_quota: i64,
    size: i64,
) -> AppResult<()> {
    if quota < 0 && daily_quota < 0 {
        return Ok(());
    }
    let used = used(db, user_id).await?;
    let over = |limit: i64, used: i64| limit >= 0 && used.saturating_add(size) > limit;
    if over(quota, used.total) {
        return Err(AppError::TooLarge {
            code: "quota_reached",
            message: "The user video quota is exceeded with this video.".to_owned(),
        });
    }
    if over(daily_quota, used.daily) {
        return Err(AppError::TooLarge {
            code: "quota_reached",
            message: "The user daily video quota is exceeded with this video.".to_owned(),
        });
    }
    Ok(())
}
